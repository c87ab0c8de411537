import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Anthropic from '@anthropic-ai/sdk';
import type { BatchCreateParams } from '@anthropic-ai/sdk/resources/messages/batches';
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { afterEach, describe, expect, it } from 'vitest';
import { awaitMessageBatch } from '../src/activities/await-message-batch';
import { cancelMessageBatch } from '../src/activities/cancel-message-batch';
import { collectChunk } from '../src/activities/collect-chunk';
import { createAnthropicFor, createExtractorFor } from '../src/activities/extractor-for';
import type { MessageBatchDeps } from '../src/activities/message-batch-tools';
import { submitChunk } from '../src/activities/submit-chunk';
import { extractionSettingsSchema } from '../src/batch/activities';
import type { CollectChunkInput, MessageBatchRef, SubmitChunkInput } from '../src/batch/message-batches';
import { startEmulator, type Emulator, type EmulatorOptions } from '../src/emulator';
import { costOf } from '../src/extraction/pricing';
import { parseCustomId } from '../src/extraction/message-batches/custom-id';
import { readJournal } from '../src/store/journal';
import { readManifestChunk, writeManifest } from '../src/store/manifest';
import { readSubmissions, recordAttempt } from '../src/store/message-batch-records';
import { chunkJournalPath, messageBatchRecordsPath } from '../src/store/paths';
import { tempDir } from './helpers/batch';
import { documentDir } from './helpers/documents';

/**
 * Batch mode's activities one at a time (Temporal's MockActivityEnvironment: real Context and
 * heartbeats, no server) against the emulator's Message Batches API through the real SDK.
 */
let emulator: Emulator | undefined;
afterEach(async () => {
  await emulator?.stop();
  emulator = undefined;
});

async function setUp(documents: number, options: EmulatorOptions = {}, limits?: MessageBatchDeps['messageBatchLimits']) {
  emulator = await startEmulator({ validKeys: ['batch-key'], latency: { minMs: 1, maxMs: 5 }, ...options, messageBatches: { processingMs: 150, ...options.messageBatches } });
  const env = { ANTHROPIC_API_KEY: 'batch-key', ANTHROPIC_BASE_URL: emulator.url };
  // The create bodies as sent (the emulator drops a request's params once it is answered).
  const creates: BatchCreateParams[] = [];
  const recordingFetch: typeof fetch = async (url, init) => {
    const href = typeof url === 'string' ? url : url instanceof URL ? url.href : url.url;
    if (init?.method === 'POST' && href.endsWith('/v1/messages/batches') && typeof init.body === 'string') creates.push(JSON.parse(init.body) as BatchCreateParams);
    return fetch(url, init);
  };
  const client = new Anthropic({ apiKey: 'batch-key', baseURL: emulator.url, maxRetries: 0, fetch: recordingFetch });
  const deps: MessageBatchDeps = {
    extractorFor: createExtractorFor(env),
    anthropicFor: createAnthropicFor(env),
    messageBatchesClient: async () => client,
    resultCache: null,
    now: () => Date.now(),
    ...(limits ? { messageBatchLimits: limits } : {}),
  };
  const dir = await documentDir(documents);
  const batchDir = await tempDir('mb-activities');
  const names = (await readdir(dir)).sort();
  await writeManifest(batchDir, names.map((name, index) => ({ index, path: path.join(dir, name), sizeBytes: 1 })), documents);
  const input: SubmitChunkInput = {
    batchId: 'b',
    batchDir,
    chunkIndex: 0,
    chunkSize: documents,
    round: 0,
    settings: extractionSettingsSchema.parse({ extractor: 'anthropic', cache: false }),
  };
  return { deps, input, batchDir, creates, paths: names.map((name) => path.join(dir, name)) };
}

const run = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> =>
  new MockActivityEnvironment({ heartbeatTimeoutMs: 10_000 }).run<A, R, (...args: A) => Promise<R>>(fn, ...args);

/** awaitMessageBatch until it stops failing with MessageBatchInProgress (what the workflow's retry policy does). */
async function awaitEnded(deps: MessageBatchDeps, ref: MessageBatchRef) {
  for (let checks = 1; ; checks++) {
    try {
      return { ...(await run(awaitMessageBatch, deps, { id: ref.id })), checks };
    } catch (error) {
      if (!(error instanceof ApplicationFailure) || error.type !== 'MessageBatchInProgress' || error.nonRetryable) throw error;
      await sleep(50);
    }
  }
}

