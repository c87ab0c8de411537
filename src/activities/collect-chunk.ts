import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Message } from '@anthropic-ai/sdk/resources/messages';
import type { CollectChunkInput, CollectChunkResult } from '../batch/message-batches';
import { failureTypes } from '../batch/failures';
import { countResults } from '../batch/counts';
import { documentSlotsFor } from '../extraction/document-slots';
import { DocumentError } from '../extraction/errors';
import { parseCustomId } from '../extraction/message-batches/custom-id';
import { outcomeOf } from '../extraction/message-batches/results';
import { batchUsageOf } from '../extraction/message-batches/usage';
import { type ChunkJournal, withChunkJournal } from '../store/journal';
import { readManifestChunk } from '../store/manifest';
import { readSubmissions, type SubmissionGroup } from '../store/message-batch-records';
import { documentFailed, documentSucceeded, extractDocument, extractionRequest, openDocument } from './document-outcome';
import { ChunkAttempt } from './chunk-attempt';
import { openChunkSink } from '../sink/chunk-sink';
import { underChunkLock } from './chunk-lock';
import { faultPoint, faultPointArmed } from './fault-point';
import { toActivityFailure } from './failures';
import { messageBatchFailure } from './message-batch-api';
import { batchModeTools, type MessageBatchDeps } from './message-batch-tools';

/**
 * Streams the results of a chunk's ended Message Batches (the SDK's JSONL decoder: one result in
 * memory at a time) into the chunk's journal, skipping documents it holds already, so a retried
 * attempt picks up where a killed one stopped. Per result:
 * - `succeeded`: validated exactly like a realtime answer; an invalid one gets its repair turn and
 *   escalation as realtime calls (the extractor's own code), in the worker's document slots;
 * - `errored` with `invalid_request_error`: a failed document (`rejected_by_api`) with the API's message;
 * - `errored` otherwise, or `expired`: counted in `resubmit` for the next round, unless this round
 *   is the batch's last resubmit: then one realtime call, or a failed document with the reason;
 * - `canceled`: left out of the journal (the report lists it as not processed).
 * A result whose custom_id does not carry its group's token (a Message Batch adopted by
 * reconciliation that was another submission's) is ignored and logged; a document of the round
 * that no result answered is counted in `resubmit` like an expired one.
 */
export async function collectChunk(deps: MessageBatchDeps, input: CollectChunkInput): Promise<CollectChunkResult> {
  return underChunkLock(input, () =>
    withChunkJournal(input.batchDir, input.chunkIndex, (journal) => collectChunkNow(deps, input, journal)),
  );
}

