import { randomUUID } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { MessageCreateParamsNonStreaming } from '@anthropic-ai/sdk/resources/messages';
import type { SubmitChunkInput, SubmitChunkResult, MessageBatchRef } from '../batch/message-batches';
import { eInvoiceFirst } from '../extraction/einvoice/extractor';
import { DocumentError } from '../extraction/errors';
import { customId, newToken } from '../extraction/message-batches/custom-id';
import { MessageBatchGrouper, messageBatchLimits, requestBytes } from '../extraction/message-batches/grouping';
import { reconcileCandidates } from '../extraction/message-batches/reconcile';
import type { DocumentResult } from '../store/document-result';
import { type ChunkJournal, withChunkJournal } from '../store/journal';
import { readManifestChunk } from '../store/manifest';
import { failureTypes } from '../batch/failures';
import { attemptSuperseded, readSubmissions, recordAttempt, recordCreated, recordedMessageBatchIds, recordIntent, type CreatedRecord, type SubmissionGroup } from '../store/message-batch-records';
import { documentFailed, documentSucceeded, extractionRequest, openDocument, type OpenedDocument } from './document-outcome';
import { heartbeatEveryMs } from './chunk-attempt';
import { underChunkLock } from './chunk-lock';
import { faultPoint } from './fault-point';
import { toActivityFailure } from './failures';
import { messageBatchFailure } from './message-batch-api';
import { batchModeTools, refOf, type BatchModeTools, type MessageBatchDeps } from './message-batch-tools';

/** A document ready to go in a Message Batch. */
interface Prepared {
  index: number;
  model: string;
  params: MessageCreateParamsNonStreaming;
  /** Its size in the create body (with a custom_id of the longest form). */
  bytes: number;
  warnings?: string[];
}

/** Documents prepared at once (loaded, profiled, turned into content): enough to keep the decoder pool busy, few enough to hold in memory. */
const preparedAtOnce = 16;

/** `create` uploads up to 256 MB: far longer than an ordinary call may take. */
const createTimeoutMs = 15 * 60 * 1000;

/**
 * Sends a chunk's documents that still need Claude as Message Batches, idempotently:
 * - documents settled without Claude (a listing problem, a document that cannot be loaded, a
 *   cache hit, an e-invoice read from its XML) are journaled at once, as extractChunk does;
 * - every other document becomes one request, custom_id `<token>-<index>`, with exactly the
 *   params of its first realtime call (1-hour cache TTL), grouped within the API's limits;
 * - per group, an intent record is fsynced before `create` and a created record written right
 *   after (store/message-batch-records.ts). Run again (a retry, a redelivered task), a group with
 *   its id is reused, a group with only its intent is reconciled against `list` and created only
 *   when no Message Batch of it exists; documents already in a group of this round are not sent again.
 * - each attempt records that it started; an attempt that a later one (on another worker) started
 *   after sends no more `create`s, so two live attempts do not both pay for a group.
 * A PDF beyond one request's limits is extracted here in realtime, its parts merged, as extractChunk does.
 */
export async function submitChunk(deps: MessageBatchDeps, input: SubmitChunkInput): Promise<SubmitChunkResult> {
  return underChunkLock(input, async () => {
    const attemptId = randomUUID();
    await recordAttempt(input.batchDir, input.chunkIndex, { id: attemptId, attempt: Context.current().info.attempt, at: new Date(deps.now()).toISOString() });
    return withChunkJournal(input.batchDir, input.chunkIndex, (journal) => submitChunkNow(deps, input, journal, attemptId));
  });
}

