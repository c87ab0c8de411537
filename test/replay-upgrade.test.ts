import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../src/env';
import { workflowsPath } from '../src/worker';
import * as messages from '../src/batch/messages';
import { eventually } from './helpers/eventually';
import { mockBatch, type MockBatch } from './helpers/mock-activities';
import { quietBundle, startWorkflowEnv } from './helpers/workflow-env';
import type { BatchWorkflow } from '../src/batch/workflow';

/**
 * docs/upgrades.md in action: a batch started by workers on the current code (src/workflows) is
 * finished by workers on "the next release" (test/replay/next-workflows.ts), which calls a
 * new activity at the start of every run. Guarded by patched(), the run that began on the old code
 * replays and finishes on the new workers without the new call, and the run after continue-as-new
 * takes the new path. The same change without the guard cannot replay the old run.
 */

Runtime.install({ logger: new DefaultLogger('ERROR') });

const nextWorkflowsPath = path.resolve('test/replay/next-workflows.ts');
const unpatchedWorkflowsPath = path.resolve('test/replay/next-workflows-unpatched.ts');
const taskQueue = 'upgrade';

let env: TestWorkflowEnvironment;
let bundles: { current: WorkflowBundleWithSourceMap; next: WorkflowBundleWithSourceMap; unpatched: WorkflowBundleWithSourceMap };

beforeAll(async () => {
  const [started, current, next, unpatched] = await Promise.all([
    startWorkflowEnv(),
    quietBundle(workflowsPath),
    quietBundle(nextWorkflowsPath),
    quietBundle(unpatchedWorkflowsPath),
  ]);
  env = started;
  bundles = { current, next, unpatched };
});
afterAll(async () => env?.teardown());

function workerOn(workflowBundle: WorkflowBundleWithSourceMap, batch: MockBatch, checked: string[]) {
  return Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle,
    activities: { ...batch.activities, checkBatchDir: async (batchId: string) => void checked.push(batchId) },
  });
}

async function runHistory(handle: WorkflowHandle, runId: string) {
  return env.client.workflow.getHandle(handle.workflowId, runId).fetchHistory();
}

const activityNames = (history: Awaited<ReturnType<typeof runHistory>>) =>
  (history.events ?? []).flatMap((event) => event.activityTaskScheduledEventAttributes?.activityType?.name ?? []);

describe('a batch started on the old workflow code finishes on the new', () => {
  it('patched(): the old run replays and finishes without the new activity; the run after continue-as-new uses it', async () => {
    // 6 chunks of 1 document, 3 per run: run 1 starts on the old code, run 2 is born on the new.
    const batch = mockBatch(6, 1);
    const checked: string[] = [];
    batch.held.add(0);

    const oldWorker = await workerOn(bundles.current, batch, checked);
    const handle = await oldWorker.runUntil(async () => {
      const started = await env.client.workflow.start<BatchWorkflow>(DEFAULTS.workflowType, {
        taskQueue,
        workflowId: 'upgrade-batch',
        args: [{ source: { dir: '/mock' }, chunkSize: 1, concurrency: 1, chunksPerRun: 3 }],
      });
      await eventually(async () => expect(batch.started).toEqual([0]));
      // Stop the old workers between chunks: pause, let the in-flight chunk finish.
      await started.executeUpdate(messages.pauseUpdate, { args: [{ reason: 'deploying' }] });
      batch.release(0);
      await eventually(async () => expect((await started.query(messages.progressQuery)).chunks).toMatchObject({ done: 1, inFlight: 0 }));
      return started;
    });
    const firstRunId = handle.firstExecutionRunId;
    const oldPart = await runHistory(handle, firstRunId);
    expect(activityNames(oldPart)).toEqual(['planBatch', 'extractChunk']);

    // Without the patched() guard, the new code cannot replay what the old code did.
    const error = await Worker.runReplayHistory({ workflowBundle: bundles.unpatched }, oldPart, handle.workflowId).then(() => null, (e: unknown) => e);
    expect((error as Error).name).toBe('DeterminismViolationError');
    expect((error as Error).message).toMatch(/[Nn]ondeterminism/);

    const newWorker = await workerOn(bundles.next, batch, checked);
    const summary = await newWorker.runUntil(async () => {
      await handle.executeUpdate(messages.resumeUpdate, { args: [{}] });
      return handle.result();
    });
    expect(summary).toMatchObject({ state: 'completed', runs: 2 });
    expect(batch.started).toEqual([0, 1, 2, 3, 4, 5]);

    // Run 1 (begun on the old code) finished on the new workers without the new activity…
    const run1 = await runHistory(handle, firstRunId);
    expect(activityNames(run1)).toEqual(['planBatch', 'extractChunk', 'extractChunk', 'extractChunk']);
    const run2Id = run1.events!.at(-1)!.workflowExecutionContinuedAsNewEventAttributes!.newExecutionRunId!;
    // …and run 2, born on the new code at continue-as-new, called it first.
    const run2 = await runHistory(handle, run2Id);
    expect(activityNames(run2)).toEqual(['checkBatchDir', 'extractChunk', 'extractChunk', 'extractChunk', 'writeReport']);
    expect(checked).toEqual([handle.workflowId]);

    // Both runs replay on the new code: the old one through the patch, the new one through its marker.
    await Worker.runReplayHistory({ workflowBundle: bundles.next }, run1, handle.workflowId);
    await Worker.runReplayHistory({ workflowBundle: bundles.next }, run2, handle.workflowId);
  });
});
