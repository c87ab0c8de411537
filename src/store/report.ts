import type { LoadedSchema, SchemaReference } from '../extraction/schemas';
import { schemaColumns, type SchemaColumn } from '../extraction/schemas/columns';
import { loadSchema, loadSchemaFile } from '../extraction/schemas/load';
import type { Storage } from '../storage/storage';
import { chunkCountOf } from '../batch/chunks';
import { csvHeader, renderReportChunk, type RenderedChunk } from './report-chunk';
import { batchFiles, batchKeys, batchStorage } from './paths';
import { renderReportHtml } from './report-html';
import { ReportTally } from './report-tally';
import { batchSummarySchema, type BatchSummary } from '../batch/summary';
import type { WriteReportInput } from '../batch/activities';

/** The report activity's input plus the moment the report is written. */
export type ReportRequest = WriteReportInput & { finishedAt: number };

/**
 * Merges the chunk journals into the batch's output files, in manifest order, with exactly one
 * line per document: a document no chunk finished is `not_processed`. Every file is written
 * atomically, so re-running the report (a retried activity) gives the same files.
 */
export async function writeBatchReport(request: ReportRequest, events: { chunkWritten?: () => void } = {}): Promise<BatchSummary> {
  const storage = batchStorage(request.batchDir);
  const files = batchFiles(request.batchDir);
  const schema = await schemaForReport(request.schema);
  const fields = schema ? schemaColumns(schema.schema) : [];
  const tally = new ReportTally(fields);
  let total = 0;

  // Every file streams (a multipart upload in a bucket): memory stays flat at any batch size
  // (holding the CSV rows of 100,000 documents took about 200 MB of worker heap).
  await withLineWriters(storage, [batchKeys.results, batchKeys.resultsCsv, batchKeys.failures, batchKeys.review, batchKeys.manifest], async (writers) => {
    const [writeLine, writeCsv, writeFailure, writeReview, writeManifestLine] = writers as [Writer, Writer, Writer, Writer, Writer];
    await writeCsv(csvHeader(fields));
    // Written a chunk at a time: one write per file per chunk, not five awaits per document.
    for await (const chunk of renderedChunks(request, fields)) {
      total += chunk.documents;
      tally.merge(chunk.tally);
      await writeManifestLine(chunk.manifest);
      await writeLine(chunk.results);
      await writeCsv(chunk.csv);
      if (chunk.failures !== '') await writeFailure(chunk.failures);
      if (chunk.review !== '') await writeReview(chunk.review);
      events.chunkWritten?.();
    }
  });

  const { succeeded, failed } = tally.counts;
  const summary = batchSummarySchema.parse({
    batchId: request.batchId,
    state: request.state,
    reason: request.reason,
    outputDir: request.batchDir,
    total,
    processed: succeeded + failed,
    succeeded,
    failed,
    cached: tally.counts.cached,
    notProcessed: tally.notProcessed,
    successRate: succeeded + failed === 0 ? 0 : round(succeeded / (succeeded + failed), 4),
    failuresByType: tally.failuresByType,
    startedAt: new Date(request.startedAt).toISOString(),
    finishedAt: new Date(request.finishedAt).toISOString(),
    elapsedMs: Math.round(request.elapsedMs),
    pausedMs: Math.round(request.pausedMs),
    documentsPerSecond: request.elapsedMs > 0 ? round(((succeeded + failed) / request.elapsedMs) * 1000, 3) : 0,
    meanDocumentMs: tally.timed === 0 ? 0 : round(tally.durationMs / tally.timed, 1),
    usage: tally.counts.usage,
    models: tally.models,
    usageByModel: tally.usageByModel,
    schema: schema ? { name: schema.name, fingerprint: schema.fingerprint, source: schema.source } : undefined,
    needsReview: tally.needsReview,
    warningsByCheck: tally.warningsByCheck,
    fieldFillRates: tally.fillRates(),
    runs: request.runs,
    chunkSize: request.chunkSize,
    mode: request.mode,
    redriveOf: request.redriveOf,
    redrivenBy: (await readSummary(request.batchDir))?.redrivenBy ?? [],
    files: {
      results: files.results,
      resultsCsv: files.resultsCsv,
      failures: files.failures,
      summary: files.summary,
      manifest: files.manifest,
      review: files.review,
      reportHtml: files.reportHtml,
    },
  });
  await storage.write(batchKeys.reportHtml, renderReportHtml(summary, tally));
  await storage.write(batchKeys.summary, JSON.stringify(summary, null, 2) + '\n');
  return summary;
}

/** Chunks being read ahead of the one being written: their reads overlap the CPU of the others. */
const CHUNKS_AHEAD = 3;

/**
 * Each chunk rendered (report-chunk.ts), in manifest order, a few read ahead of the one being
 * written: memory holds those few chunks at any batch size. Without the total (a report requested
 * by a workflow started before manifest parts), chunks are read until one has no entries.
 */
async function* renderedChunks(request: ReportRequest, columns: readonly SchemaColumn[]): AsyncGenerator<RenderedChunk> {
  const chunkCount = request.total === undefined ? Infinity : chunkCountOf(request.total, request.chunkSize);
  const ahead: Array<Promise<RenderedChunk>> = [];
  let next = 0;
  const readAhead = () => {
    while (ahead.length < CHUNKS_AHEAD && next < chunkCount) {
      const rendering = renderReportChunk({ batchDir: request.batchDir, chunk: next++, chunkSize: request.chunkSize, columns });
      // Awaited in order below: a failure meanwhile is not an unhandled rejection.
      rendering.catch(() => undefined);
      ahead.push(rendering);
    }
  };
  for (readAhead(); ahead.length > 0; readAhead()) {
    const chunk = await ahead.shift()!;
    if (chunk.documents === 0) return;
    yield chunk;
  }
}

type Writer = (text: string) => Promise<void>;

/** Streams several objects at once, each whole or not at all. */
async function withLineWriters(storage: Storage, keys: readonly string[], write: (writers: Array<(text: string) => Promise<void>>) => Promise<void>): Promise<void> {
  const open = async (at: number, writers: Array<(text: string) => Promise<void>>): Promise<void> => {
    if (at === keys.length) return write(writers);
    await storage.writeLines(keys[at]!, (writer) => open(at + 1, [...writers, writer]));
  };
  await open(0, []);
}

export async function readSummary(batchDir: string): Promise<BatchSummary | null> {
  const bytes = await batchStorage(batchDir).read(batchKeys.summary);
  if (bytes === null) return null;
  try {
    const parsed = batchSummarySchema.safeParse(JSON.parse(bytes.toString('utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Records on an earlier batch's summary that `redriveId` redrives its failed documents. */
export async function linkRedrive(parentBatchDir: string, redriveId: string): Promise<boolean> {
  const summary = await readSummary(parentBatchDir);
  if (!summary) return false;
  if (!summary.redrivenBy.includes(redriveId)) {
    summary.redrivenBy.push(redriveId);
    await batchStorage(parentBatchDir).write(batchKeys.summary, JSON.stringify(summary, null, 2) + '\n');
  }
  return true;
}

/**
 * The schema whose columns the report writes. A file is read as it is now even if it changed
 * (the report of a batch whose schema changed still lists what was done); one that cannot be read
 * leaves the data columns out rather than losing the report.
 */
async function schemaForReport(reference: SchemaReference): Promise<LoadedSchema | null> {
  try {
    return typeof reference === 'string' ? await loadSchema(reference) : await loadSchemaFile(reference.file);
  } catch {
    return null;
  }
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
