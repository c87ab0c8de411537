/**
 * Chunk arithmetic shared by the workflow, the activities and the report: a chunk is a run of
 * `chunkSize` consecutive documents of manifest.jsonl.
 */

/** Chunk indices [start, endExclusive): how done chunks travel compactly across continue-as-new. */
export type ChunkRange = [start: number, endExclusive: number];

/** The documents of a chunk: manifest indices [start, end). */
export function chunkRange(chunkIndex: number, chunkSize: number, total: number): { start: number; end: number } {
  const start = chunkIndex * chunkSize;
  return { start, end: Math.min(total, start + chunkSize) };
}

/** How many chunks `total` documents make. */
export function chunkCountOf(total: number, chunkSize: number): number {
  return Math.ceil(total / chunkSize);
}

/** Sorted chunk indices as ranges: [0, 1, 2, 5] -> [[0, 3], [5, 6]]. */
export function toRanges(sorted: number[]): ChunkRange[] {
  const ranges: ChunkRange[] = [];
  for (const i of sorted) {
    const last = ranges[ranges.length - 1];
    if (last && last[1] === i) last[1] = i + 1;
    else ranges.push([i, i + 1]);
  }
  return ranges;
}
