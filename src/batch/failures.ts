/**
 * The `type` of every ApplicationFailure docbatch raises, so callers (the workflow, the client,
 * `temporal workflow show`) can branch on it.
 */
export const failureTypes = {
  /** The batch input does not parse, or its source cannot be listed: the batch fails at once. */
  invalidInput: 'InvalidBatchInput',
  /** The batch's source (its folder or manifest) is missing or cannot be read when the batch is planned. */
  sourceUnavailable: 'SourceUnavailable',
  /** A control update the workflow refused (bad arguments, or the batch is past steering). */
  rejectedUpdate: 'UpdateRejected',
  /** More documents failed than `toleratedFailurePercent` allows: the batch ends failed, its summary attached. */
  toleranceExceeded: 'FailureToleranceExceeded',
  /** A fault of the whole batch (credentials, spend limit): non-retryable, it pauses the batch. */
  batchFault: 'BatchFault',
  /** The Messages API said 429: retried after the delay it asked for. */
  rateLimited: 'RateLimited',
  /** awaitMessageBatch while the Message Batch has not ended: retried every `messageBatches.pollInterval`. */
  messageBatchInProgress: 'MessageBatchInProgress',
  /** A Message Batch had not ended within `messageBatches.deadline`: the chunk fails, which pauses the batch. */
  messageBatchDeadline: 'MessageBatchDeadline',
  /** The Message Batches API does not know a Message Batch id (deleted, or another workspace's). */
  messageBatchNotFound: 'MessageBatchNotFound',
  /** The Message Batches API refused a call as invalid (a create body it will not take): retrying cannot help. */
  messageBatchRejected: 'MessageBatchRejected',
  /** A submitChunk attempt that a later attempt of its chunk took over (it stalled past its heartbeat timeout): it sends nothing more. */
  submissionSuperseded: 'SubmissionSuperseded',
  /** collectChunk was given a Message Batch id its chunk's submission records do not hold. */
  messageBatchUnknown: 'MessageBatchUnknown',
} as const;
