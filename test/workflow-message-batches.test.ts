import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { google } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../src/env';
import { workflowsPath } from '../src/worker';
import type { BatchInputJson } from '../src/batch/input';
import { failureTypes } from '../src/batch/failures';
import * as messages from '../src/batch/messages';
import type { Progress } from '../src/batch/progress';
import type { BatchWorkflow } from '../src/batch/workflow';
import { eventually } from './helpers/eventually';
import { fakeMessageBatches, type FakeMessageBatches } from './helpers/fake-message-batches';
import { mockBatch, type MockBatch } from './helpers/mock-activities';
import { quietBundle, startWorkflowEnv } from './helpers/workflow-env';

/**
 * Batch mode's chunk lifecycle in the workflow, against fake Message Batch activities (plain
 * functions, no files, no Anthropic): submit -> await each Message Batch (the poll policy) ->
 * collect -> resubmission rounds; pause, cancel (by update and through Temporal), priority;
 * progress of Message Batches across continue-as-new. The server it runs on: helpers/workflow-env.ts.
 */

Runtime.install({ logger: new DefaultLogger('ERROR') });

let env: TestWorkflowEnvironment;
let workflowBundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  [env, workflowBundle] = await Promise.all([startWorkflowEnv(), quietBundle(workflowsPath)]);
});
afterAll(async () => env?.teardown());

let queues = 0;

interface Fixture {
  batch: MockBatch;
  anthropic: FakeMessageBatches;
}

function fixture(total: number, chunkSize: number): Fixture {
  return { batch: mockBatch(total, chunkSize), anthropic: fakeMessageBatches(total) };
}

/** Runs `body` with a worker whose activities are the mocks, on a batch in batch mode polling every 50 ms. */
async function withBatch({ batch, anthropic }: Fixture, input: Partial<BatchInputJson>, body: (handle: WorkflowHandle<BatchWorkflow>) => Promise<void>): Promise<void> {
  const taskQueue = `workflow-message-batches-${++queues}`;
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle, activities: { ...batch.activities, ...anthropic.activities } });
  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start<BatchWorkflow>(DEFAULTS.workflowType, {
      taskQueue,
      workflowId: `${taskQueue}-batch`,
      args: [{ source: { dir: '/mock' }, mode: 'batch', extractor: 'anthropic', chunkSize: batch.chunkSize, concurrency: 1, messageBatches: { pollInterval: '50ms' }, ...input }],
    });
    await body(handle);
  });
}

const until = (handle: WorkflowHandle, check: (progress: Progress) => void) =>
  eventually(async () => {
    const progress = await handle.query(messages.progressQuery);
    check(progress);
    return progress;
  });

/** The activities in the order they were called, as "submitChunk 0/0", "awaitMessageBatch c0_r0", "collectChunk 0/0", ... (first attempts only). */
function trace(anthropic: FakeMessageBatches, chunk?: number): string[] {
  return anthropic.calls
    .filter((call) => call.attempt === 1 && (chunk === undefined || call.chunkIndex === chunk || call.id?.includes(`_c${chunk}_`)))
    .map((call) => `${call.activity} ${call.id?.replace('msgbatch_fake_', '') ?? `${call.chunkIndex}/${call.round}`}`);
}

const ms = (duration: google.protobuf.IDuration | null | undefined) => Number(duration?.seconds ?? 0) * 1000 + Math.round((duration?.nanos ?? 0) / 1e6);

