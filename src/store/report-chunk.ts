import { stringify } from 'csv-stringify/sync';
import { columnValue, type SchemaColumn } from '../extraction/schemas/columns';
import type { DocumentResult } from './document-result';
import { readJournal } from './journal';
import { readManifestChunk } from './manifest';
import { ReportTally, type TallyState } from './report-tally';

export interface ChunkRenderRequest {
  batchDir: string;
  chunk: number;
  chunkSize: number;
  /** The CSV's data columns (report.ts derives them from the schema once). */
  columns: readonly SchemaColumn[];
}

/** One chunk's lines of each report file, and its tally. */
export interface RenderedChunk {
  /** Documents in the chunk's manifest part: 0 past the last chunk. */
  documents: number;
  manifest: string;
  results: string;
  csv: string;
  failures: string;
  review: string;
  tally: TallyState;
}

/**
 * A chunk's share of the report: its manifest part merged with its journal, one line per document
 * in manifest order; a document the journal does not hold is `not_processed`.
 */
export async function renderReportChunk({ batchDir, chunk, chunkSize, columns }: ChunkRenderRequest): Promise<RenderedChunk> {
  const [entries, journal] = await Promise.all([readManifestChunk(batchDir, chunk, chunkSize), readJournal(batchDir, chunk)]);
  const csv = csvColumns(columns);
  const tally = new ReportTally(columns);
  const rendered = { manifest: '', results: '', failures: '', review: '' };
  const rows: unknown[][] = [];
  for (const entry of entries) {
    const result = journal.get(entry.index) ?? notProcessed(entry.index, entry.path);
    tally.add(result);
    rendered.manifest += JSON.stringify(entry) + '\n';
    rendered.results += JSON.stringify(result) + '\n';
    rows.push(csv.row(result));
    if (result.status === 'failed') rendered.failures += JSON.stringify({ index: entry.index, path: result.path, error: result.error, attempts: result.attempts }) + '\n';
    if (result.needsReview) rendered.review += JSON.stringify({ index: entry.index, path: result.path, reasons: result.warnings ?? [], data: result.data }) + '\n';
  }
  return { documents: entries.length, ...rendered, csv: rows.length === 0 ? '' : stringify(rows), tally: tally.state() };
}

/** results.csv's header: the row's fixed columns, then the schema's fields flattened (columns.ts). */
export function csvHeader(columns: readonly SchemaColumn[]): string {
  return stringify([csvColumns(columns).header]);
}

function csvColumns(fields: readonly SchemaColumn[]) {
  return {
    header: ['path', 'status', 'cached', 'error_type', 'error_message', 'needs_review', 'warnings', ...fields.map((field) => field.name)],
    row(result: DocumentResult): unknown[] {
      const data = result.data ?? {};
      return [
        result.path,
        result.status,
        result.cached,
        result.error?.type ?? '',
        result.error?.message ?? '',
        result.needsReview === true,
        (result.warnings ?? []).join('; '),
        ...fields.map((field) => columnValue(data, field)),
      ];
    },
  };
}

function notProcessed(index: number, path: string): DocumentResult {
  return {
    index,
    path,
    status: 'not_processed',
    cached: false,
    data: null,
    error: null,
    attempts: 0,
    durationMs: 0,
    model: null,
    usage: null,
  };
}