async function submitChunkNow(deps: MessageBatchDeps, input: SubmitChunkInput, journal: ChunkJournal, attemptId: string): Promise<SubmitChunkResult> {
  const context = Context.current();
  const entries = await readManifestChunk(input.batchDir, input.chunkIndex, input.chunkSize);
  const start = input.chunkIndex * input.chunkSize;
  const end = start + entries.length;
  const manifest = { at: (index: number) => entries[index - start]! };
  const tools = await batchModeTools(deps, input.batchDir, input.settings);
  const { extractor, anthropic, schema } = tools;
  const attempt = context.info.attempt;
  const limits = deps.messageBatchLimits ?? messageBatchLimits;
  const refs: MessageBatchRef[] = [];
  const journaled = async (result: DocumentResult) => {
    if (await journal.append(result)) deps.observer?.documentFinished(result, input.settings.extractor);
  };

  /** A document's request, or its result line when it needs no Message Batch; `split` PDFs go realtime. */
  const prepare = async (index: number): Promise<Prepared | OpenedDocument | DocumentResult> => {
    const start = await openDocument(deps, schema, input.settings, extractor.settingsKey, manifest.at(index), attempt);
    if ('result' in start) return start.result;
    const { opened } = start;
    const request = extractionRequest(schema, opened.document);
    try {
      const eInvoice = await eInvoiceFirst(request);
      if ('extraction' in eInvoice) return await documentSucceeded(deps, schema, opened, eInvoice.extraction);
      const first = await anthropic.firstRequest(request, '1h');
      if (first.kind === 'split') return opened;
      const bytes = requestBytes({ custom_id: customId(newToken(), index), params: first.params });
      return { index, model: first.model, params: first.params, bytes, ...(eInvoice.warning ? { warnings: [eInvoice.warning] } : {}) };
    } catch (error) {
      if (!(error instanceof DocumentError)) throw error;
      return documentFailed(deps, opened, error);
    }
  };

  const create = async (group: number, token: string, prepared: Prepared[]): Promise<void> => {
    const created = await createMessageBatch(deps, tools, input, attemptId, group, token, prepared);
    refs.push(refOf(input.chunkIndex, created));
  };

  const beat = setInterval(() => context.heartbeat({ messageBatches: refs.length }), heartbeatEveryMs(context.info.heartbeatTimeoutMs));
  try {
    const submissions = await readSubmissions(input.batchDir, input.chunkIndex);
    const thisRound = submissions.filter((submission) => submission.intent.round === input.round);
    const split: OpenedDocument[] = [];
    const sort = (items: (Prepared | OpenedDocument | DocumentResult)[]) => {
      const requests: Prepared[] = [];
      for (const item of items) {
        if ('params' in item) requests.push(item);
        else if ('document' in item) split.push(item);
      }
      return requests;
    };
    const settle = async (items: (Prepared | OpenedDocument | DocumentResult)[]) => {
      for (const item of items) if ('status' in item) await journaled(item);
    };

    // Groups this round began in an earlier attempt.
    for (const submission of thisRound) {
      if (submission.created.length > 0) {
        refs.push(...submission.created.map((created) => refOf(input.chunkIndex, created)));
        continue;
      }
      const adopted = await reconcile(tools, input, submission);
      if (adopted.length > 0) {
        refs.push(...adopted.map((created) => refOf(input.chunkIndex, created)));
        continue;
      }
      // It never reached Anthropic: its documents go again, under the same token.
      const items = await mapInBatches(submission.intent.indices.filter((index) => !journal.done.has(index)), prepare);
      await settle(items);
      const requests = sort(items);
      if (requests.length > 0) await create(submission.intent.group, submission.intent.token, requests);
    }

    // Everything else this round has to send.
    const claimed = new Set(thisRound.flatMap((submission) => submission.intent.indices));
    const pending: number[] = [];
    for (let index = start; index < end; index++) if (!journal.done.has(index) && !claimed.has(index)) pending.push(index);
    let nextGroup = Math.max(-1, ...thisRound.map((submission) => submission.intent.group)) + 1;
    const grouper = new MessageBatchGrouper<Prepared>(limits);
    for (let at = 0; at < pending.length; at += preparedAtOnce) {
      const items = await Promise.all(pending.slice(at, at + preparedAtOnce).map(prepare));
      await settle(items);
      for (const request of sort(items)) {
        const full = grouper.add(request);
        if (full) await create(nextGroup++, newToken(), full);
      }
    }
    const last = grouper.finish();
    if (last) await create(nextGroup++, newToken(), last);

    // PDFs beyond one request's limits: their parts are extracted in realtime and merged.
    for (const opened of split) {
      try {
        const extraction = await extractor.extract(extractionRequest(schema, opened.document));
        await journaled(await documentSucceeded(deps, schema, opened, extraction));
      } catch (error) {
        if (!(error instanceof DocumentError)) throw error;
        await journaled(documentFailed(deps, opened, error));
      }
    }
  } catch (error) {
    throw toActivityFailure(error);
  } finally {
    clearInterval(beat);
  }
  return { chunkIndex: input.chunkIndex, messageBatches: refs };
}

