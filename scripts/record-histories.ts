import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection, type WorkflowHandle, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, NativeConnection } from '@temporalio/worker';
import { createAnthropicFor, createExtractorFor, createMessageBatchesClient } from '../src/activities/extractor-for';
import type { ActivityDeps } from '../src/activities';
import { startEmulator, type Emulator, type EmulatorOptions } from '../src/emulator';
import { DEFAULTS } from '../src/env';
import type { Extractor } from '../src/extraction/extractor';
import { BatchFault } from '../src/extraction/errors';
import { createLocalExtractor } from '../src/extraction/local/extractor';
import { ensureTemporalCli } from '../src/temporal/binary';
import { startDevServer } from '../src/temporal/dev-server';
import { createDocbatchWorker, workflowsPath } from '../src/worker';
import type { BatchInputJson } from '../src/batch/input';
import * as messages from '../src/batch/messages';
import { tempDir } from '../test/helpers/batch';
import { documentDir } from '../test/helpers/documents';
import { Gate, gatedExtractor } from '../test/helpers/extractors';

/**
 * Records test/fixtures/histories/*.json: the event histories of representative batches, run by the
 * CURRENT workflow code on a real dev server. test/replay.test.ts replays them against the workflow
 * code of every commit, so a change that would break batches already running fails CI.
 *
 *   node --import tsx scripts/record-histories.ts
 *
 * Rerun it (and commit the new files) when a workflow change is meant to be incompatible and is
 * shipped behind the upgrade strategy of docs/upgrades.md; never to make a failing replay pass.
 * Batches are kept tiny (a few documents, chunks of 1-2) so each history is a few dozen events.
 */

const outDir = path.resolve('test/fixtures/histories');
const log = (message: string) => process.stderr.write(`[record-histories] ${message}\n`);

interface Scenario {
  name: string;
  description: string;
  extractor: Extractor;
  /** Batch mode: the worker's Claude code talks to an emulator started with these options. */
  emulator?: EmulatorOptions;
  run(
    start: (input: Omit<BatchInputJson, 'outputDir'>) => Promise<WorkflowHandleWithFirstExecutionRunId>,
    emulator: Emulator | undefined,
  ): Promise<WorkflowHandleWithFirstExecutionRunId>;
}

const base = { extractor: 'local', cache: false } as const;

