import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import type { FaultPoint } from '../src/activities/fault-point';
import { startEmulator, type Emulator } from '../src/emulator';
import { documentIdentity } from '../src/emulator/request';
import type { DocumentResult } from '../src/store/document-result';
import { readSubmissions } from '../src/store/message-batch-records';
import { batchKeys, batchStorage } from '../src/store/paths';
import { locationJoin, objectAt } from '../src/storage/location';
import { startBatch, tempDir, testClient, uniqueId } from './helpers/batch';
import { testBucketUrl } from './helpers/object-store';
import { startWorkerProcess, type WorkerProcess } from './helpers/docbatch-worker';
import { documentDir } from './helpers/documents';
import { testTemporal } from './helpers/temporal';

/**
 * Issue 12, item 4: a batch-mode worker SIGKILLed at each point of a chunk's Message Batch
 * lifecycle (by DOCBATCH_FAULT_POINT, src/activities/fault-point.ts), then replaced by a fresh
 * worker, on the real workflow and dev server against the emulator: every document ends up in the
 * results exactly once, each was sent to Anthropic exactly once (one Message Batch per chunk
 * created at the emulator, one answered batch request per document), and nothing went realtime.
 */
const DOCUMENTS = 6;
const CHUNK_SIZE = 3;

const workers: WorkerProcess[] = [];
const emulators: Emulator[] = [];
afterAll(async () => {
  for (const worker of workers) await worker.kill();
  for (const emulator of emulators) await emulator.stop();
});

/** Whether a process is stopped (SIGSTOP): state `T` in /proc/<pid>/stat. */
async function isStopped(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).startsWith('T');
}

/**
 * SIGKILLed at `point`, or with `freeze` stopped there (SIGSTOP) while the next worker takes over,
 * then woken once the batch has completed and shut down (SIGTERM: it drains what it was running).
 */
/** Where the batch's records and journals live: the kill points hold on local disk and in a bucket alike. */
type Storage = 'local disk' | 'S3';

async function killedAt(point: FaultPoint, storage: Storage, freeze = false) {
  const emulator = await startEmulator({ validKeys: ['kill-key'], latency: { minMs: 1, maxMs: 5 }, messageBatches: { processingMs: 2500 } });
  emulators.push(emulator);
  const { address, namespace } = testTemporal();
  const taskQueue = uniqueId('kill');
  const env = {
    TEMPORAL_ADDRESS: address,
    TEMPORAL_NAMESPACE: namespace,
    DOCBATCH_TASK_QUEUE: taskQueue,
    DOCBATCH_CACHE_DIR: await tempDir('kill-cache'),
    ANTHROPIC_API_KEY: 'kill-key',
    ANTHROPIC_BASE_URL: emulator.url,
  };
  const doomed = await startWorkerProcess({ ...env, DOCBATCH_FAULT_POINT: point, ...(freeze ? { DOCBATCH_FAULT_SIGNAL: 'SIGSTOP' } : {}) });
  workers.push(doomed);
  const died = once(doomed.child, 'exit');
  const stopped = async () => {
    while (!(await isStopped(doomed.child.pid!))) {
      if (doomed.child.exitCode !== null || doomed.child.signalCode !== null) throw new Error(`the worker to freeze exited (${doomed.child.signalCode ?? doomed.child.exitCode}) instead of stopping`);
      await sleep(50);
    }
    return [null, 'SIGSTOP'] as const;
  };

  const dir = await documentDir(DOCUMENTS);
  const outputDir = storage === 'S3' ? testBucketUrl('kill-out') : await tempDir('kill-out');
  const batchId = uniqueId('kill-batch');
  const handle = await startBatch(await testClient(), taskQueue, batchId, {
    source: { dir },
    outputDir,
    extractor: 'anthropic',
    mode: 'batch',
    chunkSize: CHUNK_SIZE,
    concurrency: 1,
    cache: false,
    // A killed worker stops heartbeating: its submit or collect is retried after this long.
    timeouts: { chunkHeartbeat: '2s' },
    retry: { initialInterval: '200ms' },
    messageBatches: { pollInterval: '300ms' },
  });
  const batchDir = locationJoin(outputDir, batchId);
  const [, signal] = await (freeze ? stopped() : died);
  const atKill = {
    signal,
    created: emulator.messageBatches.list().length,
    submissions: await readSubmissions(batchDir, 0),
    journaled: await journaledCount(batchDir),
  };

  workers.push(await startWorkerProcess(env));
  const summary = await handle.result();
  if (freeze) {
    doomed.child.kill('SIGCONT');
    doomed.child.kill('SIGTERM');
    await died;
  }
  const results = await readResults(summary.files.results);
  // Requests of Message Batches the emulator answered, per document (what Anthropic bills), and realtime calls.
  const paid = new Map<string, number>();
  for (const result of results) {
    const id = documentIdentity(await readFile(result.path));
    paid.set(result.path, emulator.log.filter((entry) => entry.documentId === id && entry.via === 'message-batch' && entry.status === 200).length);
  }
  return { atKill, summary, results, paid, created: emulator.messageBatches.list().length, realtime: emulator.log.filter((entry) => entry.via === 'messages').length };
}

