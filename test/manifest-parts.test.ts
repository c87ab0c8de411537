import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { extractChunk } from '../src/activities/extract-chunk';
import { planBatch } from '../src/activities/plan-batch';
import type { PlanBatchResult } from '../src/batch/activities';
import { batchInputSchema } from '../src/batch/input';
import { manifestEntries, readManifestChunk } from '../src/store/manifest';
import { readJournal } from '../src/store/journal';
import { batchKeys } from '../src/store/paths';
import { tempDir } from './helpers/batch';
import { documentDir } from './helpers/documents';

/**
 * The manifest is read a chunk at a time (O(chunk) per worker at any batch size): planning writes
 * one part per chunk, and a chunk needs only its own. Guarded here by deleting every other part.
 */
describe('the manifest in chunk-sized parts', () => {
  it('planning writes one part per chunk, in order, and the parts together are the listing', async () => {
    const dir = await documentDir(23);
    const outputDir = await tempDir('parts');
    const input = batchInputSchema.parse({ source: { dir }, outputDir, chunkSize: 5, extractor: 'local' });
    const plan: PlanBatchResult = await new MockActivityEnvironment().run(planBatch, { hasAnthropicKey: () => false }, { batchId: 'parts', input });
    expect(plan).toMatchObject({ total: 23, chunkCount: 5 });
    expect((await readdir(path.join(plan.batchDir, batchKeys.manifestParts))).sort()).toEqual(['000000.jsonl', '000001.jsonl', '000002.jsonl', '000003.jsonl', '000004.jsonl']);
    expect((await readManifestChunk(plan.batchDir, 4, 5)).map((entry) => entry.index)).toEqual([20, 21, 22]);
    const all = [];
    for await (const entry of manifestEntries(plan.batchDir, 5, plan.chunkCount)) all.push(entry);
    expect(all.map((entry) => entry.index)).toEqual([...Array(23).keys()]);
    expect(all.map((entry) => path.basename(entry.path))).toEqual((await readdir(dir)).sort());
  });

  it('a chunk extracts from its own part alone: the other chunks\' parts are never read', async () => {
    const dir = await documentDir(20);
    const outputDir = await tempDir('parts');
    const input = batchInputSchema.parse({ source: { dir }, outputDir, chunkSize: 4, extractor: 'local', cache: false });
    const plan: PlanBatchResult = await new MockActivityEnvironment().run(planBatch, { hasAnthropicKey: () => false }, { batchId: 'own-part', input });
    // Part 0 stays: it says the batch has parts (a batch planned before them reads manifest.jsonl).
    for (const chunk of [1, 2, 4]) await rm(path.join(plan.batchDir, batchKeys.manifestPart(chunk)));
    const settings = { schema: input.schema, extractor: 'local' as const, models: input.models, cache: false };
    const result = await new MockActivityEnvironment().run(
      extractChunk,
      { extractorFor: async () => (await import('../src/extraction/local/extractor')).createLocalExtractor(), resultCache: null, now: () => Date.now() },
      { batchId: 'own-part', batchDir: plan.batchDir, chunkIndex: 3, chunkSize: 4, settings },
    );
    expect(result).toMatchObject({ chunkIndex: 3, succeeded: 4, failed: 0 });
    expect([...(await readJournal(plan.batchDir, 3)).keys()].sort()).toEqual([12, 13, 14, 15]);
  });
});
