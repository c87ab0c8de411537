import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { beforeAll, describe, expect, it } from 'vitest';
import { workflowsPath } from '../src/worker';

/**
 * Replays the recorded histories of test/fixtures/histories/ (scripts/record-histories.ts) against
 * the workflow code of this commit. A change that would make a running batch non-deterministic
 * (another activity, a timer, a reordered command) fails here, before it is deployed: see
 * docs/upgrades.md for how to make such a change safely.
 */

const fixtures = path.resolve('test/fixtures/histories');

/** Every recorded history and the event its run ended with. */
const recorded: Record<string, string> = {
  'completed.json': 'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED',
  'paused-resumed.json': 'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED',
  'cancelled-by-update.json': 'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED',
  'cancelled-by-temporal.json': 'EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED',
  'continued-as-new.run-1.json': 'EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW',
  'continued-as-new.run-2.json': 'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED',
  'prioritize.json': 'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED',
  'tolerance-stop.json': 'EVENT_TYPE_WORKFLOW_EXECUTION_FAILED',
  'batch-fault-pause.json': 'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED',
  'message-batches.json': 'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED',
  'message-batches-cancelled.json': 'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED',
};

interface HistoryJson {
  events: { eventType: string }[];
}

let workflowBundle: WorkflowBundleWithSourceMap;
beforeAll(async () => {
  workflowBundle = await bundleWorkflowCode({ workflowsPath, logger: quietLogger });
});

describe('recorded batch histories replay on the current workflow code', () => {
  it.each(Object.entries(recorded))('%s', async (file, lastEvent) => {
    const history = JSON.parse(await readFile(path.join(fixtures, file), 'utf8')) as HistoryJson;
    expect(history.events.at(-1)?.eventType).toBe(lastEvent);
    // Throws DeterminismViolationError when this code would issue other commands than the history holds.
    await Worker.runReplayHistory({ workflowBundle, replayName: file }, history);
  });
});

const noop = () => undefined;
const quietLogger = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop };
