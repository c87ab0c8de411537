import { formatCost, formatDuration, formatRate } from '../batch/format';
import type { Progress } from '../batch/progress';

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
    `succeeded ${progress.succeeded} · failed ${progress.failed} · cached ${progress.cached} · in flight ${progress.inFlight} · priority ${progress.priority}`,
    '',
    `ETA ${progress.etaMs === null ? 'unknown yet' : formatDuration(progress.etaMs)} · ${formatRate(progress.docsPerSecond)} · ` +
      `elapsed ${formatDuration(progress.elapsedMs)} · cost ${formatCost(progress.usage.costUsd)}`,
    '',
    `Output: \`${progress.outputDir}\``,
  ];
  return lines.join('\n');
}

export function progressBar(percent: number, width = 20): string {
  const filled = Math.round((Math.max(0, Math.min(100, percent)) / 100) * width);
  return '█'.repeat(filled) + '░'.repeat(width - filled);
}
