import type { Progress } from './progress';

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
    `ETA ${progress.etaMs === null ? 'unknown yet' : formatDuration(progress.etaMs)} · ` +
      `${progress.docsPerSecond === null ? '—' : progress.docsPerSecond.toFixed(2)} docs/s · ` +
      `elapsed ${formatDuration(progress.elapsedMs)} · cost $${progress.usage.costUsd.toFixed(4)}`,
    '',
    `Output: \`${progress.outputDir}\``,
  ];
  return lines.join('\n');
}

export function progressBar(percent: number, width = 20): string {
  const filled = Math.round((Math.max(0, Math.min(100, percent)) / 100) * width);
  return '█'.repeat(filled) + '░'.repeat(width - filled);
}

export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s}s`;
  return `${s}s`;
}
