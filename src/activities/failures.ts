import { ApplicationFailure } from '@temporalio/common';
import { BatchFault, TransientError } from '../extraction/errors';
import { failureTypes } from '../batch/failures';

/**
 * Turns the extraction error taxonomy (src/extraction/errors.ts) into Temporal failures:
 * a BatchFault is non-retryable and pauses the batch; a TransientError is retried by the
 * activity's RetryPolicy, after the delay the server asked for when it said one.
 */
export function toActivityFailure(error: unknown): unknown {
  if (error instanceof BatchFault) {
    return ApplicationFailure.create({ type: failureTypes.batchFault, message: error.message, nonRetryable: true, details: [{ fault: error.type }] });
  }
  if (error instanceof TransientError) {
    return ApplicationFailure.create({
      type: error.type === 'rate_limited' ? failureTypes.rateLimited : `Transient:${error.type}`,
      message: error.message,
      nonRetryable: false,
      nextRetryDelay: error.retryAfterMs,
    });
  }
  return error;
}