async function waitFor(handle: WorkflowHandle, check: (progress: Awaited<ReturnType<typeof queryProgress>>) => boolean, what: string) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const progress = await queryProgress(handle);
    if (check(progress)) return progress;
    if (Date.now() > deadline) throw new Error(`${handle.workflowId}: timed out waiting until ${what}: ${JSON.stringify(progress)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
const queryProgress = (handle: WorkflowHandle) => handle.query(messages.progressQuery);
/** Waits for a batch that ends in a failure (cancelled, tolerance exceeded): its history is what matters. */
const settle = (handle: WorkflowHandle) => handle.result().then(
  () => undefined,
  () => undefined,
);

function scenarios(): Scenario[] {
  const gate = new Gate();
  let faulty = true;
  const local = createLocalExtractor();
  const faultOnce: Extractor = {
    name: 'local',
    settingsKey: local.settingsKey,
    async extract(request) {
      if (faulty) throw new BatchFault('credentials_rejected', 'ANTHROPIC_API_KEY rejected (401): set a valid key, then `docbatch resume <id>`');
      return local.extract(request);
    },
  };

  return [
    {
      name: 'completed',
      description: '4 documents in chunks of 2, two at a time, to the end',
      extractor: createLocalExtractor(),
      run: async (start) => {
        const handle = await start({ ...base, source: { dir: await documentDir(4) }, chunkSize: 2, concurrency: 2 });
        await handle.result();
        return handle;
      },
    },
    {
      name: 'paused-resumed',
      description: 'paused by update while a chunk is in flight, the chunk finishes, resumed by signal',
      extractor: gatedExtractor(gate),
      run: async (start) => {
        gate.close();
        const handle = await start({ ...base, source: { dir: await documentDir(4) }, chunkSize: 2, concurrency: 1 });
        await waitFor(handle, (p) => p.chunks.inFlight > 0, 'a chunk is in flight');
        await handle.executeUpdate(messages.pauseUpdate, { args: [{ reason: 'lunch break' }] });
        gate.open();
        await waitFor(handle, (p) => p.chunks.inFlight === 0, 'the in-flight chunk finished');
        await handle.signal(messages.resumeSignal, {});
        await handle.result();
        return handle;
      },
    },
    {
      name: 'cancelled-by-update',
      description: 'cancelled by the cancel update while a chunk is in flight: partial report, completes as cancelled',
      extractor: gatedExtractor(gate),
      run: async (start) => {
        gate.close();
        const handle = await start({ ...base, source: { dir: await documentDir(6) }, chunkSize: 2, concurrency: 1 });
        await waitFor(handle, (p) => p.chunks.inFlight > 0, 'a chunk is in flight');
        await handle.executeUpdate(messages.cancelUpdate, { args: [{ reason: 'wrong folder' }] });
        gate.open();
        await handle.result();
        return handle;
      },
    },
    {
      name: 'cancelled-by-temporal',
      description: 'a Temporal cancellation request while a chunk is in flight: partial report, ends cancelled',
      extractor: gatedExtractor(gate),
      run: async (start) => {
        gate.close();
        const handle = await start({ ...base, source: { dir: await documentDir(6) }, chunkSize: 2, concurrency: 1 });
        await waitFor(handle, (p) => p.chunks.inFlight > 0, 'a chunk is in flight');
        await handle.cancel();
        gate.open();
        await settle(handle);
        return handle;
      },
    },
    {
      name: 'continued-as-new',
      description:
        'one chunk per run: setPriority signal and pause update in run 1 carry over the hand-over, resume update and a prioritize signal in run 2',
      extractor: gatedExtractor(gate),
      run: async (start) => {
        gate.close();
        const handle = await start({ ...base, source: { dir: await documentDir(4) }, chunkSize: 1, concurrency: 1, chunksPerRun: 2 });
        await waitFor(handle, (p) => p.chunks.inFlight > 0, 'a chunk is in flight');
        await handle.signal(messages.setPrioritySignal, { priority: 1 });
        await handle.executeUpdate(messages.pauseUpdate, { args: [{ reason: 'across the hand-over' }] });
        gate.open();
        // Paused with one chunk done; resume so run 1 finishes its second chunk and hands over.
        await waitFor(handle, (p) => p.chunks.inFlight === 0, 'the in-flight chunk finished');
        gate.close();
        await handle.executeUpdate(messages.resumeUpdate, { args: [{}] });
        await waitFor(handle, (p) => p.chunks.inFlight > 0, 'the second chunk is in flight');
        await handle.executeUpdate(messages.pauseUpdate, { args: [{ reason: 'paused at the hand-over' }] });
        gate.open();
        await waitFor(handle, (p) => p.run === 2, 'run 2 started');
        await handle.signal(messages.prioritizeSignal, { documents: ['doc-003.txt'] });
        await handle.executeUpdate(messages.resumeUpdate, { args: [{}] });
        await handle.result();
        return handle;
      },
    },
    {
      name: 'prioritize',
      description: 'the prioritize update moves the last document\'s chunk to the front while the first is in flight',
      extractor: gatedExtractor(gate),
      run: async (start) => {
        gate.close();
        const handle = await start({ ...base, source: { dir: await documentDir(6) }, chunkSize: 2, concurrency: 1 });
        await waitFor(handle, (p) => p.chunks.inFlight > 0, 'a chunk is in flight');
        await handle.executeUpdate(messages.prioritizeUpdate, { args: [{ documents: ['doc-005.txt'] }] });
        await handle.executeUpdate(messages.setPriorityUpdate, { args: [{ priority: 2 }] });
        gate.open();
        await handle.result();
        return handle;
      },
    },
    {
      name: 'tolerance-stop',
      description: '2 good then 4 empty documents with toleratedFailurePercent 10: stops after the first failing chunk, fails the workflow',
      extractor: createLocalExtractor(),
      run: async (start) => {
        const handle = await start({ ...base, source: { dir: await documentDir(2, 4) }, chunkSize: 2, concurrency: 1, toleratedFailurePercent: 10 });
        await settle(handle);
        return handle;
      },
    },
    {
      name: 'batch-fault-pause',
      description: 'the extractor throws BatchFault (credentials rejected): the batch pauses; once fixed, the resume update carries it to the end',
      extractor: faultOnce,
      run: async (start) => {
        faulty = true;
        const handle = await start({ ...base, source: { dir: await documentDir(4) }, chunkSize: 2, concurrency: 1 });
        await waitFor(handle, (p) => p.state === 'paused' && p.chunks.inFlight === 0, 'the batch fault paused the batch');
        faulty = false;
        await handle.executeUpdate(messages.resumeUpdate, { args: [{}] });
        await handle.result();
        return handle;
      },
    },
    {
      name: 'message-batches',
      description: 'batch mode: 4 documents in chunks of 2 sent as Message Batches, half of the requests errored, resubmitted in further rounds to the end',
      extractor: local,
      emulator: { messageBatches: { processingMs: 300, erroredShare: 0.5 } },
      run: async (start) => {
        const handle = await start({ ...batchMode, source: { dir: await documentDir(4) }, chunkSize: 2, concurrency: 2 });
        await handle.result();
        return handle;
      },
    },
    {
      name: 'message-batches-cancelled',
      description: 'batch mode: cancelled by update while a Message Batch is half answered: cancelled at Anthropic, awaited, collected, partial report',
      extractor: local,
      emulator: { messageBatches: { processingMs: 5000, concurrency: 1 } },
      run: async (start, emulator) => {
        const handle = await start({ ...batchMode, source: { dir: await documentDir(6) }, chunkSize: 4, concurrency: 1 });
        for (const deadline = Date.now() + 60_000; (emulator!.messageBatches.list()[0]?.settled.length ?? 0) < 1; ) {
          if (Date.now() > deadline) throw new Error('no request of the Message Batch was answered within a minute');
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        await handle.executeUpdate(messages.cancelUpdate, { args: [{ reason: 'wrong folder' }] });
        await handle.result();
        return handle;
      },
    },
  ];
}

const batchMode = { mode: 'batch', extractor: 'anthropic', cache: false, messageBatches: { pollInterval: '200ms' } } as const;

/** The worker's activity dependencies: the scenario's extractor, or for batch mode Claude's code against the emulator. */
function activityDepsFor(scenario: Scenario, emulator: Emulator | undefined): Partial<ActivityDeps> {
  if (!emulator) return { extractorFor: () => scenario.extractor, resultCache: null };
  const env = { ANTHROPIC_API_KEY: 'test-key', ANTHROPIC_BASE_URL: emulator.url };
  return { extractorFor: createExtractorFor(env), anthropicFor: createAnthropicFor(env), messageBatchesClient: createMessageBatchesClient(env), hasAnthropicKey: () => true, resultCache: null };
}

/** Every run of a workflow, following continue-as-new, as [runId, history] in order. */
async function runHistories(client: Client, workflowId: string, firstRunId: string) {
  const runs: { runId: string; json: string }[] = [];
  for (let runId: string | undefined = firstRunId; runId; ) {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    runs.push({ runId, json: historyToJSON(history) });
    const last = history.events?.at(-1);
    runId = last?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return runs;
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const cli = await ensureTemporalCli({ log });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'docbatch-record-'));
  const server = await startDevServer({ dbFile: path.join(dir, 'temporal.db'), cliPath: cli.path, namespace: 'default', headless: true, log });
  const workflowBundle = await bundleWorkflowCode({ workflowsPath });
  const client = new Client({ connection: await Connection.connect({ address: server.address }), namespace: server.namespace });
  await mkdir(outDir, { recursive: true });
  try {
    for (const scenario of scenarios().filter((s) => only.length === 0 || only.includes(s.name))) {
      const taskQueue = `record-${scenario.name}`;
      const connection = await NativeConnection.connect({ address: server.address });
      const emulator = scenario.emulator ? await startEmulator({ validKeys: ['test-key'], ...scenario.emulator }) : undefined;
      const worker = await createDocbatchWorker({
        connection,
        namespace: server.namespace,
        taskQueue,
        workflowBundle,
        activityDeps: activityDepsFor(scenario, emulator),
      });
      const running = worker.run();
      try {
        const outputDir = await tempDir('record-out');
        const handle = await scenario.run(
          async (input) => client.workflow.start(DEFAULTS.workflowType, { taskQueue, workflowId: `replay-${scenario.name}`, args: [{ ...input, outputDir }] }),
          emulator,
        );
        const runs = await runHistories(client, handle.workflowId, handle.firstExecutionRunId);
        for (const old of (await readdir(outDir)).filter((f) => f === `${scenario.name}.json` || f.startsWith(`${scenario.name}.run-`))) {
          await rm(path.join(outDir, old));
        }
        for (const [i, run] of runs.entries()) {
          const file = runs.length === 1 ? `${scenario.name}.json` : `${scenario.name}.run-${i + 1}.json`;
          await writeFile(path.join(outDir, file), `${JSON.stringify(JSON.parse(run.json), null, 1)}\n`);
          log(`${file}: ${scenario.description}`);
        }
      } finally {
        worker.shutdown();
        await running;
        await connection.close();
        await emulator?.stop();
      }
    }
  } finally {
    await client.connection.close();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
