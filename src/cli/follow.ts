import type { Progress } from '../batch/progress';
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
      ...(view.refreshMs === null
        ? {}
        : { intervalMs: view.refreshMs, onProgress: (progress: Progress) => view.update(progress), onWaiting: (why: string) => view.waiting(why) }),
    });
  } finally {
    view.stop();
  }
  if (result.kind === 'detached') {
    const hint = options.detachHint();
    if (hint) note(hint);
    return { kind: 'detached' };
  }
  return { kind: 'ended', exitCode: printOutcome(session, result.outcome, options.json) };
}

/** The report of an ended batch (stdout), and its exit code: 0 unless the batch failed or was terminated. */
export function printOutcome(session: TemporalSession, outcome: BatchOutcome, json: boolean): number {
  if (json) printJson(outcome.summary ?? { batchId: outcome.batchId, state: outcome.state, reason: outcome.reason ?? null });
  else printLine(outcomeReport(outcome, session.batchUrl(outcome.batchId)));
  const ok = outcome.state === 'completed' || outcome.state === 'cancelled';
  if (!ok) note(`error: batch ${outcome.batchId} ${outcome.state}: ${outcome.reason ?? 'see the Web UI'} (${session.batchUrl(outcome.batchId)})`);
  return ok ? 0 : 1;
}
