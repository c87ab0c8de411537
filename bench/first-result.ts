/**
 * `npm run bench:first-result`: how long a large batch takes from `start` to its first extracted
 * document, on local disk and in a bucket, beside the time a plain loop takes to list the same
 * source (the baseline: what "waiting for planning" would cost). The batch is terminated once its
 * first documents are in; the table also shows the worker's RSS and live heap by then.
 *
 *   npm run bench:first-result -- --documents 1000000 --storage local,s3
 */
import { heapFlags } from '../bin/heap.js';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { glob } from 'tinyglobby';
import { progressQuery } from '../src/batch/messages';
import type { BatchInputJson } from '../src/batch/input';
import { DEFAULTS } from '../src/env';
import { ensureTemporalCli } from '../src/temporal/binary';
import { startDevServer } from '../src/temporal/dev-server';
import { workflowsPath } from '../src/worker';
import { benchDocuments } from './documents';
import { benchObjectStore } from './object-store';
import { megabytes, peakRssBytes } from './process-stats';
import { startWorkerProcess, stopWorkerProcess } from './worker-process';

const { values } = parseArgs({
  options: {
    documents: { type: 'string', default: '1000000' },
    storage: { type: 'string', default: 'local,s3' },
    'docs-dir': { type: 'string', default: path.join(os.tmpdir(), 'docbatch-bench-docs') },
  },
});
const documents = Number(values.documents);
const storages = values.storage.split(',');
const log = (message: string) => process.stderr.write(`${message}\n`);
const workerScript = fileURLToPath(new URL('./scale-worker.ts', import.meta.url));
const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));

interface Row {
  storage: string;
  documents: number;
  firstResultMs: number;
  listedAtFirstResult: number;
  workerRssMbAtFirst: number | null;
  workerPeakRssMb: number | null;
  baselineListingMs: number;
}

const cli = await ensureTemporalCli({ log });
const sourceDir = await benchDocuments(values['docs-dir'], documents, log);
const workDir = await mkdtemp(path.join(os.tmpdir(), 'docbatch-first-'));
const bundle = await bundleWorkflowCode({ workflowsPath, logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} } });
const bundlePath = path.join(workDir, 'bundle.js');
await writeFile(bundlePath, bundle.code);

// The baseline: a plain listing of the folder (tinyglobby), which a plan-then-extract tool waits for.
const listingStarted = performance.now();
await glob(['**/*'], { cwd: sourceDir, onlyFiles: true });
const baselineListingMs = Math.round(performance.now() - listingStarted);

const rows: Row[] = [];
const objectStore = storages.includes('s3') ? await benchObjectStore(values['docs-dir'], log) : undefined;
for (const storage of storages) {
  const caseDir = await mkdtemp(path.join(workDir, `${storage}-`));
  const server = await startDevServer({ dbFile: path.join(caseDir, 'temporal.db'), headless: true, cliPath: cli.path, namespace: DEFAULTS.temporalNamespace, log });
  const store = storage === 's3' ? await objectStore!.source(documents, sourceDir) : undefined;
  const worker = await startWorkerProcess({
    script: workerScript,
    name: 'worker',
    log,
    nodeArgs: heapFlags([], ''),
    env: {
      BENCH_TEMPORAL_ADDRESS: server.address,
      BENCH_TASK_QUEUE: 'first-result',
      BENCH_WORKFLOW_BUNDLE: bundlePath,
      BENCH_ACTIVITY_SLOTS: String(DEFAULTS.maxConcurrentActivities),
      BENCH_DOCUMENTS_IN_FLIGHT: '64',
      ...store?.env,
    },
  });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, namespace: server.namespace });
  const input: BatchInputJson = {
    source: store ? { url: store.sourceUrl } : { dir: sourceDir },
    outputDir: store ? store.outputUrl : path.join(caseDir, 'output'),
    extractor: 'local',
    cache: false,
  };
  const started = performance.now();
  const handle = await client.workflow.start(DEFAULTS.workflowType, { taskQueue: 'first-result', workflowId: `first-${storage}`, args: [input] });
  let firstResultMs = NaN;
  let listed = 0;
  for (;;) {
    const progress = await handle.query(progressQuery).catch(() => null);
    if (progress && progress.processed > 0) {
      firstResultMs = Math.round(performance.now() - started);
      listed = progress.total;
      break;
    }
    if (performance.now() - started > 10 * 60_000) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const rssAtFirst = worker.pid === undefined ? null : await currentRssMb(worker.pid);
  log(`${storage}: first result after ${(firstResultMs / 1000).toFixed(1)} s, ${listed.toLocaleString('en')} documents listed by then`);
  // A few more seconds of extraction while the listing goes on, for the peak.
  await new Promise((resolve) => setTimeout(resolve, 15_000));
  const peak = worker.pid === undefined ? null : megabytes(await peakRssBytes(worker.pid));
  await handle.terminate('benchmark: first result measured').catch(() => undefined);
  await stopWorkerProcess(worker);
  await connection.close();
  await server.stop();
  rows.push({ storage, documents, firstResultMs, listedAtFirstResult: listed, workerRssMbAtFirst: rssAtFirst, workerPeakRssMb: peak, baselineListingMs });
  await rm(caseDir, { recursive: true, force: true });
}
await objectStore?.stop();
await rm(workDir, { recursive: true, force: true });

const header = '| storage | documents | first result s | listed by then | worker RSS at first MB | worker peak RSS (15 s later) MB | plain listing of the folder s |';
const lines = rows.map(
  (row) =>
    `| ${row.storage} | ${row.documents.toLocaleString('en')} | ${(row.firstResultMs / 1000).toFixed(1)} | ${row.listedAtFirstResult.toLocaleString('en')} | ${row.workerRssMbAtFirst ?? '?'} | ${row.workerPeakRssMb ?? '?'} | ${(row.baselineListingMs / 1000).toFixed(1)} |`,
);
process.stdout.write(`\n${header}\n|---|---:|---:|---:|---:|---:|---:|\n${lines.join('\n')}\n`);
await mkdir(resultsDir, { recursive: true });
await writeFile(path.join(resultsDir, `first-result-${new Date().toISOString().replace(/[:.]/g, '-')}.json`), JSON.stringify({ documents, rows, loadAverage: os.loadavg() }, null, 2) + '\n');

async function currentRssMb(pid: number): Promise<number | null> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return Number.isFinite(kb) ? Math.round(kb / 1024) : null;
}
