import { copyFile, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchSummary } from '../src/batch/summary';
import type { RequestLogEntry } from '../src/emulator';
import { documentIdentity } from '../src/emulator/request';
import { costOf } from '../src/extraction/pricing';
import { addUsage, zeroUsage, type Usage } from '../src/extraction/usage';
import type { DocumentResult } from '../src/store/document-result';
import { readJsonLines, samplesDir, startBatch, tempDir, testClient, uniqueId } from './helpers/batch';
import { startClaudeWorker } from './helpers/claude-worker';

/**
 * What a batch-mode batch reports it cost is what the API billed for it: the same documents as a
 * realtime batch and as a batch-mode batch through the real workflow, worker and SDK against the
 * emulator; every figure (per document, per model, in total) checked against the emulator's log
 * priced from the pricing table, Message Batches requests at the batch price.
 */
let client: Client;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  client = await testClient();
});
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** Text and PDF invoices (Haiku 4.5) and scans (Sonnet 4.6, whose minimum the cached prefix reaches). */
async function invoices(): Promise<string> {
  const dir = await tempDir('batch-cost-src');
  const names = (await readdir(samplesDir)).filter((name) => /^invoice-0[1-4]/.test(name) || name.startsWith('scan-'));
  for (const name of names) await copyFile(path.join(samplesDir, name), path.join(dir, name));
  return dir;
}

/** The documents as one batch in `mode`, on a worker of its own against an emulator of its own (a cold prompt cache). */
async function run(dir: string, mode: 'realtime' | 'batch'): Promise<{ summary: BatchSummary; calls: RequestLogEntry[] }> {
  const worker = await startClaudeWorker(`batch-cost-${mode}`, { messageBatches: { processingMs: 300 } });
  cleanups.push(() => worker.stop());
  const { emulator, taskQueue } = worker;
  const handle = await startBatch(client, taskQueue, uniqueId(`cost-${mode}`), {
    source: { dir },
    outputDir: await tempDir(`batch-cost-out-${mode}`),
    extractor: 'anthropic',
    mode,
    messageBatches: { pollInterval: '200ms' },
    chunkSize: 4,
    cache: false,
  });
  const summary = await handle.result();
  return { summary, calls: emulator.log.filter((entry) => entry.status === 200) };
}

const billed = (entry: RequestLogEntry) => costOf(entry.model!, entry, { batch: entry.via === 'message-batch' });

describe('cost of a batch in Message Batches mode', () => {
  it('reports per document, per model and in total what the API billed, at half the realtime price', async () => {
    const dir = await invoices();
    const realtime = await run(dir, 'realtime');
    const batch = await run(dir, 'batch');
    for (const { summary } of [realtime, batch]) expect(summary).toMatchObject({ state: 'completed', failed: 0, succeeded: summary.total });
    expect(realtime.calls.every((entry) => entry.via === 'messages')).toBe(true);
    expect(batch.calls.every((entry) => entry.via === 'message-batch')).toBe(true);

    for (const { summary, calls } of [realtime, batch]) {
      // Per document: its usage is the billed price of its calls (one each here).
      const results = await readJsonLines<DocumentResult>(summary.files.results);
      for (const result of results) {
        const id = documentIdentity(await readFile(result.path));
        const own = calls.filter((entry) => entry.documentId === id);
        expect(own).toHaveLength(1);
        expect(result.usage!.costUsd).toBeCloseTo(billed(own[0]!), 6);
        expect(result.usage).toMatchObject({ inputTokens: own[0]!.inputTokens, outputTokens: own[0]!.outputTokens, cacheWriteTokens: own[0]!.cacheWriteTokens, cacheReadTokens: own[0]!.cacheReadTokens });
      }
      // Per model and in total.
      const byModel = new Map<string, Usage>();
      for (const entry of calls) byModel.set(entry.model!, addUsage(byModel.get(entry.model!) ?? zeroUsage, { ...entry, costUsd: billed(entry) }));
      expect(Object.keys(summary.usageByModel ?? {}).sort()).toEqual([...byModel.keys()].sort());
      for (const [model, usage] of byModel) expect(summary.usageByModel![model]!.costUsd).toBeCloseTo(usage.costUsd, 6);
      expect(summary.usage.costUsd).toBeCloseTo(calls.reduce((sum, entry) => sum + billed(entry), 0), 6);
    }

    // The scans go to Sonnet 4.6, whose minimum the prefix reaches: realtime writes it for 5
    // minutes, batch mode for an hour (2x the input price, priced as such above).
    const sonnetWrites = (calls: RequestLogEntry[]) => calls.filter((entry) => entry.model === 'claude-sonnet-4-6').map((entry) => [entry.cacheWriteTokens, entry.cacheWrite1hTokens]);
    expect(sonnetWrites(realtime.calls).some(([all]) => all! > 0)).toBe(true);
    expect(sonnetWrites(realtime.calls).every(([, oneHour]) => oneHour === 0)).toBe(true);
    expect(sonnetWrites(batch.calls).some(([all]) => all! > 0)).toBe(true);
    expect(sonnetWrites(batch.calls).every(([all, oneHour]) => oneHour === all)).toBe(true);
    // Haiku 4.5 never caches the prefix (below its 4,096-token minimum): the same tokens, exactly
    // half the price. (Sonnet's share depends on how many of its requests hit the cache, which in a
    // Message Batch is best effort: bench/message-batches.ts measures it.)
    const haiku = (summary: BatchSummary) => summary.usageByModel!['claude-haiku-4-5']!;
    expect(haiku(batch.summary)).toMatchObject({ inputTokens: haiku(realtime.summary).inputTokens, outputTokens: haiku(realtime.summary).outputTokens, cacheWriteTokens: 0 });
    expect(haiku(batch.summary).costUsd).toBeCloseTo(haiku(realtime.summary).costUsd / 2, 5);
    expect(batch.summary.usage.costUsd).toBeLessThan(realtime.summary.usage.costUsd);
  });
});
