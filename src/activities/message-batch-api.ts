import { ApplicationFailure } from '@temporalio/common';
import { isApiError, toExtractionError } from '../extraction/anthropic/api-errors';
import { DocumentError } from '../extraction/errors';
import { failureTypes } from '../batch/failures';
import { toActivityFailure } from './failures';

/**
 * A failed Message Batches API call as an activity failure: rate limits, overload and server
 * errors are retried (after the server's retry-after), a rejected key or a spent account pauses
 * the batch (BatchFault), and what cannot change by retrying (an unknown id, a refused request)
 * fails at once with the API's message.
 */
export function messageBatchFailure(error: unknown, what: string): unknown {
  if (isApiError(error) && error.status === 404) {
    return ApplicationFailure.nonRetryable(`${what}: not found at Anthropic (404: ${error.apiMessage ?? error.message}): was it deleted, or made with another API key's workspace?`, failureTypes.messageBatchNotFound);
  }
  const mapped = toExtractionError(error, { path: what, model: 'the Message Batches API' });
  if (mapped instanceof DocumentError) return ApplicationFailure.nonRetryable(`${what}: ${mapped.message}`, failureTypes.messageBatchRejected);
  return toActivityFailure(mapped);
}
