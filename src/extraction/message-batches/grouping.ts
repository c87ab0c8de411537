import type { BatchCreateParams } from '@anthropic-ai/sdk/resources/messages/batches';

/** What one Message Batch may hold (batch-processing guide: 100,000 requests or 256 MB, whichever comes first). */
export interface MessageBatchLimits {
  maxRequests: number;
  /** Of the create call's JSON body. */
  maxBytes: number;
}

/** The API's own limits on one Message Batch. */
export const apiMessageBatchLimits: MessageBatchLimits = { maxRequests: 100_000, maxBytes: 256 * 1024 * 1024 };

/**
 * The limits docbatch groups by: the API's request count, and 64 MB of serialized requests, well
 * inside the API's 256 MB. A group is in the worker's memory twice while `create` sends it (the
 * requests and the SDK's JSON body), next to other chunks' work, and a worker may run with a
 * 512 MB heap; more, smaller Message Batches cost nothing extra.
 */
export const messageBatchLimits: MessageBatchLimits = { maxRequests: apiMessageBatchLimits.maxRequests, maxBytes: 64 * 1024 * 1024 };

export type MessageBatchRequest = BatchCreateParams.Request;

/** The bytes a request adds to the create body: its JSON and a separating comma. */
export function requestBytes(request: MessageBatchRequest): number {
  return Buffer.byteLength(JSON.stringify(request)) + 1;
}

/** Framing of the create body around its requests: `{"requests":[...]}`. */
const bodyFramingBytes = Buffer.byteLength('{"requests":[]}');

/**
 * Groups requests (each with its `bytes`, see requestBytes), in the order they come, into Message Batches within the limits. `add` returns
 * the group that is full when the next request does not fit in it (the caller creates that Message
 * Batch and lets go of it), `finish` the last group. A request too big for any group (never, with
 * the API's 32 MB per request) makes a group of its own, for the API to refuse.
 */
export class MessageBatchGrouper<T extends { bytes: number }> {
  private group: T[] = [];
  private bytes = bodyFramingBytes;

  constructor(private readonly limits: MessageBatchLimits = messageBatchLimits) {}

  add(item: T): T[] | undefined {
    const size = item.bytes;
    let full: T[] | undefined;
    if (this.group.length > 0 && (this.group.length >= this.limits.maxRequests || this.bytes + size > this.limits.maxBytes)) full = this.finish();
    this.group.push(item);
    this.bytes += size;
    return full;
  }

  /** The group being filled (undefined when empty); the grouper starts a new one. */
  finish(): T[] | undefined {
    const full = this.group;
    this.group = [];
    this.bytes = bodyFramingBytes;
    return full.length > 0 ? full : undefined;
  }
}
