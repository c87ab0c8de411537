import { describe, expect, it } from 'vitest';
import { toRanges } from '../src/batch/chunks';
import { ChunkQueue } from '../src/workflows/chunk-queue';

function drain(queue: ChunkQueue): number[] {
  const taken: number[] = [];
  for (let next = queue.take(); next !== undefined; next = queue.take()) taken.push(next);
  return taken;
}

describe('ChunkQueue', () => {
  it('hands out chunks in index order, each once', () => {
    const queue = new ChunkQueue(5);
    expect(drain(queue)).toEqual([0, 1, 2, 3, 4]);
    expect(queue.hasPending()).toBe(false);
    expect(queue.isFinished()).toBe(false);
  });

  it('skips chunks carried over as done and finishes when all are complete', () => {
    const queue = new ChunkQueue(6, [[0, 2], [3, 4]]);
    expect(drain(queue)).toEqual([2, 4, 5]);
    for (const chunk of [2, 4, 5]) queue.complete(chunk);
    expect(queue.isFinished()).toBe(true);
    expect(queue.doneRanges()).toEqual([[0, 6]]);
  });

  it('puts a released chunk at the front and never duplicates a running one', () => {
    const queue = new ChunkQueue(4);
    expect(queue.take()).toBe(0);
    expect(queue.take()).toBe(1);
    queue.release(0);
    expect(queue.take()).toBe(0);
    queue.release(3); // not in flight: ignored
    expect(drain(queue)).toEqual([2, 3]);
  });

  it('moves prioritized chunks to the front in the order given, ignoring done and running ones', () => {
    const queue = new ChunkQueue(10, [[7, 8]]);
    expect(queue.take()).toBe(0);
    queue.prioritize([9, 0, 7, 5, 42]);
    expect(drain(queue)).toEqual([9, 5, 1, 2, 3, 4, 6, 8]);
  });

  it('carries its pending front across continue-as-new', () => {
    const queue = new ChunkQueue(6);
    queue.prioritize([4]);
    const next = new ChunkQueue(6, queue.doneRanges(), queue.frontChunks());
    expect(next.take()).toBe(4);
  });

  it('compresses indices to ranges', () => {
    expect(toRanges([0, 1, 2, 5, 7, 8])).toEqual([[0, 3], [5, 6], [7, 9]]);
    expect(toRanges([])).toEqual([]);
  });
});
