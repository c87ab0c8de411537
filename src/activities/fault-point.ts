/**
 * The kill points of batch mode's crash tests: with DOCBATCH_FAULT_POINT set to a point's name,
 * the worker process SIGKILLs itself when it reaches that point, exactly as a machine dying there
 * would (no finally blocks, no flushed buffers). With DOCBATCH_FAULT_SIGNAL=SIGSTOP it freezes
 * there instead (a stalled VM or a sleeping laptop) until the test sends SIGCONT. Unset, a point
 * is one comparison.
 */
export const faultPoints = [
  /** After the intent is on disk, before `create` is sent. */
  'message-batch:before-create',
  /** After `create` returned, before its id is recorded. */
  'message-batch:after-create',
  /** awaitMessageBatch, right after it found the Message Batch still in progress. */
  'message-batch:polling',
  /** collectChunk, once half the results of its first Message Batch are journaled. */
  'message-batch:collecting',
  /** A chunk with a sink, after its fifth result of the process is journaled and before that result is sunk (src/sink/chunk-sink.ts). */
  'sink:after-journal',
] as const;
export type FaultPoint = (typeof faultPoints)[number];

// A test hook, not configuration: deliberately not in src/env.ts (nor the README's settings).
const armed = process.env.DOCBATCH_FAULT_POINT;
const signal = process.env.DOCBATCH_FAULT_SIGNAL === 'SIGSTOP' ? 'SIGSTOP' : 'SIGKILL';
let stopped = false;

export function faultPoint(point: FaultPoint): void {
  if (armed !== point) return;
  // A frozen worker wakes once and goes on: the next attempt must not freeze it again.
  if (signal === 'SIGSTOP' && stopped) return;
  stopped = true;
  process.kill(process.pid, signal);
}

/** Whether `point` is armed: for a check that costs something to compute. */
export function faultPointArmed(point: FaultPoint): boolean {
  return armed === point;
}
