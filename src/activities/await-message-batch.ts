import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import type { AwaitMessageBatchInput, AwaitMessageBatchResult } from '../batch/message-batches';
import { faultPoint } from './fault-point';
import { messageBatchFailure } from './message-batch-api';
import { failureTypes } from '../batch/failures';
import type { MessageBatchDeps } from './message-batch-tools';

/** Under the activity's 20 s startToCloseTimeout (activity-options.ts `pollOptions`): a hung call ends before Temporal retries the check. */
const retrieveTimeoutMs = 15_000;

/**
 * Checks a Message Batch once: its end (time and request counts) once it has ended, else a
 * retryable MessageBatchInProgress failure, so the workflow's retry policy (backoff coefficient 1,
 * the poll interval, the deadline) does the waiting: no history events per check and no worker
 * slot held while Anthropic works.
 */
export async function awaitMessageBatch(deps: Pick<MessageBatchDeps, 'messageBatchesClient'>, input: AwaitMessageBatchInput): Promise<AwaitMessageBatchResult> {
  const client = await deps.messageBatchesClient();
  const batch = await client.messages.batches.retrieve(input.id, {}, { timeout: retrieveTimeoutMs }).catch((error: unknown) => {
    throw messageBatchFailure(error, `Message Batch ${input.id}`);
  });
  if (batch.processing_status !== 'ended') {
    faultPoint('message-batch:polling');
    throw ApplicationFailure.create({
      type: failureTypes.messageBatchInProgress,
      message: `Message Batch ${input.id} is ${batch.processing_status.replace('_', ' ')}: ${batch.request_counts.processing} requests processing (expires ${batch.expires_at})`,
      nonRetryable: false,
      // Expected while Anthropic works: the worker logs it at DEBUG, not a WARN with a stack per check.
      category: ApplicationFailureCategory.BENIGN,
    });
  }
  const { succeeded, errored, canceled, expired } = batch.request_counts;
  return { id: batch.id, endedAt: batch.ended_at ?? new Date().toISOString(), requestCounts: { succeeded, errored, canceled, expired } };
}
