import type { Client } from '@temporalio/client';
import { readSummary } from '../store/report';
import { awaitBatchOutcome, type BatchOutcome } from './batch-outcome';
import { describeBatch } from './batch-record';
import { BatchStillRunningError } from './errors';

/** The report of a batch that has ended; a running batch has none yet, and the error says what to do. */
export async function fetchBatchReport(client: Client, batchId: string): Promise<BatchOutcome> {
  const description = await describeBatch(client, batchId);
  if (description.status.name === 'RUNNING') {
    throw new BatchStillRunningError(batchId);
  }
  const outcome = await awaitBatchOutcome(client, client.workflow.getHandle(batchId));
  // summary.json is newer than the workflow result once a redrive has linked itself to it.
  const onDisk = outcome.summary ? await readSummary(outcome.summary.outputDir) : null;
  return onDisk ? { ...outcome, summary: onDisk } : outcome;
}
