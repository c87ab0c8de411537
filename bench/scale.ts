import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { DEFAULTS } from '../src/env';
import { startDevServer } from '../src/temporal/dev-server';
import type { temporal } from '@temporalio/proto';
import type { BatchWorkflow } from '../src/batch/workflow';
import type { BatchInputJson } from '../src/batch/input';
import { progressQuery } from '../src/batch/messages';
import { batchPhases, phaseCpu, type BatchPhases, type CpuSample, type PhaseCpu } from './phases';
import { cpuSeconds, megabytes, peakRssBytes, pidsWithCommandLine } from './process-stats';
import { startWorkerProcess, stopWorkerProcess } from './worker-process';

/** The knobs of one benchmarked batch. */
export interface BatchSettings {
  /** Documents per chunk activity; absent: planning chooses, as for a user who names none. */
  chunkSize?: number;
  /** Chunk activities in flight (the workflow's sliding window). */
  concurrency: number;
  /** Chunks one run completes before it continues as new (unless Temporal suggests it sooner). */
  chunksPerRun: number;
  /** The worker's activity slots (maxConcurrentActivityTaskExecutions). */
  activitySlots: number;
  /** Documents the extractor asks the worker to work on at once (across chunks); also the baseline's p-limit. */
  documentsInFlight: number;
  /** The worker's --max-old-space-size in MB; null leaves V8's default (sized from the machine's memory). */
  workerHeapMb: number | null;
}

export interface ScaleCase {
  /** Names the case in the table and the workflow id (`bench-<label>`). */
  label: string;
  documents: number;
  sourceDir: string;
  settings: BatchSettings;
  /** The same documents as objects of an S3-compatible server, the output there too; local disk when absent. */
  objectStore?: { sourceUrl: string; outputUrl: string; env: Record<string, string> };
}

export interface BenchEnvironment {
  /** The `temporal` CLI that runs each case's dev server. */
  cliPath: string;
  /** A prebuilt workflow bundle (bundleWorkflowCode), so the worker child does not bundle. */
  workflowBundlePath: string;
  /** Each case gets a fresh folder (server database, batch output) under this one, removed after. */
  workDir: string;
  log: (message: string) => void;
}

export interface RunHistory {
  runId: string;
  historyLength: number;
  historySizeBytes: number | null;
}

export interface ScaleResult {
  label: string;
  documents: number;
  settings: BatchSettings;
  /** Documents per chunk the batch ran with (summary.json): the setting's, or planning's choice. */
  chunkSize: number | null;
  completed: boolean;
  error?: string;
  /** From starting the workflow to its result: planning, every chunk, the report. */
  wallMs: number;
  docsPerSecond: number;
  succeeded: number;
  failed: number;
  /** The continue-as-new chain, first run first. */
  runs: RunHistory[];
  /** Where wallMs went, from the runs' histories (bench/phases.ts); null if the batch did not finish. */
  phases: BatchPhases | null;
  maxHistoryLength: number;
  workerPeakRssMb: number | null;
  serverPeakRssMb: number | null;
  /** CPU time of each process over its whole life (the worker's includes loading its modules). */
  workerCpuSeconds: number | null;
  serverCpuSeconds: number | null;
  /** Of those: the CPU time spent between starting the workflow and its result. */
  workerBatchCpuSeconds: number | null;
  serverBatchCpuSeconds: number | null;
  /** The batch CPU by phase, from the processes' CPU time sampled every 100 ms; null if not measured. */
  workerPhaseCpuSeconds: PhaseCpu | null;
  serverPhaseCpuSeconds: PhaseCpu | null;
  /** os.loadavg() (1, 5, 15 min) when the batch started and ended: the machine is shared. */
  loadAverage: { start: number[]; end: number[] };
}

export interface BaselineRun {
  wallMs: number;
  /** Of wallMs: listing the folder, before the loop. */
  listingMs: number;
  /** CPU time (user + system, all threads) over wallMs. */
  cpuMs: number;
  peakRssMb: number | null;
  loadAverage: { start: number[]; end: number[] };
}

