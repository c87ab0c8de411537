import type { Client, WorkflowExecutionDescription } from '@temporalio/client';
import { progressQuery } from '../batch/messages';
import { progressFromSummary, type Progress } from '../batch/progress';
import { DocbatchPriority } from '../batch/search-attributes';
import { awaitBatchOutcome } from './batch-outcome';
import { describeBatch } from './batch-record';
import { NoWorkerError } from './errors';

const QUERY_DEADLINE_MS = 10_000;

/**
 * Where a batch stands: the `progress` query while it runs; for a batch that has ended, the same
 * shape built from its report when no worker is there to answer the query.
 */
export async function readProgress(client: Client, batchId: string): Promise<Progress> {
  const handle = client.workflow.getHandle(batchId);
  const description = await describeBatch(client, batchId);
  if (description.status.name !== 'RUNNING') {
    // An ended batch's report has the final numbers, and needs no worker to replay the query.
    const outcome = await awaitBatchOutcome(client, handle);
    if (outcome.summary) return progressFromSummary(outcome.summary, priorityOf(description));
  }
  try {
    return await client.connection.withDeadline(Date.now() + QUERY_DEADLINE_MS, () => handle.query(progressQuery));
  } catch {
    throw new NoWorkerError(batchId, description.taskQueue);
  }
}

function priorityOf(description: WorkflowExecutionDescription): number {
  return description.typedSearchAttributes.get(DocbatchPriority) ?? description.priority?.priorityKey ?? 3;
}
