import type { Client } from '@temporalio/client';
import { setTimeout as sleep } from 'node:timers/promises';
import { progressQuery } from '../batch/messages';
import type { Progress } from '../batch/progress';
import { batchCause, type BatchCause } from './batch-cause';
import { awaitBatchOutcome, type BatchOutcome } from './batch-outcome';
import { describeError } from './describe-error';
import type { BatchHandle } from './start-batch';
import { workflowTaskFailure } from './workflow-task-failure';

export interface WatchOptions {
  /** How often to ask for progress. Default 500 ms. */
  intervalMs?: number;
  /** Aborting detaches: the batch keeps running. */
  signal?: AbortSignal;
  /** Without it, progress is never queried: the watcher only waits for the batch to end. */
  onProgress?(progress: Progress): void;
  /** Progress cannot be read right now (no worker yet, server restarting): why. */
  onWaiting?(why: string): void;
  /** The server address, for messages. */
  address: string;
  /**
   * Stop following once the batch cannot move on by itself: a fault (not a person) paused it, or
   * its workflow task keeps failing. It waits for someone to fix the cause, so a command that
   * follows it to the end would wait forever. Default false.
   */
  stopWhenStuck?: boolean;
}

export type WatchResult =
  | { kind: 'ended'; outcome: BatchOutcome }
  | { kind: 'detached' }
  /** stopWhenStuck: a fault paused the batch (progress says so), or its workflow task keeps failing; it stays in Temporal as it is. */
  | { kind: 'stuck'; cause: BatchCause; progress?: Progress };

/** How long one progress query may take before the watcher says it is waiting. */
const QUERY_DEADLINE_MS = 5_000;

/**
 * Follows a batch until it ends or the watcher detaches: polls the `progress` query (one at a
 * time, never piling up) while waiting for the result, which follows continue-as-new. With no
 * `onProgress` (nothing to show it on) it only waits.
 */
export async function watchBatch(client: Client, handle: BatchHandle, options: WatchOptions): Promise<WatchResult> {
  const intervalMs = options.intervalMs ?? 500;
  let ended: BatchOutcome | undefined;
  let failure: { error: unknown } | undefined;
  const stopWaiting = new AbortController();
  const outcome = awaitBatchOutcome(client, handle, stopWaiting.signal).then(
    (value) => (ended = value),
    (error: unknown) => (failure = { error: error ?? new Error('the batch result could not be read') }),
  );
  const aborted = abortOf(options.signal);
  let stuck: { cause: BatchCause; progress?: Progress } | undefined;
  const stopped = () => ended !== undefined || failure !== undefined || stuck !== undefined || options.signal?.aborted === true;

  while (!stopped() && options.onProgress === undefined && !options.stopWhenStuck) await Promise.race([outcome, aborted]);
  while (!stopped()) {
    try {
      const progress = await client.connection.withDeadline(Date.now() + QUERY_DEADLINE_MS, () => handle.query(progressQuery));
      if (!stopped()) options.onProgress?.(progress);
      if (options.stopWhenStuck && progress.state === 'paused' && progress.pauseFault) {
        stuck = { progress, cause: batchCause('fault', handle.workflowId, progress.pauseReason ?? 'paused by a fault', progress.pauseFault.type) };
      }
    } catch (error) {
      // A query fails while the workflow task does: no worker can run the batch's code.
      const taskFailure = options.stopWhenStuck ? await workflowTaskFailure(client, handle.workflowId).catch(() => null) : null;
      if (taskFailure && !stopped()) stuck = { cause: taskFailure };
      if (!stopped()) {
        options.onWaiting?.(describeError(error, { address: options.address, namespace: client.options.namespace, batchId: handle.workflowId }));
      }
    }
    await Promise.race([sleep(intervalMs), outcome, aborted]);
  }

  if (stuck !== undefined && ended === undefined && failure === undefined) {
    stopWaiting.abort();
    return { kind: 'stuck', ...stuck };
  }
  if (options.signal?.aborted && ended === undefined) {
    stopWaiting.abort();
    return { kind: 'detached' };
  }
  await outcome;
  if (failure !== undefined) throw failure.error;
  return { kind: 'ended', outcome: ended! };
}

function abortOf(signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return new Promise(() => {});
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