async function collectChunkNow(deps: MessageBatchDeps, input: CollectChunkInput, journal: ChunkJournal): Promise<CollectChunkResult> {
  const context = Context.current();
  const entries = await readManifestChunk(input.batchDir, input.chunkIndex, input.chunkSize);
  const start = input.chunkIndex * input.chunkSize;
  const end = start + entries.length;
  const manifest = { at: (index: number) => entries[index - start]! };
  const tools = await batchModeTools(deps, input.batchDir, input.settings);
  const { extractor, anthropic, schema, client } = tools;
  const attempt = context.info.attempt;
  const groups = new Map<string, SubmissionGroup>();
  const thisRound: SubmissionGroup[] = [];
  for (const submission of await readSubmissions(input.batchDir, input.chunkIndex)) {
    for (const created of submission.created) groups.set(created.id, submission);
    if (submission.intent.round === input.round) thisRound.push(submission);
  }
  const slots = documentSlotsFor(anthropic);
  const answered = new Set<number>();
  let resubmit = 0;
  // Sink hook (src/sink/chunk-sink.ts): the batch's PostgreSQL rows and collection ledger, when it has them.
  const sink = await openChunkSink(input, journal.done.values()).catch((error: unknown) => {
    throw toActivityFailure(error);
  });
  const chunkAttempt = new ChunkAttempt(context, journal, slots, end - start, (result) => deps.observer?.documentFinished(result, input.settings.extractor), sink);

  const path = (index: number) => manifest.at(index).path;
  const base = (index: number) => ({ base: { index, path: path(index), attempts: attempt }, startedAt: deps.now() });

  /** A document whose resubmits ran out: one realtime call, or failed with the reason. */
  const ranOut = async (index: number, reason: string, expired: boolean) => {
    if (input.whenResubmitsRunOut === 'realtime') return chunkAttempt.inSlot(() => extractDocument(deps, extractor, schema, input.settings, manifest.at(index), attempt));
    const submissions = input.round + 1;
    const message = `${path(index)}: ${reason}, in ${submissions} submission${submissions === 1 ? '' : 's'} to the Message Batches API; messageBatches.resubmits (${input.resubmits}) ran out: raise it, or set messageBatches.whenResubmitsRunOut to "realtime"`;
    await chunkAttempt.record(documentFailed(deps, base(index), new DocumentError(expired ? 'timeout' : 'rejected_by_api', message)));
  };
  const again = async (index: number, reason: string, expired: boolean) => {
    if (input.round >= input.resubmits) await ranOut(index, reason, expired);
    else resubmit++;
  };

  const succeeded = (index: number, group: SubmissionGroup, message: Message, submittedAt: string) =>
    chunkAttempt.inSlot(async () => {
      // Loaded again for its content (a repair turn), its cache key and encoding; never looked up in the cache: this answer is paid for.
      const start = await openDocument(deps, schema, input.settings, extractor.settingsKey, manifest.at(index), attempt, { lookUpCache: false });
      if ('result' in start) return start.result;
      // Its duration counts from the Message Batch's creation: the turnaround at Anthropic.
      const createdAt = Date.parse(submittedAt);
      const opened = { ...start.opened, startedAt: Number.isFinite(createdAt) ? Math.min(createdAt, start.opened.startedAt) : start.opened.startedAt };
      const model = modelOf(group, index) ?? message.model;
      try {
        const extraction = await anthropic.extractFrom(extractionRequest(schema, opened.document), { model, message, usage: batchUsageOf(model, message.usage) });
        const warnings = [...(group.intent.warnings?.[index] ?? []), ...(extraction.warnings ?? [])];
        return await documentSucceeded(deps, schema, opened, { ...extraction, ...(warnings.length > 0 ? { warnings } : {}) });
      } catch (error) {
        if (!(error instanceof DocumentError)) throw error;
        return documentFailed(deps, opened, error);
      }
    });

  try {
    for (const [position, ref] of input.messageBatches.entries()) {
      const group = groups.get(ref.id);
      if (!group) {
        throw ApplicationFailure.nonRetryable(`Message Batch ${ref.id} is not in the submission records of chunk ${input.chunkIndex}: it was not submitted by this batch`, failureTypes.messageBatchUnknown);
      }
      const members = new Set(group.intent.indices);
      const half = Math.ceil(ref.requests / 2);
      const results = await client.messages.batches.results(ref.id).catch((error: unknown) => {
        throw messageBatchFailure(error, `the results of Message Batch ${ref.id} (chunk ${input.chunkIndex})`);
      });
      for await (const line of results) {
        if (chunkAttempt.stopped) break;
        const id = parseCustomId(line.custom_id);
        if (!id || id.token !== group.intent.token || !members.has(id.index)) {
          context.log.warn(`Message Batch ${ref.id}: result ${line.custom_id} is not one of chunk ${input.chunkIndex}'s (token ${group.intent.token}): ignored`);
          continue;
        }
        answered.add(id.index);
        if (await journal.has(id.index)) continue;
        const outcome = outcomeOf(line.result);
        if (outcome.kind === 'succeeded') {
          await succeeded(id.index, group, outcome.message, ref.createdAt);
        } else if (outcome.kind === 'rejected') {
          const rejected = new DocumentError('rejected_by_api', `the Message Batches API rejected the request for ${path(id.index)}: ${outcome.message}`);
          await chunkAttempt.record(documentFailed(deps, base(id.index), rejected));
        } else if (outcome.kind === 'resubmit') {
          await again(id.index, outcome.reason, line.result.type === 'expired');
        }
        if (position === 0 && faultPointArmed('message-batch:collecting')) {
          await chunkAttempt.settled();
          if (countJournaled(journal, members) >= half) faultPoint('message-batch:collecting');
        }
      }
    }
    await chunkAttempt.settled();
    if (!chunkAttempt.stopped) {
      // A document of this round no result answered (its group adopted another submission's Message Batch): sent again.
      for (const submission of thisRound) {
        for (const index of submission.intent.indices) {
          if (!answered.has(index) && !(await journal.has(index))) await again(index, 'not answered by any Message Batch of its submission', true);
        }
      }
      await chunkAttempt.settled();
    }
  } catch (error) {
    chunkAttempt.fail(error);
    await chunkAttempt.settled();
    throw toActivityFailure(error);
  } finally {
    chunkAttempt.close();
  }
  if (chunkAttempt.failure) throw toActivityFailure(chunkAttempt.failure.error);
  await journal.refresh();
  const done = journal.done;
  return { chunkIndex: input.chunkIndex, extractedNow: chunkAttempt.journaledNow, ...countResults(done.values()), resubmit };
}

/** The model a document's request was sent to, as its intent recorded it. */
function modelOf(group: SubmissionGroup, index: number): string | undefined {
  for (const [model, indices] of Object.entries(group.intent.models)) if (indices.includes(index)) return model;
  return undefined;
}

function countJournaled(journal: ChunkJournal, members: ReadonlySet<number>): number {
  let count = 0;
  for (const index of members) if (journal.done.has(index)) count++;
  return count;
}
