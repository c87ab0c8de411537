import type { Client, WorkflowExecutionDescription } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import { progressQuery } from '../batch/messages';
import { progressFromSummary, type Progress } from '../batch/progress';
import { DocbatchPriority } from '../batch/search-attributes';
import { awaitBatchOutcome } from './batch-outcome';
import { batchNotFoundError, CliError } from './errors';

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
    throw new CliError(
      `batch ${batchId} did not answer the progress query: is a worker polling task queue ${description.taskQueue}? start one with \`docbatch worker\``,
    );
  }
}

export async function describeBatch(client: Client, batchId: string): Promise<WorkflowExecutionDescription> {
  try {
    return await client.workflow.getHandle(batchId).describe();
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) throw batchNotFoundError(batchId, client.options.namespace);
    throw error;
  }
}

function priorityOf(description: WorkflowExecutionDescription): number {
  return description.typedSearchAttributes.get(DocbatchPriority) ?? description.priority?.priorityKey ?? 3;
}
