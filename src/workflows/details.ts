import { formatCost, formatDuration, formatMessageBatches, formatRate, formatWaitingMessageBatch } from '../batch/format';
import type { Progress } from '../batch/progress';

/** Waiting Message Batches listed by name in the Web UI; the rest are counted. */
const LISTED_MESSAGE_BATCHES = 10;

/**
 * The Markdown the Temporal Web UI shows as the batch's current details. Pure: the workflow sets
 * it with setCurrentDetails whenever progress changes.
 */
export function currentDetailsMarkdown(progress: Progress): string {
  const state = progress.state === 'paused' && progress.pauseReason ? `paused — ${progress.pauseReason}` : progress.state;
  const lines = [
    `**docbatch ${progress.batchId}: ${state}**`,
    '',
    `\`${progressBar(progress.percent)}\` ${progress.percent}% — ${progress.processed} of ${progress.total} documents`,
    '',
    `succeeded ${progress.succeeded} · failed ${progress.failed} · cached ${progress.cached} · in flight ${progress.inFlight} · priority ${progress.priority}` +
      (progress.mode ? ` · mode ${progress.mode}` : ''),
    '',
    `ETA ${progress.etaMs === null ? 'unknown yet' : formatDuration(progress.etaMs)} · ${formatRate(progress.docsPerSecond)} · ` +
      `elapsed ${formatDuration(progress.elapsedMs)} · cost ${formatCost(progress.usage.costUsd)}`,
    ...messageBatchLines(progress),
    '',
    `Output: \`${progress.outputDir}\``,
  ];
  return lines.join('\n');
}

/** Batch mode: the tally, then the Message Batches still at Anthropic, oldest first. */
function messageBatchLines({ messageBatches }: Progress): string[] {
  if (!messageBatches) return [];
  const listed = messageBatches.waitingBatches.slice(0, LISTED_MESSAGE_BATCHES).map((batch) => `- ${formatWaitingMessageBatch(batch)}`);
  const more = messageBatches.waitingBatches.length - listed.length;
  return ['', `Message Batches: ${formatMessageBatches(messageBatches)}`, ...(listed.length > 0 ? [''] : []), ...listed, ...(more > 0 ? [`- and ${more} more`] : [])];
}

export function progressBar(percent: number, width = 20): string {
  const filled = Math.round((Math.max(0, Math.min(100, percent)) / 100) * width);
  return '█'.repeat(filled) + '░'.repeat(width - filled);
}
