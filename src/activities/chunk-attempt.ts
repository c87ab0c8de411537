import { setMaxListeners } from 'node:events';
import type { Context } from '@temporalio/activity';
import type { DocumentSlots } from '../extraction/document-slots';
import type { DocumentResult } from '../store/document-result';
import type { ChunkJournal } from '../store/journal';
import type { ChunkSink } from '../sink/chunk-sink';

/**
 * A third of the timeout: two beats can be lost before the chunk is presumed dead. The beat also
 * delivers cancellation. Only the timer beats: a beat per document cost ~30 µs of the SDK's
 * pipeline each (3% of a worker's CPU on tiny documents), for details nobody reads sooner.
 */
export function heartbeatEveryMs(heartbeatTimeoutMs: number | undefined): number {
  return Math.max(100, Math.floor((heartbeatTimeoutMs || 15_000) / 3));
}

/**
 * One attempt at a chunk's documents, several at once (extractChunk, collectChunk). Each document's
 * work runs in a slot of the worker's process-wide pool and its result is journaled the moment it
 * is known. On cancellation, or the attempt's first failure, no further document starts; those in
 * flight finish and are journaled. Heartbeats run on a timer (also during a long extraction) until
 * `close`, so a dead worker is noticed within the heartbeat timeout.
 */
export class ChunkAttempt {
  /** Results this attempt journaled (not lines another attempt of the chunk wrote). */
  journaledNow = 0;
  private firstFailure: { error: unknown } | undefined;
  private readonly stop = new AbortController();
  /** Documents' work started and not finished, and who waits for none to be left (`settled`). */
  private inFlight = 0;
  private readonly waitingForIdle: Array<() => void> = [];
  private readonly onCancel: () => void;
  private readonly beat: ReturnType<typeof setInterval>;

  constructor(
    private readonly context: Context,
    private readonly journal: ChunkJournal,
    private readonly slots: DocumentSlots,
    private readonly documents: number,
    private readonly onJournaled: (result: DocumentResult) => void,
    /** The batch's sink and ledger (src/sink/chunk-sink.ts): told of each result right after the journal; none by default. */
    private readonly sink?: ChunkSink,
  ) {
    // Every document of the chunk may wait for a slot on this one signal: more than Node's 10 listeners is expected.
    setMaxListeners(documents + 1, this.stop.signal);
    this.onCancel = () => this.stop.abort(context.cancellationSignal.reason);
    context.cancellationSignal.addEventListener('abort', this.onCancel, { once: true });
    this.beat = setInterval(() => context.heartbeat(this.progress()), heartbeatEveryMs(context.info.heartbeatTimeoutMs));
  }

  /** Cancelled, or failed: no further document starts. */
  get stopped(): boolean {
    return this.stop.signal.aborted;
  }

  /** The first failure of a document's work, which fails the attempt once what is in flight is journaled. */
  get failure(): { error: unknown } | undefined {
    return this.firstFailure;
  }

  fail(error: unknown): void {
    this.firstFailure ??= { error };
    this.stop.abort(error);
  }

  /** Appends a result; counted and observed only if it is the document's first line in the journal. */
  async record(result: DocumentResult): Promise<boolean> {
    if (!(await this.journal.append(result))) return false;
    // Sink hook: a write that fails fails the attempt; the retry writes what the journal holds first (openChunkSink).
    if (this.sink) await this.sink.write(result);
    this.onJournaled(result);
    this.journaledNow++;
    return true;
  }

  /**
   * Waits for a document slot, then runs `work` in it in the background (`settled` waits for it)
   * and records its result; `undefined` records nothing. Once the attempt has stopped, `work` does
   * not start; a failure of it (or of recording) stops the attempt.
   */
  async inSlot(work: () => Promise<DocumentResult | undefined>, weight = 1): Promise<void> {
    const release = await this.slots.acquire(this.stop.signal, weight).catch(() => undefined);
    if (!release) return;
    this.inFlight++;
    // Counted rather than kept as a set of promises: a promise and a `finally` less per document.
    void (async () => {
      try {
        if (this.stopped) return;
        const result = await work();
        if (result) await this.record(result);
      } catch (error) {
        this.fail(error);
      } finally {
        release();
        if (--this.inFlight === 0) for (const resolve of this.waitingForIdle.splice(0)) resolve();
      }
    })();
  }

  /** Resolves when every document's work started so far has finished (it never rejects). */
  async settled(): Promise<void> {
    if (this.inFlight > 0) await new Promise<void>((resolve) => this.waitingForIdle.push(resolve));
  }

  close(): void {
    clearInterval(this.beat);
    this.context.cancellationSignal.removeEventListener('abort', this.onCancel);
  }

  private progress() {
    return { done: this.journal.done.size, of: this.documents };
  }
}
