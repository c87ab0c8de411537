import { writeBatchReport } from '../store/report';
import type { BatchSummary } from '../batch/summary';
import type { WriteReportInput } from '../batch/activities';

export interface WriteReportDeps {
  now: () => number;
}

export async function writeReport(
  deps: WriteReportDeps,
  input: WriteReportInput,
): Promise<BatchSummary> {
  return writeBatchReport({ ...input, finishedAt: deps.now() });
}
