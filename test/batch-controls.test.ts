import { WorkflowFailedError, WorkflowUpdateFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DocumentResult } from '../src/store/document-result';
import { readSummary } from '../src/store/report';
import type { BatchSummary } from '../src/batch/summary';
import * as messages from '../src/batch/messages';
import type { Progress } from '../src/batch/progress';
import { readJsonLines, startBatch, startTestWorker, tempDir, testClient, uniqueId } from './helpers/batch';
import { documentDir } from './helpers/documents';
import { countingExtractor, Gate } from './helpers/extractors';
import type { Extractor } from '../src/extraction/extractor';
import { eventually } from './helpers/eventually';

const taskQueue = uniqueId('controls');
const counting = countingExtractor(60);
/** Open unless a test closes it: a closed gate holds every document in flight where it is. */
const gate = new Gate();
const extractor: Extractor = {
  ...counting,
  async extract(request) {
    const result = await counting.extract(request);
    await gate.wait();
    return result;
  },
};
let client: Client;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ stop } = await startTestWorker({ taskQueue, activityDeps: { extractorFor: () => extractor, resultCache: null } }));
  client = await testClient();
});
afterAll(async () => stop?.());

async function slowBatch(documents: number, extra: Record<string, unknown> = {}) {
  const outputDir = await tempDir('controls-out');
  const handle = await startBatch(client, taskQueue, uniqueId('batch'), {
    source: { dir: await documentDir(documents) },
    outputDir,
    chunkSize: 2,
    concurrency: 2,
    extractor: 'local',
    cache: false,
    ...extra,
  });
  await eventually(async () => expect((await handle.query(messages.progressQuery)).processed).toBeGreaterThan(0));
  return handle;
}

/** The chunk index of every extractChunk activity the batch scheduled, in history order. */
async function scheduledChunks(handle: WorkflowHandle): Promise<number[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? [])
    .map((event) => event.activityTaskScheduledEventAttributes)
    .filter((attributes) => attributes?.activityType?.name === 'extractChunk')
    .map((attributes) => (JSON.parse(Buffer.from(attributes!.input!.payloads![0]!.data!).toString()) as { chunkIndex: number }).chunkIndex);
}

