import type { Progress } from '../batch/progress';
import { causeLine, type BatchCause } from '../client/batch-cause';
import type { BatchOutcome } from '../client/batch-outcome';
import type { TemporalSession } from '../client/session';
import type { BatchHandle } from '../client/start-batch';
import { watchBatch } from '../client/watch-batch';
import { note, printJson, printLine } from './command';
import { outcomeReport } from './format';
import { createProgressView } from './progress-view';

export interface FollowOptions {
  json: boolean;
  signal: AbortSignal;
  /** Printed (to stderr) when the person detaches with Ctrl-C: how to come back. */
  detachHint: () => string;
}

export type FollowResult = { kind: 'ended'; exitCode: number } | { kind: 'detached' };

/** Shows a batch's progress until it ends, then its report; Ctrl-C detaches and leaves it running. */
export async function followBatch(session: TemporalSession, handle: BatchHandle, options: FollowOptions): Promise<FollowResult> {
  const view = createProgressView({ json: options.json });
  let result;
  try {
    result = await watchBatch(session.client, handle, {
      address: session.address,
      signal: options.signal,
      stopWhenStuck: true,
      ...(view.refreshMs === null
        ? {}
        : { intervalMs: view.refreshMs, onProgress: (progress: Progress) => view.update(progress), onWaiting: (why: string) => view.waiting(why) }),
    });
  } finally {
    view.stop();
  }
  if (result.kind === 'stuck') {
    if (options.json) printJson({ ...(result.progress ?? { batchId: handle.workflowId, state: 'running' }), cause: result.cause });
    note(causeLine(handle.workflowId, result.cause.kind === 'fault' ? 'paused' : 'is stuck', result.cause));
    return { kind: 'ended', exitCode: result.cause.exitCode };
  }
  if (result.kind === 'detached') {
    const hint = options.detachHint();
    if (hint) note(hint);
    return { kind: 'detached' };
  }
  return { kind: 'ended', exitCode: printOutcome(session, result.outcome, options.json) };
}

/**
 * The report of an ended batch (stdout) and its exit code: 0 when it completed; otherwise one line
 * on stderr with its cause and the fix, and the exit code of that cause (docs/cli.md).
 */
export function printOutcome(session: TemporalSession, outcome: BatchOutcome, json: boolean): number {
  const cause: BatchCause | undefined = outcome.cause;
  if (json) printJson({ ...(outcome.summary ?? { batchId: outcome.batchId, state: outcome.state, reason: outcome.reason ?? null }), ...(cause ? { cause } : {}) });
  else printLine(outcomeReport(outcome, session.batchUrl(outcome.batchId)));
  if (outcome.state === 'completed' || cause === undefined) return 0;
  note(causeLine(outcome.batchId, outcome.state, cause));
  return cause.exitCode;
}
