import { WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure, CancelledFailure, RetryState, TerminatedFailure, TimeoutFailure, TimeoutType } from '@temporalio/common';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { causeExitCodes, causeLine, causeOfFailure } from '../src/client/batch-cause';
import { failureTypes } from '../src/batch/failures';

/** A batch's failure as the client receives it: WorkflowFailedError → ActivityFailure → ApplicationFailure. */
function failedInActivity(inner: Error): WorkflowFailedError {
  const activity = new ActivityFailure('Activity task failed', 'planBatch', '1', RetryState.NON_RETRYABLE_FAILURE, 'worker-1', inner);
  return new WorkflowFailedError('Workflow execution failed', activity, RetryState.NON_RETRYABLE_FAILURE);
}

describe('the cause of a batch that did not complete', () => {
  it('is the innermost ApplicationFailure, not "Activity task failed", with its type, a fix and its exit code', () => {
    const refused = causeOfFailure('b1', failedInActivity(ApplicationFailure.nonRetryable('the schema receipt cannot be filled by the local extractor', failureTypes.invalidInput)));
    expect(refused).toMatchObject({ kind: 'refused', message: 'the schema receipt cannot be filled by the local extractor', type: 'InvalidBatchInput', exitCode: 3 });
    const line = causeLine('b1', 'failed', refused);
    expect(line).toMatch(/^error: batch b1 failed: the schema receipt cannot be filled by the local extractor \(InvalidBatchInput\); .+/);
    expect(line).not.toContain('\n');
    expect(line).not.toContain('Activity task failed');
  });

  it('tells each documented cause apart', () => {
    const source = causeOfFailure('b', failedInActivity(ApplicationFailure.nonRetryable('source.dir /x does not exist: pass an existing directory', failureTypes.sourceUnavailable)));
    expect(source).toMatchObject({ kind: 'source', exitCode: causeExitCodes.source });
    const tolerance = causeOfFailure('b', new WorkflowFailedError('failed', ApplicationFailure.nonRetryable('3 of 4 documents failed', failureTypes.toleranceExceeded), RetryState.NON_RETRYABLE_FAILURE));
    expect(tolerance).toMatchObject({ kind: 'tolerance', message: '3 of 4 documents failed', exitCode: causeExitCodes.tolerance });
    expect(tolerance.fix).toContain('docbatch redrive b');
    expect(causeOfFailure('b', new WorkflowFailedError('x', new CancelledFailure('Workflow cancelled'), RetryState.NON_RETRYABLE_FAILURE))).toMatchObject({ kind: 'cancelled', exitCode: 7 });
    expect(causeOfFailure('b', new WorkflowFailedError('x', new TerminatedFailure('by ops'), RetryState.NON_RETRYABLE_FAILURE))).toMatchObject({ kind: 'terminated', message: 'by ops', exitCode: 8 });
    expect(
      causeOfFailure('b', new WorkflowFailedError('x', new TimeoutFailure('timed out', undefined, TimeoutType.START_TO_CLOSE), RetryState.TIMEOUT)),
    ).toMatchObject({ kind: 'timed-out', exitCode: 9 });
    const unknown = causeOfFailure('b', failedInActivity(ApplicationFailure.create({ message: 'disk full\nstack…', type: 'Error' })));
    expect(unknown).toMatchObject({ kind: 'failed', message: 'disk full', type: 'Error', exitCode: 1 });
  });

  it('gives every kind its own exit code, none of them 0, 2 or 130', () => {
    const codes = Object.values(causeExitCodes).filter((code) => code !== 1);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect([0, 2, 130]).not.toContain(code);
  });
});

describe('docs/cli.md', () => {
  it('documents the exit code of every cause as the code has it', () => {
    const documented = Object.fromEntries([...readFileSync('docs/cli.md', 'utf8').matchAll(/^\s*\| (\d+) \| `([a-z-]+)`/gm)].map((m) => [m[2]!, Number(m[1])]));
    expect(documented).toEqual(causeExitCodes);
  });
});
