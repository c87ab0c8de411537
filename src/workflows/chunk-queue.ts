import { toRanges, type ChunkRange } from '../batch/chunks';

/**
 * Which chunk runs next. Chunks run in index order (the manifest is already sorted by the batch's
 * `order`), except that prioritized chunks and chunks handed back (a paused or cancelled
 * attempt) go first. Done chunks are kept as ranges so they carry compactly across
 * continue-as-new.
 */
export class ChunkQueue {
  private readonly done = new Set<number>();
  private readonly inFlight = new Set<number>();
  private front: number[];
  /** Every chunk below the cursor is done, in flight, or in `front`. */
  private cursor = 0;

  constructor(
    private count: number,
    doneRanges: ChunkRange[] = [],
    front: number[] = [],
  ) {
    for (const [start, end] of doneRanges) for (let i = start; i < end; i++) this.done.add(i);
    this.front = front.filter((i) => this.isValid(i) && !this.done.has(i));
  }

  /** Chunks known so far: while the source is still being listed, more arrive (`extend`). */
  get chunkCount(): number {
    return this.count;
  }

  /** More chunks are listed: chunks below `chunkCount` can run. */
  extend(chunkCount: number): void {
    this.count = Math.max(this.count, chunkCount);
  }

  get doneCount(): number {
    return this.done.size;
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  hasPending(): boolean {
    return this.chunkCount - this.done.size - this.inFlight.size > 0;
  }

  isFinished(): boolean {
    return this.done.size === this.chunkCount;
  }

  /** Takes the next chunk to run and marks it in flight. */
  take(): number | undefined {
    while (this.front.length > 0) {
      const next = this.front.shift()!;
      if (this.isWaiting(next)) return this.start(next);
    }
    while (this.cursor < this.chunkCount && !this.isWaiting(this.cursor)) this.cursor++;
    return this.cursor < this.chunkCount ? this.start(this.cursor++) : undefined;
  }

  complete(chunk: number): void {
    this.inFlight.delete(chunk);
    this.done.add(chunk);
  }

  /** An in-flight chunk that did not finish goes back to the front of the queue. */
  release(chunk: number): void {
    if (!this.inFlight.delete(chunk)) return;
    this.front.unshift(chunk);
  }

  /** Moves these chunks to the front, in the order given; done or running ones are ignored. Returns how many moved. */
  prioritize(chunks: number[]): number {
    const wanted = chunks.filter((i) => this.isValid(i) && this.isWaiting(i));
    const moved = new Set(wanted);
    this.front = [...moved].concat(this.front.filter((i) => !moved.has(i)));
    return moved.size;
  }

  doneRanges(): ChunkRange[] {
    return toRanges([...this.done].sort((a, b) => a - b));
  }

  inFlightChunks(): number[] {
    return [...this.inFlight];
  }

  /** The pending front of the queue, for continue-as-new (in-flight chunks have drained by then). */
  frontChunks(): number[] {
    return this.front.filter((i) => this.isWaiting(i));
  }

  private isWaiting(chunk: number): boolean {
    return !this.done.has(chunk) && !this.inFlight.has(chunk);
  }

  private isValid(chunk: number): boolean {
    return Number.isInteger(chunk) && chunk >= 0 && chunk < this.chunkCount;
  }

  private start(chunk: number): number {
    this.inFlight.add(chunk);
    return chunk;
  }
}
