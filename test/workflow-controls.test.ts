import { WorkflowFailedError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../src/env';
import { workflowsPath } from '../src/worker';
import type { BatchInputJson } from '../src/batch/input';
import { failureTypes } from '../src/batch/failures';
import * as messages from '../src/batch/messages';
import type { Progress } from '../src/batch/progress';
import { eventually } from './helpers/eventually';
import { batchFault, mockBatch, type MockBatch } from './helpers/mock-activities';
import { quietBundle, startWorkflowEnv } from './helpers/workflow-env';
import type { BatchWorkflow } from '../src/batch/workflow';

/**
 * The workflow's control logic with mocked activities (plain functions, no files, no extractor):
 * pause / resume / cancel / setPriority / prioritize, the failure tolerance, batch faults and the
 * continue-as-new hand-over, in seconds. The server it runs on: see helpers/workflow-env.ts.
 */

// ERROR only: the activity failures these tests provoke on purpose are logged as warnings.
Runtime.install({ logger: new DefaultLogger('ERROR') });

let env: TestWorkflowEnvironment;
let workflowBundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  [env, workflowBundle] = await Promise.all([startWorkflowEnv(), quietBundle(workflowsPath)]);
});
afterAll(async () => env?.teardown());

let queues = 0;

/** Runs `body` with a worker on a fresh task queue whose activities are `batch`'s mocks. */
async function withBatch(batch: MockBatch, input: Partial<BatchInputJson>, body: (handle: WorkflowHandle<BatchWorkflow>) => Promise<void>): Promise<void> {
  const taskQueue = `workflow-controls-${++queues}`;
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle, activities: batch.activities });
  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start<BatchWorkflow>(DEFAULTS.workflowType, {
      taskQueue,
      workflowId: `${taskQueue}-batch`,
      args: [{ source: { dir: '/mock' }, chunkSize: batch.chunkSize, concurrency: 1, ...input }],
    });
    await body(handle);
  });
}

const progressOf = (handle: WorkflowHandle) => handle.query(messages.progressQuery);
const until = (handle: WorkflowHandle, check: (progress: Progress) => void) =>
  eventually(async () => {
    const progress = await progressOf(handle);
    check(progress);
    return progress;
  });
const started = (batch: MockBatch, count: number) => eventually(async () => expect(batch.started.length).toBeGreaterThanOrEqual(count));

async function rejection(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (error as WorkflowUpdateFailedError).cause as ApplicationFailure;
  expect(cause.type).toBe(failureTypes.rejectedUpdate);
  return cause.message;
}

