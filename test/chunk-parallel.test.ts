import { describe, expect, it } from 'vitest';
import { appendFile, mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MockActivityEnvironment } from '@temporalio/testing';
import { extractChunk, type ExtractChunkDeps } from '../src/activities/extract-chunk';
import type { ExtractChunkInput } from '../src/batch/activities';
import { batchInputSchema } from '../src/batch/input';
import { DocumentSlots } from '../src/extraction/document-slots';
import { BatchFault } from '../src/extraction/errors';
import type { Extractor } from '../src/extraction/extractor';
import { zeroUsage } from '../src/extraction/usage';
import { writeManifest } from '../src/store/manifest';
import { chunkJournalPath } from '../src/store/paths';
import type { DocumentResult } from '../src/store/document-result';
import { documentDir } from './helpers/documents';
import { tempDir } from './helpers/batch';
import { handlesOn } from './helpers/file-handles';

/**
 * One chunk activity run in isolation (Temporal's MockActivityEnvironment: real Context,
 * heartbeats and cancellation, no server), with an extractor whose documents wait until the test
 * lets each one finish, so what is in flight at any moment is known exactly.
 */
class HeldExtractor implements Extractor {
  readonly name = 'local' as const;
  readonly settingsKey = 'held:v1';
  inFlight = 0;
  mostInFlight = 0;
  readonly calls = new Map<string, number>();
  private readonly held: { path: string; finish: () => void; fail: (error: unknown) => void }[] = [];

  constructor(private readonly slots: number) {}

  documentsInFlight(): number {
    return this.slots;
  }

  async extract({ document }: Parameters<Extractor['extract']>[0]) {
    this.calls.set(document.path, (this.calls.get(document.path) ?? 0) + 1);
    this.inFlight++;
    this.mostInFlight = Math.max(this.mostInFlight, this.inFlight);
    try {
      await new Promise<void>((finish, fail) => this.held.push({ path: document.path, finish, fail }));
    } finally {
      this.inFlight--;
    }
    return { data: { invoiceNumber: path.basename(document.path) }, usage: zeroUsage, model: 'held', calls: 1 };
  }

  /** Resolves once `count` documents are held. */
  async holding(count: number): Promise<void> {
    while (this.held.length < count) await sleep(5);
  }

  heldCount(): number {
    return this.held.length;
  }

  finishOne(): void {
    this.held.shift()!.finish();
  }

  failOne(error: unknown): void {
    this.held.shift()!.fail(error);
  }

  finishAll(): void {
    while (this.held.length > 0) this.finishOne();
  }
}

const settings = batchInputSchema.parse({ source: { dir: '/unused' } });

async function chunkOf(documents: number): Promise<{ batchDir: string; input: ExtractChunkInput }> {
  const dir = await documentDir(documents);
  const names = (await readdir(dir)).sort();
  const batchDir = await tempDir('chunk');
  await writeManifest(
    batchDir,
    names.map((name, index) => ({ index, path: path.join(dir, name), sizeBytes: 1 })),
    documents,
  );
  const input: ExtractChunkInput = {
    batchId: 'b',
    batchDir,
    chunkIndex: 0,
    chunkSize: documents,
    settings: { schema: settings.schema, extractor: 'local', models: settings.models, cache: false },
  };
  return { batchDir, input };
}

function depsFor(extractor: Extractor): ExtractChunkDeps {
  return { extractorFor: () => extractor, resultCache: null, now: () => Date.now() };
}

async function journalIndices(batchDir: string): Promise<number[]> {
  const text = await readFile(chunkJournalPath(batchDir, 0), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => (JSON.parse(line) as DocumentResult).index);
}

async function until(condition: () => Promise<boolean> | boolean): Promise<void> {
  while (!(await condition())) await sleep(5);
}

