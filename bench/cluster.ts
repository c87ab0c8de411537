/**
 * `npm run bench:cluster`: docbatch on the real cluster (`npm run cluster -- up`) beside the dev
 * server, with 1 and 3 workers, at zero API latency (bench/scale-worker.ts: the real worker with
 * the zero-latency extractor, as `npm run bench` uses; on the cluster each in its own host
 * namespace): documents per second and the chunk round trip (what a chunk waits for Temporal:
 * scheduled → started on a worker, and its completion → the workflow's next decision), from the
 * batches' histories. Then
 * the time to failover on the cluster: a host SIGKILLed whole with chunks in the middle of slow
 * API calls, until each of its chunks starts again on another host.
 *
 *   npm run bench:cluster                                   # 2,000 text documents a case
 *   npm run bench:cluster -- --documents 500 --no-dev-server --no-failover
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time';
import type { temporal } from '@temporalio/proto';
import { bundleWorkflowCode } from '@temporalio/worker';
import { Command } from 'commander';
import { DEFAULTS } from '../src/env';
import { startEmulator, type Emulator } from '../src/emulator';
import { frontendAddress } from '../src/cluster/cluster';
import { CLUSTER_NAMESPACE, CLUSTER_NETWORK, clusterPaths, hostNetns } from '../src/cluster/layout';
import { ensureBridge, ensureWorkerHostNetwork, killHost } from '../src/cluster/network';
import { startDevServer } from '../src/temporal/dev-server';
import { docbatchHome, projectRoot } from '../src/temporal/paths';
import { workflowsPath } from '../src/worker';
import type { BatchSummary } from '../src/batch/summary';
import type { Progress } from '../src/batch/progress';
import { chunksOnHost, clusterCommand, failoverFromHistory, sampleCorpus, watchFailover, type MovedChunk } from '../test/helpers/cluster';

const program = new Command('bench:cluster')
  .option('--documents <n>', 'text documents per throughput case', '2000')
  .option('--chunk-size <n>', 'documents per chunk', '20')
  .option('--concurrency <n>', 'chunks in flight', '12')
  .option('--failover-documents <n>', 'documents of the failover case', '240')
  .option('--no-dev-server', 'skip the dev server cases')
  .option('--no-cluster', 'skip the cluster cases')
  .option('--no-failover', 'skip the failover case')
  .parse();
const opts = program.opts<{ documents: string; chunkSize: string; concurrency: string; failoverDocuments: string; devServer: boolean; cluster: boolean; failover: boolean }>();

const log = (message: string) => process.stderr.write(`${message}\n`);
const API_KEY = 'bench-key';
const home = docbatchHome();
const resultsDir = path.resolve('bench/results');
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

interface ThroughputCase {
  server: 'dev server' | 'cluster';
  workers: number;
  documents: number;
  wallS: number;
  docsPerSecond: number;
  chunks: number;
  /** Chunk scheduled → started on a worker (matching, the poll), median and p95 in ms. */
  scheduleToStartMs: { p50: number; p95: number };
  /** Chunk completed → the workflow task that reacted to it completed (the next chunk scheduled), ms. */
  completionToDecisionMs: { p50: number; p95: number };
  /** The two medians added: what one chunk costs in Temporal round trips beyond its own work. */
  roundTripOverheadMs: number;
  loadAverage: number[];
}

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
};
const ms = (event: HistoryEvent) => tsToMs(event.eventTime);

/** Round-trip figures of every extractChunk activity, from the workflow's history. */
function roundTrips(events: HistoryEvent[]): { scheduleToStart: number[]; completionToDecision: number[] } {
  const scheduledAt = new Map<number, number>();
  const startedAt = new Map<number, number>();
  const scheduleToStart: number[] = [];
  const completionToDecision: number[] = [];
  let pendingCompletions: number[] = [];
  for (const event of events) {
    const id = Number(event.eventId);
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled && scheduled.activityType?.name === 'extractChunk') scheduledAt.set(id, ms(event));
    const started = event.activityTaskStartedEventAttributes;
    if (started && scheduledAt.has(Number(started.scheduledEventId))) {
      startedAt.set(Number(started.scheduledEventId), ms(event));
      scheduleToStart.push(ms(event) - scheduledAt.get(Number(started.scheduledEventId))!);
    }
    const completed = event.activityTaskCompletedEventAttributes;
    if (completed && scheduledAt.has(Number(completed.scheduledEventId))) pendingCompletions.push(ms(event));
    if (event.workflowTaskCompletedEventAttributes && pendingCompletions.length > 0) {
      for (const at of pendingCompletions) completionToDecision.push(ms(event) - at);
      pendingCompletions = [];
    }
  }
  return { scheduleToStart, completionToDecision };
}