describe('batchExtraction control logic (mocked activities)', () => {
  it('pause lets the in-flight chunk finish and starts no other until resume; then runs to the end', async () => {
    const batch = mockBatch(6, 2);
    batch.held.add(0);
    await withBatch(batch, {}, async (handle) => {
      await started(batch, 1);
      const paused = await handle.executeUpdate(messages.pauseUpdate, { args: [{ reason: 'lunch break' }] });
      expect(paused).toMatchObject({ state: 'paused', pauseReason: 'lunch break', chunks: { inFlight: 1 } });
      expect(await rejection(handle.executeUpdate(messages.pauseUpdate, { args: [{ reason: 'x'.repeat(501) }] }))).toMatch(/reason/);
      batch.release(0);
      const drained = await until(handle, (p) => expect(p.chunks).toMatchObject({ done: 1, inFlight: 0 }));
      expect(drained.state).toBe('paused');
      expect(batch.started).toEqual([0]);

      await handle.signal(messages.resumeSignal, {});
      const summary = await handle.result();
      expect(summary.state).toBe('completed');
      expect(batch.started).toEqual([0, 1, 2]);
      expect(batch.reports).toHaveLength(1);
      expect(batch.reports[0]!.pausedMs).toBeGreaterThan(0);
    });
  });

  it('refuses to resume a running batch and ignores signals with bad payloads', async () => {
    const batch = mockBatch(4, 2);
    batch.held.add(0);
    await withBatch(batch, {}, async (handle) => {
      await started(batch, 1);
      expect(await rejection(handle.executeUpdate(messages.resumeUpdate, { args: [{}] }))).toBe('cannot resume: the batch is not paused');
      await handle.signal(messages.setPrioritySignal, { priority: 'urgent' as unknown as number });
      await handle.signal(messages.pauseSignal, { reason: 42 as unknown as string });
      batch.release();
      expect((await handle.result()).state).toBe('completed');
      expect((await progressOf(handle)).priority).toBe(3);
    });
  });

  it('cancel by update: no chunk starts after it, the report is written as cancelled with the reason', async () => {
    const batch = mockBatch(10, 2);
    batch.held.add(0);
    await withBatch(batch, {}, async (handle) => {
      await started(batch, 1);
      await handle.executeUpdate(messages.cancelUpdate, { args: [{ reason: 'wrong folder' }] });
      expect(await rejection(handle.executeUpdate(messages.pauseUpdate, { args: [{}] }))).toBe('cannot pause: the batch is cancelling');
      batch.release();
      const summary = await handle.result();
      expect(summary).toMatchObject({ state: 'cancelled', reason: 'wrong folder' });
      expect(batch.started).toEqual([0]);
      expect(batch.reports.map((r) => [r.state, r.reason])).toEqual([['cancelled', 'wrong folder']]);
    });
  });

  it('a Temporal cancellation request writes the cancelled report, then the workflow ends cancelled', async () => {
    const batch = mockBatch(10, 2);
    batch.held.add(0);
    await withBatch(batch, {}, async (handle) => {
      await started(batch, 1);
      await handle.cancel();
      batch.release();
      const failure = await handle.result().then(() => null, (e: unknown) => e);
      expect(failure).toBeInstanceOf(WorkflowFailedError);
      expect((failure as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
      expect(batch.reports.map((r) => [r.state, r.reason])).toEqual([['cancelled', 'cancelled through Temporal']]);
      expect(batch.started).toEqual([0]);
    });
  });

  it('prioritize moves the named documents\' chunk to the front; setPriority reaches the chunks started after it', async () => {
    const batch = mockBatch(8, 2);
    batch.held.add(0);
    await withBatch(batch, {}, async (handle) => {
      await started(batch, 1);
      expect(await rejection(handle.executeUpdate(messages.prioritizeUpdate, { args: [{ documents: ['doc-999.txt'] }] }))).toMatch(/unknown documents .*doc-999\.txt/);
      await handle.executeUpdate(messages.prioritizeUpdate, { args: [{ documents: ['doc-007.txt'] }] });
      expect(await rejection(handle.executeUpdate(messages.setPriorityUpdate, { args: [{ priority: 9 }] }))).toMatch(/priority is 1 \(highest\) to 5/);
      expect((await handle.executeUpdate(messages.setPriorityUpdate, { args: [{ priority: 1 }] })).priority).toBe(1);
      batch.release();
      expect((await handle.result()).state).toBe('completed');
      expect(batch.started).toEqual([0, 3, 1, 2]);
      expect([...batch.priorities.entries()].sort()).toEqual([[0, 3], [1, 1], [2, 1], [3, 1]]);
    });
  });

  it('stops once failures pass the tolerated share of the whole batch, fails with the reason, starts no more chunks', async () => {
    const batch = mockBatch(10, 2);
    batch.failedPerChunk = (chunk) => (chunk === 1 ? 2 : 0);
    await withBatch(batch, { toleratedFailurePercent: 10 }, async (handle) => {
      const failure = await handle.result().then(() => null, (e: unknown) => e);
      expect(failure).toBeInstanceOf(WorkflowFailedError);
      const cause = (failure as WorkflowFailedError).cause as ApplicationFailure;
      expect(cause.type).toBe(failureTypes.toleranceExceeded);
      expect(cause.message).toMatch(/^2 of 10 documents failed \(20\.0%\), more than the tolerated 10%/);
      expect(batch.started).toEqual([0, 1]);
      expect(batch.reports.map((r) => r.state)).toEqual(['failed']);
    });
  });

  it('a failure count within the tolerance of the whole batch completes it', async () => {
    const batch = mockBatch(10, 2);
    batch.failedPerChunk = (chunk) => (chunk === 0 ? 1 : 0);
    await withBatch(batch, { toleratedFailurePercent: 10 }, async (handle) => {
      expect((await handle.result()).state).toBe('completed');
      expect(batch.started).toEqual([0, 1, 2, 3, 4]);
    });
  });

  it('a BatchFault pauses the batch with its message; resume retries the chunk and finishes', async () => {
    const batch = mockBatch(6, 2);
    batch.fault = (chunk, attempt) => (chunk === 1 && attempt === 1 ? batchFault('ANTHROPIC_API_KEY rejected (401): set a valid key') : undefined);
    await withBatch(batch, {}, async (handle) => {
      const paused = await until(handle, (p) => expect(p.state).toBe('paused'));
      expect(paused.pauseReason).toBe('ANTHROPIC_API_KEY rejected (401): set a valid key');
      // Non-retryable: the chunk ran once, nothing else started while paused.
      expect(batch.started).toEqual([0, 1]);
      await handle.executeUpdate(messages.resumeUpdate, { args: [{}] });
      expect((await handle.result()).state).toBe('completed');
      expect(batch.started).toEqual([0, 1, 1, 2]);
    });
  });

  it('a BatchFault reported after the resume by a chunk that started before it does not pause the batch again', async () => {
    const batch = mockBatch(9, 3);
    // Chunk 1 met the rejected key too, but its attempt ends only after the key was fixed and the batch resumed.
    batch.held.add(1);
    batch.fault = (chunk, attempt) => (chunk <= 1 && attempt === 1 ? batchFault('ANTHROPIC_API_KEY rejected (401): set a valid key') : undefined);
    await withBatch(batch, { concurrency: 2 }, async (handle) => {
      const paused = await until(handle, (p) => expect(p.state).toBe('paused'));
      expect(paused.chunks.inFlight).toBe(1);
      await handle.executeUpdate(messages.resumeUpdate, { args: [{}] });
      batch.release(1);
      const settled = await until(handle, (p) => expect(['paused', 'completed']).toContain(p.state));
      expect(settled.state).toBe('completed');
      expect(settled.pauseReason).toBeUndefined();
      // Chunk 1's stale attempt is not counted: it ran again after the resume.
      expect(batch.started.filter((chunk) => chunk === 1)).toHaveLength(2);
      expect(batch.started.filter((chunk) => chunk === 0)).toHaveLength(2);
    });
  });

  it('a chunk that fails through all its retries pauses the batch, naming the chunk and the error', async () => {
    const batch = mockBatch(4, 2);
    batch.fault = (chunk) => (chunk === 0 ? new Error('disk full') : undefined);
    await withBatch(batch, { retry: { maximumAttempts: 3, initialInterval: '10ms' } }, async (handle) => {
      const paused = await until(handle, (p) => expect(p.state).toBe('paused'));
      expect(paused.pauseReason).toMatch(/^chunk 0 failed after its retries: disk full\. Fix the cause, then resume/);
      expect(batch.started).toEqual([0, 0, 0]);
      await handle.executeUpdate(messages.cancelUpdate, { args: [{ reason: 'giving up' }] });
      expect((await handle.result()).state).toBe('cancelled');
    });
  });

  it('hands over by continue-as-new: pause, priority and done chunks carry over; no chunk runs twice', async () => {
    const batch = mockBatch(12, 2);
    batch.held.add(1);
    await withBatch(batch, { chunksPerRun: 2 }, async (handle) => {
      await started(batch, 2);
      await handle.signal(messages.setPrioritySignal, { priority: 2 });
      await handle.executeUpdate(messages.pauseUpdate, { args: [{ reason: 'over the hand-over' }] });
      batch.release(1);
      // Run 1 completed its 2 chunks while paused and handed over; run 2 starts paused.
      const run2 = await until(handle, (p) => expect(p.run).toBe(2));
      expect(run2).toMatchObject({ state: 'paused', pauseReason: 'over the hand-over', priority: 2, chunks: { done: 2, inFlight: 0 } });
      expect(batch.started).toEqual([0, 1]);

      await handle.executeUpdate(messages.prioritizeUpdate, { args: [{ documents: ['doc-011.txt'] }] });
      await handle.executeUpdate(messages.resumeUpdate, { args: [{}] });
      const summary = await handle.result();
      expect(summary.runs).toBe(3);
      expect(batch.started).toEqual([0, 1, 5, 2, 3, 4]);
      expect(batch.priorities.get(5)).toBe(2);
      expect(batch.reports).toHaveLength(1);
    });
  });
});

describe('planning that streams the listing', () => {
  it('runs the chunks planning reports listed while it lists the rest; progress says listing until the total is known', async () => {
    const batch = mockBatch(40, 4);
    let finishListing!: () => void;
    const listingDone = new Promise<void>((resolve) => (finishListing = resolve));
    const plan = { sourceLabel: 'mock documents', extractor: 'local' as const };
    batch.activities.planBatch = async ({ batchId }) => {
      const handle = env.client.workflow.getHandle(batchId);
      await handle.signal(messages.listedSignal, { batchDir: `/mock/${batchId}`, ...plan, chunks: 2, documents: 8, bytes: 8000 });
      await listingDone;
      return { batchDir: `/mock/${batchId}`, ...plan, total: 40, chunkCount: 10, totalBytes: 40_000 };
    };
    await withBatch(batch, { concurrency: 4 }, async (handle) => {
      // Chunks 0 and 1 run before planning has returned.
      await started(batch, 2);
      const listing = await until(handle, (progress) => expect(progress.chunks.done).toBe(2));
      expect(listing).toMatchObject({ state: 'running', listing: true, total: 8, etaMs: null });
      expect(batch.started.every((chunk) => chunk < 2)).toBe(true);
      finishListing();
      const summary = await handle.result();
      expect(summary.total).toBe(40);
      expect([...new Set(batch.started)].sort((a, b) => a - b)).toEqual([...Array(10).keys()]);
      expect(batch.started).toHaveLength(10);
      expect(batch.reports.at(-1)).toMatchObject({ total: 40 });
    });
  });

  it('a run that has done its share starts no more chunks while the source is still listed; it hands over once listing ends', async () => {
    const batch = mockBatch(20, 1);
    let finishListing!: () => void;
    const listingDone = new Promise<void>((resolve) => (finishListing = resolve));
    const plan = { sourceLabel: 'mock documents', extractor: 'local' as const };
    batch.activities.planBatch = async ({ batchId }) => {
      await env.client.workflow.getHandle(batchId).signal(messages.listedSignal, { batchDir: `/mock/${batchId}`, ...plan, chunks: 10, documents: 10, bytes: 10_000 });
      await listingDone;
      return { batchDir: `/mock/${batchId}`, ...plan, total: 20, chunkCount: 20, totalBytes: 20_000 };
    };
    await withBatch(batch, { chunksPerRun: 3 }, async (handle) => {
      const firstRun = (await handle.describe()).runId;
      // Ten chunks are listed, the listing goes on: the run stops at its share of three.
      await until(handle, (progress) => expect(progress).toMatchObject({ listing: true, chunks: { done: 3, inFlight: 0 } }));
      finishListing();
      const summary = await handle.result();
      expect(summary.runs).toBeGreaterThanOrEqual(2);
      const history = await env.client.workflow.getHandle(handle.workflowId, firstRun).fetchHistory();
      const scheduled = (history.events ?? []).filter((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'extractChunk');
      expect(scheduled).toHaveLength(3);
      expect([...batch.started].sort((a, b) => a - b)).toEqual([...Array(20).keys()]);
    });
  });

  it('fails the batch with planning\'s failure when it fails after chunks have started', async () => {
    const batch = mockBatch(40, 4);
    batch.activities.planBatch = async ({ batchId }) => {
      await env.client.workflow.getHandle(batchId).signal(messages.listedSignal, { batchDir: `/mock/${batchId}`, sourceLabel: 'mock', extractor: 'local', chunks: 1, documents: 4, bytes: 4000 });
      await new Promise((resolve) => setTimeout(resolve, 500));
      throw ApplicationFailure.nonRetryable('source.dir /mock vanished while it was listed', failureTypes.invalidInput);
    };
    await withBatch(batch, {}, async (handle) => {
      const error = await handle.result().then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(WorkflowFailedError);
      const cause = (error as WorkflowFailedError).cause;
      expect(`${cause?.message} ${cause?.cause instanceof Error ? cause.cause.message : ''}`).toContain('vanished while it was listed');
      expect(batch.started).toContain(0);
    });
  });
});
