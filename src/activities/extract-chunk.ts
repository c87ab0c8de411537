import { Context } from '@temporalio/activity';
import { CancelledFailure } from '@temporalio/common';
import { BatchFault } from '../extraction/errors';
import type { Extractor } from '../extraction/extractor';
import type { ExtractionObserver } from '../metrics/observer';
import type { LoadedSchema } from '../extraction/schemas';
import { loadSchema, SchemaError } from '../extraction/schemas/load';
import { type ChunkJournal, withChunkJournal } from '../store/journal';
import { documentSlotsFor } from '../extraction/document-slots';
import { readManifestChunk } from '../store/manifest';
import type { ResultCache } from '../store/result-cache';
import type { ExtractChunkInput, ExtractChunkResult, ExtractionSettings } from '../batch/activities';
import { extractDocument } from './document-outcome';
import { countResults } from '../batch/counts';
import { toActivityFailure } from './failures';
import { ChunkAttempt } from './chunk-attempt';
import { openChunkSink } from '../sink/chunk-sink';
import { seededForChunk } from './chunk-examples';

export interface ExtractChunkDeps {
  extractorFor: (settings: ExtractionSettings) => Extractor | Promise<Extractor>;
  resultCache: ResultCache | null;
  now: () => number;
  observer?: ExtractionObserver;
}

/**
 * Extracts the documents of one chunk that its journal does not hold yet, several at once: each
 * document waits for a slot of the worker's process-wide pool (document-slots.ts), sized by the
 * extractor (its rate limiter's Little's-law estimate, or its decoder pool), so a chunk of any size
 * keeps as many requests in flight as the account's limits allow (ChunkAttempt: journaled as each
 * finishes, heartbeats, stop on cancellation or the first failure). The journal is re-checked before
 * each document (a look under 100 ms old serves on disk, one under a second in a bucket), so a
 * document another attempt of this chunk finished meanwhile is not extracted again. Returns counts
 * only.
 */
export async function extractChunk(deps: ExtractChunkDeps, input: ExtractChunkInput): Promise<ExtractChunkResult> {
  return withChunkJournal(input.batchDir, input.chunkIndex, (journal) => extractChunkWith(deps, input, journal));
}

async function extractChunkWith(deps: ExtractChunkDeps, input: ExtractChunkInput, journal: ChunkJournal): Promise<ExtractChunkResult> {
  const context = Context.current();
  const entries = await readManifestChunk(input.batchDir, input.chunkIndex, input.chunkSize);
  const start = input.chunkIndex * input.chunkSize;
  const end = start + entries.length;
  let extractor: Extractor;
  let schema: LoadedSchema;
  try {
    extractor = await seededForChunk(input.batchDir, input.settings, await deps.extractorFor(input.settings));
    schema = await loadSchema(input.settings.schema).catch((error: unknown) => {
      if (!(error instanceof SchemaError)) throw error;
      // Every document of the batch would fail the same way: pause the batch with the one message.
      throw new BatchFault(error.reason === 'changed' ? 'schema_changed' : 'schema_unusable', error.message);
    });
  } catch (error) {
    throw toActivityFailure(error);
  }
  const slots = documentSlotsFor(extractor);
  // Sink hook (src/sink/chunk-sink.ts): the batch's PostgreSQL rows and collection ledger, when it has them.
  const sink = await openChunkSink(input, journal.done.values()).catch((error: unknown) => {
    throw toActivityFailure(error);
  });
  const chunkAttempt = new ChunkAttempt(context, journal, slots, end - start, (result) => deps.observer?.documentFinished(result, input.settings.extractor), sink);
  try {
    const pending: number[] = [];
    for (let index = start; index < end; index++) if (!journal.done.has(index)) pending.push(index);
    await Promise.all(
      pending.map((index) =>
        chunkAttempt.inSlot(
          async () => ((await journal.has(index)) ? undefined : extractDocument(deps, extractor, schema, input.settings, entries[index - start]!, context.info.attempt)),
          extractor.documentWeight?.(entries[index - start]!.sizeBytes) ?? 1,
        ),
      ),
    );
    await chunkAttempt.settled();
  } finally {
    chunkAttempt.close();
  }
  if (chunkAttempt.failure) throw toActivityFailure(chunkAttempt.failure.error);
  // Counted from the journal: it also holds what another attempt of this chunk wrote meanwhile.
  await journal.refresh({ force: true });
  const done = journal.done;
  if (context.cancellationSignal.aborted && done.size < end - start) throw new CancelledFailure(`chunk ${input.chunkIndex} cancelled`);
  return { chunkIndex: input.chunkIndex, extractedNow: chunkAttempt.journaledNow, ...countResults(done.values()) };
}
