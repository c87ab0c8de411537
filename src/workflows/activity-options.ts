import { ActivityCancellationType, type ActivityOptions, type RetryPolicy } from '@temporalio/workflow';
import { failureTypes } from '../batch/failures';
import type { BatchInput } from '../batch/input';

/**
 * How long each activity may take and how it is retried: planning, chunks, locating documents
 * (prioritize), the report and batch mode's Message Batch activities each have their own policy.
 * The chunks' policy comes from the batch input (`retry`, `timeouts`), polling a Message Batch from
 * `messageBatches`; the others are fixed here.
 */

/** Failures no retry can cure: bad input, or a fault of the whole batch (credentials, spend limit). */
const nonRetryableErrorTypes = [failureTypes.invalidInput, failureTypes.batchFault];

/**
 * planBatch: list the source into the manifest's parts while the first chunks already run.
 * - `startToCloseTimeout` @default 2 hours (a million files take about a minute, ten million
 *   objects in a bucket some ten: liveness is the heartbeat's job)
 * - `heartbeatTimeout` @default 1 minute: a planning worker that died is noticed, and the retry
 *   resumes after the last listed entry
 * - `retry` @default 1 s doubling to 30 s, 5 attempts: a source that stays unreadable fails the batch
 *   with the cause rather than leaving it in `planning` forever
 */
export const planningOptions: ActivityOptions = {
  startToCloseTimeout: '2h',
  heartbeatTimeout: '1m',
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
 * - `startToCloseTimeout` @default 6 hours: it grows with the batch (1,000,000 documents took about
 *   half a minute on a local disk of a 2-core machine, and a bucket is several times slower)
 * - `heartbeatTimeout` @default 1 minute: it beats after each chunk it writes, so a report whose
 *   worker died is retried on another within a minute, however long a whole report takes
 * - `retry` @default 1 s doubling to 1 min, unlimited attempts: the report of finished work is never
 *   given up; a full disk or a lost mount is fixed and the report follows
 */
export const reportOptions: ActivityOptions = {
  startToCloseTimeout: '6h',
  heartbeatTimeout: '1m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', nonRetryableErrorTypes },
};

/**
 * extractChunk, from the batch input:
 * - `startToCloseTimeout` = `timeouts.chunkStartToClose` (input default 1h)
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

/**
 * submitChunk and collectChunk (batch mode): the chunk's policy above (`chunkOptions`), since they
 * do a chunk's file work (read the manifest and journal, upload the requests, stream the results
 * into the journal) and heartbeat as they go. Both are idempotent, so a retry is safe.
 */
export const messageBatchChunkOptions = chunkOptions;

/**
 * awaitMessageBatch (batch mode): checks a Message Batch once and fails retryably
 * (`MessageBatchInProgress`) until it has ended. Temporal's pattern for infrequent polling:
 * - `retry` every `messageBatches.pollInterval` (input default 1m), backoff coefficient 1, unlimited
 *   attempts: retries add no history events and hold no worker slot between checks
 * - `scheduleToCloseTimeout` = `messageBatches.deadline` (input default 25h: Anthropic expires what
 *   it has not done after 24 hours, so a Message Batch ends well within it)
 * - `startToCloseTimeout` @default 20 seconds: one retrieve call takes well under a second, and a
 *   worker that dies mid-check delays the batch by this timeout (not by the poll interval), so it is
 *   short; the retrieve itself gives up after 15 s (await-message-batch.ts) so it never outlives it
 */
export function pollOptions(input: BatchInput): ActivityOptions {
  const { pollInterval, deadline } = input.messageBatches;
  return {
    startToCloseTimeout: '20s',
    scheduleToCloseTimeout: deadline,
    retry: { initialInterval: pollInterval, backoffCoefficient: 1, maximumInterval: pollInterval, nonRetryableErrorTypes },
  };
}

/**
 * cancelMessageBatch (batch mode, when the batch is cancelled): asks Anthropic to cancel one
 * Message Batch.
 * - `startToCloseTimeout` @default 30 seconds: one API call; a worker that dies mid-call delays the
 *   cancel by no more than this
 * - `retry` @default 1 s doubling to 1 min, 10 attempts: after that the batch stops asking and
 *   waits for the Message Batch to end by itself (Anthropic ends it within 24 hours)
 */
export const cancelMessageBatchOptions: ActivityOptions = {
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 10, nonRetryableErrorTypes },
};
