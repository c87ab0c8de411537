import type { MessageBatchProgress, WaitingMessageBatch } from './message-batch-progress';

/**
 * Numbers as people read them, the same in the terminal and in the Web UI's current details:
 * durations, rates, costs and shares.
 */

/** "850 ms", "12.3 s", "4m 05s", "2h 07m"; "–" when unknown. */
export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '–';
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const totalSeconds = Math.round(ms / 1000);
  const seconds = totalSeconds % 60;
  const minutes = Math.floor(totalSeconds / 60) % 60;
  const hours = Math.floor(totalSeconds / 3600);
  if (hours === 0) return `${minutes}m ${String(seconds).padStart(2, '0')}s`;
  return `${hours}h ${String(minutes).padStart(2, '0')}m`;
}

export function formatRate(docsPerSecond: number | null): string {
  if (docsPerSecond === null) return '– docs/s';
  return `${docsPerSecond >= 10 ? docsPerSecond.toFixed(0) : docsPerSecond.toFixed(2)} docs/s`;
}

export function formatCost(usd: number): string {
  return `$${usd < 1 ? usd.toFixed(4) : usd.toFixed(2)}`;
}

/** A fraction (0.9731) as a percent with one decimal: "97.3%". */
export function formatPercent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}

/** Batch mode in one line: "120 submitted · 20 resubmitted · 45 waiting at Anthropic in 2 Message Batches · turnaround 12m 30s". */
export function formatMessageBatches(progress: MessageBatchProgress): string {
  const batches = progress.waitingBatches.length;
  return [
    `${progress.submitted} submitted`,
    `${progress.resubmitted} resubmitted`,
    `${progress.waiting} waiting at Anthropic in ${batches} Message Batch${batches === 1 ? '' : 'es'}`,
    `turnaround ${progress.turnaroundMs === null ? 'unknown yet' : formatDuration(progress.turnaroundMs)}`,
  ].join(' · ');
}

/** "msgbatch_01… (chunk 3, round 1): 50 documents, 12m 01s old, expires in 23h 47m". */
export function formatWaitingMessageBatch(batch: WaitingMessageBatch): string {
  const round = batch.round > 0 ? `, round ${batch.round}` : '';
  return `${batch.id} (chunk ${batch.chunkIndex}${round}): ${batch.requests} documents, ${formatDuration(batch.ageMs)} old, expires in ${formatDuration(batch.expiresInMs)}`;
}