const collectInput = (input: SubmitChunkInput, messageBatches: MessageBatchRef[], resubmits = 2, whenResubmitsRunOut: 'realtime' | 'fail' = 'realtime'): CollectChunkInput => ({
  ...input,
  messageBatches,
  resubmits,
  whenResubmitsRunOut,
});

const batchCreates = () => emulator!.messageBatches.list().length;

describe('submitChunk, awaitMessageBatch, collectChunk', () => {
  it('send every document once in a Message Batch, wait for it, and journal each result at the batch price', async () => {
    const { deps, input, batchDir, paths, creates } = await setUp(6, { messageBatches: { processingMs: 1500 } });
    const submitted = await run(submitChunk, deps, input);
    expect(submitted.messageBatches).toHaveLength(1);
    const [ref] = submitted.messageBatches;
    expect(ref).toMatchObject({ chunkIndex: 0, requests: 6 });

    // What went to Anthropic: the realtime call's params with a 1-hour cache TTL, custom ids <token>-<index>.
    const [group] = await readSubmissions(batchDir, 0);
    expect(creates).toHaveLength(1);
    expect(creates[0]!.requests.map((request) => parseCustomId(request.custom_id))).toEqual(paths.map((_, index) => ({ token: group!.intent.token, index })));
    const { params } = creates[0]!.requests[0]!;
    expect(params.system).toEqual([expect.objectContaining({ type: 'text', cache_control: { type: 'ephemeral', ttl: '1h' } })]);
    expect(params.output_config).toMatchObject({ format: { type: 'json_schema' } });
    expect(params.model).toBe('claude-haiku-4-5');

    // Submitted again (a retried attempt): the recorded Message Batch, no second create.
    expect((await run(submitChunk, deps, input)).messageBatches).toEqual(submitted.messageBatches);
    expect(batchCreates()).toBe(1);

    const ended = await awaitEnded(deps, ref!);
    expect(ended.checks).toBeGreaterThan(1);
    expect(ended.requestCounts).toEqual({ succeeded: 6, errored: 0, canceled: 0, expired: 0 });

    const collected = await run(collectChunk, deps, collectInput(input, submitted.messageBatches));
    expect(collected).toMatchObject({ chunkIndex: 0, succeeded: 6, failed: 0, resubmit: 0, extractedNow: 6 });
    const journal = await readJournal(batchDir, 0);
    expect([...journal.values()].map((result) => result.path).sort()).toEqual(paths);
    for (const result of journal.values()) {
      expect(result).toMatchObject({ status: 'succeeded', model: 'claude-haiku-4-5' });
      expect(result.data).toMatchObject({ invoiceNumber: expect.any(String) });
      // Half of what the same tokens cost in realtime.
      const realtime = costOf('claude-haiku-4-5', { ...result.usage!, cacheWrite1hTokens: result.usage!.cacheWriteTokens });
      expect(result.usage!.costUsd).toBeCloseTo(realtime / 2, 6);
      expect(result.usage!.costUsd).toBeGreaterThan(0);
    }
    // No realtime call was made.
    expect(emulator!.log.filter((entry) => entry.via === 'messages')).toHaveLength(0);

    // Collected again: nothing is journaled twice.
    expect(await run(collectChunk, deps, collectInput(input, submitted.messageBatches))).toMatchObject({ succeeded: 6, extractedNow: 0, resubmit: 0 });
    expect((await readFile(chunkJournalPath(batchDir, 0), 'utf8')).split('\n').filter(Boolean)).toHaveLength(6);
  }, 60_000);

  it('groups a chunk into several Message Batches within the limits, and settles broken documents without Claude', async () => {
    const { deps, input, batchDir } = await setUp(7, {}, { maxRequests: 3, maxBytes: 10_000_000 });
    const manifestDir = path.dirname((await readJournalPaths(batchDir))[0]!);
    await writeFile(path.join(manifestDir, 'doc-002.txt'), '');
    const submitted = await run(submitChunk, deps, input);
    expect(submitted.messageBatches.map((ref) => ref.requests)).toEqual([3, 3]);
    const journal = await readJournal(batchDir, 0);
    expect([...journal.values()].map((result) => [result.index, result.status, result.error?.type])).toEqual([[2, 'failed', 'empty']]);
    for (const ref of submitted.messageBatches) await awaitEnded(deps, ref);
    expect(await run(collectChunk, deps, collectInput(input, submitted.messageBatches))).toMatchObject({ succeeded: 6, failed: 1, resubmit: 0 });
  }, 60_000);

  it('repairs an invalid answer from a Message Batch with a realtime repair turn', async () => {
    const { deps, input, batchDir } = await setUp(3);
    emulator!.addFault({ kind: 'invalid_output', count: 1 });
    const submitted = await run(submitChunk, deps, input);
    await awaitEnded(deps, submitted.messageBatches[0]!);
    expect(await run(collectChunk, deps, collectInput(input, submitted.messageBatches))).toMatchObject({ succeeded: 3, failed: 0 });
    const repairs = emulator!.log.filter((entry) => entry.via === 'messages');
    expect(repairs.map((entry) => entry.turn)).toEqual(['repair']);
    // The repaired document paid its batch answer and its realtime repair turn.
    const journal = [...(await readJournal(batchDir, 0)).values()];
    const repaired = journal.find((result) => result.usage!.outputTokens > Math.min(...journal.map((other) => other.usage!.outputTokens)) * 1.5);
    expect(repaired).toBeDefined();
  }, 60_000);
});

