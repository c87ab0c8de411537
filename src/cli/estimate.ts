import type { BatchInput } from '../batch/input';
import { formatCost } from '../batch/format';
import { listBatchSource } from '../client/batch-source';
import { estimateBatch, type BatchEstimate } from '../extraction/estimate';
import { CliError, printJson, printLine } from './command';

/**
 * `docbatch run --estimate`: the tokens and cost the batch is expected to take on Claude, from the
 * documents alone (src/extraction/estimate.ts), with no server, no worker and no API call.
 */
export async function printEstimate(input: BatchInput, json: boolean): Promise<number> {
  const paths = (await listBatchSource(input)).map((entry) => entry.path);
  let estimate: BatchEstimate;
  try {
    estimate = await estimateBatch(paths, { schema: input.schema, models: input.models });
  } catch (error) {
    throw new CliError(`cannot estimate this batch: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (json) printJson(estimate);
  else printLine(estimateTable(estimate, input));
  return 0;
}

function estimateTable(estimate: BatchEstimate, input: BatchInput): string {
  const header = ['MODEL', 'DOCUMENTS', 'INPUT', 'CACHE WRITE', 'CACHE READ', 'OUTPUT', 'COST'];
  const rows = estimate.byModel.map((m) => [m.model, m.documents, m.inputTokens, m.cacheWriteTokens, m.cacheReadTokens, m.outputTokens, formatCost(m.costUsd)].map(String));
  rows.push(['total', estimate.documents - estimate.unreadable - estimate.eInvoices, estimate.inputTokens, estimate.cacheWriteTokens, estimate.cacheReadTokens, estimate.outputTokens, formatCost(estimate.costUsd)].map(String));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const table = [header, ...rows].map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ')).join('\n');
  const notes = [
    `Expected Claude usage for ${estimate.documents} documents (no API call made).`,
    ...(estimate.eInvoices > 0 ? [`${estimate.eInvoices} e-invoices (Factur-X/ZUGFeRD/XRechnung, CII or UBL XML) are read from their XML: no model call, no cost.`] : []),
    ...(estimate.unreadable > 0 ? [`${estimate.unreadable} documents cannot be sent (corrupt, empty, unsupported): they would fail at no cost.`] : []),
    ...(input.extractor === 'local' ? ['This batch uses the local extractor, which costs nothing; the figures are for --extractor anthropic.'] : []),
    'Repair turns and escalations are not included: treat the figure as a floor plus about 5%.',
  ];
  return [table, '', ...notes].join('\n');
}
