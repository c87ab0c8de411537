import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EmulatorOptions } from '../src/emulator';
import { documentIdentity } from '../src/emulator/request';
import type { BatchInputJson } from '../src/batch/input';
import * as messages from '../src/batch/messages';
import type { Progress } from '../src/batch/progress';
import type { BatchSummary } from '../src/batch/summary';
import { costOf } from '../src/extraction/pricing';
import type { DocumentResult } from '../src/store/document-result';
import { readJsonLines, startBatch, testClient, uniqueId } from './helpers/batch';
import { startClaudeWorker, type ClaudeWorker } from './helpers/claude-worker';
import { documentDir } from './helpers/documents';
import { eventually } from './helpers/eventually';

/**
 * Batch mode end to end: the real workflow on the real dev server, a real worker whose activities
 * send Message Batches through @anthropic-ai/sdk to the emulator, which answers each request with
 * the code of POST /v1/messages. Short processing times and poll interval keep it to seconds.
 */
let client: Client;
let worker: ClaudeWorker | undefined;

beforeAll(async () => {
  client = await testClient();
});
afterEach(async () => {
  await worker?.stop();
  worker = undefined;
});

async function setUp(messageBatches: EmulatorOptions['messageBatches']): Promise<ClaudeWorker> {
  worker = await startClaudeWorker('batch-mode', { messageBatches });
  return worker;
}

function start(dir: string, input: Partial<BatchInputJson>): Promise<WorkflowHandle> {
  return startBatch(client, worker!.taskQueue, uniqueId('batch-mode'), {
    source: { dir },
    outputDir: path.join(dir, 'out'),
    mode: 'batch',
    cache: false,
    retry: { initialInterval: '100ms', maximumInterval: '2s' },
    messageBatches: { pollInterval: '200ms' },
    ...input,
  });
}

const progressOf = (handle: WorkflowHandle): Promise<Progress> => handle.query(messages.progressQuery);

/** Successful answers the emulator gave for each document of `dir` (realtime calls and Message Batch requests alike). */
async function answersPerDocument(dir: string): Promise<Map<string, number>> {
  const answers = new Map<string, number>();
  for (const name of (await readdir(dir)).filter((file) => file.endsWith('.txt'))) {
    const id = documentIdentity(await readFile(path.join(dir, name)));
    answers.set(name, worker!.emulator.callsFor(id).filter((entry) => entry.status === 200).length);
  }
  return answers;
}

/** results.jsonl: one line per document of the manifest, each path once. */
async function resultsOf(summary: BatchSummary): Promise<DocumentResult[]> {
  const results = await readJsonLines<DocumentResult>(summary.files.results);
  expect(new Set(results.map((result) => result.path)).size).toBe(results.length);
  expect(results.map((result) => result.index)).toEqual(results.map((_, index) => index));
  return results;
}

