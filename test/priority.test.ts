import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { tsToMs } from '@temporalio/common/lib/time';
import type { BatchSummary } from '../src/batch/summary';
import { progressQuery, setPriorityUpdate } from '../src/batch/messages';
import type { Progress } from '../src/batch/progress';
import { eventuallyTrue } from './fixtures/poll';
import { documentDir } from './helpers/documents';
import { countingExtractor } from './helpers/extractors';
import { startBatch, startTestWorker, tempDir, testClient, uniqueId } from './helpers/batch';

/**
 * Task-queue priority across batches. Two batches share a task queue and a worker with one activity
 * slot, so their chunk activities wait in the server's backlog and the matcher decides who goes
 * next. Batch B starts after batch A has a backlog, both at priority 3; then B is raised to 1, and
 * from then on every chunk B schedules must be dispatched before any waiting chunk of A.
 *
 * The proof is read from both histories (scheduled and started times of each chunk activity), not
 * from wall time: no A chunk may start while a priority-1 B chunk that was scheduled earlier still
 * waits. Sized so that without priority (FIFO, B holding a third of the backlog) A would finish first.
 */

const A = { documents: 60, concurrency: 12 };
const B = { documents: 36, concurrency: 6 };
const DELAY_MS = 150;

interface ChunkActivity {
  batch: 'A' | 'B';
  scheduledEventId: number;
  priorityKey: number | undefined;
  scheduledMs: number;
  startedMs: number;
}

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

function eventMs(event: HistoryEvent): number {
  return tsToMs(event.eventTime);
}

