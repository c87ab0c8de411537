import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Command } from 'commander';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { addBatchOptions, settingsOf, toBatchOptions, type BatchCommandOptions } from '../src/cli/batch-options';
import { deriveBatchId } from '../src/client/batch-id';
import { batchInputFromOptions } from '../src/client/batch-input';
import { InvalidBatchSettingsError } from '../src/client/errors';
import { redriveSettings } from '../src/client/redrive-batch';
import { estimateBatch } from '../src/extraction/estimate';
import { defaultChunkSize } from '../src/batch/chunk-size';
import { costOf } from '../src/extraction/pricing';
import { samplesDir, tempDir } from './helpers/batch';

/** `docbatch run|start <args>` as commander parses them, then as the batch input the workflow gets. */
async function inputOf(args: string[]) {
  const command = addBatchOptions(new Command('start').argument('[dir]').exitOverride().configureOutput({ writeErr: () => {} }));
  command.parse(args, { from: 'user' });
  return batchInputFromOptions(toBatchOptions(command.args[0], command.opts<BatchCommandOptions>()));
}

describe('--mode and --poll-interval on run and start', () => {
  it('runs realtime by default and in batch mode with --mode batch, under a different batch id', async () => {
    const realtime = await inputOf([samplesDir]);
    expect(realtime.input.mode).toBe('realtime');
    const batch = await inputOf([samplesDir, '--mode', 'batch']);
    expect(batch.input).toMatchObject({ mode: 'batch', messageBatches: { pollInterval: '1m', deadline: '25h', resubmits: 2, whenResubmitsRunOut: 'realtime' } });
    expect(deriveBatchId(batch.json)).not.toBe(deriveBatchId(realtime.json));
  });

  it('sets how often a Message Batch is checked, keeping the other batch-mode defaults', async () => {
    const { input } = await inputOf([samplesDir, '--mode', 'batch', '--poll-interval', '10s']);
    expect(input.messageBatches).toEqual({ pollInterval: '10s', deadline: '25h', resubmits: 2, whenResubmitsRunOut: 'realtime' });
  });

  it('names the flag and the fix for a bad mode or poll interval', async () => {
    await expect(inputOf([samplesDir, '--mode', 'later'])).rejects.toThrow(/--mode.*Allowed choices are realtime, batch/);
    const error = await inputOf([samplesDir, '--mode', 'batch', '--poll-interval', 'soon']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidBatchSettingsError);
    expect((error as Error).message).toMatch(/--poll-interval: expected a duration like "30s"/);
  });
});

describe('redrive of a batch-mode batch', () => {
  const earlier = { source: { dir: '/docs' }, mode: 'batch' as const, messageBatches: { pollInterval: '30s', resubmits: 4 }, chunkSize: 20 };

  it('stays in batch mode with the earlier Message Batches settings', async () => {
    const settings = redriveSettings(earlier, {});
    expect(settings).toMatchObject({ mode: 'batch', messageBatches: { pollInterval: '30s', resubmits: 4 }, chunkSize: 20 });
    const { input } = await batchInputFromOptions({ ...settings, manifest: path.join(samplesDir, '..', 'manifest.txt') });
    expect(input).toMatchObject({ mode: 'batch', messageBatches: { pollInterval: '30s', resubmits: 4, deadline: '25h' } });
  });

  it('takes --mode and --poll-interval over them, keeping the other earlier settings', () => {
    expect(redriveSettings(earlier, settingsOf({ pollInterval: '5s' }))).toMatchObject({ mode: 'batch', messageBatches: { pollInterval: '5s', resubmits: 4 } });
    expect(redriveSettings(earlier, settingsOf({ mode: 'realtime' })).mode).toBe('realtime');
    expect(redriveSettings(undefined, settingsOf({ mode: 'batch' }))).toEqual({ mode: 'batch' });
  });
});