/** intent (fsynced) -> create -> created: the id is on disk before anything else happens. */
async function createMessageBatch(deps: MessageBatchDeps, tools: BatchModeTools, input: SubmitChunkInput, attemptId: string, group: number, token: string, prepared: Prepared[]): Promise<CreatedRecord> {
  const models: Record<string, number[]> = {};
  const warnings: Record<string, string[]> = {};
  for (const { index, model, warnings: notes } of prepared) {
    (models[model] ??= []).push(index);
    if (notes) warnings[index] = notes;
  }
  const indices = prepared.map((request) => request.index);
  await recordIntent(input.batchDir, input.chunkIndex, {
    attempt: attemptId,
    round: input.round,
    group,
    token,
    at: new Date(deps.now()).toISOString(),
    indices,
    models,
    ...(Object.keys(warnings).length > 0 ? { warnings } : {}),
  });
  faultPoint('message-batch:before-create');
  // A stale attempt (Temporal timed it out and said so on a heartbeat) leaves the create to the current one.
  if (Context.current().cancellationSignal.aborted) throw new CancelledFailure(`submitChunk of chunk ${input.chunkIndex}: this attempt was cancelled before its create`);
  // A later attempt started (on another worker) while this one stalled: it reads this intent as void and sends the group itself.
  if (await attemptSuperseded(input.batchDir, input.chunkIndex, attemptId)) {
    throw ApplicationFailure.retryable(`submitChunk of chunk ${input.chunkIndex}: a later attempt of this chunk has started; this one leaves the create to it`, failureTypes.submissionSuperseded);
  }
  const requests = prepared.map(({ index, params }) => ({ custom_id: customId(token, index), params }));
  const batch = await tools.client.messages.batches.create({ requests }, { timeout: createTimeoutMs }).catch((error: unknown) => {
    throw messageBatchFailure(error, `the Message Batch of chunk ${input.chunkIndex} (round ${input.round}, ${requests.length} documents)`);
  });
  faultPoint('message-batch:after-create');
  const created = { round: input.round, group, id: batch.id, createdAt: batch.created_at, expiresAt: batch.expires_at, requests: requests.length };
  await recordCreated(input.batchDir, input.chunkIndex, created);
  return { kind: 'created', ...created };
}

/** The Message Batches a group whose `create` may have gone through became, recorded as created; none when it did not reach Anthropic. */
async function reconcile(tools: BatchModeTools, input: SubmitChunkInput, submission: SubmissionGroup): Promise<CreatedRecord[]> {
  const recorded = await recordedMessageBatchIds(input.batchDir);
  const what = `reconciling the Message Batch of chunk ${input.chunkIndex} (round ${input.round})`;
  let candidates;
  try {
    candidates = await reconcileCandidates(tools.client.messages.batches.list({ limit: 100 }), { at: submission.intent.at, requests: submission.intent.indices.length }, recorded);
  } catch (error) {
    throw messageBatchFailure(error, what);
  }
  if (candidates.length > 1) {
    Context.current().log.warn(`${what}: ${candidates.length} Message Batches match (${candidates.map((batch) => batch.id).join(', ')}); all are collected, keeping only results of token ${submission.intent.token}`);
  }
  const adopted: CreatedRecord[] = [];
  for (const batch of candidates) {
    const created = { round: input.round, group: submission.intent.group, id: batch.id, createdAt: batch.created_at, expiresAt: batch.expires_at, requests: submission.intent.indices.length, adopted: true };
    await recordCreated(input.batchDir, input.chunkIndex, created);
    adopted.push({ kind: 'created', ...created });
  }
  return adopted;
}

async function mapInBatches<T, R>(items: T[], run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let at = 0; at < items.length; at += preparedAtOnce) results.push(...(await Promise.all(items.slice(at, at + preparedAtOnce).map(run))));
  return results;
}