async function rejection(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (error as WorkflowUpdateFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  expect((cause as ApplicationFailure).type).toBe('UpdateRejected');
  return (cause as ApplicationFailure).message;
}

describe('steering a running batch', () => {
  it('pauses: no new chunk starts, in-flight chunks finish, then resume carries on to the end', async () => {
    const handle = await slowBatch(30);
    // A document held at the gate keeps its chunk in flight: it cannot finish in the same workflow
    // task as the pause (a chunk whose last document passed before the gate closed still can).
    gate.close();
    await eventually(async () => expect(gate.held).toBeGreaterThan(0));
    const paused = await handle.executeUpdate(messages.pauseUpdate, { args: [{ reason: 'lunch break' }] }).finally(() => gate.open());
    expect(paused).toMatchObject({ state: 'paused', pauseReason: 'lunch break' });
    const drained = await eventually(async () => {
      const progress = await handle.query(messages.progressQuery);
      expect(progress.chunks.inFlight).toBe(0);
      return progress;
    });
    expect(drained.processed).toBeLessThan(30);
    // Chunks still in flight at the pause count as working time: the clock stops only once they
    // have finished, so elapsed time moved on past the pause request.
    expect(paused.chunks.inFlight).toBeGreaterThan(0);
    expect(drained.elapsedMs).toBeGreaterThan(paused.elapsedMs);
    // Nothing moves while paused.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const later = await handle.query(messages.progressQuery);
    expect(later).toMatchObject({ state: 'paused', processed: drained.processed, elapsedMs: drained.elapsedMs, etaMs: drained.etaMs });

    expect(await rejection(handle.executeUpdate(messages.setPriorityUpdate, { args: [{ priority: 9 }] }))).toBe('priority: priority is 1 (highest) to 5 (lowest)');
    expect((await handle.query(messages.progressQuery)).priority).toBe(3);

    const resumed = await handle.executeUpdate(messages.resumeUpdate, { args: [{}] });
    expect(resumed.state).toBe('running');
    expect(await rejection(handle.executeUpdate(messages.resumeUpdate, { args: [{}] }))).toBe('cannot resume: the batch is not paused');
    const summary = await handle.result();
    expect(summary).toMatchObject({ state: 'completed', succeeded: 30, failed: 0 });
    expect(summary.pausedMs).toBeGreaterThan(0);
  });

  it('ignores a signal with a bad payload and keeps going', async () => {
    const handle = await slowBatch(8);
    await handle.signal(messages.setPrioritySignal, { priority: 'urgent' as unknown as number });
    await handle.signal(messages.pauseSignal, { reason: 42 as unknown as string });
    await handle.signal(messages.setPrioritySignal, { priority: 2 });
    const summary = await handle.result();
    expect(summary.state).toBe('completed');
    expect((await handle.query(messages.progressQuery)).priority).toBe(2);
  });

  it('cancels on request: in-flight chunks stop, the partial report lists unprocessed documents, the workflow completes as cancelled', async () => {
    const handle = await slowBatch(40);
    const progress = await handle.executeUpdate(messages.cancelUpdate, { args: [{ reason: 'wrong folder' }] });
    expect(['cancelling', 'cancelled', 'running']).toContain(progress.state);
    const summary: BatchSummary = await handle.result();
    expect(summary).toMatchObject({ state: 'cancelled', reason: 'wrong folder', total: 40 });
    expect(summary.notProcessed).toBeGreaterThan(0);
    expect(summary.succeeded + summary.failed + summary.notProcessed).toBe(40);
    const results = await readJsonLines<DocumentResult>(summary.files.results);
    expect(results).toHaveLength(40);
    expect(results.filter((result) => result.status === 'not_processed')).toHaveLength(summary.notProcessed);
    expect((await handle.query(messages.progressQuery)).state).toBe('cancelled');
    // A finished batch takes no more updates; Temporal itself says so.
    await expect(handle.executeUpdate(messages.pauseUpdate, { args: [{}] })).rejects.toThrow(/already completed/);
  });

  it('answers a Temporal cancellation request with the same partial report, then ends as cancelled', async () => {
    const handle = await slowBatch(40);
    await handle.cancel();
    const failure = await handle.result().then(() => null, (e: unknown) => e);
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect((failure as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    const progress: Progress = await handle.query(messages.progressQuery);
    expect(progress.state).toBe('cancelled');
    const summary = await readSummary(progress.outputDir);
    expect(summary).toMatchObject({ state: 'cancelled', reason: 'cancelled through Temporal', total: 40 });
    expect(summary!.notProcessed).toBeGreaterThan(0);
  });

  it('prioritizes named documents: their chunk runs next; unknown documents are rejected', async () => {
    const handle = await slowBatch(30, { concurrency: 1 });
    await handle.executeUpdate(messages.pauseUpdate, { args: [{}] });
    await eventually(async () => expect((await handle.query(messages.progressQuery)).chunks.inFlight).toBe(0));
    const before = await handle.query(messages.progressQuery);

    expect(await rejection(handle.executeUpdate(messages.prioritizeUpdate, { args: [{ documents: ['no-such-invoice.pdf'] }] }))).toMatch(/unknown documents in batch .*: no-such-invoice\.pdf/);
    await handle.executeUpdate(messages.prioritizeUpdate, { args: [{ documents: ['doc-029.txt'] }] });
    await handle.executeUpdate(messages.resumeUpdate, { args: [{}] });
    const summary = await handle.result();
    expect(summary.succeeded).toBe(30);

    // With one chunk at a time, the last chunk (documents 29–30) was scheduled right after the pause.
    const scheduled = await scheduledChunks(handle);
    const k = before.chunks.done;
    expect(scheduled.slice(0, k + 2)).toEqual([...Array.from({ length: k }, (_, i) => i), 14, k]);
    expect(new Set(scheduled).size).toBe(15);
  });
});
