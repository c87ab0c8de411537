import Queue from 'yocto-queue';
import type { Extractor } from './extractor';

/** A document waiting for its slots: granted, or aborted with its chunk's signal. */
interface Waiter {
  weight: number;
  grant: () => void;
  abort: (reason: Error) => void;
  aborted: boolean;
}

/**
 * The documents one worker process works on at once, whatever chunk or batch they belong to: a
 * first-in, first-out pool whose size is asked of its owner (the extractor: its rate limiter's
 * Little's-law estimate, or its decoder pool's size) each time a slot frees, so it follows the
 * limiter as it learns the account's limits and the latency. Chunks queue every document they
 * still have; the chunk that asked first is served first, so chunks finish in order.
 */
export class DocumentSlots {
  private busy = 0;
  // A linked queue: chunks of 500 queue thousands of documents, and an array's shift() moves them all on every grant.
  private readonly waiting = new Queue<Waiter>();
  /** The waiters of each signal and its one abort listener: a chunk queues hundreds of documents on one signal. */
  private readonly watched = new Map<AbortSignal, { waiters: Set<Waiter>; onAbort: () => void }>();

  constructor(private readonly size: () => number) {}

  get inUse(): number {
    return this.busy;
  }

  /**
   * Resolves with a release function once `weight` slots are free (a large document may take
   * several: see Extractor.documentWeight; never more than the whole pool), or rejects with
   * `signal`'s reason when it aborts first (a cancelled chunk leaves the queue without a slot).
   */
  acquire(signal?: AbortSignal, weight = 1): Promise<() => void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(abortReason(signal));
      const waiter: Waiter = {
        aborted: false,
        weight: Math.max(1, Math.floor(weight)),
        grant: () => {
          if (signal) this.unwatch(signal, waiter);
          const taken = Math.min(waiter.weight, this.capacity());
          this.busy += taken;
          let released = false;
          resolve(() => {
            if (released) return;
            released = true;
            this.busy -= taken;
            this.drain();
          });
        },
        // Left in the queue, skipped when it reaches the head.
        abort: (reason) => {
          waiter.aborted = true;
          reject(reason);
        },
      };
      if (signal) this.watch(signal, waiter);
      this.waiting.enqueue(waiter);
      this.drain();
    });
  }

  private watch(signal: AbortSignal, waiter: Waiter): void {
    let watching = this.watched.get(signal);
    if (!watching) {
      const waiters = new Set<Waiter>();
      const onAbort = () => {
        this.watched.delete(signal);
        for (const aborted of waiters) aborted.abort(abortReason(signal));
        this.drain();
      };
      watching = { waiters, onAbort };
      this.watched.set(signal, watching);
      signal.addEventListener('abort', onAbort, { once: true });
    }
    watching.waiters.add(waiter);
  }

  /** A granted waiter leaves its signal's watch; the listener goes with the signal's last waiter. */
  private unwatch(signal: AbortSignal, waiter: Waiter): void {
    const watching = this.watched.get(signal);
    if (!watching) return;
    watching.waiters.delete(waiter);
    if (watching.waiters.size > 0) return;
    this.watched.delete(signal);
    signal.removeEventListener('abort', watching.onAbort);
  }

  private capacity(): number {
    return Math.max(1, Math.floor(this.size()));
  }

  /** First in, first out: a heavy document at the head waits for its slots rather than being overtaken forever. */
  private drain(): void {
    const size = this.capacity();
    for (let head = this.waiting.peek(); head !== undefined; head = this.waiting.peek()) {
      if (head.aborted) {
        this.waiting.dequeue();
        continue;
      }
      if (this.busy + Math.min(head.weight, size) > size) return;
      this.waiting.dequeue();
      head.grant();
    }
  }
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error(`waiting for a document slot was aborted: ${String(signal.reason)}`);
}

/**
 * Slots a document of `sizeBytes` takes so that documents in flight hold at most `bytesInFlight`
 * between them when the pool has `documentsInFlight` slots: small documents take one, a large one
 * several (so that a worker's heap cap holds whatever the documents' sizes).
 */
export function weightForBytes(sizeBytes: number, documentsInFlight: number, bytesInFlight: number): number {
  return 1 + Math.floor((sizeBytes * documentsInFlight) / bytesInFlight);
}

const pools = new WeakMap<object, DocumentSlots>();

/** Documents in flight per process for an extractor that does not say (test doubles). */
const defaultDocumentsInFlight = 8;

/** The slot pool of this process for one extractor (extractors are reused across chunks), sized by it. */
export function documentSlotsFor(extractor: Pick<Extractor, 'documentsInFlight'>): DocumentSlots {
  let slots = pools.get(extractor);
  if (!slots) {
    slots = new DocumentSlots(() => extractor.documentsInFlight?.() ?? defaultDocumentsInFlight);
    pools.set(extractor, slots);
  }
  return slots;
}
