import { withExamples } from '../extraction/examples/seeded';
import type { AnthropicExtractor } from '../extraction/anthropic';
import type { Extractor } from '../extraction/extractor';
import type { ExamplesSnapshot } from '../extraction/examples/example';
import { readBatchSnapshot } from '../store/example-store';
import { batchStorage } from '../store/paths';
import type { ExtractionSettings } from '../batch/activities';

const snapshots = new Map<string, Promise<ExamplesSnapshot | null>>();
const SNAPSHOTS_KEPT = 8;

/**
 * A chunk's extractor with the batch's seed examples (when the batch learns from corrections):
 * the snapshot planning wrote, read once per batch per process. The same snapshot objects are
 * handed to every chunk, so what an extractor learns from them (layout hints) is learned once.
 */
export async function seededForChunk<E extends Extractor & Partial<Pick<AnthropicExtractor, 'firstRequest' | 'extractFrom'>>>(
  batchDir: string,
  settings: ExtractionSettings,
  extractor: E,
): Promise<E> {
  if (!settings.examples) return extractor;
  let snapshot = snapshots.get(batchDir);
  if (!snapshot) {
    snapshot = readBatchSnapshot(batchStorage(batchDir));
    snapshot.catch(() => snapshots.delete(batchDir));
    snapshots.set(batchDir, snapshot);
    while (snapshots.size > SNAPSHOTS_KEPT) snapshots.delete(snapshots.keys().next().value!);
  }
  const taken = await snapshot;
  if (taken === null) {
    snapshots.delete(batchDir);
    throw new Error(`the batch's seed examples (examples.json) are missing from ${batchDir}: planning writes them; were the batch's outputs deleted?`);
  }
  return withExamples(extractor, { issuers: taken.issuers, fingerprint: taken.fingerprint, promptTokens: settings.examples.promptTokens });
}