export interface BaselineResult {
  documents: number;
  concurrency: number;
  /** The median of the runs' wall times: one ~1 s run on a shared machine is too noisy to divide by. */
  wallMs: number;
  docsPerSecond: number;
  /** Every run, in the order they ran. */
  runs: BaselineRun[];
  /** The largest of the runs' peak RSS. */
  peakRssMb: number | null;
}

const workerScript = fileURLToPath(new URL('./scale-worker.ts', import.meta.url));
const baselineScript = fileURLToPath(new URL('./scale-baseline.ts', import.meta.url));
const projectRoot = fileURLToPath(new URL('..', import.meta.url));
const TASK_QUEUE = 'docbatch-bench';
/** GetWorkflowExecutionHistory filter HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT: only a run's last event. */
const CLOSE_EVENT_ONLY = 2;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/**
 * One batch on a fresh Temporal dev server (its own SQLite file, headless) with a fresh worker
 * child, so every case starts from the same empty state and each process's peak RSS (VmHWM)
 * belongs to this case alone.
 */
export async function runScaleCase(env: BenchEnvironment, scaleCase: ScaleCase, timeoutMs: number): Promise<ScaleResult> {
  const { log } = env;
  const caseDir = await mkdtemp(path.join(env.workDir, `${scaleCase.label}-`));
  const dbFile = path.join(caseDir, 'temporal.db');
  const cleanups: Array<() => Promise<unknown>> = [() => rm(caseDir, { recursive: true, force: true })];
  try {
    const server = await startDevServer({ dbFile, headless: true, cliPath: env.cliPath, namespace: DEFAULTS.temporalNamespace, log });
    cleanups.unshift(() => server.stop());
    const serverPid = (await pidsWithCommandLine(dbFile)).find((pid) => pid !== process.pid) ?? null;

    const worker = await startWorkerProcess({
      script: workerScript,
      name: 'worker',
      log: env.log,
      nodeArgs: workerNodeArgs(scaleCase.settings),
      readyTimeoutMs: 60_000,
      env: {
        BENCH_TEMPORAL_ADDRESS: server.address,
        BENCH_TASK_QUEUE: TASK_QUEUE,
        BENCH_WORKFLOW_BUNDLE: env.workflowBundlePath,
        BENCH_ACTIVITY_SLOTS: String(scaleCase.settings.activitySlots),
        BENCH_DOCUMENTS_IN_FLIGHT: String(scaleCase.settings.documentsInFlight),
        ...scaleCase.objectStore?.env,
      },
    });
    cleanups.unshift(() => stopWorkerProcess(worker));

    const connection = await Connection.connect({ address: server.address });
    cleanups.unshift(() => connection.close());
    const client = new Client({ connection, namespace: server.namespace });

    const { settings } = scaleCase;
    const store = scaleCase.objectStore;
    const input: BatchInputJson = {
      source: store ? { url: store.sourceUrl } : { dir: scaleCase.sourceDir },
      extractor: 'local',
      outputDir: store ? store.outputUrl : path.join(caseDir, 'output'),
      ...(settings.chunkSize !== undefined ? { chunkSize: settings.chunkSize } : {}),
      concurrency: settings.concurrency,
      chunksPerRun: settings.chunksPerRun,
      cache: false,
    };
    const workflowId = `bench-${scaleCase.label}`;
    const loadAtStart = loadAverage();
    const [workerCpuAtStart, serverCpuAtStart] = await Promise.all([
      worker.pid === undefined ? null : cpuSeconds(worker.pid),
      serverPid === null ? null : cpuSeconds(serverPid),
    ]);
    const cpu = sampleCpu({ worker: worker.pid ?? null, server: serverPid });
    const started = performance.now();
    const handle = await client.workflow.start<BatchWorkflow>(DEFAULTS.workflowType, { taskQueue: TASK_QUEUE, workflowId, args: [input] });

    // A line every 20 s, so a long case shows it is moving (a query adds no history events).
    const ticker = setInterval(() => {
      handle.query(progressQuery).then(
        (p) => log(`  ${scaleCase.label}: ${p.processed.toLocaleString('en')}/${p.total.toLocaleString('en')} documents, run ${p.run}, ${Math.round((performance.now() - started) / 1000)} s`),
        () => undefined,
      );
    }, 20_000);
    let summary: Awaited<ReturnType<BatchWorkflow>> | null = null;
    let error: string | undefined;
    try {
      summary = await withTimeout(handle.result(), timeoutMs, `the batch did not finish within ${Math.round(timeoutMs / 1000)} s`);
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    } finally {
      clearInterval(ticker);
    }
    const wallMs = performance.now() - started;
    const loadAtEnd = loadAverage();
    const cpuSamples = await cpu.stop();

    // Read the peaks before anything stops: VmHWM lives only as long as the process.
    const [workerPeak, serverPeak, workerCpu, serverCpu] = await Promise.all([
      worker.pid === undefined ? null : peakRssBytes(worker.pid),
      serverPid === null ? null : peakRssBytes(serverPid),
      worker.pid === undefined ? null : cpuSeconds(worker.pid),
      serverPid === null ? null : cpuSeconds(serverPid),
    ]);
    if (error !== undefined) await handle.terminate('benchmark timed out').catch(() => undefined);
    const { runs, histories } = await runHistories(client, workflowId, handle.firstExecutionRunId);
    const phases = batchPhases(histories, Math.round(wallMs));
    const processed = summary ? summary.succeeded + summary.failed : 0;
    return {
      label: scaleCase.label,
      documents: scaleCase.documents,
      settings,
      chunkSize: summary?.chunkSize ?? settings.chunkSize ?? null,
      completed: summary?.state === 'completed' && processed === scaleCase.documents,
      ...(error !== undefined ? { error } : summary && processed !== scaleCase.documents ? { error: `processed ${processed} of ${scaleCase.documents}` } : {}),
      wallMs: Math.round(wallMs),
      docsPerSecond: Math.round((processed / wallMs) * 1000 * 10) / 10,
      succeeded: summary?.succeeded ?? 0,
      failed: summary?.failed ?? 0,
      runs,
      phases,
      maxHistoryLength: Math.max(0, ...runs.map((run) => run.historyLength)),
      workerPeakRssMb: megabytes(workerPeak),
      serverPeakRssMb: megabytes(serverPeak),
      workerCpuSeconds: workerCpu,
      serverCpuSeconds: serverCpu,
      workerBatchCpuSeconds: difference(workerCpu, workerCpuAtStart),
      serverBatchCpuSeconds: difference(serverCpu, serverCpuAtStart),
      workerPhaseCpuSeconds: phases ? phaseCpu(cpuSamples.worker, phases) : null,
      serverPhaseCpuSeconds: phases ? phaseCpu(cpuSamples.server, phases) : null,
      loadAverage: { start: loadAtStart, end: loadAtEnd },
    };
  } finally {
    for (const cleanup of cleanups) await cleanup().catch((err: unknown) => log(`cleanup: ${String(err)}`));
  }
}

