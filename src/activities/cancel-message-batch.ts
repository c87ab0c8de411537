import { isApiError } from '../extraction/anthropic/api-errors';
import type { CancelMessageBatchInput } from '../batch/message-batches';
import { messageBatchFailure } from './message-batch-api';
import type { MessageBatchDeps } from './message-batch-tools';

/**
 * Asks Anthropic to cancel a Message Batch (it goes `canceling`, then `ended`; requests already
 * running finish and are billed, and are collected like any other). One that has ended already is
 * left as it is: cancelling is then a no-op, so a retry after a lost answer is harmless.
 */
export async function cancelMessageBatch(deps: Pick<MessageBatchDeps, 'messageBatchesClient'>, input: CancelMessageBatchInput): Promise<void> {
  const client = await deps.messageBatchesClient();
  const what = `cancelling Message Batch ${input.id}`;
  try {
    await client.messages.batches.cancel(input.id);
  } catch (error) {
    // The API refuses to cancel a batch that has ended: that is the state asked for.
    if (isApiError(error) && (error.status === 400 || error.status === 409)) {
      const batch = await client.messages.batches.retrieve(input.id).catch((retrieveError: unknown) => {
        throw messageBatchFailure(retrieveError, what);
      });
      if (batch.processing_status !== 'in_progress') return;
    }
    throw messageBatchFailure(error, what);
  }
}
