import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DocumentResult } from '../src/store/document-result';
import { readSummary } from '../src/store/report';
import { createFileResultCache } from '../src/store/result-cache';
import type { BatchSummary } from '../src/batch/summary';
import * as messages from '../src/batch/messages';
import { readJsonLines, startBatch, startTestWorker, tempDir, testClient, uniqueId } from './helpers/batch';
import { documentDir } from './helpers/documents';
import { eventually } from './helpers/eventually';
import { countingExtractor } from './helpers/extractors';

const taskQueue = uniqueId('lifecycle');
const extractor = countingExtractor(20);
let client: Client;
let stop: () => Promise<void>;
let cacheDir: string;

beforeAll(async () => {
  cacheDir = await tempDir('cache');
  ({ stop } = await startTestWorker({ taskQueue, activityDeps: { extractorFor: () => extractor, resultCache: createFileResultCache(cacheDir) } }));
  client = await testClient();
});
afterAll(async () => stop?.());

describe('a long batch continues as new', () => {
  it('hands over between runs without losing a signal, and progress carries across runs', async () => {
    const handle = await startBatch(client, taskQueue, uniqueId('can'), {
      source: { dir: await documentDir(40) },
      outputDir: await tempDir('can-out'),
      chunkSize: 2,
      concurrency: 2,
      chunksPerRun: 3,
      cache: false,
    });
    // Signals fired back to back while runs hand over: the last priority and the resume must land.
    const priorities = [1, 4, 2, 5, 3, 2, 4, 1, 5, 2];
    for (const priority of priorities) {
      await handle.signal(messages.setPrioritySignal, { priority });
      await handle.signal(messages.pauseSignal, { reason: `pause before ${priority}` });
      await handle.signal(messages.resumeSignal, {});
    }
    const summary = await handle.result();
    expect(summary).toMatchObject({ state: 'completed', total: 40, succeeded: 40 });
    // 20 chunks, at most 3 started per run (+1 finishing while the run drains): at least 5 runs.
    expect(summary.runs).toBeGreaterThanOrEqual(5);
    const progress = await handle.query(messages.progressQuery);
    expect(progress).toMatchObject({ state: 'completed', processed: 40, priority: 2, run: summary.runs });
    const results = await readJsonLines<DocumentResult>(summary.files.results);
    expect(new Set(results.map((result) => result.path)).size).toBe(40);
    // The runs form a continue-as-new chain; every earlier run ended by handing over.
    const first = await client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId).describe();
    expect(first.status.name).toBe('CONTINUED_AS_NEW');
  });
});

describe('failure tolerance', () => {
  it('stops scheduling once failures pass the tolerated share, writes the report and fails with the reason', async () => {
    // 6 good documents, then 14 empty ones, 2 per chunk, one chunk at a time: 2 failures are within
    // 10% of 20; the next chunk makes 4 (20%), and the batch stops there.
    const handle = await startBatch(client, taskQueue, uniqueId('tolerance'), {
      source: { dir: await documentDir(6, 14) },
      outputDir: await tempDir('tolerance-out'),
      chunkSize: 2,
      concurrency: 1,
      toleratedFailurePercent: 10,
      cache: false,
    });
    const failure = (await handle.result().then(() => null, (e: unknown) => e)) as WorkflowFailedError;
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const cause = failure.cause as ApplicationFailure;
    expect(cause.type).toBe('FailureToleranceExceeded');
    expect(cause.message).toMatch(/4 of 20 documents failed \(20\.0%\), more than the tolerated 10%/);
    const summary = cause.details?.[0] as BatchSummary;
    expect(summary).toMatchObject({ state: 'failed', succeeded: 6, failed: 4, notProcessed: 10 });
    expect(await readSummary(summary.outputDir)).toMatchObject({ state: 'failed', reason: cause.message });
  });
});

describe('the result cache', () => {
  it('skips extraction of documents it has seen with the same settings, unless the batch turns it off', async () => {
    const source = await documentDir(6);
    const calls = () => [...extractor.calls.entries()].filter(([file]) => file.startsWith(source)).reduce((sum, [, n]) => sum + n, 0);
    const outputDir = await tempDir('cache-out');
    const run = async (cache: boolean) =>
      (await startBatch(client, taskQueue, uniqueId('cache'), { source: { dir: source }, outputDir, chunkSize: 3, cache })).result();

    const first = await run(true);
    expect(first).toMatchObject({ succeeded: 6, cached: 0 });
    expect(calls()).toBe(6);

    const second = await run(true);
    expect(second).toMatchObject({ succeeded: 6, cached: 6 });
    expect(second.usage.costUsd).toBe(0);
    expect(calls()).toBe(6);
    const results = await readJsonLines<DocumentResult>(second.files.results);
    expect(results.every((result) => result.cached && result.data !== null)).toBe(true);
    const firstResults = await readJsonLines<DocumentResult>(first.files.results);
    expect(results.map((result) => result.data)).toEqual(firstResults.map((result) => result.data));

    const uncached = await run(false);
    expect(uncached).toMatchObject({ succeeded: 6, cached: 0 });
    expect(calls()).toBe(12);
  });
});

describe('redrive', () => {
  it('links a batch of the failed documents to the batch it redrives, in both summaries', async () => {
    const outputDir = await tempDir('redrive-out');
    const original = await (
      await startBatch(client, taskQueue, uniqueId('original'), { source: { dir: await documentDir(3, 2) }, outputDir, cache: false })
    ).result();
    expect(original.failed).toBe(2);
    const failed = await readJsonLines<{ path: string }>(original.files.failures);
    const manifest = path.join(outputDir, 'redrive.txt');
    await writeFile(manifest, failed.map((failure) => failure.path).join('\n') + '\n');

    const redriveId = uniqueId('redrive');
    const redrive = await (
      await startBatch(client, taskQueue, redriveId, { source: { manifest }, outputDir, redriveOf: original.batchId, cache: false })
    ).result();
    expect(redrive).toMatchObject({ total: 2, redriveOf: original.batchId });
    expect((await readSummary(original.outputDir))?.redrivenBy).toEqual([redriveId]);
  });
});

describe('processing order', () => {
  it('runs the largest documents first when asked', async () => {
    const dir = await documentDir(0);
    for (const [name, size] of [['a.txt', 10], ['b.txt', 300], ['c.txt', 100]] as const) {
      await writeFile(path.join(dir, name), `Invoice number: INV-${name}\nTotal: 12.00 EUR\n`.padEnd(size, ' '));
    }
    const handle = await startBatch(client, taskQueue, uniqueId('order'), { source: { dir }, outputDir: await tempDir('order-out'), order: 'largest', cache: false });
    const summary = await handle.result();
    const manifest = await readJsonLines<{ path: string }>(summary.files.manifest);
    expect(manifest.map((entry) => path.basename(entry.path))).toEqual(['b.txt', 'c.txt', 'a.txt']);
    await eventually(async () => expect((await handle.query(messages.progressQuery)).state).toBe('completed'));
  });
});
