import type { BatchSummary } from '../batch/summary';
import { storageAt } from '../storage/location';
import { readText } from '../storage/storage';
import { batchKeys } from '../store/paths';
import { COLLECTION_FILE, collectionFileSchema } from './plan-collection';

/**
 * The summary of a batch with a collection, with its collection and (onlyNew) how many listed
 * documents were new, changed and already known; summary.json is rewritten with them. A batch
 * without a collection gets its summary back as it was.
 */
export async function withCollection(batchDir: string, summary: BatchSummary): Promise<BatchSummary> {
  const batch = storageAt(batchDir);
  const text = await readText(batch, COLLECTION_FILE);
  if (text === null) return summary;
  const file = collectionFileSchema.parse(JSON.parse(text));
  const extended: BatchSummary = {
    ...summary,
    collection: { name: file.collection, ...(file.counts ?? {}), ...(file.sink !== undefined ? { sink: file.sink } : {}) },
  };
  await batch.write(batchKeys.summary, JSON.stringify(extended, null, 2) + '\n');
  return extended;
}
