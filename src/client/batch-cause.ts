import { ApplicationFailure, CancelledFailure, TerminatedFailure, TimeoutFailure } from '@temporalio/common';
import { z } from 'zod';
import { failureTypes } from '../batch/failures';
import { firstLine } from './errors';

/**
 * Why a batch ended other than `completed` (or stopped where only a person can move it on), as the
 * CLI prints it: one line with the batch, the cause and the fix, and an exit code per kind of
 * cause (docs/cli.md, "Exit codes"). `run`, `watch`, `status` and `report` all say it this way.
 */
export const causeKinds = ['refused', 'source', 'tolerance', 'fault', 'cancelled', 'terminated', 'timed-out', 'workflow-task', 'failed'] as const;
export type CauseKind = (typeof causeKinds)[number];

export const batchCauseSchema = z.object({
  kind: z.enum(causeKinds),
  /** The innermost failure's message (an ApplicationFailure's, not "Activity task failed"), one line. */
  message: z.string(),
  /** That failure's type (`InvalidBatchInput`, `BatchFault`, …), or null when it has none. */
  type: z.string().nullable(),
  /** What to do about it, naming the command. */
  fix: z.string(),
  exitCode: z.number().int(),
});
export type BatchCause = z.infer<typeof batchCauseSchema>;

/** The exit code of each kind of cause; 0 is a completed batch, 1 any other error, 130 Ctrl-C. */
export const causeExitCodes: Record<CauseKind, number> = {
  failed: 1,
  refused: 3,
  source: 4,
  tolerance: 5,
  fault: 6,
  cancelled: 7,
  terminated: 8,
  'timed-out': 9,
  'workflow-task': 10,
};

const kindOfType: Record<string, CauseKind> = {
  [failureTypes.invalidInput]: 'refused',
  [failureTypes.sourceUnavailable]: 'source',
  [failureTypes.toleranceExceeded]: 'tolerance',
  [failureTypes.batchFault]: 'fault',
};

/** The fix per kind; messages docbatch raises usually carry their own, which comes first. */
function fixFor(kind: CauseKind, batchId: string): string {
  switch (kind) {
    case 'refused':
      return 'correct the batch input, then start the batch again';
    case 'source':
      return 'restore the source (or pass another one), then start the batch again';
    case 'tolerance':
      return `\`docbatch redrive ${batchId}\` extracts the failed documents again once fixed`;
    case 'fault':
      return `the batch is paused with its finished work kept: fix it, then \`docbatch resume ${batchId}\``;
    case 'cancelled':
      return 'the partial report is written; re-run the command to start the batch again';
    case 'terminated':
      return 're-run the command to start the batch again (finished chunks are redone)';
    case 'timed-out':
      return 'start the batch again without a workflow execution timeout, or with a longer one';
    case 'workflow-task':
      return `the workers cannot run the workflow code: see the worker log, fix the worker (it retries on its own), or \`temporal workflow terminate --workflow-id ${batchId}\``;
    case 'failed':
      return `see the batch in the Web UI (\`temporal workflow show --workflow-id ${batchId}\`)`;
  }
}

/** The cause of a kind, with its message and type as found. */
export function batchCause(kind: CauseKind, batchId: string, message: string, type: string | null): BatchCause {
  return { kind, message: firstLine(message), type, fix: fixFor(kind, batchId), exitCode: causeExitCodes[kind] };
}

/**
 * The cause at the bottom of a failure chain (WorkflowFailedError → ActivityFailure →
 * ApplicationFailure): the innermost ApplicationFailure (or cancellation, termination, timeout),
 * whose message is the reason — "Activity task failed" is only the wrapper.
 */
export function causeOfFailure(batchId: string, error: unknown): BatchCause {
  const chain: unknown[] = [];
  for (let at: unknown = error; at instanceof Error && chain.length < 20; at = at.cause) chain.push(at);
  const application = chain.filter((e): e is ApplicationFailure => e instanceof ApplicationFailure).at(-1);
  if (application) {
    return batchCause(kindOfType[application.type ?? ''] ?? 'failed', batchId, application.message, application.type ?? null);
  }
  const innermost = chain.at(-1);
  if (chain.some((e) => e instanceof CancelledFailure)) return batchCause('cancelled', batchId, 'cancelled through Temporal', null);
  if (chain.some((e) => e instanceof TerminatedFailure)) return batchCause('terminated', batchId, messageOf(innermost, 'terminated'), null);
  if (chain.some((e) => e instanceof TimeoutFailure)) return batchCause('timed-out', batchId, messageOf(innermost, 'timed out'), null);
  return batchCause('failed', batchId, messageOf(innermost, String(error)), null);
}

function messageOf(error: unknown, fallback: string): string {
  return error instanceof Error && error.message.trim() !== '' ? error.message : fallback;
}

/** The one line on stderr: `error: batch <id> <how it ended>: <cause> (<type>); <fix>`. */
export function causeLine(batchId: string, ended: string, cause: BatchCause): string {
  const type = cause.type ? ` (${cause.type})` : '';
  return `error: batch ${batchId} ${ended}: ${cause.message}${type}; ${cause.fix}`;
}
