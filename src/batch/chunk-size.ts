import type { BatchInput } from './input';

/**
 * How many documents a chunk holds when the batch input names no `chunkSize`: planning chooses it
 * from the extractor and the documents, so that a chunk is worth what it costs (a workflow task,
 * an activity scheduled, started and completed, a manifest part and a journal: some 30 ms of
 * worker and server CPU) without a chunk growing long.
 */

/** Batches planned before planning chose the size, and every batch whose documents are costly. */
export const defaultChunkSize = 100;

/**
 * Text read offline (plain text, e-invoice XML, HTML) takes well under a millisecond a document:
 * chunks of 100 finished twenty times a second and the worker waited for the next one
 * (docs/benchmarks.md, "The tax").
 */
export const textChunkSize = 500;

export interface ChunkSizeFacts {
  extractor: 'local' | 'anthropic';
  mode: BatchInput['mode'];
  /** Every document planning looked at before choosing (the first `textChunkSize` listed) is text. */
  textOnly: boolean;
}

/**
 * Claude keeps 100: each document is a request of seconds, 24 chunks of 100 keep the ~2,400
 * documents open that reach an account's rate limit (input.ts), and in batch mode a chunk is one
 * Message Batch. The offline extractor keeps 100 for PDFs, images and Word documents (a scan is
 * seconds of OCR) and takes `textChunkSize` for text.
 */
export function chunkSizeFor({ extractor, mode, textOnly }: ChunkSizeFacts): number {
  return extractor === 'local' && mode === 'realtime' && textOnly ? textChunkSize : defaultChunkSize;
}
