import { NativeConnection, Worker, bundleWorkflowCode } from '@temporalio/worker';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocateDocumentsInput } from '../src/batch/activities';
import { prioritizeSignal } from '../src/batch/messages';
import { createActivities } from '../src/activities';
import type { Extractor } from '../src/extraction/extractor';
import { createLocalExtractor } from '../src/extraction/local/extractor';
import { defaultActivityDeps, workflowsPath } from '../src/worker';
import { startBatch, tempDir, testClient, uniqueId } from './helpers/batch';
import { documentDir } from './helpers/documents';
import { eventually } from './helpers/eventually';
import { Gate } from './helpers/extractors';
import { testTemporal } from './helpers/temporal';
import type { BatchWorkflow } from '../src/batch/workflow';

/**
 * A `prioritize` signal runs an activity (locateDocuments) before it can move chunks. Its handler
 * must be awaited: a run that continues as new, or a batch that ends, while the activity is still
 * out would drop the request. Here the activity is held until the workflow has seen the chunk
 * that triggers the hand-over (or the end), so the outcome never depends on timing.
 */

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

const taskQueue = uniqueId('handover');
/** Documents in the order the extractor was asked for them. */
const extracted: string[] = [];
let documentsGate = new Gate();
let locateGate = new Gate();
let client: Client;
let stopWorker: () => Promise<void>;

function recordingExtractor(): Extractor {
  const local = createLocalExtractor();
  return {
    name: 'local',
    settingsKey: local.settingsKey,
    async extract(request) {
      extracted.push(request.document.path.split('/').pop()!);
      await documentsGate.wait();
      return local.extract(request);
    },
  };
}

beforeAll(async () => {
  const { address, namespace } = testTemporal();
  const connection = await NativeConnection.connect({ address });
  const activities = createActivities({ ...defaultActivityDeps(), extractorFor: () => recordingExtractor(), resultCache: null });
  const worker = await Worker.create({
    connection,
    namespace,
    taskQueue,
    workflowBundle: await bundleWorkflowCode({ workflowsPath, logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} } }),
    activities: {
      ...activities,
      locateDocuments: async (input: LocateDocumentsInput) => {
        await locateGate.wait();
        return activities.locateDocuments(input);
      },
    },
  });
  const running = worker.run();
  stopWorker = async () => {
    worker.shutdown();
    await running;
    await connection.close();
  };
  client = await testClient();
});
afterAll(async () => stopWorker?.());

async function events(handle: WorkflowHandle, runId: string): Promise<HistoryEvent[]> {
  return (await client.workflow.getHandle(handle.workflowId, runId).fetchHistory()).events ?? [];
}

const activityType = (events: HistoryEvent[], scheduledEventId: unknown) =>
  events.find((e) => Number(e.eventId) === Number(scheduledEventId))?.activityTaskScheduledEventAttributes?.activityType?.name;

/** The event id at which the activity of this type completed, if it has. */
function completedAt(events: HistoryEvent[], type: string): number | undefined {
  const event = events.find((e) => e.activityTaskCompletedEventAttributes && activityType(events, e.activityTaskCompletedEventAttributes.scheduledEventId) === type);
  return event ? Number(event.eventId) : undefined;
}

/** Waits until the workflow has processed the completion of this activity (a workflow task completed after it). */
async function workflowHasSeen(handle: WorkflowHandle, runId: string, type: string): Promise<void> {
  await eventually(async () => {
    const history = await events(handle, runId);
    const done = completedAt(history, type);
    expect(done).toBeDefined();
    expect(history.some((e) => Number(e.eventId) > done! && e.workflowTaskCompletedEventAttributes)).toBe(true);
  });
}

/** Holds the chunks and the locate activity, starts a batch, and signals prioritize while its first chunk is held. */
async function batchWithPendingPrioritize(documents: number, chunksPerRun: number, prioritized: string) {
  extracted.length = 0;
  documentsGate = new Gate();
  documentsGate.close();
  locateGate = new Gate();
  locateGate.close();
  const handle = await startBatch(client, taskQueue, uniqueId('handover'), {
    source: { dir: await documentDir(documents) },
    outputDir: await tempDir('handover-out'),
    chunkSize: 1,
    concurrency: 1,
    chunksPerRun,
    extractor: 'local',
    cache: false,
  });
  const runId = handle.firstExecutionRunId;
  await eventually(async () => expect(extracted).toEqual(['doc-000.txt']));
  await handle.signal(prioritizeSignal, { documents: [prioritized] });
  await eventually(async () => {
    const history = await events(handle, runId);
    expect(history.some((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'locateDocuments')).toBe(true);
  });
  return { handle, runId };
}

describe('a prioritize signal is never lost', () => {
  it('lands before a continue-as-new: the prioritized chunk runs first in the next run', async () => {
    const { handle, runId } = await batchWithPendingPrioritize(3, 1, 'doc-002.txt');
    // Chunk 0 finishes: its run is due to hand over. Wait until the workflow has seen that, then let the locate finish.
    documentsGate.open();
    await workflowHasSeen(handle, runId, 'extractChunk');
    locateGate.open();
    const summary = await client.workflow.getHandle<BatchWorkflow>(handle.workflowId).result();
    expect(summary).toMatchObject({ state: 'completed', succeeded: 3 });
    expect(extracted).toEqual(['doc-000.txt', 'doc-002.txt', 'doc-001.txt']);
  }, 120_000);

  it('is finished before the batch ends: the locate completes before the workflow does', async () => {
    const { handle, runId } = await batchWithPendingPrioritize(1, 1000, 'doc-000.txt');
    documentsGate.open();
    // The only chunk is done and the report is written while the locate is still out.
    await workflowHasSeen(handle, runId, 'writeReport');
    locateGate.open();
    expect(await handle.result()).toMatchObject({ state: 'completed', succeeded: 1 });
    const history = await events(handle, runId);
    const locateDone = completedAt(history, 'locateDocuments');
    const ended = history.find((e) => e.workflowExecutionCompletedEventAttributes);
    expect(locateDone).toBeDefined();
    expect(locateDone!).toBeLessThan(Number(ended!.eventId));
  }, 120_000);
});