/** Every extractChunk activity of a history, with its priority and when it was scheduled and started. */
function chunkActivities(batch: 'A' | 'B', events: HistoryEvent[]): ChunkActivity[] {
  const started = new Map<number, number>();
  for (const event of events) {
    const attributes = event.activityTaskStartedEventAttributes;
    if (attributes) started.set(Number(attributes.scheduledEventId), eventMs(event));
  }
  return events
    .filter((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'extractChunk')
    .map((event) => {
      const scheduledEventId = Number(event.eventId);
      const startedMs = started.get(scheduledEventId);
      if (startedMs === undefined) throw new Error(`batch ${batch}: chunk activity ${scheduledEventId} never started`);
      const priorityKey = event.activityTaskScheduledEventAttributes!.priority?.priorityKey ?? undefined;
      return { batch, scheduledEventId, priorityKey, scheduledMs: eventMs(event), startedMs };
    });
}

/** The batches in the order their chunks started, e.g. `AAAABBB!B!B!…A`, for failure messages. */
function dispatchOrder(chunks: ChunkActivity[]): string {
  return [...chunks]
    .sort((x, y) => x.startedMs - y.startedMs)
    .map((chunk) => chunk.batch + (chunk.priorityKey === 1 ? '!' : ''))
    .join('');
}

describe('setPriority across batches sharing a task queue', () => {
  let client: Client;
  let stopWorker: (() => Promise<void>) | undefined;
  let handleA: WorkflowHandle;
  let handleB: WorkflowHandle;
  let raised: Progress;
  let finishOrder: string[];
  let summaries: { a: BatchSummary; b: BatchSummary };
  let historyA: HistoryEvent[];
  let historyB: HistoryEvent[];

  beforeAll(async () => {
    const taskQueue = uniqueId('priority');
    // One activity slot: every other chunk activity waits in the task queue's backlog.
    ({ stop: stopWorker } = await startTestWorker({
      taskQueue,
      maxConcurrentActivityTaskExecutions: 1,
      activityDeps: { extractorFor: () => countingExtractor(DELAY_MS), resultCache: null },
    }));
    client = await testClient();
    const outputDir = await tempDir('priority-out');
    const batchInput = async (name: string, batch: typeof A) => ({
      source: { dir: await documentDir(batch.documents) },
      outputDir,
      chunkSize: 1,
      concurrency: batch.concurrency,
      priority: 3,
      extractor: 'local' as const,
      cache: false,
    });
    const inputA = await batchInput('a', A);
    const inputB = await batchInput('b', B);

    handleA = await startBatch(client, taskQueue, uniqueId('priority-a'), inputA);
    // A's window is full: one chunk runs, the rest are a backlog in the task queue.
    await eventuallyTrue(async () => (await handleA.query(progressQuery)).chunks.inFlight === A.concurrency, 30_000, "batch A's full window");

    handleB = await startBatch(client, taskQueue, uniqueId('priority-b'), inputB);
    // B's window is full too, at priority 3, queued behind A's backlog.
    await eventuallyTrue(async () => (await handleB.query(progressQuery)).chunks.inFlight === B.concurrency, 30_000, "batch B's full window");

    raised = await handleB.executeUpdate(setPriorityUpdate, { args: [{ priority: 1 }] });

    finishOrder = [];
    const settle = async (name: string, handle: WorkflowHandle) => {
      const summary = (await handle.result()) as BatchSummary;
      finishOrder.push(name);
      return summary;
    };
    const [a, b] = await Promise.all([settle('A', handleA), settle('B', handleB)]);
    summaries = { a, b };
    historyA = (await handleA.fetchHistory()).events ?? [];
    historyB = (await handleB.fetchHistory()).events ?? [];
  });

  afterAll(async () => {
    for (const handle of [handleA, handleB]) {
      const description = await handle?.describe().catch(() => undefined);
      if (description?.status.name === 'RUNNING') await handle.terminate('priority test cleanup');
    }
    await stopWorker?.();
  });

  it('accepts the raise while both batches run', () => {
    expect(raised.state).toBe('running');
    expect(raised.priority).toBe(1);
    expect(raised.processed).toBeLessThan(B.documents);
  });

  it('completes both batches', () => {
    expect(summaries.a.state).toBe('completed');
    expect(summaries.a.succeeded).toBe(A.documents);
    expect(summaries.b.state).toBe('completed');
    expect(summaries.b.succeeded).toBe(B.documents);
  });

  it('gives every chunk scheduled after the change priorityKey 1, and none before it', () => {
    const accepted = historyB.find((event) => event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === 'setPriority');
    const completed = historyB.find((event) => event.workflowExecutionUpdateCompletedEventAttributes);
    expect(accepted).toBeDefined();
    expect(completed).toBeDefined();
    const acceptedId = Number(accepted!.eventId);
    const completedId = Number(completed!.eventId);

    const chunksB = chunkActivities('B', historyB);
    expect(chunksB).toHaveLength(B.documents);
    for (const chunk of chunksB) {
      if (chunk.scheduledEventId < acceptedId) expect(chunk, 'scheduled before the update').toMatchObject({ priorityKey: 3 });
      if (chunk.scheduledEventId > completedId) expect(chunk, 'scheduled after the update').toMatchObject({ priorityKey: 1 });
    }
    // Most of B ran after the change: at most its window had been scheduled before it.
    expect(chunksB.filter((chunk) => chunk.priorityKey === 1).length).toBeGreaterThanOrEqual(B.documents - B.concurrency - 1);

    const chunksA = chunkActivities('A', historyA);
    expect(chunksA).toHaveLength(A.documents);
    expect(new Set(chunksA.map((chunk) => chunk.priorityKey))).toEqual(new Set([3]));
  });

  it('dispatches every raised chunk of B before any waiting chunk of A', () => {
    const raisedB = chunkActivities('B', historyB).filter((chunk) => chunk.priorityKey === 1);
    const chunksA = chunkActivities('A', historyA);
    expect(raisedB.length).toBeGreaterThan(0);
    // A chunk of A that started while a raised chunk of B was already waiting jumped the queue.
    const jumps = chunksA.flatMap((a) =>
      raisedB.filter((b) => b.scheduledMs < a.startedMs && a.startedMs < b.startedMs).map((b) => ({ a: a.scheduledEventId, b: b.scheduledEventId })),
    );
    expect(jumps, `dispatch order (! = priority 1): ${dispatchOrder([...chunksA, ...chunkActivities('B', historyB)])}`).toEqual([]);
    // And A still had chunks waiting when B's last one started: the raise made a difference.
    const lastB = Math.max(...raisedB.map((chunk) => chunk.startedMs));
    expect(chunksA.filter((a) => a.startedMs > lastB).length).toBeGreaterThan(0);
  });

  it('finishes the raised batch B first', async () => {
    expect(finishOrder).toEqual(['B', 'A']);
    const [closeA, closeB] = await Promise.all([handleA.describe(), handleB.describe()]);
    expect(closeB.closeTime!.getTime()).toBeLessThan(closeA.closeTime!.getTime());
  });
});
