import type { BatchOutcome } from '../client/batch-outcome';
import type { BatchListing } from '../client/list-batches';
import { formatCost, formatDuration, formatMessageBatches, formatPercent, formatRate, formatWaitingMessageBatch } from '../batch/format';
import type { Progress } from '../batch/progress';
import type { BatchSummary } from '../batch/summary';

/** Human output of the CLI: durations, rates, progress and summaries as people read them. */

/** "running", "paused (rate limit)", ... */
export function formatState(progress: Pick<Progress, 'state' | 'pauseReason'>): string {
  return progress.state === 'paused' && progress.pauseReason ? `paused: ${progress.pauseReason}` : progress.state;
}

/** One line of progress, for logs and terminals without a bar. */
export function progressLine(progress: Progress): string {
  return [
    `${progress.batchId} ${formatState(progress)}`,
    `${progress.processed}/${progress.total} (${progress.percent}%)`,
    formatRate(progress.docsPerSecond),
    `ETA ${formatDuration(progress.etaMs)}`,
    `${progress.failed} failed`,
    ...(progress.messageBatches ? [messageBatchesInLine(progress.messageBatches)] : []),
  ].join(' · ');
}

/** "120 submitted · 54 waiting at Anthropic in 2 Message Batches". */
function messageBatchesInLine(progress: NonNullable<Progress['messageBatches']>): string {
  const batches = progress.waitingBatches.length;
  return `${progress.submitted} submitted · ${progress.waiting} waiting at Anthropic in ${batches} Message Batch${batches === 1 ? '' : 'es'}`;
}

/** `docbatch status`: a two-column table. */
export function progressTable(progress: Progress, batchUrl: string): string {
  const rows: [string, string][] = [
    ['batch', progress.batchId],
    ['state', formatState(progress)],
    ['progress', `${progress.processed}/${progress.total} documents (${progress.percent}%)`],
    ['succeeded', `${progress.succeeded}${progress.cached > 0 ? ` (${progress.cached} from cache)` : ''}`],
    ['failed', String(progress.failed)],
    ['in flight', `${progress.inFlight} documents in ${progress.chunks.inFlight} chunks`],
    ['chunks', `${progress.chunks.done}/${progress.chunks.total} done`],
    ...(progress.mode ? ([['mode', progress.mode]] as [string, string][]) : []),
    ...messageBatchRows(progress),
    ['priority', `${progress.priority} (1 highest, 5 lowest)`],
    ['elapsed', `${formatDuration(progress.elapsedMs)}${progress.pausedMs > 0 ? ` (+${formatDuration(progress.pausedMs)} paused)` : ''}`],
    ['rate', formatRate(progress.docsPerSecond)],
    ['ETA', formatDuration(progress.etaMs)],
    ['cost', `${formatCost(progress.usage.costUsd)} (${progress.usage.inputTokens} input, ${progress.usage.outputTokens} output tokens)`],
    ['output', progress.outputDir],
    ['Web UI', batchUrl],
  ];
  return table(rows);
}

/** Batch mode: the tally and each Message Batch still at Anthropic. */
function messageBatchRows({ messageBatches }: Progress): [string, string][] {
  if (!messageBatches) return [];
  return [
    ['Message Batches', formatMessageBatches(messageBatches)],
    ...messageBatches.waitingBatches.map((batch): [string, string] => ['  at Anthropic', formatWaitingMessageBatch(batch)]),
  ];
}

/** The end of `docbatch run` / `watch` / `report`: counts, rates, cost and where the files are. */
export function outcomeReport(outcome: BatchOutcome, batchUrl: string): string {
  const { summary } = outcome;
  const headline = `batch ${outcome.batchId} ${outcome.state}${outcome.reason && outcome.state !== 'completed' ? `: ${outcome.reason}` : ''}`;
  if (!summary) return [headline, table([['Web UI', batchUrl]])].join('\n');
  return [headline, table(summaryRows(summary, batchUrl))].join('\n');
}

function summaryRows(summary: BatchSummary, batchUrl: string): [string, string][] {
  const failures = Object.entries(summary.failuresByType)
    .sort(([, a], [, b]) => b - a)
    .map(([type, count]) => `${type} ${count}`)
    .join(', ');
  return [
    ['documents', `${summary.total} total · ${summary.succeeded} succeeded · ${summary.failed} failed · ${summary.cached} cached · ${summary.notProcessed} not processed`],
    ['success rate', formatPercent(summary.successRate)],
    ...(failures ? ([['failures', failures]] as [string, string][]) : []),
    ...(summary.needsReview ? ([['needs review', `${summary.needsReview} succeeded with warnings (review.jsonl)`]] as [string, string][]) : []),
    ...(summary.mode ? ([['mode', summary.mode]] as [string, string][]) : []),
    ...(summary.schema ? ([['schema', `${summary.schema.name} (${summary.schema.source}, ${summary.schema.fingerprint})`]] as [string, string][]) : []),
    ['elapsed', `${formatDuration(summary.elapsedMs)}${summary.pausedMs > 0 ? ` (+${formatDuration(summary.pausedMs)} paused)` : ''}`],
    ['throughput', `${formatRate(summary.documentsPerSecond)}, ${formatDuration(summary.meanDocumentMs)} per document`],
    ['cost', `${formatCost(summary.usage.costUsd)} (${summary.usage.inputTokens} input, ${summary.usage.outputTokens} output, ${summary.usage.cacheReadTokens} cache-read tokens)`],
    ...(summary.collection ? ([['collection', collectionLine(summary.collection)]] as [string, string][]) : []),
    ...(summary.redriveOf ? ([['redrive of', summary.redriveOf]] as [string, string][]) : []),
    ...(summary.redrivenBy.length > 0 ? ([['redriven by', summary.redrivenBy.join(', ')]] as [string, string][]) : []),
    ['output', summary.outputDir],
    ['files', `results.jsonl, results.csv, failures.jsonl, ${summary.files.review ? 'review.jsonl, ' : ''}summary.json, manifest.jsonl`],
    ...(summary.files.reportHtml ? ([['report', summary.files.reportHtml]] as [string, string][]) : []),
    ['Web UI', batchUrl],
  ];
}

/** `docbatch list`: one row per batch. */
export function listingTable(listings: BatchListing[]): string {
  if (listings.length === 0) return 'no batches';
  const header = ['BATCH', 'STATE', 'PERCENT', 'DOCUMENTS', 'FAILED', 'PRIORITY', 'STARTED'];
  const rows = listings.map((b) => [
    b.batchId,
    b.state ?? b.status.toLowerCase(),
    b.percent === null ? '–' : `${b.percent}%`,
    b.documents === null ? '–' : String(b.documents),
    b.failed === null ? '–' : String(b.failed),
    b.priority === null ? '–' : String(b.priority),
    b.startedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [header, ...rows].map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

function table(rows: [string, string][]): string {
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join('\n');
}

/** "invoices: 500 new, 3 changed, 100,000 already known · rows in postgres://…" */
function collectionLine(collection: NonNullable<BatchSummary['collection']>): string {
  const counts = collection.new !== undefined ? `: ${collection.new} new, ${collection.changed ?? 0} changed, ${collection.known ?? 0} already known` : '';
  return `${collection.name}${counts}${collection.sink ? ` · rows in ${collection.sink}` : ''}`;
}