describe('batch mode end to end (emulated Message Batches)', () => {
  it('completes a 1,000-document batch with every document exactly once in results.jsonl, sent once, at the batch price', async () => {
    await setUp({ processingMs: 3000, concurrency: 16 });
    const dir = await documentDir(1000);
    const handle = await start(dir, { chunkSize: 100, concurrency: 10 });
    // While Message Batches wait: progress lists them, the Web UI's current details show the mode and them.
    const waiting = await eventually(async () => {
      const progress = await progressOf(handle);
      expect(progress.messageBatches?.waitingBatches.length, JSON.stringify(progress)).toBeGreaterThan(0);
      const { currentDetails } = await handle.query<temporal.api.sdk.v1.IWorkflowMetadata>('__temporal_workflow_metadata');
      expect(currentDetails).toContain('mode batch');
      expect(currentDetails, currentDetails ?? '').toMatch(/Message Batches: \d+ submitted · 0 resubmitted · \d+ waiting at Anthropic in \d+ Message Batch/);
      expect(currentDetails, currentDetails ?? '').toMatch(/- msgbatch_\w+ \(chunk \d+\): 100 documents, .* old, expires in 2[34]h \d\dm/);
      return progress;
    }, 60_000, 50);
    expect(waiting.mode).toBe('batch');
    expect(waiting.messageBatches!.waitingBatches[0]!.id).toMatch(/^msgbatch_/);

    const summary = (await handle.result()) as BatchSummary;
    expect(summary).toMatchObject({ state: 'completed', total: 1000, succeeded: 1000, failed: 0, notProcessed: 0 });
    const results = await resultsOf(summary);
    expect(results).toHaveLength(1000);
    expect(results.every((result) => result.status === 'succeeded' && result.data !== null)).toBe(true);
    expect(new Set(results.map((result) => path.basename(result.path)))).toEqual(new Set(await readdir(dir).then((names) => names.filter((n) => n.endsWith('.txt')))));

    // Every document answered once, in a Message Batch; no realtime call, no second submission.
    const log = worker!.emulator.log;
    expect(log.filter((entry) => entry.via === 'messages')).toEqual([]);
    expect([...(await answersPerDocument(dir)).values()].every((answers) => answers === 1)).toBe(true);
    expect(worker!.emulator.messageBatches.list().reduce((sum, batch) => sum + batch.requests.length, 0)).toBe(1000);

    // Each document's cost is its tokens as the emulator counted them, at the Message Batches price.
    for (const result of results) {
      const [answer] = worker!.emulator.callsFor(documentIdentity(await readFile(result.path))).filter((entry) => entry.status === 200);
      expect(answer!.via).toBe('message-batch');
      expect(result.usage!.costUsd).toBe(costOf(answer!.model!, answer!, { batch: true }));
    }
    expect(summary.usage.costUsd).toBeCloseTo(results.reduce((sum, result) => sum + result.usage!.costUsd, 0), 6);
    expect(summary.usage.costUsd).toBeGreaterThan(0);

    const progress = await progressOf(handle);
    expect(progress.messageBatches).toMatchObject({ submitted: 1000, resubmitted: 0, waiting: 0 });
    expect(progress.messageBatches!.turnaroundMs).toBeGreaterThan(0);
  });

  it('sends expired and errored requests again in further rounds; a document whose resubmits run out gets one realtime call', async () => {
    // A fifth of requests meet a server error, a tenth expire (the 24 hours last 3 s here); drawn per custom_id, so a resent request draws again.
    await setUp({ processingMs: 300, erroredShare: 0.2, expiredShare: 0.1, timeScale: 86_400 / 3 });
    const dir = await documentDir(60);
    const handle = await start(dir, { chunkSize: 20, concurrency: 3, messageBatches: { pollInterval: '200ms', resubmits: 2, whenResubmitsRunOut: 'realtime' } });
    const summary = (await handle.result()) as BatchSummary;
    expect(summary).toMatchObject({ state: 'completed', total: 60, succeeded: 60, failed: 0 });
    expect(await resultsOf(summary)).toHaveLength(60);

    const progress = await progressOf(handle);
    expect(progress.messageBatches!.submitted).toBe(60);
    expect(progress.messageBatches!.resubmitted).toBeGreaterThan(0);
    // More Message Batches than chunks: the resubmission rounds.
    const batches = worker!.emulator.messageBatches.list();
    expect(batches.length).toBeGreaterThan(3);
    expect(batches.reduce((sum, batch) => sum + batch.requests.length, 0)).toBe(60 + progress.messageBatches!.resubmitted);
    // An errored or expired request was never answered: each document got exactly one answer, in a
    // Message Batch or, after three bad rounds, in its realtime call.
    expect([...(await answersPerDocument(dir)).values()].every((answers) => answers === 1)).toBe(true);
    const realtime = worker!.emulator.log.filter((entry) => entry.via === 'messages' && entry.status === 200).length;
    expect(batches.reduce((sum, batch) => sum + batch.settled.filter((line) => line.result.type === 'succeeded').length, 0) + realtime).toBe(60);
  });

  it('cancel mid-flight cancels the Message Batches at Anthropic, keeps the results that finished and writes the partial report', async () => {
    // 40 requests answered over 8 s, one at a time: cancelled after a few.
    await setUp({ processingMs: 8000, concurrency: 1 });
    const dir = await documentDir(60);
    const handle = await start(dir, { chunkSize: 40, concurrency: 1 });
    const [batch] = await eventually(async () => {
      const listed = worker!.emulator.messageBatches.list();
      expect(listed).toHaveLength(1);
      expect(listed[0]!.settled.length).toBeGreaterThanOrEqual(3);
      return listed;
    }, 60_000, 20);
    await handle.executeUpdate(messages.cancelUpdate, { args: [{ reason: 'wrong folder' }] });
    const summary = (await handle.result()) as BatchSummary;
    expect(summary).toMatchObject({ state: 'cancelled', reason: 'wrong folder', total: 60 });

    // Cancelled at Anthropic and ended there; the second chunk was never submitted.
    const ended = worker!.emulator.messageBatches.get(batch!.id)!;
    expect(ended.status).toBe('ended');
    expect(ended.cancelInitiatedAt).toBeDefined();
    expect(worker!.emulator.messageBatches.list()).toHaveLength(1);
    const answered = ended.settled.filter((line) => line.result.type === 'succeeded').length;
    const canceled = ended.settled.filter((line) => line.result.type === 'canceled').length;
    expect(answered).toBeGreaterThanOrEqual(3);
    expect(canceled).toBeGreaterThan(0);
    expect(answered + canceled).toBe(40);

    // What finished was billed: it is in the report; the canceled ones and the unsent chunk are not_processed.
    const results = await resultsOf(summary);
    expect(results).toHaveLength(60);
    expect(results.filter((result) => result.status === 'succeeded')).toHaveLength(answered);
    expect(results.filter((result) => result.status === 'not_processed')).toHaveLength(60 - answered);
    expect(summary).toMatchObject({ succeeded: answered, notProcessed: 60 - answered });
    const progress = await progressOf(handle);
    expect(progress.messageBatches).toMatchObject({ submitted: 40, waiting: 0 });
  });
});
