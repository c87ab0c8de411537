import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { Progress } from '../batch/progress';
import { DocbatchDocuments, DocbatchFailed, DocbatchPercent, DocbatchPriority, DocbatchState } from '../batch/search-attributes';

/** Percent moves in steps of this size in search attributes: at most ~20 upserts per run. */
const PERCENT_STEP = 5;

/**
 * The search attributes for a progress snapshot, and a key that changes only when they should be
 * written again (state, priority, or another PERCENT_STEP of progress).
 */
export function searchAttributeUpdate(progress: Progress): { key: string; pairs: SearchAttributeUpdatePair[] } {
  const percent = Math.floor(progress.percent / PERCENT_STEP) * PERCENT_STEP;
  return {
    key: `${progress.state}|${percent}|${progress.priority}|${progress.total}`,
    pairs: [
      { key: DocbatchState, value: progress.state },
      { key: DocbatchPercent, value: percent },
      { key: DocbatchDocuments, value: progress.total },
      { key: DocbatchFailed, value: progress.failed },
      { key: DocbatchPriority, value: progress.priority },
    ],
  };
}