describe('a chunk extracts its documents in parallel', () => {
  it('keeps exactly the extractor\'s slots in flight and journals each document the moment it finishes', async () => {
    const { batchDir, input } = await chunkOf(12);
    const extractor = new HeldExtractor(4);
    const run = new MockActivityEnvironment().run(extractChunk, depsFor(extractor), input);
    await extractor.holding(4);
    await sleep(50);
    expect(extractor.inFlight).toBe(4);
    expect(await journalIndices(batchDir)).toEqual([]);
    extractor.finishOne();
    await until(async () => (await journalIndices(batchDir)).length === 1);
    // The freed slot goes to the next document at once.
    await extractor.holding(4);
    while ((await Promise.race([run.then(() => 'done'), sleep(5).then(() => 'running')])) === 'running') {
      if (extractor.heldCount() > 0) extractor.finishOne();
    }
    const result = await run;
    expect(result).toMatchObject({ succeeded: 12, failed: 0, extractedNow: 12 });
    expect(extractor.mostInFlight).toBe(4);
    expect([...extractor.calls.values()]).toEqual(Array(12).fill(1));
    expect((await journalIndices(batchDir)).sort((a, b) => a - b)).toEqual([...Array(12).keys()]);
  }, 60_000);

  it('shares one process-wide pool between chunks of the same extractor', async () => {
    const extractor = new HeldExtractor(3);
    const first = await chunkOf(5);
    const second = await chunkOf(5);
    const runs = [first, second].map(({ input }) => new MockActivityEnvironment().run(extractChunk, depsFor(extractor), input));
    await extractor.holding(3);
    await sleep(50);
    expect(extractor.inFlight).toBe(3);
    const settled = Promise.all(runs);
    let done = false;
    void settled.then(() => (done = true));
    while (!done) {
      if (extractor.heldCount() > 0) extractor.finishOne();
      await sleep(5);
    }
    expect(await settled).toMatchObject([{ succeeded: 5 }, { succeeded: 5 }]);
    expect(extractor.mostInFlight).toBe(3);
  }, 60_000);

  it('skips documents journaled by an earlier attempt (the checkpoint)', async () => {
    const { batchDir, input } = await chunkOf(6);
    const earlier = new HeldExtractor(2);
    const env = new MockActivityEnvironment();
    const firstRun = env.run(extractChunk, depsFor(earlier), input);
    await earlier.holding(2);
    earlier.finishOne();
    earlier.finishOne();
    await until(async () => (await journalIndices(batchDir)).length === 2);
    await earlier.holding(2);
    env.cancel();
    earlier.finishAll();
    await expect(firstRun).rejects.toThrow();
    const journaled = await journalIndices(batchDir);
    const retry = new HeldExtractor(8);
    const retried = new MockActivityEnvironment({ attempt: 2 }).run(extractChunk, depsFor(retry), input);
    await retry.holding(6 - journaled.length);
    retry.finishAll();
    expect(await retried).toMatchObject({ succeeded: 6, extractedNow: 6 - journaled.length });
    expect(retry.calls.size).toBe(6 - journaled.length);
    expect(new Set(await journalIndices(batchDir)).size).toBe(6);
    expect(await journalIndices(batchDir)).toHaveLength(6);
  }, 60_000);

  it('does not extract again what an overlapping attempt of the same chunk journaled meanwhile', async () => {
    const { batchDir, input } = await chunkOf(8);
    const extractor = new HeldExtractor(2);
    const run = new MockActivityEnvironment().run(extractChunk, depsFor(extractor), input);
    await extractor.holding(2);
    // The other attempt (a timed-out one whose worker lives on) finishes documents 4-7.
    const journal = chunkJournalPath(batchDir, 0);
    await mkdir(path.dirname(journal), { recursive: true });
    for (const index of [4, 5, 6, 7]) {
      const other: DocumentResult = { index, path: `other-${index}`, attempts: 1, status: 'succeeded', cached: false, data: {}, error: null, durationMs: 1, model: 'other', usage: zeroUsage };
      await appendFile(journal, JSON.stringify(other) + '\n');
    }
    let done = false;
    void run.then(() => (done = true), () => (done = true));
    while (!done) {
      if (extractor.heldCount() > 0) extractor.finishOne();
      await sleep(5);
    }
    expect(await run).toMatchObject({ succeeded: 8, extractedNow: 4 });
    expect(extractor.calls.size).toBe(4);
    const indices = await journalIndices(batchDir);
    expect(indices).toHaveLength(8);
    expect(new Set(indices).size).toBe(8);
  }, 60_000);

  it('on cancellation starts no further document, journals those in flight, and reports cancelled', async () => {
    const { batchDir, input } = await chunkOf(10);
    const extractor = new HeldExtractor(3);
    const env = new MockActivityEnvironment();
    const run = env.run(extractChunk, depsFor(extractor), input);
    await extractor.holding(3);
    env.cancel();
    await sleep(50);
    extractor.finishAll();
    await expect(run).rejects.toThrow(/cancel/i);
    expect(extractor.calls.size).toBe(3);
    expect(await journalIndices(batchDir)).toHaveLength(3);
    expect(await handlesOn(chunkJournalPath(batchDir, 0))).toBe(0);
  }, 60_000);

  it('a failure of the attempt starts no further document and still journals those in flight', async () => {
    const { batchDir, input } = await chunkOf(10);
    const extractor = new HeldExtractor(3);
    const run = new MockActivityEnvironment().run(extractChunk, depsFor(extractor), input);
    await extractor.holding(3);
    extractor.failOne(new BatchFault('credentials_rejected', 'key revoked'));
    await sleep(50);
    extractor.finishAll();
    await expect(run).rejects.toThrow(/key revoked/);
    expect(extractor.calls.size).toBe(3);
    expect(await journalIndices(batchDir)).toHaveLength(2);
    expect(await handlesOn(chunkJournalPath(batchDir, 0))).toBe(0);
  }, 60_000);

  it('heartbeats its progress while documents are in flight', async () => {
    const { input } = await chunkOf(3);
    const extractor = new HeldExtractor(3);
    const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 300 });
    const beats: unknown[] = [];
    env.on('heartbeat', (details: unknown) => beats.push(details));
    const run = env.run(extractChunk, depsFor(extractor), input);
    await extractor.holding(3);
    await until(() => beats.length >= 2);
    expect(beats[0]).toEqual({ done: 0, of: 3 });
    extractor.finishAll();
    expect(await run).toMatchObject({ succeeded: 3 });
  }, 60_000);
});

describe('DocumentSlots', () => {
  it('serves waiters first come first served, follows its size, and lets an aborted waiter leave', async () => {
    let size = 1;
    const slots = new DocumentSlots(() => size);
    const first = await slots.acquire();
    const order: string[] = [];
    const abort = new AbortController();
    const leaving = slots.acquire(abort.signal).then(() => order.push('aborted one'), () => order.push('left'));
    const second = slots.acquire().then((release) => (order.push('second'), release));
    const third = slots.acquire().then((release) => (order.push('third'), release));
    abort.abort(new Error('cancelled'));
    await leaving;
    size = 2;
    first();
    await Promise.all([second, third]);
    expect(order).toEqual(['left', 'second', 'third']);
    expect(slots.inUse).toBe(2);
  });
});
