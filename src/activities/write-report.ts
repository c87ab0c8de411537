import { Context } from '@temporalio/activity';
import { writeBatchReport } from '../store/report';
import { withCollection } from './collection-summary';
import type { BatchSummary } from '../batch/summary';
import type { WriteReportInput } from '../batch/activities';

export interface WriteReportDeps {
  now: () => number;
}

export async function writeReport(
  deps: WriteReportDeps,
  input: WriteReportInput,
): Promise<BatchSummary> {
  // Collection hook (src/activities/collection-summary.ts): new / changed / known and the sink, when the batch has a collection.
  const context = Context.current();
  // A beat per chunk written (the SDK sends at most one per heartbeat interval): see reportOptions.
  const summary = await writeBatchReport({ ...input, finishedAt: deps.now() }, { chunkWritten: () => context.heartbeat() });
  return withCollection(input.batchDir, summary);
}
