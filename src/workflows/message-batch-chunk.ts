import { ActivityFailure, ApplicationFailure, CancellationScope, CancelledFailure, condition, log, proxyActivities, TimeoutFailure, type ActivityOptions } from '@temporalio/workflow';
import type { ExtractChunkInput, ExtractChunkResult } from '../batch/activities';
import { failureTypes } from '../batch/failures';
import type { BatchInput } from '../batch/input';
import type { CollectChunkResult, MessageBatchActivities, MessageBatchRef } from '../batch/message-batches';
import { cancelMessageBatchOptions, messageBatchChunkOptions, pollOptions } from './activity-options';
import type { MessageBatchWatch } from './message-batch-watch';

/** One chunk in batch mode, and what it reads of its batch while it runs. */
export interface MessageBatchChunk {
  chunk: ExtractChunkInput;
  input: BatchInput;
  /** Shown with each activity in the Web UI ("chunk 3: documents 151–200"). */
  label: string;
  /** The batch's priority now: each activity runs with the one current when it starts. */
  priority(): number;
  paused(): boolean;
  cancelled(): boolean;
  watch: MessageBatchWatch;
  /** Shows the change in the Web UI (a Message Batch submitted, ended or collected). */
  publish(): void;
}

/**
 * The lifecycle of a chunk in batch mode:
 *   submitChunk(round) -> awaitMessageBatch for each of its Message Batches -> collectChunk(round)
 *   -> while collectChunk says some documents need sending again: the next round.
 * Runs outside the batch's cancellation: when the batch is cancelled, the Message Batches still at
 * Anthropic are cancelled there, then awaited until they end and collected (what finished was
 * billed); no further round starts. A paused batch submits no further round until resumed; what
 * is at Anthropic keeps being awaited and collected. Returns the chunk's counts, as extractChunk.
 */
export function runMessageBatchChunk(c: MessageBatchChunk): Promise<ExtractChunkResult> {
  return CancellationScope.nonCancellable(async () => {
    const { chunkIndex } = c.chunk;
    const { resubmits, whenResubmitsRunOut } = c.input.messageBatches;
    let result: CollectChunkResult | null = null;
    for (let round = 0; ; round++) {
      if (round > 0) await condition(() => !c.paused() || c.cancelled());
      if (c.cancelled()) break;
      c.watch.submitting(chunkIndex);
      const { messageBatches } = await activities(c, `submit round ${round}`, messageBatchChunkOptions(c.input)).submitChunk({ ...c.chunk, round });
      c.watch.submitted(chunkIndex, round, messageBatches);
      c.publish();
      await awaitEnded(c, messageBatches);
      result = await activities(c, `collect round ${round}`, messageBatchChunkOptions(c.input)).collectChunk({ ...c.chunk, round, messageBatches, resubmits, whenResubmitsRunOut });
      c.watch.collected(chunkIndex, result);
      c.publish();
      // Nothing was sent (every document journaled already), or nothing needs sending again.
      if (messageBatches.length === 0 || result.resubmit === 0) break;
      // collectChunk settles a document once its resubmits have run out; never loop on a miscount.
      if (round >= resubmits) {
        log.warn(`chunk ${chunkIndex}: collectChunk asked to resend ${result.resubmit} documents after the last of ${resubmits} resubmission rounds; they stay unprocessed`);
        break;
      }
    }
    // Cancelled before anything was submitted: the chunk goes back to the queue, as a cancelled realtime chunk does.
    if (result === null) throw new CancelledFailure(`chunk ${chunkIndex} was not submitted: the batch is cancelling`);
    return result;
  });
}

/** Waits until every one of these Message Batches has ended; cancels the ones still running once the batch is cancelled. */
async function awaitEnded(c: MessageBatchChunk, messageBatches: MessageBatchRef[]): Promise<void> {
  if (messageBatches.length === 0) return;
  const running = new Set(messageBatches.map((batch) => batch.id));
  let settled = false;
  const all = Promise.allSettled(
    messageBatches.map(async (ref) => {
      const ended = await activities(c, `await ${ref.id}`, pollOptions(c.input))
        .awaitMessageBatch({ id: ref.id })
        .catch((error: unknown) => {
          throw pastDeadline(error) ? notEnded(c, ref.id) : error;
        });
      running.delete(ref.id);
      c.watch.ended(ref, ended);
      c.publish();
    }),
  ).finally(() => {
    settled = true;
  });
  await condition(() => settled || c.cancelled());
  if (!settled) await Promise.all([...running].map((id) => cancelAtAnthropic(c, id)));
  const failed = (await all).find((outcome) => outcome.status === 'rejected');
  if (failed) throw failed.reason;
}

/** The poll ran out of `messageBatches.deadline`: its last check still found the Message Batch running, or it timed out. */
function pastDeadline(error: unknown): boolean {
  if (!(error instanceof ActivityFailure)) return false;
  return error.cause instanceof TimeoutFailure || (error.cause instanceof ApplicationFailure && error.cause.type === failureTypes.messageBatchInProgress);
}

function notEnded(c: MessageBatchChunk, id: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: failureTypes.messageBatchDeadline,
    message: `Message Batch ${id} had not ended within messageBatches.deadline (${String(c.input.messageBatches.deadline)}); it stays at Anthropic: resume to wait for it again, or cancel the batch`,
  });
}

/** Asks Anthropic to cancel a Message Batch; if it cannot, the batch still waits for it to end by itself. */
async function cancelAtAnthropic(c: MessageBatchChunk, id: string): Promise<void> {
  try {
    await activities(c, `cancel ${id}`, cancelMessageBatchOptions).cancelMessageBatch({ id });
  } catch (error) {
    log.warn(`could not cancel Message Batch ${id}; waiting for it to end`, { error: error instanceof Error ? error.message : String(error) });
  }
}

function activities(c: MessageBatchChunk, what: string, options: ActivityOptions) {
  return proxyActivities<MessageBatchActivities>({ ...options, priority: { priorityKey: c.priority() }, summary: `${c.label}: ${what}` });
}