describe('estimate of batch mode', () => {
  const paths = ['invoice-01-classic.pdf', 'invoice-02-two-column.txt', 'invoice-03-minimal.pdf', 'scan-01.png', 'invoice-06-classic.txt', 'broken-empty.txt'].map((name) =>
    path.join(samplesDir, name),
  );
  const allSonnet = { simple: 'claude-sonnet-4-6', complex: 'claude-sonnet-4-6', escalation: 'claude-sonnet-4-6' };

  it('prices the same tokens at the Message Batches price, with one 1-hour cache write per chunk and model', async () => {
    // Sonnet's minimum cacheable prefix is 1,024 tokens, which the invoice prefix reaches.
    const estimate = await estimateBatch(paths, { models: allSonnet, chunkSize: 2 });
    const { batch } = estimate;
    expect(batch.inputTokens).toBe(estimate.inputTokens);
    expect(batch.outputTokens).toBe(estimate.outputTokens);
    for (const entry of batch.byModel) {
      expect(entry.costUsd).toBe(costOf(entry.model, { ...entry, cacheWrite1hTokens: entry.cacheWriteTokens }, { batch: true }));
    }
    // 5 requests (the empty file is never sent): realtime writes the prefix once and reads it 4
    // times; batch mode writes it in each of the 3 chunks of 2 documents and reads it twice.
    const prefix = estimate.cacheWriteTokens;
    expect(prefix).toBeGreaterThan(1024);
    expect(estimate.cacheReadTokens).toBe(4 * prefix);
    expect(batch.cacheWriteTokens).toBe(3 * prefix);
    expect(batch.cacheReadTokens).toBe(2 * prefix);
  });

  it('groups documents into Message Batches of the chunk size planning chooses for Claude, unless one is given', async () => {
    const many = Array.from({ length: defaultChunkSize + defaultChunkSize / 2 }, () => paths[1]!);
    const chosen = await estimateBatch(many, { models: allSonnet });
    const prefix = chosen.cacheWriteTokens;
    // Two chunks: one cache write in each.
    expect(chosen.batch.cacheWriteTokens).toBe(2 * prefix);
    const given = await estimateBatch(many, { models: allSonnet, chunkSize: defaultChunkSize / 2 });
    expect(given.batch.cacheWriteTokens).toBe(3 * prefix);
  });

  it('costs about half of realtime, and at most its ceiling with no cache hit at all', async () => {
    const estimate = await estimateBatch(paths, { models: allSonnet, chunkSize: 50 });
    expect(estimate.batch.cacheWriteTokens).toBe(estimate.cacheWriteTokens);
    expect(estimate.batch.costUsd).toBeGreaterThan(estimate.costUsd * 0.45);
    expect(estimate.batch.costUsd).toBeLessThan(estimate.costUsd * 0.55);
    // Every request writing the 1-hour cache at 2x (1x in a batch) instead of reading it at 0.05x.
    const ceiling = costOf('claude-sonnet-4-6', { ...estimate, cacheWriteTokens: 5 * estimate.cacheWriteTokens, cacheWrite1hTokens: 5 * estimate.cacheWriteTokens, cacheReadTokens: 0 }, { batch: true });
    expect(estimate.batch.noCacheHitsCostUsd).toBe(ceiling);
  });

  it('prices a PDF split into parts at the realtime price: batch mode extracts it in realtime', async () => {
    const pdf = await PDFDocument.create();
    const font = await pdf.embedFont(StandardFonts.Helvetica);
    for (let page = 1; page <= 101; page++) pdf.addPage().drawText(`Statement page ${page}: item ${page} 10.00 EUR`, { x: 50, y: 700, size: 12, font });
    const long = path.join(await tempDir('estimate-split'), 'statement-101-pages.pdf');
    await writeFile(long, await pdf.save());
    const split = await estimateBatch([long], { models: allSonnet });
    expect(split.batch.costUsd).toBe(split.costUsd);
    // Beside it, a one-request invoice goes in the chunk's Message Batch at the batch price.
    const single = await estimateBatch([paths[1]!], { models: allSonnet });
    const both = await estimateBatch([long, paths[1]!], { models: allSonnet });
    expect(both.batch.costUsd).toBeCloseTo(split.costUsd + single.batch.costUsd, 6);
  });

  it('leaves the cache out where the prefix is below the model minimum (Haiku 4.5: 4,096 tokens)', async () => {
    const estimate = await estimateBatch(paths, { models: { ...allSonnet, simple: 'claude-haiku-4-5' } });
    const haiku = estimate.batch.byModel.find((entry) => entry.model === 'claude-haiku-4-5')!;
    expect(haiku).toMatchObject({ cacheWriteTokens: 0, cacheReadTokens: 0 });
    expect(haiku.costUsd).toBe(costOf('claude-haiku-4-5', haiku, { batch: true }));
  });
});