async function runBatch(client: Client, sourceDir: string, outputDir: string, documents: number, label: string): Promise<{ handle: WorkflowHandle; wallMs: number; summary: BatchSummary }> {
  const started = performance.now();
  const handle = await client.workflow.start(DEFAULTS.workflowType, {
    taskQueue: BENCH_TASK_QUEUE,
    workflowId: `bench-cluster-${label.replace(/\W+/g, '-')}-${Date.now().toString(36)}`,
    args: [{ source: { dir: sourceDir }, outputDir, extractor: 'local', chunkSize: Number(opts.chunkSize), concurrency: Number(opts.concurrency), cache: false }],
  });
  const ticker = setInterval(() => {
    handle.query<Progress>('progress').then(
      (p) => log(`  ${label}: ${p.processed}/${documents} documents, ${Math.round((performance.now() - started) / 1000)} s`),
      () => undefined,
    );
  }, 20_000);
  try {
    const summary = (await handle.result()) as BatchSummary;
    return { handle, wallMs: performance.now() - started, summary };
  } finally {
    clearInterval(ticker);
  }
}

async function measure(server: ThroughputCase['server'], workers: number, client: Client, sourceDir: string, outputDir: string, documents: number): Promise<ThroughputCase> {
  const label = `${server} ${workers}w`;
  const { handle, wallMs, summary } = await runBatch(client, sourceDir, outputDir, documents, label);
  if (summary.state !== 'completed' || summary.succeeded !== documents) throw new Error(`${label}: batch ended ${summary.state} with ${summary.succeeded}/${documents} succeeded`);
  const history = await handle.fetchHistory();
  const { scheduleToStart, completionToDecision } = roundTrips(history.events ?? []);
  const result: ThroughputCase = {
    server,
    workers,
    documents,
    wallS: wallMs / 1000,
    docsPerSecond: documents / (wallMs / 1000),
    chunks: scheduleToStart.length,
    scheduleToStartMs: { p50: quantile(scheduleToStart, 0.5), p95: quantile(scheduleToStart, 0.95) },
    completionToDecisionMs: { p50: quantile(completionToDecision, 0.5), p95: quantile(completionToDecision, 0.95) },
    roundTripOverheadMs: quantile(scheduleToStart, 0.5) + quantile(completionToDecision, 0.5),
    loadAverage: os.loadavg(),
  };
  log(`  ${label}: ${result.docsPerSecond.toFixed(1)} docs/s, round trip ${result.roundTripOverheadMs} ms`);
  return result;
}

/** Waits until `count` workers poll the docbatch activity queue. */
async function untilPollers(client: Client, taskQueue: string, count: number): Promise<void> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    const description = await client.workflowService
      .describeTaskQueue({ namespace: client.options.namespace, taskQueue: { name: taskQueue }, taskQueueType: 2 })
      .catch(() => undefined);
    const identities = new Set((description?.pollers ?? []).filter((p) => tsToMs(p.lastAccessTime) > Date.now() - 30_000).map((p) => p.identity));
    if (identities.size >= count) return;
    if (Date.now() > deadline) throw new Error(`only ${identities.size} of ${count} workers poll ${taskQueue}`);
    await sleep(1000);
  }
}

const benchWorkerScript = fileURLToPath(new URL('./scale-worker.ts', import.meta.url));
const BENCH_TASK_QUEUE = 'docbatch-bench';

