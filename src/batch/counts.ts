import { z } from 'zod';
import { addUsage, usageSchema, zeroUsage, type Usage } from '../extraction/usage';

/**
 * The one tally of document outcomes: a chunk counts its results with it, the workflow adds the
 * chunks' counts, the report extends it with its own columns.
 */
export const chunkCountsSchema = z.object({
  documents: z.number().int().nonnegative(),
  succeeded: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  cached: z.number().int().nonnegative(),
  usage: usageSchema,
});
export type ChunkCounts = z.infer<typeof chunkCountsSchema>;

/** What the tally reads of one document's result (a line of results.jsonl). */
export interface CountedResult {
  status: 'succeeded' | 'failed' | 'not_processed';
  cached: boolean;
  usage: Usage | null;
}

export function emptyCounts(): ChunkCounts {
  return { documents: 0, succeeded: 0, failed: 0, cached: 0, usage: { ...zeroUsage } };
}

export function addCounts(a: ChunkCounts, b: ChunkCounts): ChunkCounts {
  return {
    documents: a.documents + b.documents,
    succeeded: a.succeeded + b.succeeded,
    failed: a.failed + b.failed,
    cached: a.cached + b.cached,
    usage: addUsage(a.usage, b.usage),
  };
}

/** The counts with one more result. */
export function countResult(counts: ChunkCounts, result: CountedResult): ChunkCounts {
  return {
    documents: counts.documents + 1,
    succeeded: counts.succeeded + (result.status === 'succeeded' ? 1 : 0),
    failed: counts.failed + (result.status === 'failed' ? 1 : 0),
    cached: counts.cached + (result.cached ? 1 : 0),
    usage: result.usage ? addUsage(counts.usage, result.usage) : counts.usage,
  };
}

export function countResults(results: Iterable<CountedResult>): ChunkCounts {
  let counts = emptyCounts();
  for (const result of results) counts = countResult(counts, result);
  return counts;
}
