import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowNotFoundError } from '@temporalio/common';
import { reviewFailureTypes } from '../batch/review';

/**
 * The awaitBatchEnd activity: returns once the batch's workflow has ended; while it runs, fails
 * with BatchStillRunning and the poll interval as the next retry delay, so waiting for a batch of
 * a day costs no worker slot and no history.
 */
export async function awaitBatchEnd(input: { batchId: string; pollInterval: string }): Promise<{ status: string }> {
  let status: string;
  try {
    status = (await Context.current().client.workflow.getHandle(input.batchId).describe()).status.name;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) throw ApplicationFailure.nonRetryable(`batch ${input.batchId} not found: there is nothing to review`, reviewFailureTypes.outputsMissing);
    throw error;
  }
  if (status === 'RUNNING') {
    throw ApplicationFailure.create({ type: reviewFailureTypes.batchStillRunning, message: `batch ${input.batchId} is still running: the review opens when it ends`, nextRetryDelay: input.pollInterval });
  }
  return { status };
}
