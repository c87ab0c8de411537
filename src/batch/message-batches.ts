import { z } from 'zod';
import { extractChunkInputSchema, extractChunkResultSchema } from './activities';
import { messageBatchesInputSchema } from './input';

/**
 * Batch mode (`mode: "batch"`): a chunk's documents go to Anthropic as Message Batches instead of
 * one realtime call each. The chunk's lifecycle in the workflow is
 *   submitChunk (round 0) -> awaitMessageBatch per id -> collectChunk
 *   -> while collectChunk says some need resending: submitChunk (round + 1) -> ...
 * and cancelMessageBatch when the batch is cancelled while Message Batches are at Anthropic.
 * Only ids, counts and times cross this line: requests and results stay on the worker's disk.
 */

/** A Message Batch at Anthropic holding some of a chunk's documents. */
export const messageBatchRefSchema = z.object({
  /** Anthropic's id, `msgbatch_...`. */
  id: z.string().min(1),
  chunkIndex: z.number().int().nonnegative(),
  /** Documents (requests) it holds. */
  requests: z.number().int().positive(),
  /** ISO 8601, as the API reports them. */
  createdAt: z.string(),
  expiresAt: z.string(),
});
export type MessageBatchRef = z.infer<typeof messageBatchRefSchema>;

export const submitChunkInputSchema = extractChunkInputSchema.extend({
  /** 0 for the first submission; each resubmission of errored or expired documents counts up. */
  round: z.number().int().nonnegative(),
});
export type SubmitChunkInput = z.infer<typeof submitChunkInputSchema>;

export const submitChunkResultSchema = z.object({
  chunkIndex: z.number().int().nonnegative(),
  /** Empty when nothing was left to send (every document journaled: cached, e-invoice, broken, done). */
  messageBatches: z.array(messageBatchRefSchema),
});
export type SubmitChunkResult = z.infer<typeof submitChunkResultSchema>;

export const awaitMessageBatchInputSchema = z.object({ id: z.string().min(1) });
export type AwaitMessageBatchInput = z.infer<typeof awaitMessageBatchInputSchema>;

/** Returned only once the Message Batch has ended; before that the activity fails retryably. */
export const awaitMessageBatchResultSchema = z.object({
  id: z.string().min(1),
  endedAt: z.string(),
  requestCounts: z.object({
    succeeded: z.number().int().nonnegative(),
    errored: z.number().int().nonnegative(),
    canceled: z.number().int().nonnegative(),
    expired: z.number().int().nonnegative(),
  }),
});
export type AwaitMessageBatchResult = z.infer<typeof awaitMessageBatchResultSchema>;

export const collectChunkInputSchema = submitChunkInputSchema.extend({
  messageBatches: z.array(messageBatchRefSchema),
  /** The batch's `messageBatches.resubmits`: a document that errors or expires in this round or later is not resubmitted again. */
  resubmits: messageBatchesInputSchema.shape.resubmits.unwrap(),
  /** The batch's `messageBatches.whenResubmitsRunOut`: one realtime call, or a failed document with the reason. */
  whenResubmitsRunOut: messageBatchesInputSchema.shape.whenResubmitsRunOut.unwrap(),
});
export type CollectChunkInput = z.infer<typeof collectChunkInputSchema>;

export const collectChunkResultSchema = extractChunkResultSchema.extend({
  /** Documents that errored with a server error or expired: the workflow submits them again (next round). */
  resubmit: z.number().int().nonnegative(),
});
export type CollectChunkResult = z.infer<typeof collectChunkResultSchema>;

export const cancelMessageBatchInputSchema = z.object({ id: z.string().min(1) });
export type CancelMessageBatchInput = z.infer<typeof cancelMessageBatchInputSchema>;

/** The activities of batch mode, registered beside `BatchActivities`. */
export interface MessageBatchActivities {
  submitChunk(input: SubmitChunkInput): Promise<SubmitChunkResult>;
  awaitMessageBatch(input: AwaitMessageBatchInput): Promise<AwaitMessageBatchResult>;
  collectChunk(input: CollectChunkInput): Promise<CollectChunkResult>;
  cancelMessageBatch(input: CancelMessageBatchInput): Promise<void>;
}
