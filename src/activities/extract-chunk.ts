import { Context } from '@temporalio/activity';
import { CancelledFailure } from '@temporalio/common';
import { loadDocument } from '../extraction/document';
import { eInvoiceModel } from '../extraction/einvoice/extractor';
import { BatchFault, DocumentError } from '../extraction/errors';
import type { Extractor } from '../extraction/extractor';
import type { ExtractionObserver } from '../metrics/observer';
import { runChecks, type LoadedSchema } from '../extraction/schemas';
import { loadSchema, SchemaError } from '../extraction/schemas/load';
import { zeroUsage } from '../extraction/usage';
import type { DocumentResult } from '../store/document-result';
import { appendToJournal, readJournal } from '../store/journal';
import { readManifest, type ManifestEntry } from '../store/manifest';
import { chunkJournalPath } from '../store/paths';
import { resultCacheKey, type ResultCache } from '../store/result-cache';
import type { ExtractChunkInput, ExtractChunkResult, ExtractionSettings } from '../batch/activities';
import { chunkRange } from '../batch/chunks';
import { countResults } from '../batch/counts';
import { toActivityFailure } from './failures';

export interface ExtractChunkDeps {
  extractorFor: (settings: ExtractionSettings) => Extractor | Promise<Extractor>;
  resultCache: ResultCache | null;
  now: () => number;
  observer?: ExtractionObserver;
}

/**
 * Extracts the documents of one chunk that its journal does not hold yet, appending each result
 * the moment it is known, heartbeating on a timer (also during a long extraction) so a dead worker
 * is noticed within the heartbeat timeout, not after its slowest document. Returns counts only.
 */
export async function extractChunk(deps: ExtractChunkDeps, input: ExtractChunkInput): Promise<ExtractChunkResult> {
  const context = Context.current();
  const manifest = await readManifest(input.batchDir);
  const { start, end } = chunkRange(input.chunkIndex, input.chunkSize, manifest.length);
  const journalPath = chunkJournalPath(input.batchDir, input.chunkIndex);
  const done = await readJournal(journalPath);
  let extractor: Extractor;
  let schema: LoadedSchema;
  try {
    extractor = await deps.extractorFor(input.settings);
    schema = await loadSchema(input.settings.schema).catch((error: unknown) => {
      if (!(error instanceof SchemaError)) throw error;
      // Every document of the batch would fail the same way: pause the batch with the one message.
      throw new BatchFault(error.reason === 'changed' ? 'schema_changed' : 'schema_unusable', error.message);
    });
  } catch (error) {
    throw toActivityFailure(error);
  }
  let extractedNow = 0;
  const beat = setInterval(() => context.heartbeat({ done: done.size, of: end - start }), heartbeatEveryMs(context.info.heartbeatTimeoutMs));
  try {
    for (let index = start; index < end; index++) {
      if (done.has(index)) continue;
      if (context.cancellationSignal.aborted) throw new CancelledFailure(`chunk ${input.chunkIndex} cancelled`);
      let result: DocumentResult;
      try {
        result = await extractDocument(deps, extractor, schema, input.settings, manifest[index]!, context.info.attempt);
      } catch (error) {
        throw toActivityFailure(error);
      }
      await appendToJournal(journalPath, result);
      deps.observer?.documentFinished(result, input.settings.extractor);
      done.set(index, result);
      extractedNow++;
      context.heartbeat({ done: done.size, of: end - start });
    }
  } finally {
    clearInterval(beat);
  }
  return { chunkIndex: input.chunkIndex, extractedNow, ...countResults(done.values()) };
}

/**
 * A third of the timeout: two beats can be lost before the chunk is presumed dead. The SDK
 * throttles what it sends, so beating often costs nothing; it also delivers cancellation.
 */
export function heartbeatEveryMs(heartbeatTimeoutMs: number | undefined): number {
  return Math.max(100, Math.floor((heartbeatTimeoutMs || 15_000) / 3));
}

async function extractDocument(
  deps: ExtractChunkDeps,
  extractor: Extractor,
  schema: LoadedSchema,
  settings: ExtractionSettings,
  entry: ManifestEntry,
  attempt: number,
): Promise<DocumentResult> {
  const startedAt = deps.now();
  let base: Pick<DocumentResult, 'index' | 'path' | 'attempts' | 'encoding'> = { index: entry.index, path: entry.path, attempts: attempt };
  try {
    // Listed with a problem (a FIFO, a dangling link …): failed with it, never opened.
    if (entry.problem) throw new DocumentError(entry.problem.type, entry.problem.message);
    const document = await loadDocument(entry.path);
    if (document.encoding !== undefined) base = { ...base, encoding: document.encoding };
    const cacheKey = settings.cache && deps.resultCache ? resultCacheKey(document.bytes, schema.fingerprint, extractor.settingsKey) : null;
    const cached = cacheKey ? await deps.resultCache!.get(cacheKey) : null;
    if (cached) {
      return { ...base, status: 'succeeded', cached: true, data: cached.data, error: null, ...finished(), model: cached.model, usage: { ...zeroUsage }, ...(cached.model === eInvoiceModel ? { source: 'e-invoice' as const } : {}), ...review(schema, cached) };
    }
    const extraction = await extractor.extract({ document, schemaName: schema.name, schema: schema.schema, definition: schema });
    if (cacheKey) await deps.resultCache!.set(cacheKey, { data: extraction.data, model: extraction.model, ...(extraction.warnings?.length ? { warnings: extraction.warnings } : {}) });
    const { source } = extraction;
    return { ...base, status: 'succeeded', cached: false, data: extraction.data, error: null, ...finished(), model: extraction.model, usage: extraction.usage, ...(source ? { source } : {}), ...review(schema, extraction) };
  } catch (error) {
    if (!(error instanceof DocumentError)) throw error;
    // A document that failed after model calls still cost them: its usage counts in the totals.
    return { ...base, status: 'failed', cached: false, data: null, error: { type: error.type, message: error.message }, ...finished(), model: null, usage: error.usage ?? null };
  }

  function finished() {
    const finishedAt = deps.now();
    return { durationMs: finishedAt - startedAt, finishedAt };
  }
}

/**
 * The result line's warnings: the extractor's notes and the schema's failed consistency checks.
 * A failed check means a person should look (needsReview); a note alone does not.
 */
function review(schema: LoadedSchema, extraction: { data: Record<string, unknown>; warnings?: string[] | undefined }) {
  const failedChecks = runChecks(schema, extraction.data);
  const warnings = [...(extraction.warnings ?? []), ...failedChecks];
  return { ...(warnings.length > 0 ? { warnings } : {}), ...(failedChecks.length > 0 ? { needsReview: true } : {}) };
}