/**
 * Walks the continue-as-new chain from the first run: each run's history length comes from
 * describe(), its events from fetchHistory(), and its closing event names the next run.
 */
async function runHistories(client: Client, workflowId: string, firstRunId: string) {
  const runs: RunHistory[] = [];
  const histories: HistoryEvent[][] = [];
  let runId: string | undefined = firstRunId;
  while (runId) {
    const handle = client.workflow.getHandle(workflowId, runId);
    const [description, history] = await Promise.all([handle.describe(), handle.fetchHistory()]);
    runs.push({ runId, historyLength: description.historyLength, historySizeBytes: description.historySize ?? null });
    histories.push(history.events ?? []);
    runId = await continuedAsNewRunId(client, workflowId, runId);
  }
  return { runs, histories };
}

/** The run this one continued as, from its closing event; undefined for the last run. */
async function continuedAsNewRunId(client: Client, workflowId: string, runId: string): Promise<string | undefined> {
  const closing = await client.workflowService.getWorkflowExecutionHistory({
    namespace: client.options.namespace,
    execution: { workflowId, runId },
    historyEventFilterType: CLOSE_EVENT_ONLY,
  });
  return closing.history?.events?.[0]?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
}

/** BENCH_WORKER_NODE_ARGS adds node flags to the worker only, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof". */
function workerNodeArgs(settings: BatchSettings): string[] {
  const args = (process.env.BENCH_WORKER_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== '');
  if (settings.workerHeapMb !== null) args.push(`--max-old-space-size=${settings.workerHeapMb}`);
  return args;
}


