/**
 * The reason to stop when failures pass the tolerated share, or null. Measured against the whole
 * batch, so stopping early never fails a batch that would have ended within its tolerance.
 */
export function tolerance(failed: number, total: number, toleratedPercent: number): string | null {
  if (toleratedPercent >= 100 || total === 0) return null;
  const percent = (failed / total) * 100;
  if (percent <= toleratedPercent) return null;
  return `${failed} of ${total} documents failed (${percent.toFixed(1)}%), more than the tolerated ${toleratedPercent}%: see failures.jsonl, fix the cause, then redrive the batch`;
}
