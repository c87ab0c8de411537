/**
 * The docbatch variants of bench/ratelimit: a real batch through a real Temporal dev server and
 * real worker processes (bench/fixtures/ratelimit-worker.ts, each with its own limiter), the
 * Anthropic extractor talking to the emulator over HTTP.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { DEFAULTS } from '../src/env';
import type { BatchSummary } from '../src/batch/summary';
import { startDevServer, type TemporalServer } from '../src/temporal/dev-server';
import type { BatchWorkflow } from '../src/batch/workflow';
import type { BatchInputJson } from '../src/batch/input';
import { progressQuery } from '../src/batch/messages';
import { pidsWithCommandLine } from './process-stats';
import { startWorkerProcess, stopWorkerProcess } from './worker-process';

const workerScript = fileURLToPath(new URL('./fixtures/ratelimit-worker.ts', import.meta.url));
const TASK_QUEUE = 'docbatch-ratelimit-bench';

export interface DocbatchEnvironment {
  cliPath: string;
  /** A prebuilt workflow bundle, so worker children do not each bundle the workflows. */
  workflowBundlePath: string;
  /** A folder per variant (server database, batch output) is made under this one and removed after. */
  workDir: string;
  /** The documents' directory (the batch's source). */
  docsDir: string;
  documents: number;
  /**
   * The batch fails the variant (rather than the bench) after this long: several times what it
   * needs at the limit. Default: 10 minutes, or 600 ms a document when longer.
   */
  timeoutMs?: number;
  log: (message: string) => void;
}

export interface DocbatchSettings {
  workers: number;
  /** Documents per chunk activity; undefined: the batch input's default. */
  chunkSize?: number | undefined;
  /** Chunk activities the workflow keeps in flight; undefined: the batch input's default. */
  concurrency?: number | undefined;
  /** Each worker's maxConcurrentActivityTaskExecutions; undefined: the worker's default. */
  slotsPerWorker?: number | undefined;
  /** The workers' maxTaskQueueActivitiesPerSecond (server-enforced, batch-wide); none when undefined. */
  maxActivitiesPerSecond?: number | undefined;
  /** More batch input (bench/message-batches: `mode`, `messageBatches`). */
  input?: Partial<BatchInputJson> | undefined;
}

export interface LimiterSample {
  worker: number;
  at: number;
  requestsPerMinute: number;
  requestsLimit: number | null;
  /** The input-token pace and limit, once the headers said it (null while the account has none). */
  inputTokensPerMinute?: number | null;
  inputTokensLimit?: number | null;
  /** The limiter's Little's-law estimate of documents to keep in flight, and the latency it saw. */
  documentsInFlight?: number;
  latencyMs?: number | null;
  pausedForMs: number;
  /** The worker's event-loop delay over the last second (p50, p99, max ms). */
  eventLoopDelayMs?: { p50: number; p99: number; max: number };
}

/** A started server and workers, ready for the batch (started before the clock, like a fleet that is already up). */
export interface DocbatchFleet {
  run(): Promise<{ startedAt: number; summary: BatchSummary | null; error?: string; activityRetries: number }>;
  limiterTrace: LimiterSample[];
  /** The worker processes and the dev server, for their CPU time. */
  pids: { workers: number[]; server: number | null };
  stop(): Promise<void>;
}

