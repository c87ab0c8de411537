import { stringify } from 'csv-stringify/sync';
import type { ReviewItem, WriteReviewedRequest } from '../batch/review';
import { columnValue, schemaColumns, type SchemaColumn } from '../extraction/schemas/columns';
import { loadSchema } from '../extraction/schemas/load';
import type { DocumentResult } from '../store/document-result';
import { batchStorage, readCorrections, readResults, reviewKeys, type Correction, type ReviewStateFile } from './batch-outputs';
import { withReviewSection } from './report-section';
import { ReviewQueue } from '../batch/review-queue';
import { recordReviewExamples } from './record-examples';

/** What a reviewed result line adds: the decision on the document. */
export interface ReviewMark {
  status: ReviewItem['status'];
  by?: string;
  at?: string;
  changedFields?: string[];
  reason?: string;
  /** corrected: the data as it was extracted (results.jsonl keeps it too). */
  extracted?: Record<string, unknown> | null;
}

export type ReviewedResult = DocumentResult & { review?: ReviewMark };

/**
 * The writeReviewedOutputs activity: results.reviewed.jsonl and .csv (every document, corrected
 * values in place, each reviewed one with its `review` mark), review/state.json, and the review
 * section of report.html. results.jsonl, the extraction as it was, is never touched. Each file is
 * replaced whole, so a retry or a later write gives the same files.
 */
export async function writeReviewedOutputs(input: WriteReviewedRequest): Promise<{ writtenAt: string }> {
  const storage = batchStorage(input.batchLocation);
  const results = await readResults(storage, input.batchId);
  const corrections = await readCorrections(storage);
  const items = new Map(input.items.map((item) => [item.index, item]));
  const schema = await loadSchema(input.schema).catch(() => null);
  const columns = reviewedColumns(schema ? schemaColumns(schema.schema) : []);

  await storage.writeLines(reviewKeys.reviewedResults, async (write) => {
    for (const result of results) await write(JSON.stringify(reviewedResult(result, items.get(result.index), corrections)) + '\n');
  });
  await storage.writeLines(reviewKeys.reviewedCsv, async (write) => {
    await write(stringify([columns.header]));
    for (const result of results) await write(stringify([columns.row(reviewedResult(result, items.get(result.index), corrections))]));
  });

  const writtenAt = new Date().toISOString();
  const counts = new ReviewQueue(input.batchId, input.items).counts();
  const state: ReviewStateFile = { batchId: input.batchId, state: input.state, openedAt: input.openedAt, writtenAt, counts, items: input.items };
  await storage.write(reviewKeys.state, JSON.stringify(state, null, 2) + '\n');
  const report = await storage.read(reviewKeys.reportHtml);
  if (report !== null) await storage.write(reviewKeys.reportHtml, withReviewSection(report.toString('utf8'), state));
  // Seeding: corrections become examples the next batches of the same issuers learn from.
  const schemaName = schema?.name ?? (typeof input.schema === 'string' ? input.schema : null);
  if (schemaName !== null) await recordReviewExamples({ batchId: input.batchId, batchLocation: input.batchLocation, schema: schemaName, items: input.items, results, corrections });
  return { writtenAt };
}

/** One document as the reviewed outputs carry it. */
export function reviewedResult(result: DocumentResult, item: ReviewItem | undefined, corrections: ReadonlyMap<string, Correction>): ReviewedResult {
  if (!item) return result;
  const mark: ReviewMark = { status: item.status, ...(item.by ? { by: item.by } : {}), ...(item.at ? { at: item.at } : {}) };
  switch (item.status) {
    case 'pending':
      return { ...result, review: mark };
    case 'approved':
      return { ...result, needsReview: false, review: mark };
    case 'rejected':
      return { ...result, needsReview: false, review: { ...mark, ...(item.reason ? { reason: item.reason } : {}) } };
    case 'corrected': {
      const correction = item.correctionId ? corrections.get(item.correctionId) : undefined;
      if (!correction) return { ...result, review: { ...mark, status: 'pending', reason: `correction ${item.correctionId ?? '?'} not found in review/corrections` } };
      return {
        ...result,
        status: 'succeeded',
        data: correction.data,
        error: null,
        needsReview: false,
        ...(correction.warnings.length > 0 ? { warnings: correction.warnings } : { warnings: [] }),
        review: { ...mark, changedFields: item.changedFields ?? correction.changedFields, extracted: result.data },
      };
    }
  }
}

function reviewedColumns(fields: readonly SchemaColumn[]) {
  return {
    header: ['path', 'status', 'review_status', 'review_by', 'review_at', 'review_changed_fields', 'review_reason', 'error_type', 'needs_review', 'warnings', ...fields.map((field) => field.name)],
    row(result: ReviewedResult): unknown[] {
      const data = result.data ?? {};
      const review = result.review;
      return [
        result.path,
        result.status,
        review?.status ?? '',
        review?.by ?? '',
        review?.at ?? '',
        (review?.changedFields ?? []).join(' '),
        review?.reason ?? '',
        result.error?.type ?? '',
        result.needsReview === true,
        (result.warnings ?? []).join('; '),
        ...fields.map((field) => columnValue(data, field)),
      ];
    },
  };
}