async function activityEvents(handle: WorkflowHandle, activity: string) {
  const events = (await handle.fetchHistory()).events ?? [];
  const scheduled = events.filter((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === activity);
  const ids = new Set(scheduled.map((event) => Number(event.eventId)));
  const started = events.filter((event) => event.activityTaskStartedEventAttributes && ids.has(Number(event.activityTaskStartedEventAttributes.scheduledEventId)));
  return { scheduled: scheduled.map((event) => event.activityTaskScheduledEventAttributes!), started: started.map((event) => event.activityTaskStartedEventAttributes!) };
}

describe('batch mode in the workflow (fake Message Batch activities)', () => {
  it('runs each chunk submit -> await -> collect and completes with every chunk counted once', async () => {
    const f = fixture(5, 2);
    f.anthropic.settledWithoutClaude.add(1);
    await withBatch(f, { concurrency: 2 }, async (handle) => {
      const summary = await handle.result();
      expect(summary.state).toBe('completed');
      for (const chunk of [0, 2]) expect(trace(f.anthropic, chunk)).toEqual([`submitChunk ${chunk}/0`, `awaitMessageBatch c${chunk}_r0`, `collectChunk ${chunk}/0`]);
      // Every document journaled before submission (cache hits, e-invoices): no Message Batch, the journal's counts.
      expect(trace(f.anthropic, 1)).toEqual(['submitChunk 1/0', 'collectChunk 1/0']);
      expect(f.batch.started).toEqual([]);
      const progress = await handle.query(messages.progressQuery);
      expect(progress).toMatchObject({ state: 'completed', mode: 'batch', total: 5, processed: 5, succeeded: 5, chunks: { done: 3, inFlight: 0 } });
      expect(progress.messageBatches).toMatchObject({ submitted: 3, resubmitted: 0, waiting: 0, waitingBatches: [] });
      expect(progress.messageBatches!.turnaroundMs).not.toBeNull();
      expect(f.batch.reports.map((r) => r.state)).toEqual(['completed']);
      // The report is told the mode, for summary.json, report.html and `docbatch status`.
      expect(f.batch.reports.map((r) => r.mode)).toEqual(['batch']);
    });
  });

  it('polls a Message Batch under a retry policy of coefficient 1 at pollInterval, within the deadline, with no history event per check', async () => {
    const f = fixture(2, 2);
    f.anthropic.checksToEnd = 4;
    await withBatch(f, { messageBatches: { pollInterval: '50ms', deadline: '2h' } }, async (handle) => {
      expect((await handle.result()).state).toBe('completed');
      expect(f.anthropic.calls.filter((call) => call.activity === 'awaitMessageBatch').map((call) => call.attempt)).toEqual([1, 2, 3, 4]);
      const { scheduled, started } = await activityEvents(handle, 'awaitMessageBatch');
      expect(scheduled).toHaveLength(1);
      expect(started.map((event) => event.attempt)).toEqual([4]);
      const [poll] = scheduled;
      expect(poll!.retryPolicy).toMatchObject({ backoffCoefficient: 1, maximumAttempts: 0 });
      expect(ms(poll!.retryPolicy!.initialInterval)).toBe(50);
      expect(ms(poll!.retryPolicy!.maximumInterval)).toBe(50);
      expect(ms(poll!.scheduleToCloseTimeout)).toBe(2 * 3600_000);
    });
  });

  it('a Message Batch past the deadline pauses the batch naming the chunk; resume awaits the same Message Batch again', async () => {
    const f = fixture(4, 2);
    f.anthropic.held.add(0);
    // The server's retry timers tick about once a second: chunk 1's Message Batch ends at its first check, within the deadline.
    f.anthropic.checksToEnd = 1;
    await withBatch(f, { messageBatches: { pollInterval: '50ms', deadline: '2s' } }, async (handle) => {
      const paused = await until(handle, (p) => expect(p.state).toBe('paused'));
      expect(paused.pauseReason).toBe(
        `chunk 0 failed after its retries: Message Batch ${f.anthropic.idOf(0, 0)} had not ended within messageBatches.deadline (2s); ` +
          'it stays at Anthropic: resume to wait for it again, or cancel the batch. Fix the cause, then resume',
      );
      expect(trace(f.anthropic)).not.toContain('collectChunk 0/0');
      f.anthropic.end(f.anthropic.idOf(0, 0));
      await handle.executeUpdate(messages.resumeUpdate, { args: [{}] });
      expect((await handle.result()).state).toBe('completed');
      // One Message Batch for chunk 0, submitted twice (the second submitChunk reuses it), collected once.
      expect([...f.anthropic.batches.keys()].filter((id) => id.includes('_c0_'))).toEqual([f.anthropic.idOf(0, 0)]);
      expect(trace(f.anthropic, 0).filter((call) => call.startsWith('collectChunk'))).toEqual(['collectChunk 0/0']);
      expect((await handle.query(messages.progressQuery)).messageBatches!.submitted).toBe(4);
    });
  });

  it('sends expired and errored documents again in further rounds until none is left', async () => {
    const f = fixture(6, 3);
    // Chunk 1: 2 documents come back after round 0, 1 after round 1, none after round 2.
    f.anthropic.resubmits = (chunk, round) => (chunk === 1 ? ([2, 1][round] ?? 0) : 0);
    await withBatch(f, {}, async (handle) => {
      expect((await handle.result()).state).toBe('completed');
      expect(trace(f.anthropic, 0)).toEqual(['submitChunk 0/0', 'awaitMessageBatch c0_r0', 'collectChunk 0/0']);
      expect(trace(f.anthropic, 1)).toEqual([
        'submitChunk 1/0', 'awaitMessageBatch c1_r0', 'collectChunk 1/0',
        'submitChunk 1/1', 'awaitMessageBatch c1_r1', 'collectChunk 1/1',
        'submitChunk 1/2', 'awaitMessageBatch c1_r2', 'collectChunk 1/2',
      ]);
      const progress = await handle.query(messages.progressQuery);
      expect(progress).toMatchObject({ processed: 6, succeeded: 6 });
      expect(progress.messageBatches).toMatchObject({ submitted: 6, resubmitted: 3, waiting: 0 });
    });
  });

  it('shows the Message Batches waiting at Anthropic with their age and expiry while they wait', async () => {
    const f = fixture(4, 2);
    f.anthropic.held.add(0);
    f.anthropic.held.add(1);
    await withBatch(f, { concurrency: 2 }, async (handle) => {
      const waiting = await until(handle, (p) => expect(p.messageBatches?.waitingBatches).toHaveLength(2));
      expect(waiting).toMatchObject({ state: 'running', mode: 'batch', processed: 0, inFlight: 4, messageBatches: { submitted: 4, waiting: 4, turnaroundMs: null } });
      expect(waiting.etaMs).toBeNull();
      for (const batch of waiting.messageBatches!.waitingBatches) {
        expect(batch).toMatchObject({ round: 0, requests: 2 });
        expect(batch.id).toBe(f.anthropic.idOf(batch.chunkIndex, 0));
        expect(batch.ageMs).toBeGreaterThanOrEqual(0);
        expect(batch.expiresInMs).toBeGreaterThan(23 * 3600_000);
      }
      f.anthropic.end(f.anthropic.idOf(0, 0));
      const one = await until(handle, (p) => expect(p.processed).toBe(2));
      expect(one.messageBatches).toMatchObject({ waiting: 2, waitingBatches: [{ id: f.anthropic.idOf(1, 0) }] });
      // A turnaround observed: the ETA counts down what is left of it for the Message Batch still waiting.
      expect(one.messageBatches!.turnaroundMs).not.toBeNull();
      expect(one.etaMs).not.toBeNull();
      f.anthropic.end(f.anthropic.idOf(1, 0));
      expect((await handle.result()).state).toBe('completed');
    });
  });

  it('pause submits nothing new, not even a resubmission round; what is at Anthropic is still awaited and collected', async () => {
    const f = fixture(6, 2);
    f.anthropic.held.add(0);
    f.anthropic.resubmits = (chunk, round) => (chunk === 0 && round === 0 ? 1 : 0);
    await withBatch(f, {}, async (handle) => {
      await until(handle, (p) => expect(p.messageBatches?.waiting).toBe(2));
      await handle.executeUpdate(messages.pauseUpdate, { args: [{ reason: 'budget review' }] });
      f.anthropic.end(f.anthropic.idOf(0, 0));
      // Collected while paused; the resubmission waits for resume.
      await eventually(async () => expect(trace(f.anthropic)).toContain('collectChunk 0/0'));
      const paused = await until(handle, (p) => expect(p).toMatchObject({ state: 'paused', processed: 1 }));
      expect(paused.chunks.inFlight).toBe(1);
      expect(trace(f.anthropic)).toEqual(['submitChunk 0/0', 'awaitMessageBatch c0_r0', 'collectChunk 0/0']);

      await handle.executeUpdate(messages.resumeUpdate, { args: [{}] });
      expect((await handle.result()).state).toBe('completed');
      expect(trace(f.anthropic).filter((call) => call.startsWith('submitChunk'))).toEqual(['submitChunk 0/0', 'submitChunk 0/1', 'submitChunk 1/0', 'submitChunk 2/0']);
    });
  });

  it('cancel by update: cancels the Message Batches still running at Anthropic, awaits them, collects, writes the partial report; nothing new is submitted', async () => {
    const f = fixture(6, 2);
    f.anthropic.held.add(0);
    f.anthropic.held.add(1);
    // Chunk 0 has a document to send again: cancelled, it gets no further round.
    f.anthropic.resubmits = (chunk, round) => (chunk === 0 && round === 0 ? 1 : 0);
    await withBatch(f, { concurrency: 3 }, async (handle) => {
      // Chunk 2's Message Batch ends and is collected; chunks 0 and 1 wait.
      await until(handle, (p) => expect(p).toMatchObject({ processed: 2, chunks: { done: 1 }, messageBatches: { waiting: 4 } }));
      await handle.executeUpdate(messages.cancelUpdate, { args: [{ reason: 'wrong folder' }] });
      const summary = await handle.result();
      expect(summary).toMatchObject({ state: 'cancelled', reason: 'wrong folder' });
      // Only the Message Batches still running were cancelled; each was awaited until it ended, then collected.
      expect(trace(f.anthropic).filter((call) => call.startsWith('cancelMessageBatch')).sort()).toEqual(['cancelMessageBatch c0_r0', 'cancelMessageBatch c1_r0']);
      for (const chunk of [0, 1]) {
        expect(trace(f.anthropic, chunk)).toEqual([`submitChunk ${chunk}/0`, `awaitMessageBatch c${chunk}_r0`, `cancelMessageBatch c${chunk}_r0`, `collectChunk ${chunk}/0`]);
        expect(f.anthropic.batches.get(f.anthropic.idOf(chunk, 0))!.endedAt).not.toBeNull();
      }
      expect(trace(f.anthropic).filter((call) => call.startsWith('submitChunk')).sort()).toEqual(['submitChunk 0/0', 'submitChunk 1/0', 'submitChunk 2/0']);
      expect(f.batch.reports.map((r) => [r.state, r.reason])).toEqual([['cancelled', 'wrong folder']]);
      const progress = await handle.query(messages.progressQuery);
      expect(progress).toMatchObject({ state: 'cancelled', processed: 2, messageBatches: { waiting: 0, waitingBatches: [] } });
    });
  });

  it('a Temporal cancellation request cancels the Message Batches at Anthropic, collects them, writes the report and ends cancelled', async () => {
    const f = fixture(10, 2);
    f.anthropic.held.add(0);
    await withBatch(f, {}, async (handle) => {
      await until(handle, (p) => expect(p.messageBatches?.waiting).toBe(2));
      await handle.cancel();
      const failure = await handle.result().then(() => null, (e: unknown) => e);
      expect(failure).toBeInstanceOf(WorkflowFailedError);
      expect((failure as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
      expect(trace(f.anthropic)).toEqual(['submitChunk 0/0', 'awaitMessageBatch c0_r0', 'cancelMessageBatch c0_r0', 'collectChunk 0/0']);
      expect(f.batch.reports.map((r) => [r.state, r.reason])).toEqual([['cancelled', 'cancelled through Temporal']]);
    });
  });

  it('setPriority applies to the activities started after it, not to the poll already scheduled', async () => {
    const f = fixture(4, 2);
    f.anthropic.held.add(0);
    await withBatch(f, {}, async (handle) => {
      await until(handle, (p) => expect(p.messageBatches?.waiting).toBe(2));
      await handle.executeUpdate(messages.setPriorityUpdate, { args: [{ priority: 1 }] });
      f.anthropic.end(f.anthropic.idOf(0, 0));
      expect((await handle.result()).state).toBe('completed');
      const priorities = f.anthropic.calls.filter((call) => call.attempt === 1).map((call) => [call.activity, call.chunkIndex ?? call.id, call.priority]);
      expect(priorities).toEqual([
        ['submitChunk', 0, 3],
        ['awaitMessageBatch', f.anthropic.idOf(0, 0), 3],
        ['collectChunk', 0, 1],
        ['submitChunk', 1, 1],
        ['awaitMessageBatch', f.anthropic.idOf(1, 0), 1],
        ['collectChunk', 1, 1],
      ]);
    });
  });

  it('carries the Message Batch tally across continue-as-new', async () => {
    const f = fixture(6, 2);
    f.anthropic.resubmits = (chunk, round) => (chunk === 0 && round === 0 ? 1 : 0);
    await withBatch(f, { chunksPerRun: 1 }, async (handle) => {
      const summary = await handle.result();
      expect(summary.runs).toBe(3);
      const progress = await handle.query(messages.progressQuery);
      expect(progress.messageBatches).toMatchObject({ submitted: 6, resubmitted: 1, waiting: 0 });
      expect(progress.messageBatches!.turnaroundMs).not.toBeNull();
    });
  });

  it('refuses mode batch with the local extractor before any activity runs', async () => {
    const f = fixture(2, 2);
    await withBatch(f, { extractor: 'local' }, async (handle) => {
      const failure = await handle.result().then(() => null, (e: unknown) => e);
      expect(failure).toBeInstanceOf(WorkflowFailedError);
      const cause = (failure as WorkflowFailedError).cause as ApplicationFailure;
      expect(cause.type).toBe(failureTypes.invalidInput);
      expect(cause.message).toMatch(/mode: "batch" sends documents to Claude as Message Batches, but extractor "local" never calls Claude/);
      expect(f.anthropic.calls).toEqual([]);
    });
  });
});