export async function startDocbatchFleet(env: DocbatchEnvironment, settings: DocbatchSettings, emulatorUrl: string, apiKey: string, label: string): Promise<DocbatchFleet> {
  const { log } = env;
  const caseDir = await mkdtemp(path.join(env.workDir, `${label}-`));
  const cleanups: Array<() => Promise<unknown>> = [() => rm(caseDir, { recursive: true, force: true })];
  const limiterTrace: LimiterSample[] = [];
  const stop = async () => {
    for (const cleanup of cleanups) await cleanup().catch((error: unknown) => log(`cleanup: ${String(error)}`));
    cleanups.length = 0;
  };
  try {
    const dbFile = path.join(caseDir, 'temporal.db');
    const server: TemporalServer = await startDevServer({ dbFile, headless: true, cliPath: env.cliPath, namespace: DEFAULTS.temporalNamespace, log });
    cleanups.unshift(() => server.stop());
    const serverPid = (await pidsWithCommandLine(dbFile)).find((pid) => pid !== process.pid) ?? null;
    const workers = await Promise.all(
      Array.from({ length: settings.workers }, (_, index) =>
        startWorkerProcess({
          script: workerScript,
          name: `worker ${index}`,
          log,
          onLine: (line) => {
            if (line.startsWith('[limiter] ')) limiterTrace.push({ worker: index, ...(JSON.parse(line.slice('[limiter] '.length)) as Omit<LimiterSample, 'worker'>) });
          },
          env: {
            BENCH_TEMPORAL_ADDRESS: server.address,
            BENCH_TASK_QUEUE: TASK_QUEUE,
            BENCH_WORKFLOW_BUNDLE: env.workflowBundlePath,
            ...(settings.slotsPerWorker ? { BENCH_ACTIVITY_SLOTS: String(settings.slotsPerWorker) } : {}),
            ANTHROPIC_API_KEY: apiKey,
            ANTHROPIC_BASE_URL: emulatorUrl,
            DOCBATCH_HOME: path.join(caseDir, 'home'),
            ...(settings.maxActivitiesPerSecond ? { DOCBATCH_MAX_ACTIVITIES_PER_SECOND: String(settings.maxActivitiesPerSecond) } : {}),
          },
        }),
      ),
    );
    for (const worker of workers) cleanups.unshift(() => stopWorkerProcess(worker, 20_000));
    const connection = await Connection.connect({ address: server.address });
    cleanups.unshift(() => connection.close());
    const client = new Client({ connection, namespace: server.namespace });

    const input: BatchInputJson = {
      source: { dir: env.docsDir },
      extractor: 'anthropic',
      outputDir: path.join(caseDir, 'output'),
      ...(settings.chunkSize ? { chunkSize: settings.chunkSize } : {}),
      ...(settings.concurrency ? { concurrency: settings.concurrency } : {}),
      cache: false,
      ...settings.input,
    };
    const run: DocbatchFleet['run'] = async () => {
      const workflowId = `ratelimit-${label}`;
      const startedAt = Date.now();
      const handle = await client.workflow.start<BatchWorkflow>(DEFAULTS.workflowType, { taskQueue: TASK_QUEUE, workflowId, args: [input] });
      const ticker = setInterval(() => {
        handle.query(progressQuery).then(
          (p) => log(`  ${label}: ${p.processed}/${p.total} documents, ${p.chunks.inFlight} chunks (${p.inFlight} documents) in flight, ${Math.round((Date.now() - startedAt) / 1000)} s`),
          () => undefined,
        );
      }, 15_000);
      const timeoutMs = env.timeoutMs ?? Math.max(10 * 60_000, env.documents * 600);
      let timer: NodeJS.Timeout | undefined;
      try {
        const summary = await Promise.race([
          handle.result(),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`the batch did not finish within ${timeoutMs / 1000} s`)), timeoutMs);
          }),
        ]);
        return { startedAt, summary, activityRetries: await activityRetries(client, workflowId) };
      } catch (error) {
        await handle.terminate('benchmark timed out').catch(() => undefined);
        return { startedAt, summary: null, error: error instanceof Error ? error.message : String(error), activityRetries: 0 };
      } finally {
        clearInterval(ticker);
        clearTimeout(timer);
      }
    };
    const pids = { workers: workers.flatMap((worker) => (worker.pid === undefined ? [] : [worker.pid])), server: serverPid };
    return { run, limiterTrace, pids, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Chunk attempts beyond the first, from the workflow's history: a retried activity's started
 * event carries its last attempt number, so the sum of (attempt - 1) counts every retry.
 */
async function activityRetries(client: Client, workflowId: string): Promise<number> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).reduce((sum, event) => sum + Math.max(0, (event.activityTaskStartedEventAttributes?.attempt ?? 1) - 1), 0);
}