describe('submitChunk after a worker died around create', () => {
  it('adopts the Message Batch a create sent before its id was recorded, and creates nothing', async () => {
    const { deps, input, batchDir } = await setUp(4);
    const first = await run(submitChunk, deps, input);
    // As if the worker died right after create returned: the created line never reached the disk.
    const records = messageBatchRecordsPath(batchDir, 0);
    const lines = (await readFile(records, 'utf8')).split('\n').filter(Boolean);
    await writeFile(records, lines.filter((line) => !line.includes('"created"')).join('\n') + '\n');
    const again = await run(submitChunk, deps, input);
    expect(again.messageBatches.map((ref) => ref.id)).toEqual(first.messageBatches.map((ref) => ref.id));
    expect(batchCreates()).toBe(1);
    const [group] = await readSubmissions(batchDir, 0);
    expect(group!.created[0]).toMatchObject({ id: first.messageBatches[0]!.id, adopted: true });
  }, 60_000);

  it('creates the Message Batch, under the intent token, when the create never reached Anthropic', async () => {
    const { deps, input, batchDir } = await setUp(4);
    const first = await run(submitChunk, deps, input);
    const [before] = await readSubmissions(batchDir, 0);
    // As if the worker died before create: the intent alone, and no Message Batch at Anthropic.
    emulator!.messageBatches.cancel(emulator!.messageBatches.get(first.messageBatches[0]!.id)!);
    await sleep(300);
    emulator!.messageBatches.delete(emulator!.messageBatches.get(first.messageBatches[0]!.id)!);
    const records = messageBatchRecordsPath(batchDir, 0);
    const lines = (await readFile(records, 'utf8')).split('\n').filter(Boolean);
    await writeFile(records, lines.filter((line) => !line.includes('"created"')).join('\n') + '\n');
    const again = await run(submitChunk, deps, input);
    expect(again.messageBatches).toHaveLength(1);
    expect(again.messageBatches[0]!.id).not.toBe(first.messageBatches[0]!.id);
    expect(batchCreates()).toBe(1);
    const [after] = await readSubmissions(batchDir, 0);
    expect(after!.intent.token).toBe(before!.intent.token);
    expect(emulator!.messageBatches.get(again.messageBatches[0]!.id)!.requests.map((request) => parseCustomId(request.customId)!.token)).toEqual(Array(4).fill(before!.intent.token));
  }, 60_000);
});

