import type { Client } from '@temporalio/client';
import { defaultFailureConverter, defaultPayloadConverter } from '@temporalio/common';
import proto from '@temporalio/proto';
import { batchCause, causeOfFailure, type BatchCause } from './batch-cause';

const { EventType } = proto.temporal.api.enums.v1;

/** History events looked at, newest first: a failing workflow task is among the last few. */
const RECENT_EVENTS = 50;

/**
 * Why a running batch makes no progress because its workflow task keeps failing (workflow code that
 * throws, a worker without the workflow, a non-determinism error), or null when it does not.
 * Temporal retries such a task without end and records only its first failure, so the batch is
 * stuck when a retried task is pending and the newest workflow-task outcome in history is a failure.
 */
export async function workflowTaskFailure(client: Client, batchId: string): Promise<BatchCause | null> {
  const description = await client.workflow.getHandle(batchId).describe();
  if (description.status.name !== 'RUNNING' || (description.raw.pendingWorkflowTask?.attempt ?? 0) < 2) return null;
  const response = await client.workflowService.getWorkflowExecutionHistoryReverse({
    namespace: client.options.namespace,
    execution: { workflowId: batchId },
    maximumPageSize: RECENT_EVENTS,
  });
  const outcome = response.history?.events?.find((event) => event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED || event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED);
  const failure = outcome?.workflowTaskFailedEventAttributes?.failure;
  if (!failure) return null;
  const found = causeOfFailure(batchId, defaultFailureConverter.failureToError(failure, defaultPayloadConverter));
  return batchCause('workflow-task', batchId, `its workflow task fails: ${found.message}`, found.type);
}
