import { copyFile, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { planBatch } from '../src/activities/plan-batch';
import { chooseChunkSize } from '../src/activities/plan-chunk-size';
import type { PlanBatchResult } from '../src/batch/activities';
import { chunkSizeFor, defaultChunkSize, textChunkSize } from '../src/batch/chunk-size';
import { batchInputSchema, type BatchInputJson } from '../src/batch/input';
import { readManifestChunk, type ListedSourceEntry } from '../src/store/manifest';
import { batchKeys, batchStorage } from '../src/store/paths';
import { samplesDir, tempDir } from './helpers/batch';
import { documentDir } from './helpers/documents';

/**
 * A batch whose input names no chunkSize gets one from planning: large chunks for text read
 * offline (a chunk of 100 such documents finishes in milliseconds and its overhead dominates),
 * 100 for Claude and for documents that need decoding or OCR.
 */
describe('the chunk size planning chooses', () => {
  it('is large only for text read offline in realtime mode', () => {
    expect(chunkSizeFor({ extractor: 'local', mode: 'realtime', textOnly: true })).toBe(textChunkSize);
    expect(chunkSizeFor({ extractor: 'local', mode: 'realtime', textOnly: false })).toBe(defaultChunkSize);
    expect(chunkSizeFor({ extractor: 'anthropic', mode: 'realtime', textOnly: true })).toBe(defaultChunkSize);
    expect(chunkSizeFor({ extractor: 'anthropic', mode: 'batch', textOnly: true })).toBe(defaultChunkSize);
    expect(textChunkSize).toBeGreaterThan(defaultChunkSize);
  });

  const plan = async (batchId: string, fields: Omit<BatchInputJson, 'outputDir'>, outputDir?: string): Promise<PlanBatchResult> => {
    const input = batchInputSchema.parse({ outputDir: outputDir ?? (await tempDir('chunk-size')), ...fields });
    return new MockActivityEnvironment().run(planBatch, { hasAnthropicKey: () => false }, { batchId, input });
  };
  const recorded = async (batchDir: string) => JSON.parse(await readFile(path.join(batchDir, batchKeys.chunkSize), 'utf8')) as unknown;

  it('cuts a folder of text files into chunks of textChunkSize, and records the choice beside the parts', async () => {
    const total = textChunkSize + 7;
    const dir = await documentDir(total);
    const result = await plan('text', { source: { dir }, extractor: 'local' });
    expect(result).toMatchObject({ total, chunkSize: textChunkSize, chunkCount: 2 });
    expect(await recorded(result.batchDir)).toEqual({ chunkSize: textChunkSize });
    expect((await readManifestChunk(result.batchDir, 0, textChunkSize)).length).toBe(textChunkSize);
    expect((await readManifestChunk(result.batchDir, 1, textChunkSize)).map((entry) => entry.index)).toEqual([...Array(7).keys()].map((i) => textChunkSize + i));
  });

  it('keeps chunks of 100 when a document among the first listed needs decoding', async () => {
    const dir = await documentDir(textChunkSize);
    const pdf = (await readdir(path.join(samplesDir, '..', 'formats'))).find((name) => name.endsWith('.pdf'))!;
    await copyFile(path.join(samplesDir, '..', 'formats', pdf), path.join(dir, 'doc-250.pdf'));
    const result = await plan('mixed', { source: { dir }, extractor: 'local' });
    expect(result).toMatchObject({ total: textChunkSize + 1, chunkSize: defaultChunkSize, chunkCount: Math.ceil((textChunkSize + 1) / defaultChunkSize) });
  });

  it('keeps chunks of 100 for Claude, whatever the documents', async () => {
    const dir = await documentDir(120);
    const result = await plan('claude', { source: { dir }, extractor: 'anthropic' });
    expect(result).toMatchObject({ chunkSize: defaultChunkSize, chunkCount: 2 });
  });

  it("takes the input's chunkSize as it is, and records nothing", async () => {
    const dir = await documentDir(30);
    const result = await plan('given', { source: { dir }, extractor: 'local', chunkSize: 7 });
    expect(result).toMatchObject({ chunkSize: 7, chunkCount: 5 });
    await expect(readFile(path.join(result.batchDir, batchKeys.chunkSize))).rejects.toThrow(/ENOENT/);
  });

  it('a retried planning attempt keeps the recorded size although the source changed since', async () => {
    const dir = await documentDir(40);
    const outputDir = await tempDir('chunk-size');
    const first = await plan('retried', { source: { dir }, extractor: 'local' }, outputDir);
    expect(first.chunkSize).toBe(textChunkSize);
    // The text files are replaced by a PDF: chosen afresh, the size would be 100.
    for (const name of await readdir(dir)) if (name >= 'doc-001') await rm(path.join(dir, name));
    const pdf = (await readdir(path.join(samplesDir, '..', 'formats'))).find((name) => name.endsWith('.pdf'))!;
    await copyFile(path.join(samplesDir, '..', 'formats', pdf), path.join(dir, 'doc-000.pdf'));
    const again = await plan('retried', { source: { dir }, extractor: 'local' }, outputDir);
    expect(again).toMatchObject({ total: 2, chunkSize: textChunkSize, chunkCount: 1 });
  });

  it('chooses again when the recorded choice cannot be read (a file written by hand, or half written)', async () => {
    const dir = await documentDir(12);
    const outputDir = await tempDir('chunk-size');
    const first = await plan('unreadable', { source: { dir }, extractor: 'local' }, outputDir);
    await writeFile(path.join(first.batchDir, batchKeys.chunkSize), '{"chunkSi');
    const again = await plan('unreadable', { source: { dir }, extractor: 'local' }, outputDir);
    expect(again).toMatchObject({ total: 12, chunkSize: textChunkSize });
    expect(await recorded(again.batchDir)).toEqual({ chunkSize: textChunkSize });
  });

  it('passes on every listed entry once and in order, however many it looked at', async () => {
    for (const count of [0, 1, textChunkSize - 1, textChunkSize, textChunkSize + 1, 2 * textChunkSize + 3]) {
      const storage = batchStorage(await tempDir('chunk-size'));
      // Pages of 7: the look at the first entries ends inside a page.
      async function* listed(): AsyncGenerator<ListedSourceEntry[]> {
        for (let index = 0; index < count; index += 7) {
          yield Array.from({ length: Math.min(7, count - index) }, (_, at) => ({ path: `/inbox/${index + at}.txt`, sizeBytes: 10 }));
        }
      }
      const { chunkSize, pages } = await chooseChunkSize(storage, { extractor: 'local', mode: 'realtime' }, listed());
      expect(chunkSize).toBe(textChunkSize);
      const passed: string[] = [];
      for await (const page of pages) for (const entry of page) passed.push(entry.path);
      expect(passed).toEqual(Array.from({ length: count }, (_, index) => `/inbox/${index}.txt`));
    }
  });
});
