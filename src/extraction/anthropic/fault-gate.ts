import type { BatchFault } from '../errors';

/**
 * An extractor's memory of the batch-wide fault its Messages API calls last met (key rejected,
 * permission denied, spend limit, model unavailable), so the documents already under way on the
 * worker, in every chunk, stop instead of each collecting the same error:
 * - a call of an extraction that began before the fault fails with it, unsent (one waiting for
 *   the rate limiter, a repair turn, the next part of a split PDF);
 * - while the fault is remembered, a call of an extraction that began after it (the documents
 *   still queued for a slot, or the next attempt after a resume) goes out alone, as a probe, and
 *   the others wait for its answer: an answer clears the fault and they all go; the same fault
 *   again fails them with it.
 * So a fixed key, a raised spend limit or a granted model is picked up by the next attempt without
 * a worker restart, and a fault that is still there costs one call per wave of documents, not one
 * per document.
 */
export class FaultGate {
  private fault: BatchFault | undefined;
  /** Faults met so far: an extraction's mark is this count when it began. */
  private faults = 0;
  private probing = false;
  private waiting: (() => void)[] = [];

  /** Taken when an extraction begins: its calls answer to the faults met after it. */
  mark(): number {
    return this.faults;
  }

  /**
   * Resolves when a call of the extraction marked `mark` may be sent, with whether it goes as the
   * probe; throws the fault that stops it.
   */
  async enter(mark: number): Promise<{ probe: boolean }> {
    for (;;) {
      this.check(mark);
      if (this.fault === undefined) return { probe: false };
      if (!this.probing) {
        this.probing = true;
        return { probe: true };
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  /** Throws the fault met since `mark`, if it still stands (for a call that waited, e.g. on the rate limiter). */
  check(mark: number): void {
    if (this.fault !== undefined && this.faults !== mark) throw this.fault;
  }

  /** The API took a call (an answer, or a rejection of the document itself): the fault, if any, is over. */
  answered(): void {
    this.fault = undefined;
    this.settle();
  }

  /** A call met a batch-wide fault. */
  failed(fault: BatchFault): void {
    this.fault = fault;
    this.faults++;
    this.settle();
  }

  /** A call ended without telling either way (a timeout, a lost connection, a 5xx, a 429): another may probe. */
  undecided({ probe }: { probe: boolean }): void {
    if (probe) this.settle();
  }

  private settle(): void {
    this.probing = false;
    const waiting = this.waiting;
    this.waiting = [];
    for (const wake of waiting) wake();
  }
}