/** bench/scale-worker.ts, in host `netns` when given; resolved once it polls. */
async function startBenchWorker(address: string, bundlePath: string, netns?: string): Promise<ChildProcess> {
  const node = [process.execPath, '--max-old-space-size=512', '--import', 'tsx', benchWorkerScript];
  const [file, ...args] = netns ? ['ip', 'netns', 'exec', netns, ...node] : node;
  const child = spawn(file!, args, {
    cwd: projectRoot,
    env: { ...process.env, BENCH_TEMPORAL_ADDRESS: address, BENCH_TASK_QUEUE, BENCH_WORKFLOW_BUNDLE: bundlePath, BENCH_ACTIVITY_SLOTS: '32', BENCH_DOCUMENTS_IN_FLIGHT: '64' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bench worker did not start within 120 s: ${stderr}`)), 120_000);
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('worker ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`bench worker exited (${code}): ${stderr}`));
    });
  });
  return child;
}

async function stopBenchWorkers(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    }),
  );
}

async function devServerCase(workers: number, sourceDir: string, workDir: string, bundlePath: string, documents: number): Promise<ThroughputCase> {
  const server = await startDevServer({ dbFile: path.join(workDir, `dev-${workers}.db`), headless: true, log: () => undefined });
  const children: ChildProcess[] = [];
  try {
    for (let i = 1; i <= workers; i++) children.push(await startBenchWorker(server.address, bundlePath));
    const client = new Client({ connection: await Connection.connect({ address: server.address }), namespace: DEFAULTS.temporalNamespace });
    try {
      return await measure('dev server', workers, client, sourceDir, path.join(workDir, 'output'), documents);
    } finally {
      await client.connection.close();
    }
  } finally {
    await stopBenchWorkers(children);
    await server.stop();
  }
}

/** The cluster with no docbatch workers of its own; `workers` bench workers, one per host namespace. */
async function clusterCase(workers: number, sourceDir: string, bundlePath: string, documents: number): Promise<ThroughputCase> {
  await clusterCommand(['down']);
  await clusterCommand(['up', '--workers', '0']);
  const children: ChildProcess[] = [];
  try {
    for (let i = 1; i <= workers; i++) {
      await ensureWorkerHostNetwork(i);
      children.push(await startBenchWorker(frontendAddress, bundlePath, hostNetns(i)));
    }
    const client = new Client({ connection: await Connection.connect({ address: frontendAddress }), namespace: DEFAULTS.temporalNamespace });
    try {
      return await measure('cluster', workers, client, sourceDir, clusterPaths(home).sharedOutput, documents);
    } finally {
      await client.connection.close();
    }
  } finally {
    await stopBenchWorkers(children);
    await clusterCommand(['down']);
  }
}

async function clusterUpWith(workers: number, emulator: Emulator): Promise<Client> {
  await clusterCommand(['up', '--workers', String(workers)], { ANTHROPIC_API_KEY: API_KEY, ANTHROPIC_BASE_URL: emulator.url, DOCBATCH_MAX_CONCURRENT_ACTIVITIES: '8' });
  const client = new Client({ connection: await Connection.connect({ address: frontendAddress }), namespace: CLUSTER_NAMESPACE });
  await untilPollers(client, DEFAULTS.taskQueue, workers);
  return client;
}

interface FailoverResult {
  documents: number;
  chunksOnLostHost: number;
  failoverS: number[];
  medianS: number;
  maxS: number;
  ranOn: string[];
}

/** A host lost while its chunks wait on slow API calls: how long until each runs again elsewhere. */
async function failoverCase(sourceDir: string, documents: number): Promise<FailoverResult> {
  await clusterCommand(['down']);
  await ensureBridge();
  const emulator = await startEmulator({ host: CLUSTER_NETWORK.gateway, validKeys: [API_KEY], latency: { minMs: 3000, maxMs: 6000 } });
  try {
    const client = await clusterUpWith(3, emulator);
    try {
      const handle = await client.workflow.start(DEFAULTS.workflowType, {
        taskQueue: DEFAULTS.taskQueue,
        workflowId: `bench-cluster-failover-${Date.now().toString(36)}`,
        args: [{ source: { dir: sourceDir }, outputDir: clusterPaths(home).sharedOutput, extractor: 'anthropic', chunkSize: 5, concurrency: 12, cache: false }],
      });
      let held: Awaited<ReturnType<typeof chunksOnHost>> = [];
      for (const deadline = Date.now() + 120_000; held.length === 0 && Date.now() < deadline; await sleep(500)) held = await chunksOnHost(handle, 1);
      await sleep(2000);
      held = await chunksOnHost(handle, 1);
      const killedAt = Date.now();
      await killHost(hostNetns(1));
      const moved: MovedChunk[] = held.map((c) => ({ activityId: c.activityId, deadIdentity: c.identity }));
      await watchFailover(handle, moved, Date.now() + 60_000);
      await handle.result();
      await failoverFromHistory(handle, moved);
      const failoverS = moved.filter((m) => m.againAt !== undefined).map((m) => (m.againAt! - killedAt) / 1000);
      return { documents, chunksOnLostHost: moved.length, failoverS, medianS: quantile(failoverS, 0.5), maxS: Math.max(...failoverS), ranOn: moved.map((m) => m.againOn ?? '?') };
    } finally {
      await client.connection.close();
    }
  } finally {
    await clusterCommand(['down']);
    await emulator.stop();
  }
}

async function main(): Promise<void> {
  const documents = Number(opts.documents);
  const root = clusterPaths(home).root;
  const sourceDir = path.join(root, 'shared-source', `bench-${documents}`);
  await rm(sourceDir, { recursive: true, force: true });
  await sampleCorpus(sourceDir, documents, { pdfs: false, scans: false });
  const workDir = path.join(os.tmpdir(), `docbatch-bench-cluster-${Date.now().toString(36)}`);
  await mkdir(workDir, { recursive: true });
  const cases: ThroughputCase[] = [];
  const bundlePath = path.join(workDir, 'workflow-bundle.js');
  const noop = () => undefined;
  await writeFile(bundlePath, (await bundleWorkflowCode({ workflowsPath, logger: { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop } })).code);
  for (const workers of [1, 3]) {
    if (opts.devServer) {
      log(`dev server, ${workers} worker(s), ${documents} documents …`);
      cases.push(await devServerCase(workers, sourceDir, workDir, bundlePath, documents));
    }
    if (opts.cluster) {
      log(`cluster, ${workers} worker host(s), ${documents} documents …`);
      cases.push(await clusterCase(workers, sourceDir, bundlePath, documents));
    }
  }
  let failover: FailoverResult | undefined;
  if (opts.failover) {
    const failoverDir = path.join(root, 'shared-source', `bench-failover-${opts.failoverDocuments}`);
    await rm(failoverDir, { recursive: true, force: true });
    await sampleCorpus(failoverDir, Number(opts.failoverDocuments), { pdfs: false, scans: false });
    log(`failover: a host of 3 SIGKILLed with its chunks in slow API calls …`);
    failover = await failoverCase(failoverDir, Number(opts.failoverDocuments));
  }

  const rows = cases.map(
    (c) =>
      `| ${c.server.padEnd(10)} | ${String(c.workers).padStart(7)} | ${String(c.documents).padStart(5)} | ${c.wallS.toFixed(1).padStart(6)} | ${c.docsPerSecond.toFixed(1).padStart(6)} | ` +
      `${String(c.scheduleToStartMs.p50).padStart(5)} / ${String(c.scheduleToStartMs.p95).padStart(5)} | ${String(c.completionToDecisionMs.p50).padStart(5)} / ${String(c.completionToDecisionMs.p95).padStart(5)} | ${String(c.roundTripOverheadMs).padStart(6)} | ${c.loadAverage[0]!.toFixed(1)} |`,
  );
  const table = [
    '| server     | workers |  docs | wall s | docs/s | sched→start ms p50 / p95 | done→decision ms p50 / p95 | round trip ms | load 1m |',
    '| ---------- | ------: | ----: | -----: | -----: | -----------------------: | -------------------------: | ------------: | ------: |',
    ...rows,
  ].join('\n');
  process.stdout.write(`${table}\n`);
  if (failover) {
    process.stdout.write(
      `\nfailover: ${failover.chunksOnLostHost} chunks on the lost host; ran again after ${failover.failoverS.map((s) => s.toFixed(1)).join(', ')} s ` +
        `(median ${failover.medianS.toFixed(1)} s, max ${failover.maxS.toFixed(1)} s) on ${[...new Set(failover.ranOn.map((id) => id.split('@')[1]))].join(', ')}\n`,
    );
  }
  await mkdir(resultsDir, { recursive: true });
  const json = JSON.stringify({ at: new Date().toISOString(), options: opts, cases, failover, cores: os.cpus().length }, null, 2);
  const file = path.join(resultsDir, `cluster-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  await writeFile(file, json);
  await writeFile(path.join(resultsDir, 'latest-cluster.json'), json);
  log(`saved ${file}`);
  await rm(workDir, { recursive: true, force: true });
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    log(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  },
);
