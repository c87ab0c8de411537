import { loadDocument } from '../extraction/document';
import { eInvoiceModel } from '../extraction/einvoice/extractor';
import { DocumentError } from '../extraction/errors';
import type { Extraction, ExtractionRequest, Extractor, SourceDocument } from '../extraction/extractor';
import { runChecks, type LoadedSchema } from '../extraction/schemas';
import { zeroUsage } from '../extraction/usage';
import type { DocumentResult } from '../store/document-result';
import type { ManifestEntry } from '../store/manifest';
import { resultCacheKey, type ResultCache } from '../store/result-cache';
import type { ExtractionSettings } from '../batch/activities';

/**
 * A document's way from its manifest entry to its result line, shared by realtime chunks
 * (extractChunk) and batch mode (submitChunk, collectChunk): what is settled without a model (a
 * listing problem, a document that cannot be loaded, a cache hit), and the line of a finished
 * extraction or of a DocumentError.
 */
export interface DocumentOutcomeDeps {
  resultCache: ResultCache | null;
  now: () => number;
}

/** A loaded document on its way to an extractor, with what its result line needs. */
export interface OpenedDocument {
  document: SourceDocument;
  base: Pick<DocumentResult, 'index' | 'path' | 'attempts' | 'encoding'>;
  /** Null when the batch does not use the result cache. */
  cacheKey: string | null;
  /** When its extraction started (epoch ms): the line's durationMs counts from here. */
  startedAt: number;
}

/**
 * Opens a manifest entry: its result line when it is settled without a model (listed with a
 * problem, a DocumentError while loading, a cache hit), else the loaded document.
 */
export async function openDocument(
  deps: DocumentOutcomeDeps,
  schema: LoadedSchema,
  settings: ExtractionSettings,
  settingsKey: string,
  entry: ManifestEntry,
  attempt: number,
  { lookUpCache = true }: { lookUpCache?: boolean } = {},
): Promise<{ result: DocumentResult } | { opened: OpenedDocument }> {
  const startedAt = deps.now();
  let base: OpenedDocument['base'] = { index: entry.index, path: entry.path, attempts: attempt };
  try {
    // Listed with a problem (a FIFO, a dangling link …): failed with it, never opened.
    if (entry.problem) throw new DocumentError(entry.problem.type, entry.problem.message);
    const document = await loadDocument(entry.path, { version: entry.version });
    if (document.encoding !== undefined) base = { ...base, encoding: document.encoding };
    const cacheKey = settings.cache && deps.resultCache ? resultCacheKey(document.bytes, schema.fingerprint, settingsKey) : null;
    const cached = cacheKey && lookUpCache ? await deps.resultCache!.get(cacheKey) : null;
    if (cached) {
      const result: DocumentResult = {
        ...base,
        status: 'succeeded',
        cached: true,
        data: cached.data,
        error: null,
        ...finished(deps, startedAt),
        model: cached.model,
        usage: { ...zeroUsage },
        ...(cached.model === eInvoiceModel ? { source: 'e-invoice' as const } : {}),
        ...review(schema, cached),
      };
      return { result };
    }
    return { opened: { document, base, cacheKey, startedAt } };
  } catch (error) {
    if (!(error instanceof DocumentError)) throw error;
    return { result: documentFailed(deps, { base, startedAt }, error) };
  }
}

/** What an extractor is asked for a document under the batch's schema. */
export function extractionRequest(schema: LoadedSchema, document: SourceDocument): ExtractionRequest {
  return { document, schemaName: schema.name, schema: schema.schema, definition: schema };
}

/** The line of a finished extraction; the result is cached first (when the batch caches). */
export async function documentSucceeded(deps: DocumentOutcomeDeps, schema: LoadedSchema, opened: OpenedDocument, extraction: Extraction): Promise<DocumentResult> {
  if (opened.cacheKey) {
    await deps.resultCache!.set(opened.cacheKey, {
      data: extraction.data,
      model: extraction.model,
      ...(extraction.warnings?.length ? { warnings: extraction.warnings } : {}),
      ...(extraction.needsReview ? { needsReview: true } : {}),
    });
  }
  const { source } = extraction;
  return {
    ...opened.base,
    status: 'succeeded',
    cached: false,
    data: extraction.data,
    error: null,
    ...finished(deps, opened.startedAt),
    model: extraction.model,
    usage: extraction.usage,
    ...(source ? { source } : {}),
    ...review(schema, extraction),
  };
}

/** The line of a document that failed; one that failed after model calls still cost them, so its usage counts in the totals. */
export function documentFailed(deps: DocumentOutcomeDeps, opened: Pick<OpenedDocument, 'base' | 'startedAt'>, error: DocumentError): DocumentResult {
  return {
    ...opened.base,
    status: 'failed',
    cached: false,
    data: null,
    error: { type: error.type, message: error.message },
    ...finished(deps, opened.startedAt),
    model: null,
    usage: error.usage ?? null,
  };
}

/** One document through an extractor (realtime): its result line, or the error that fails the chunk attempt. */
export async function extractDocument(
  deps: DocumentOutcomeDeps,
  extractor: Extractor,
  schema: LoadedSchema,
  settings: ExtractionSettings,
  entry: ManifestEntry,
  attempt: number,
): Promise<DocumentResult> {
  const start = await openDocument(deps, schema, settings, extractor.settingsKey, entry, attempt);
  if ('result' in start) return start.result;
  try {
    const extraction = await extractor.extract(extractionRequest(schema, start.opened.document));
    return await documentSucceeded(deps, schema, start.opened, extraction);
  } catch (error) {
    if (!(error instanceof DocumentError)) throw error;
    return documentFailed(deps, start.opened, error);
  }
}

function finished(deps: DocumentOutcomeDeps, startedAt: number) {
  const finishedAt = deps.now();
  return { durationMs: Math.max(0, finishedAt - startedAt), finishedAt };
}

/**
 * The result line's warnings: the extractor's notes and the schema's failed consistency checks.
 * A failed check means a person should look (needsReview), as does an extraction that asks for it
 * (fields read from doubtful OCR); a note alone does not.
 */
function review(schema: LoadedSchema, extraction: { data: Record<string, unknown>; warnings?: string[] | undefined; needsReview?: boolean | undefined }) {
  const failedChecks = runChecks(schema, extraction.data);
  const warnings = [...(extraction.warnings ?? []), ...failedChecks];
  return { ...(warnings.length > 0 ? { warnings } : {}), ...(failedChecks.length > 0 || extraction.needsReview ? { needsReview: true } : {}) };
}
