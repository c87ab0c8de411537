import type { MessageBatch } from '@anthropic-ai/sdk/resources/messages/batches';

/**
 * Finding a Message Batch whose `create` may have gone through although its id was never recorded
 * (the worker died between sending `create` and writing the answer). The API has no idempotency
 * key for batches and no metadata on them, but `list` gives each one's creation time and request
 * counts, newest first. A candidate was created at most a minute before the intent was written
 * (clock skew) or after it, holds as many requests as the intent, and is not recorded by any
 * group of this batch. Several candidates (chunks of the same size submitted at the same time)
 * are all adopted: collection keeps only results whose custom_id carries the intent's token, so
 * a foreign Message Batch costs a download, never a result, and no request is paid twice.
 */
export interface SubmissionIntent {
  /** When the intent was written (ISO 8601), before `create` was sent. */
  at: string;
  /** Requests the Message Batch was to hold. */
  requests: number;
}

/** Listing stops at Message Batches created this long before the intent: nothing older can be its. */
export const reconcileLookbackMs = 10 * 60 * 1000;
/** Clock skew allowed between the worker (intent time) and the API (created_at). */
export const reconcileSkewMs = 60 * 1000;

export function requestCount(batch: Pick<MessageBatch, 'request_counts'>): number {
  const { processing, succeeded, errored, canceled, expired } = batch.request_counts;
  return processing + succeeded + errored + canceled + expired;
}

export function isCandidate(batch: Pick<MessageBatch, 'id' | 'created_at' | 'request_counts'>, intent: SubmissionIntent, recorded: ReadonlySet<string>): boolean {
  const createdAt = Date.parse(batch.created_at);
  return createdAt >= Date.parse(intent.at) - reconcileSkewMs && requestCount(batch) === intent.requests && !recorded.has(batch.id);
}

/** The candidates among `batches` (newest first, as `list` gives them), reading no further than the lookback. */
export async function reconcileCandidates(batches: AsyncIterable<MessageBatch>, intent: SubmissionIntent, recorded: ReadonlySet<string>): Promise<MessageBatch[]> {
  const oldest = Date.parse(intent.at) - reconcileLookbackMs;
  const found: MessageBatch[] = [];
  for await (const batch of batches) {
    if (Date.parse(batch.created_at) < oldest) break;
    if (isCandidate(batch, intent, recorded)) found.push(batch);
  }
  return found;
}
