import { addCounts, type ChunkCounts } from '../batch/counts';
import type { AwaitMessageBatchResult, MessageBatchRef } from '../batch/message-batches';
import {
  emptyTally,
  messageBatchEtaMs,
  messageBatchProgressOf,
  recordSubmission,
  recordTurnaround,
  typicalTurnaroundMs,
  type ChunkStage,
  type MessageBatchAtAnthropic,
  type MessageBatchProgress,
  type MessageBatchTally,
} from '../batch/message-batch-progress';

/**
 * What a batch in batch mode knows about its Message Batches: which chunk is at which stage, the
 * Message Batches still at Anthropic, and the tally (submitted, resubmitted, turnarounds). The
 * chunk lifecycle reports to it; progress reads it. A chunk that runs again (resumed after a
 * failure) gets the same Message Batch ids back from submitChunk: each id is counted once.
 */
export class MessageBatchWatch {
  private tally: MessageBatchTally;
  private readonly stages = new Map<number, 'submitting' | 'waiting' | 'collecting'>();
  private readonly waiting = new Map<string, MessageBatchAtAnthropic>();
  private readonly counted = new Set<string>();
  private readonly timed = new Set<string>();
  /** Counts of chunks still in flight as of their last collection (a chunk may wait for another round). */
  private readonly collectedCounts = new Map<number, ChunkCounts>();

  constructor(tally: MessageBatchTally | undefined) {
    this.tally = tally ?? emptyTally();
  }

  submitting(chunk: number): void {
    this.stages.set(chunk, 'submitting');
  }

  submitted(chunk: number, round: number, messageBatches: MessageBatchRef[]): void {
    for (const ref of messageBatches) {
      if (!this.counted.has(ref.id)) {
        this.counted.add(ref.id);
        this.tally = recordSubmission(this.tally, round, ref.requests);
      }
      if (!this.timed.has(ref.id)) this.waiting.set(ref.id, { id: ref.id, chunkIndex: chunk, round, requests: ref.requests, createdAt: ref.createdAt, expiresAt: ref.expiresAt });
    }
    this.stages.set(chunk, this.waitingOf(chunk).length > 0 ? 'waiting' : 'collecting');
  }

  ended(ref: MessageBatchRef, result: AwaitMessageBatchResult): void {
    this.waiting.delete(ref.id);
    if (!this.timed.has(ref.id)) {
      this.timed.add(ref.id);
      this.tally = recordTurnaround(this.tally, ref.createdAt, result.endedAt);
    }
    if (this.waitingOf(ref.chunkIndex).length === 0 && this.stages.has(ref.chunkIndex)) this.stages.set(ref.chunkIndex, 'collecting');
  }

  /** A round's results are in the chunk's journal: `counts` are the journal's, the chunk's so far. */
  collected(chunk: number, counts: ChunkCounts): void {
    this.collectedCounts.set(chunk, counts);
  }

  /** The batch's counts of finished chunks plus what chunks still in flight have collected. */
  countsWith(finished: ChunkCounts): ChunkCounts {
    let counts = finished;
    for (const collected of this.collectedCounts.values()) counts = addCounts(counts, collected);
    return counts;
  }

  /** The chunk is done (its counts are the batch's now), or failed: it waits for nothing any more. */
  left(chunk: number): void {
    this.stages.delete(chunk);
    this.collectedCounts.delete(chunk);
    for (const batch of this.waitingOf(chunk)) this.waiting.delete(batch.id);
  }

  progress(now: number): MessageBatchProgress {
    return messageBatchProgressOf(this.tally, [...this.waiting.values()], now);
  }

  etaMs(now: number, pendingChunks: number, concurrency: number): number | null {
    const inFlight = [...this.stages.entries()].map(([chunk, stage]): ChunkStage => {
      if (stage !== 'waiting') return { stage };
      return { stage, createdAt: this.waitingOf(chunk).map((batch) => Date.parse(batch.createdAt)).filter(Number.isFinite) };
    });
    return messageBatchEtaMs({ now, turnaroundMs: typicalTurnaroundMs(this.tally), inFlight, pendingChunks, concurrency });
  }

  /** The tally the next run starts from (no chunk is in flight at a hand-over). */
  handOver(): MessageBatchTally {
    return this.tally;
  }

  private waitingOf(chunk: number): MessageBatchAtAnthropic[] {
    return [...this.waiting.values()].filter((batch) => batch.chunkIndex === chunk);
  }
}
