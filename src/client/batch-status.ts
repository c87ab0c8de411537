import type { Client, WorkflowExecutionDescription } from '@temporalio/client';
import { progressQuery } from '../batch/messages';
import { progressFromSummary, type Progress } from '../batch/progress';
import { DocbatchPriority } from '../batch/search-attributes';
import { batchCause, type BatchCause } from './batch-cause';
import { awaitBatchOutcome, type BatchOutcome } from './batch-outcome';
import { describeBatch } from './batch-record';
import { NoWorkerError } from './errors';
import { workflowTaskFailure } from './workflow-task-failure';

const QUERY_DEADLINE_MS = 10_000;

/** Where a batch stands, and why it stopped when it did not complete (or a fault paused it). */
export interface BatchStatus {
  /** Null for an ended batch that wrote no report (refused at planning, say). */
  progress: Progress | null;
  /** How it ended, when it has. */
  outcome?: BatchOutcome;
  cause?: BatchCause;
}

/**
 * Where a batch stands: the `progress` query while it runs; for a batch that has ended, the same
 * shape built from its report when no worker is there to answer the query, and its cause.
 */
export async function readBatchStatus(client: Client, batchId: string): Promise<BatchStatus> {
  const handle = client.workflow.getHandle(batchId);
  const description = await describeBatch(client, batchId);
  if (description.status.name !== 'RUNNING') {
    // An ended batch's report has the final numbers, and needs no worker to replay the query.
    const outcome = await awaitBatchOutcome(client, handle);
    const progress = outcome.summary ? progressFromSummary(outcome.summary, priorityOf(description)) : null;
    return { progress, outcome, ...(outcome.cause ? { cause: outcome.cause } : {}) };
  }
  const progress = await readProgress(client, batchId, description).catch(async (error: unknown) => {
    const taskFailure = await workflowTaskFailure(client, batchId).catch(() => null);
    if (taskFailure) return taskFailure;
    throw error;
  });
  if ('fix' in progress) return { progress: null, cause: progress };
  if (progress.state === 'paused' && progress.pauseFault) {
    return { progress, cause: batchCause('fault', batchId, progress.pauseReason ?? 'paused by a fault', progress.pauseFault.type) };
  }
  return { progress };
}

/** The `progress` query of a running batch; a NoWorkerError when no worker answers it. */
export async function readProgress(client: Client, batchId: string, description?: WorkflowExecutionDescription): Promise<Progress> {
  const described = description ?? (await describeBatch(client, batchId));
  try {
    return await client.connection.withDeadline(Date.now() + QUERY_DEADLINE_MS, () => client.workflow.getHandle(batchId).query(progressQuery));
  } catch {
    throw new NoWorkerError(batchId, described.taskQueue);
  }
}

function priorityOf(description: WorkflowExecutionDescription): number {
  return description.typedSearchAttributes.get(DocbatchPriority) ?? description.priority?.priorityKey ?? 3;
}
