import { ActivityCancellationType, type ActivityOptions, type RetryPolicy } from '@temporalio/workflow';
import { failureTypes } from '../batch/failures';
import type { BatchInput } from '../batch/input';

/**
 * How long each activity may take and how it is retried: planning, chunks, locating documents
 * (prioritize) and the report each have their own policy. Only the chunks' policy comes from the
 * batch input (`retry`, `timeouts`); the others are fixed here.
 */

/** Failures no retry can cure: bad input, or a fault of the whole batch (credentials, spend limit). */
const nonRetryableErrorTypes = [failureTypes.invalidInput, failureTypes.batchFault];

/**
 * planBatch: list the source and write manifest.jsonl.
 * - `startToCloseTimeout` @default 10 minutes (a listing of 100,000 files takes seconds)
 * - `retry` @default 1 s doubling to 30 s, 5 attempts: a source that stays unreadable fails the batch
 *   with the cause rather than leaving it in `planning` forever
 */
export const planningOptions: ActivityOptions = {
  startToCloseTimeout: '10m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 5, nonRetryableErrorTypes },
};

/**
 * locateDocuments (the `prioritize` control): read manifest.jsonl and find chunks.
 * - `startToCloseTimeout` @default 1 minute
 * - `retry` @default 1 s doubling to 10 s, 3 attempts: the person sending the update is waiting
 */
export const locatingOptions: ActivityOptions = {
  startToCloseTimeout: '1m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: 3, nonRetryableErrorTypes },
};

/**
 * writeReport: merge the chunk journals into results.jsonl / .csv, failures.jsonl, summary.json.
 * - `startToCloseTimeout` @default 10 minutes (100,000 documents take well under a minute)
 * - `retry` @default 1 s doubling to 1 min, unlimited attempts: the report of finished work is never
 *   given up; a full disk or a lost mount is fixed and the report follows
 */
export const reportOptions: ActivityOptions = {
  startToCloseTimeout: '10m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', nonRetryableErrorTypes },
};

/**
 * extractChunk, from the batch input:
 * - `startToCloseTimeout` = `timeouts.chunkStartToClose` (input default 15m)
 * - `heartbeatTimeout` = `timeouts.chunkHeartbeat` (input default 15s): a silent chunk's worker is presumed dead
 * - `retry` = `retry` (input defaults 1s doubling to 1m, 10 attempts; `maximumAttempts: 0` is unlimited)
 * - cancellation waits for the chunk to stop, so the report sees its journal
 */
export function chunkOptions(input: BatchInput): ActivityOptions {
  return {
    startToCloseTimeout: input.timeouts.chunkStartToClose,
    heartbeatTimeout: input.timeouts.chunkHeartbeat,
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: chunkRetryPolicy(input.retry),
  };
}

/** The input's retry settings as Temporal's RetryPolicy: 0 attempts (unlimited) is Temporal's "unset". */
function chunkRetryPolicy(retry: BatchInput['retry']): RetryPolicy {
  return {
    initialInterval: retry.initialInterval,
    backoffCoefficient: retry.backoffCoefficient,
    maximumInterval: retry.maximumInterval,
    ...(retry.maximumAttempts > 0 ? { maximumAttempts: retry.maximumAttempts } : {}),
    nonRetryableErrorTypes,
  };
}
