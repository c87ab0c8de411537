import { writeBatchReport } from '../store/report';
import type { BatchSummary } from '../store/summary';
import type { WriteReportInput } from './contracts';

export interface WriteReportDeps {
  now: () => number;
}

export async function writeReport(
  deps: WriteReportDeps,
  input: WriteReportInput,
): Promise<BatchSummary> {
  return writeBatchReport({ ...input, finishedAt: deps.now() });
}