/** The same documents through the p-limit loop `times` times, one after another; the median of these and the `earlier` runs is the baseline. */
export async function runBaseline(env: BenchEnvironment, documents: number, sourceDir: string, concurrency: number, times: number, earlier: BaselineRun[] = []): Promise<BaselineResult> {
  const runs: BaselineRun[] = [...earlier];
  for (let i = 0; i < times; i++) runs.push(await runBaselineOnce(env, documents, sourceDir, concurrency));
  const wallMs = median(runs.map((run) => run.wallMs));
  return {
    documents,
    concurrency,
    wallMs,
    docsPerSecond: Math.round((documents / wallMs) * 1000 * 10) / 10,
    runs,
    peakRssMb: Math.max(...runs.map((run) => run.peakRssMb ?? 0)) || null,
  };
}

/** The middle value (the mean of the two middle ones for an even count), rounded to the ms. */
export function median(values: number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return Math.round(sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2);
}

/** The same documents through bench/scale-baseline.ts (a p-limit loop, no Temporal) in a child process. */
async function runBaselineOnce(env: BenchEnvironment, documents: number, sourceDir: string, concurrency: number): Promise<BaselineRun> {
  const dir = await mkdtemp(path.join(env.workDir, 'baseline-'));
  const loadAtStart = loadAverage();
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', baselineScript], {
      cwd: projectRoot,
      env: { ...process.env, BENCH_SOURCE_DIR: sourceDir, BENCH_RESULTS_FILE: path.join(dir, 'results.jsonl'), BENCH_CONCURRENCY: String(concurrency) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const [code] = (await once(child, 'exit')) as [number | null];
    const line = stdout.trim().split('\n').pop() ?? '';
    if (code !== 0 || !line.startsWith('{')) throw new Error(`the baseline exited with code ${code}:\n${stderr.slice(-2000)}`);
    const report = JSON.parse(line) as { documents: number; succeeded: number; wallMs: number; listingMs: number; cpuMs: number; peakRssBytes: number };
    if (report.succeeded !== documents) throw new Error(`the baseline extracted ${report.succeeded} of ${documents} documents`);
    return {
      wallMs: Math.round(report.wallMs),
      listingMs: Math.round(report.listingMs),
      cpuMs: Math.round(report.cpuMs),
      peakRssMb: megabytes(report.peakRssBytes),
      loadAverage: { start: loadAtStart, end: loadAverage() },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Samples each process's cumulative CPU time every 100 ms (and once at start and at stop) until stopped. */
function sampleCpu(pids: { worker: number | null; server: number | null }) {
  const samples: { worker: CpuSample[]; server: CpuSample[] } = { worker: [], server: [] };
  const sample = async () => {
    const at = Date.now();
    const [worker, server] = await Promise.all([pids.worker === null ? null : cpuSeconds(pids.worker), pids.server === null ? null : cpuSeconds(pids.server)]);
    if (worker !== null) samples.worker.push({ at, seconds: worker });
    if (server !== null) samples.server.push({ at, seconds: server });
  };
  let pending = sample();
  const timer = setInterval(() => {
    pending = pending.then(sample);
  }, 100);
  return {
    async stop() {
      clearInterval(timer);
      await (pending = pending.then(sample));
      return samples;
    },
  };
}

function difference(end: number | null, start: number | null): number | null {
  return end === null || start === null ? null : Math.round((end - start) * 100) / 100;
}

function loadAverage(): number[] {
  return os.loadavg().map((value) => Math.round(value * 100) / 100);
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
