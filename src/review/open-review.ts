import type { OpenReviewResult, ReviewItem } from '../batch/review';
import { batchStorage, checkNameOf, issuerOf, readBatchSummary, readResults, readReviewState, schemaOfSummary } from './batch-outputs';

/**
 * The openReview activity: the batch's documents that need a person (a failed consistency check,
 * or failed), in batch order, from its results. A batch reviewed before (its review/state.json)
 * starts from the decisions taken then, so closing and reopening a review loses nothing.
 */
export async function openReview(input: { batchId: string; batchLocation: string }): Promise<OpenReviewResult> {
  const storage = batchStorage(input.batchLocation);
  const summary = await readBatchSummary(storage, input.batchId);
  const results = await readResults(storage, input.batchId);
  const earlier = new Map((await readReviewState(storage))?.items.map((item) => [item.index, item]) ?? []);
  const items: ReviewItem[] = [];
  for (const result of results) {
    const failed = result.status === 'failed';
    if (!failed && result.needsReview !== true) continue;
    const fresh: ReviewItem = {
      index: result.index,
      path: result.path,
      kind: failed ? 'failed' : 'needs_review',
      checks: failed ? [] : [...new Set((result.warnings ?? []).map(checkNameOf))],
      ...(failed && result.error ? { failureType: result.error.type } : {}),
      issuer: issuerOf(result.data),
      status: 'pending',
      revision: 0,
    };
    const before = earlier.get(result.index);
    items.push(before && before.path === result.path ? { ...before, checks: fresh.checks, issuer: fresh.issuer } : fresh);
  }
  return { items, schema: schemaOfSummary(summary) };
}
