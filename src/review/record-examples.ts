import { log } from '@temporalio/activity';
import type { ReviewItem } from '../batch/review';
import { examplesPerIssuer, type SeedExample } from '../extraction/examples/example';
import { exampleExcerpt } from '../extraction/examples/excerpt';
import { issuerKey, issuerOf } from '../extraction/examples/issuer';
import { loadDocument } from '../extraction/document';
import { isolatedDecoding } from '../extraction/isolation';
import { storageAt } from '../storage/location';
import { examplesLocationOfBatch, readIssuerExamples, recordExamples } from '../store/example-store';
import type { DocumentResult } from '../store/document-result';
import type { Correction } from './batch-outputs';

export interface ExamplesFromReview {
  batchId: string;
  batchLocation: string;
  /** The schema's name (built-in, or a schema file's): examples are kept per schema. */
  schema: string;
  items: readonly ReviewItem[];
  results: readonly DocumentResult[];
  corrections: ReadonlyMap<string, Correction>;
}

/**
 * The review's corrections as seed examples, in the store beside the batch
 * (`<output>/examples/`, store/example-store.ts): per issuer the newest corrections of this batch,
 * each with its document's text (read once, when the correction is new to the store), and without
 * the documents that were corrected and are no longer (reopened, then approved or rejected).
 * Only corrections seed: an approval confirms what the extractor already reads, and would take
 * the place of a correction that teaches something. Idempotent: what the store holds is not
 * written again.
 */
export async function recordReviewExamples(request: ExamplesFromReview): Promise<number> {
  const storage = storageAt(examplesLocationOfBatch(request.batchLocation));
  const results = new Map(request.results.map((result) => [result.index, result]));
  const newest = new Map<string, { item: ReviewItem; correction: Correction; issuer: string }[]>();
  for (const item of request.items) {
    const correction = item.status === 'corrected' && item.correctionId ? request.corrections.get(item.correctionId) : undefined;
    const issuer = correction ? (issuerOf(correction.data) ?? item.issuer) : null;
    const key = issuer === null ? null : issuerKey(issuer);
    if (!correction || issuer === null || key === null) continue;
    newest.set(key, [...(newest.get(key) ?? []), { item, correction, issuer }]);
  }

  const add: SeedExample[] = [];
  for (const [key, corrected] of newest) {
    const stored = await readIssuerExamples(storage, request.schema, key);
    corrected.sort((a, b) => (a.correction.at < b.correction.at ? 1 : -1));
    for (const { item, correction, issuer } of corrected.slice(0, examplesPerIssuer)) {
      const known = stored?.examples.find((example) => example.correctionId === correction.id);
      if (known) {
        add.push(known);
        continue;
      }
      const path = results.get(item.index)?.path ?? item.path;
      const text = await documentText(path);
      if (text === null) continue;
      add.push({
        issuer,
        batchId: request.batchId,
        document: item.index,
        path,
        correctionId: correction.id,
        correctedAt: correction.at,
        changedFields: correction.changedFields,
        text: exampleExcerpt(text, correction.data, correction.changedFields),
        data: correction.data,
      });
    }
  }

  // Documents corrected once and not now: their examples go, from the issuers their corrections named.
  const undone = request.items.filter((item) => item.status !== 'corrected' && item.revision > 0).map((item) => item.index);
  const undoneIssuers = [...request.corrections.values()]
    .filter((correction) => undone.includes(correction.document))
    .flatMap((correction) => {
      const issuer = issuerOf(correction.data);
      const key = issuer === null ? null : issuerKey(issuer);
      return key === null ? [] : [key];
    });
  const written = await recordExamples(storage, request.schema, { add, drop: { batchId: request.batchId, documents: undone } }, undoneIssuers);
  return written.length;
}

/** A corrected document's text, or null when it cannot be read any more (moved, deleted): that example is left out. */
async function documentText(path: string): Promise<string | null> {
  try {
    return await isolatedDecoding.documentText(await loadDocument(path));
  } catch (error) {
    log.warn(`seed example of ${path} left out: its text could not be read: ${error instanceof Error ? error.message : String(error)}`);
    return null;
  }
}
