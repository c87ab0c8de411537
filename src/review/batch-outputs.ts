import { ApplicationFailure } from '@temporalio/common';
import { reviewFailureTypes, reviewItemSchema, type ReviewItem } from '../batch/review';
import { batchSummarySchema, type BatchSummary } from '../batch/summary';
import { isSchemaName, type SchemaReference } from '../extraction/schemas';
import { storageAt } from '../storage/location';
import type { Storage } from '../storage/storage';
import { documentResultSchema, type DocumentResult } from '../store/document-result';
import { z } from 'zod';
import { issuerOf } from '../extraction/examples/issuer';

/**
 * The review's view of a batch's outputs, read and written only through the Storage contract, so
 * a batch written to disk and one written to a bucket are reviewed alike. Keys are relative to the
 * batch's location (`<outputDir>/<batch id>`).
 */
export const reviewKeys = {
  summary: 'summary.json',
  results: 'results.jsonl',
  reportHtml: 'report.html',
  /** Every accepted correction, appended (never rewritten): the corrected data behind each decision. */
  corrections: 'review/corrections',
  /** The review's state as last written (counts, decisions): report.html's section, and a new review's start. */
  state: 'review/state.json',
  reviewedResults: 'results.reviewed.jsonl',
  reviewedCsv: 'results.reviewed.csv',
} as const;

export function batchStorage(batchLocation: string): Storage {
  return storageAt(batchLocation);
}

/** summary.json, or a BatchOutputsMissing failure that names where it was looked for. */
export async function readBatchSummary(storage: Storage, batchId: string): Promise<BatchSummary> {
  const bytes = await storage.read(reviewKeys.summary);
  if (bytes === null) {
    throw outputsMissing(
      `batch ${batchId} has no summary.json at ${storage.urlOf(reviewKeys.summary)}: either it has not ended yet (a batch writes its report when it ends) or its outputs were deleted. If they were, run the batch again (\`docbatch run … --rerun\`)`,
    );
  }
  const parsed = batchSummarySchema.safeParse(JSON.parse(bytes.toString('utf8')));
  if (!parsed.success) throw outputsMissing(`${storage.urlOf(reviewKeys.summary)} is not a docbatch summary: ${parsed.error.issues[0]?.message ?? 'unreadable'}`);
  return parsed.data;
}

/** results.jsonl, one parsed line per document; a torn or foreign line is skipped. */
export async function readResults(storage: Storage, batchId: string): Promise<DocumentResult[]> {
  const bytes = await storage.read(reviewKeys.results);
  if (bytes === null) {
    throw outputsMissing(`batch ${batchId} has no results.jsonl at ${storage.urlOf(reviewKeys.results)}: its outputs were deleted or moved. Run the batch again, or point the review at where they are`);
  }
  return parseLines(bytes.toString('utf8'), documentResultSchema);
}

/** The reference a batch's summary records for its schema (a built-in name, or the file pinned by its fingerprint). */
export function schemaOfSummary(summary: BatchSummary): SchemaReference {
  const schema = summary.schema;
  if (!schema) return 'invoice';
  if (schema.source === 'built-in' && isSchemaName(schema.name)) return schema.name;
  return { file: schema.source, fingerprint: schema.fingerprint };
}

export const correctionSchema = z.object({
  id: z.string(),
  document: z.number().int().nonnegative(),
  by: z.string(),
  at: z.string(),
  data: z.record(z.string(), z.unknown()),
  changedFields: z.array(z.string()),
  warnings: z.array(z.string()),
});
export type Correction = z.infer<typeof correctionSchema>;

export async function appendCorrection(storage: Storage, correction: Correction): Promise<void> {
  await storage.append(reviewKeys.corrections, JSON.stringify(correction) + '\n', { durable: true });
}

/** Every correction recorded, by id (an activity retried after its append wrote the same line twice: the same id). */
export async function readCorrections(storage: Storage): Promise<Map<string, Correction>> {
  const { text } = await storage.readLog(reviewKeys.corrections);
  return new Map(parseLines(text, correctionSchema).map((correction) => [correction.id, correction]));
}

export const reviewStateFileSchema = z.object({
  batchId: z.string(),
  state: z.enum(['open', 'closed']),
  openedAt: z.string(),
  writtenAt: z.string(),
  counts: z.object({ total: z.number(), pending: z.number(), approved: z.number(), corrected: z.number(), rejected: z.number() }),
  items: z.array(reviewItemSchema),
});
export type ReviewStateFile = z.infer<typeof reviewStateFileSchema>;

export async function readReviewState(storage: Storage): Promise<ReviewStateFile | null> {
  const bytes = await storage.read(reviewKeys.state);
  if (bytes === null) return null;
  const parsed = reviewStateFileSchema.safeParse(JSON.parse(bytes.toString('utf8')));
  return parsed.success ? parsed.data : null;
}

/** The document's issuer for the queue's filter (the same one seed examples are kept by). */
export { issuerOf };

/** A check's name from a warning ("totals add up: subtotal 400 + …" → "totals add up"). */
export function checkNameOf(warning: string): string {
  const colon = warning.indexOf(': ');
  return colon > 0 ? warning.slice(0, colon) : warning;
}

export type { ReviewItem };

function outputsMissing(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, reviewFailureTypes.outputsMissing);
}

function parseLines<T extends z.ZodType>(text: string, schema: T): z.infer<T>[] {
  const out: z.infer<T>[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const parsed = schema.safeParse(JSON.parse(line));
      if (parsed.success) out.push(parsed.data);
    } catch {
      // A torn last line (a writer killed mid-write) is no line.
    }
  }
  return out;
}