describe('two live attempts of one chunk (a stalled worker Temporal gave up on, and the retry on another)', () => {
  it('the stalled attempt sends no create once a later one has started; the later one sends every document once', async () => {
    const { deps, input, batchDir, paths } = await setUp(4);
    // The stalled attempt reaches Anthropic's client after the retry started on another worker.
    let stalled = true;
    const staleDeps: MessageBatchDeps = {
      ...deps,
      messageBatchesClient: async () => {
        if (stalled) await recordAttempt(batchDir, 0, { id: 'the-retry-elsewhere', attempt: 2, at: new Date().toISOString() });
        stalled = false;
        return deps.messageBatchesClient();
      },
    };
    const refused = await run(submitChunk, staleDeps, input).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ApplicationFailure);
    expect(refused).toMatchObject({ type: 'SubmissionSuperseded', nonRetryable: false });
    expect(batchCreates()).toBe(0);
    // Its intent is void: the retry neither reconciles it nor counts its documents as sent.
    expect(await readSubmissions(batchDir, 0)).toEqual([]);

    const retried = await run(submitChunk, deps, input);
    expect(retried.messageBatches).toHaveLength(1);
    expect(batchCreates()).toBe(1);
    await awaitEnded(deps, retried.messageBatches[0]!);
    expect(await run(collectChunk, deps, collectInput(input, retried.messageBatches))).toMatchObject({ succeeded: 4, failed: 0, resubmit: 0 });
    expect([...(await readJournal(batchDir, 0)).values()].map((result) => result.path).sort()).toEqual(paths);
  }, 60_000);
});

describe('errored, expired and canceled results', () => {
  it('counts server errors for the next round, and once resubmits run out fails them with the reason ("fail")', async () => {
    const { deps, input, batchDir } = await setUp(4, { messageBatches: { erroredShare: 1 } });
    const round0 = await run(submitChunk, deps, input);
    await awaitEnded(deps, round0.messageBatches[0]!);
    expect(await run(collectChunk, deps, collectInput(input, round0.messageBatches, 1, 'fail'))).toMatchObject({ succeeded: 0, failed: 0, resubmit: 4 });
    expect((await readJournal(batchDir, 0)).size).toBe(0);

    const round1Input = { ...input, round: 1 };
    const round1 = await run(submitChunk, deps, round1Input);
    expect(round1.messageBatches[0]!.id).not.toBe(round0.messageBatches[0]!.id);
    expect(round1.messageBatches[0]!.requests).toBe(4);
    await awaitEnded(deps, round1.messageBatches[0]!);
    expect(await run(collectChunk, deps, collectInput(round1Input, round1.messageBatches, 1, 'fail'))).toMatchObject({ failed: 4, resubmit: 0 });
    for (const result of (await readJournal(batchDir, 0)).values()) {
      expect(result.error!.message).toMatch(/errored with (api_error|overloaded_error).*in 2 submissions.*messageBatches\.resubmits \(1\) ran out/);
    }
  }, 60_000);

  it('extracts an expired document in realtime once its resubmits run out ("realtime")', async () => {
    const { deps, input, batchDir } = await setUp(3, { messageBatches: { expiredShare: 1, timeScale: 86_400 * 4 } });
    const submitted = await run(submitChunk, deps, input);
    expect((await awaitEnded(deps, submitted.messageBatches[0]!)).requestCounts.expired).toBe(3);
    expect(await run(collectChunk, deps, collectInput(input, submitted.messageBatches, 0, 'realtime'))).toMatchObject({ succeeded: 3, resubmit: 0 });
    expect(emulator!.log.filter((entry) => entry.via === 'messages' && entry.status === 200)).toHaveLength(3);
    for (const result of (await readJournal(batchDir, 0)).values()) expect(result.status).toBe('succeeded');
  }, 60_000);

  it('cancels a Message Batch; collection keeps what finished and leaves canceled documents out', async () => {
    const { deps, input, batchDir } = await setUp(8, { messageBatches: { processingMs: 4000 } });
    const submitted = await run(submitChunk, deps, input);
    const ref = submitted.messageBatches[0]!;
    await sleep(1200);
    await run(cancelMessageBatch, deps, { id: ref.id });
    const ended = await awaitEnded(deps, ref);
    expect(ended.requestCounts.canceled).toBeGreaterThan(0);
    // Cancelling an ended Message Batch is a no-op.
    await run(cancelMessageBatch, deps, { id: ref.id });
    const collected = await run(collectChunk, deps, collectInput(input, submitted.messageBatches));
    expect(collected).toMatchObject({ succeeded: ended.requestCounts.succeeded, resubmit: 0 });
    expect((await readJournal(batchDir, 0)).size).toBe(ended.requestCounts.succeeded);
  }, 60_000);
});

async function readJournalPaths(batchDir: string): Promise<string[]> {
  return (await readManifestChunk(batchDir, 0, 1000)).map((entry) => entry.path);
}
