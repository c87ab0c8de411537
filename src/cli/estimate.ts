import type { BatchInput } from '../batch/input';
import { formatCost } from '../batch/format';
import { listBatchSource } from '../client/batch-source';
import { estimateBatch, type BatchEstimate, type ModeEstimate } from '../extraction/estimate';
import { CliError, printJson, printLine } from './command';

/**
 * `docbatch run --estimate`: the tokens and cost the batch is expected to take on Claude, from the
 * documents alone (src/extraction/estimate.ts), with no server, no worker and no API call. With
 * `--mode batch` the realtime and the Message Batches figures are printed side by side.
 */
export async function printEstimate(input: BatchInput, json: boolean): Promise<number> {
  const paths = (await listBatchSource(input)).map((entry) => entry.path);
  let estimate: BatchEstimate;
  try {
    estimate = await estimateBatch(paths, { schema: input.schema, models: input.models, chunkSize: input.chunkSize });
  } catch (error) {
    throw new CliError(`cannot estimate this batch: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (json) printJson(input.mode === 'batch' ? estimate : withoutBatch(estimate));
  else printLine(estimateText(estimate, input));
  return 0;
}

function withoutBatch(estimate: BatchEstimate): Omit<BatchEstimate, 'batch'> {
  const { batch: _, ...realtime } = estimate;
  return realtime;
}

function estimateText(estimate: BatchEstimate, input: BatchInput): string {
  const sent = estimate.documents - estimate.unreadable - estimate.eInvoices;
  const modes: [string, ModeEstimate][] = input.mode === 'batch' ? [['realtime', estimate], ['batch', estimate.batch]] : [['realtime', estimate]];
  const header = ['MODEL', ...(modes.length > 1 ? ['MODE'] : []), 'DOCUMENTS', 'INPUT', 'CACHE WRITE', 'CACHE READ', 'OUTPUT', 'COST'];
  const row = (model: string, mode: string, documents: number, m: Omit<ModeEstimate, 'byModel'>) =>
    [model, ...(modes.length > 1 ? [mode] : []), documents, m.inputTokens, m.cacheWriteTokens, m.cacheReadTokens, m.outputTokens, formatCost(m.costUsd)].map(String);
  const rows = estimate.byModel.flatMap((realtime) =>
    modes.map(([mode, figures]) => row(realtime.model, mode, realtime.documents, figures.byModel.find((m) => m.model === realtime.model)!)),
  );
  rows.push(...modes.map(([mode, figures]) => row('total', mode, sent, figures)));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const textColumns = modes.length > 1 ? 2 : 1;
  const table = [header, ...rows].map((r) => r.map((cell, i) => (i < textColumns ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ')).join('\n');
  const notes = [
    `Expected Claude usage for ${estimate.documents} documents (no API call made).`,
    ...(input.mode === 'batch' ? batchNotes(estimate) : []),
    ...(estimate.eInvoices > 0 ? [`${estimate.eInvoices} e-invoices (Factur-X/ZUGFeRD/XRechnung, CII or UBL XML) are read from their XML: no model call, no cost.`] : []),
    ...(estimate.unreadable > 0 ? [`${estimate.unreadable} documents cannot be sent (corrupt, empty, unsupported): they would fail at no cost.`] : []),
    ...(input.extractor === 'local' ? ['This batch uses the local extractor, which costs nothing; the figures are for --extractor anthropic.'] : []),
    'Repair turns and escalations are not included: treat the figure as a floor plus about 5%.',
  ];
  return [table, '', ...notes].join('\n');
}

function batchNotes(estimate: BatchEstimate): string[] {
  const { batch } = estimate;
  const ratio = estimate.costUsd > 0 ? ` (${(batch.costUsd / estimate.costUsd).toFixed(2)} x realtime)` : '';
  return [
    `Batch mode: ${formatCost(batch.costUsd)}${ratio}, results within 24 hours (most Message Batches end within an hour); realtime: ${formatCost(estimate.costUsd)}.`,
    `Batch mode assumes one 1-hour cache write per chunk and model; Anthropic serves cache hits in Message Batches on a best-effort basis: with none, batch mode would cost ${formatCost(batch.noCacheHitsCostUsd)}.`,
  ];
}
