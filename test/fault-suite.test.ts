import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../src/env';
import { startEmulator, type Emulator } from '../src/emulator';
import { documentIdentity } from '../src/emulator/request';
import type { DocumentResult } from '../src/store/document-result';
import { batchFiles } from '../src/store/paths';
import type { BatchSummary } from '../src/batch/summary';
import { freePort, startDevServer, type TemporalServer } from '../src/temporal/dev-server';
import { readJsonLines, tempDir, uniqueId } from './helpers/batch';
import { startWorkerProcess, type WorkerProcess } from './helpers/docbatch-worker';
import { documentDir } from './helpers/documents';
import { testTemporal } from './helpers/temporal';

/**
 * The faults of a real deployment at once, on a dev server of the test's own (so it can be
 * SIGKILLed and restarted on the same database file) with real `docbatch worker` processes and
 * Claude's code path against the emulator with faults on: every document ends up exactly once in
 * results.jsonl, and only documents in flight at a kill are extracted twice.
 */
const DOCUMENTS = 36;
const WORKER_SLOTS = 2;
const CONCURRENCY = 4;

const workers: WorkerProcess[] = [];
let server: TemporalServer | undefined;
let emulator: Emulator | undefined;
afterAll(async () => {
  for (const worker of workers) await worker.kill();
  await server?.stop();
  await emulator?.stop();
});

/** Documents whose result is journaled (durable) right now. */
async function journaled(batchDir: string): Promise<Set<string>> {
  const chunksDir = batchFiles(batchDir).chunksDir;
  const done = new Set<string>();
  for (const file of await readdir(chunksDir).catch(() => [] as string[])) {
    for (const line of (await readFile(path.join(chunksDir, file), 'utf8')).split('\n')) {
      if (line.endsWith('}')) done.add((JSON.parse(line) as DocumentResult).path);
    }
  }
  return done;
}

async function untilJournaled(batchDir: string, count: number): Promise<Set<string>> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const done = await journaled(batchDir);
    if (done.size >= count) return done;
    if (Date.now() > deadline) throw new Error(`only ${done.size} of ${count} documents journaled within 90 s`);
    await sleep(25);
  }
}

async function killServer(running: TemporalServer): Promise<void> {
  process.kill(-running.pid!, 'SIGKILL');
  await running.exited;
}

describe('a Claude batch through SIGKILLed workers, a SIGKILLed dev server and API faults', () => {
  it('has every document exactly once, and extracts again only documents in flight at a kill', async () => {
    const { temporalCliPath } = testTemporal();
    const dbFile = path.join(await tempDir('fault-db'), 'temporal.db');
    const port = await freePort();
    const quiet = () => {};
    const startServer = () => startDevServer({ dbFile, port, headless: true, cliPath: temporalCliPath, namespace: DEFAULTS.temporalNamespace, log: quiet });
    server = await startServer();
    emulator = await startEmulator({
      validKeys: ['fault-key'],
      latency: { minMs: 100, maxMs: 300 },
      seed: 9,
      faults: [
        { kind: 'overloaded', rate: 0.06 },
        { kind: 'server_error', rate: 0.03 },
        { kind: 'rate_limited', rate: 0.03 },
      ],
    });
    const taskQueue = uniqueId('faults');
    const env = {
      TEMPORAL_ADDRESS: server.address,
      TEMPORAL_NAMESPACE: DEFAULTS.temporalNamespace,
      DOCBATCH_TASK_QUEUE: taskQueue,
      DOCBATCH_MAX_CONCURRENT_ACTIVITIES: String(WORKER_SLOTS),
      DOCBATCH_CACHE_DIR: await tempDir('fault-cache'),
      ANTHROPIC_API_KEY: 'fault-key',
      ANTHROPIC_BASE_URL: emulator.url,
    };
    const startWorker = async () => {
      const worker = await startWorkerProcess(env);
      workers.push(worker);
      return worker;
    };
    const [first, second] = [await startWorker(), await startWorker()];

    const dir = await documentDir(DOCUMENTS);
    const outputDir = await tempDir('fault-out');
    const batchId = uniqueId('faults');
    const client = new Client({ connection: await Connection.connect({ address: server.address }), namespace: DEFAULTS.temporalNamespace });
    await client.workflow.start(DEFAULTS.workflowType, {
      taskQueue,
      workflowId: batchId,
      // Default heartbeat timeout (15 s): chunks beat on a timer, so a worker's death is noticed that fast.
      args: [{ source: { dir }, outputDir, extractor: 'anthropic', chunkSize: 3, concurrency: CONCURRENCY, cache: false, retry: { initialInterval: '200ms', maximumInterval: '2s' } }],
    });
    const batchDir = path.join(outputDir, batchId);

    // Documents durable at each kill (none may be extracted again), and when each kill happened.
    const durableAtKills: Set<string>[] = [];
    const killedAt: number[] = [];
    const kill = async (durable: Set<string>, doKill: () => Promise<void>) => {
      durableAtKills.push(durable);
      killedAt.push(Date.now());
      await doKill();
    };
    await kill(await untilJournaled(batchDir, 6), () => first.kill());
    await startWorker();

    await kill(await untilJournaled(batchDir, 14), () => killServer(server!));
    server = await startServer();

    await kill(await untilJournaled(batchDir, 22), () => second.kill());
    await startWorker();

    const handle = client.workflow.getHandle(batchId);
    const summary = (await handle.result()) as BatchSummary;
    expect(summary).toMatchObject({ state: 'completed', total: DOCUMENTS, succeeded: DOCUMENTS, failed: 0 });

    const results = await readJsonLines<DocumentResult>(summary.files.results);
    expect(results).toHaveLength(DOCUMENTS);
    expect(new Set(results.map((result) => result.path)).size).toBe(DOCUMENTS);

    // Extractions per document: first-turn requests the emulator answered 200 (faulted requests extracted nothing).
    const extractions = new Map<string, number>();
    const firstRequestAt = new Map<string, number>();
    for (const result of results) {
      const id = documentIdentity(await readFile(result.path));
      const calls = emulator.log.filter((entry) => entry.documentId === id);
      extractions.set(result.path, calls.filter((entry) => entry.status === 200 && entry.turn === 'first').length);
      firstRequestAt.set(result.path, Math.min(...calls.map((entry) => entry.at)));
    }
    expect(Math.min(...extractions.values())).toBe(1);
    for (const durable of durableAtKills) for (const document of durable) expect({ document, extractions: extractions.get(document) }).toEqual({ document, extractions: 1 });
    // Redone: at most what was in flight at the kills, one document per chunk (worker kills: its slots; the server kill: the window).
    const redone = [...extractions].filter(([, count]) => count > 1).map(([document]) => document);
    expect(redone.length).toBeLessThanOrEqual(2 * WORKER_SLOTS + CONCURRENCY);
    for (const document of redone) {
      const inFlightAtAKill = killedAt.some((at, k) => firstRequestAt.get(document)! <= at && !durableAtKills[k]!.has(document));
      expect({ document, inFlightAtAKill }).toEqual({ document, inFlightAtAKill: true });
    }
    expect(Math.max(...extractions.values())).toBeLessThanOrEqual(2);
    // The faults happened: the emulator answered errors and the kills forced chunk retries.
    expect(emulator.log.filter((entry) => entry.fault !== undefined).length).toBeGreaterThan(0);
    expect(results.some((result) => result.attempts > 1)).toBe(true);
  }, 240_000);
});