async function journaledCount(batchDir: string): Promise<number> {
  const storage = batchStorage(batchDir);
  let count = 0;
  for await (const log of storage.listLogs(batchKeys.chunks)) count += (await storage.readLog(log)).text.split('\n').filter((line) => line.endsWith('}')).length;
  return count;
}

async function readResults(url: string): Promise<DocumentResult[]> {
  const { storage, key } = objectAt(url);
  const bytes = await storage.read(key);
  return bytes!
    .toString('utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as DocumentResult);
}

function expectEveryDocumentOncePaidOnce(outcome: Awaited<ReturnType<typeof killedAt>>, signal = 'SIGKILL') {
  expect(outcome.atKill.signal).toBe(signal);
  expect(outcome.summary).toMatchObject({ state: 'completed', total: DOCUMENTS, succeeded: DOCUMENTS, failed: 0 });
  expect(outcome.results).toHaveLength(DOCUMENTS);
  expect(new Set(outcome.results.map((result) => result.path)).size).toBe(DOCUMENTS);
  // One Message Batch per chunk, each document answered once, nothing sent realtime.
  for (const [document, requests] of outcome.paid) expect({ document, requests }).toEqual({ document, requests: 1 });
  expect(outcome.created).toBe(DOCUMENTS / CHUNK_SIZE);
  expect(outcome.realtime).toBe(0);
}

describe.each<Storage>(['local disk', 'S3'])('a batch-mode worker SIGKILLed, the batch on %s', (storage) => {
  it('before create: the intent is recorded, nothing at Anthropic; the next worker creates it once', async () => {
    const outcome = await killedAt('message-batch:before-create', storage);
    expect(outcome.atKill.created).toBe(0);
    expect(outcome.atKill.submissions.map((group) => group.created.length)).toEqual([0]);
    expectEveryDocumentOncePaidOnce(outcome);
  }, 240_000);

  it('right after create returned, before its id was recorded: the next worker adopts that Message Batch', async () => {
    const outcome = await killedAt('message-batch:after-create', storage);
    expect(outcome.atKill.created).toBe(1);
    expect(outcome.atKill.submissions.map((group) => group.created.length)).toEqual([0]);
    expectEveryDocumentOncePaidOnce(outcome);
  }, 240_000);

  // Polling writes nothing to the batch's storage; the slowest case (a minute's timeout) runs once.
  it.runIf(storage === 'local disk')('while polling: the next worker polls the recorded Message Batch on', async () => {
    const outcome = await killedAt('message-batch:polling', storage);
    expect(outcome.atKill.submissions.map((group) => group.created.length)).toEqual([1]);
    expect(outcome.atKill.journaled).toBe(0);
    expectEveryDocumentOncePaidOnce(outcome);
    // The killed check is retried once its start-to-close timeout (1 minute) has passed.
  }, 420_000);

  it('half-way through collecting: the next worker journals the rest, nothing twice', async () => {
    const outcome = await killedAt('message-batch:collecting', storage);
    expect(outcome.atKill.journaled).toBeGreaterThan(0);
    expect(outcome.atKill.journaled).toBeLessThan(CHUNK_SIZE);
    expectEveryDocumentOncePaidOnce(outcome);
  }, 240_000);
});

describe.each<Storage>(['local disk', 'S3'])('a batch-mode worker frozen (SIGSTOP) before create while the next worker takes over, the batch on %s', (storage) => {
  it('sends no create once it wakes: the next worker created the Message Batch, and each document is paid once', async () => {
    const outcome = await killedAt('message-batch:before-create', storage, true);
    expect(outcome.atKill.created).toBe(0);
    expect(outcome.atKill.submissions.map((group) => group.created.length)).toEqual([0]);
    // Counted after the frozen worker woke, finished what it was running and exited. Slower than a
    // SIGKILL (~80 s): a frozen worker's long polls stay open, so the server hands it tasks that
    // must time out before the next worker gets them, as with a real frozen machine.
    expectEveryDocumentOncePaidOnce(outcome, 'SIGSTOP');
  }, 240_000);
});
