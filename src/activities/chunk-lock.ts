import { Context } from '@temporalio/activity';
import { heartbeatEveryMs } from './chunk-attempt';

/**
 * One batch-mode activity per chunk at a time in this process. Temporal may start a new attempt
 * of a chunk's submitChunk or collectChunk while an earlier one still runs here (the earlier one
 * missed its heartbeat timeout on a loaded machine and has not yet heard it was cancelled): the
 * new attempt waits for the earlier one, then reads the records and the journal it left, so a
 * Message Batch is never created twice and no document is finished twice by this worker.
 */
const tails = new Map<string, Promise<void>>();

export async function withChunkLock<T>(key: string, run: () => Promise<T>): Promise<T> {
  const previous = tails.get(key) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((resolve) => (release = resolve));
  const tail = previous.then(() => mine);
  tails.set(key, tail);
  await previous;
  try {
    return await run();
  } finally {
    release();
    if (tails.get(key) === tail) tails.delete(key);
  }
}

/**
 * Runs a batch-mode activity of one chunk under that chunk's lock, heartbeating from the start:
 * also while an earlier attempt of the chunk still holds the lock, so the waiting attempt is not
 * presumed dead.
 */
export async function underChunkLock<T>(chunk: { batchDir: string; chunkIndex: number }, run: () => Promise<T>): Promise<T> {
  const context = Context.current();
  const waiting = setInterval(() => context.heartbeat(), heartbeatEveryMs(context.info.heartbeatTimeoutMs));
  try {
    return await withChunkLock(`${chunk.batchDir}#${chunk.chunkIndex}`, run);
  } finally {
    clearInterval(waiting);
  }
}
