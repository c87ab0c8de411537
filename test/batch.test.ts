import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseCsv } from 'csv-parse/sync';
import type { DocumentResult } from '../src/store/document-result';
import type { BatchSummary } from '../src/batch/summary';
import { readJsonLines, samplesDir, startBatch, startTestWorker, tempDir, testClient, uniqueId } from './helpers/batch';

const taskQueue = uniqueId('batch-test');
const brokenReasons: Record<string, string> = {
  'broken-corrupt.pdf': 'corrupt',
  'broken-empty.txt': 'empty',
  'broken-encrypted.pdf': 'encrypted',
  'broken-word-document.docx': 'unsupported_type',
  'broken-random-bytes.bin': 'unsupported_type',
  'broken-text-named-pdf.pdf': 'corrupt',
  'broken-not-an-invoice.txt': 'validation_failed',
};

describe('a batch over the bundled samples', () => {
  let stop: () => Promise<void>;
  let summary: BatchSummary;
  let results: DocumentResult[];
  let sampleFiles: string[];

  beforeAll(async () => {
    ({ stop } = await startTestWorker({ taskQueue, activityDeps: { resultCache: null } }));
    const client = await testClient();
    const outputDir = await tempDir('batch');
    sampleFiles = (await readdir(samplesDir)).sort();
    const handle = await startBatch(client, taskQueue, uniqueId('samples'), {
      source: { dir: samplesDir },
      outputDir,
      chunkSize: 4,
      concurrency: 3,
      extractor: 'local',
    });
    summary = await handle.result();
    results = await readJsonLines<DocumentResult>(summary.files.results);
  }, 240_000);

  afterAll(async () => stop?.());

  it('has exactly one result line per document, in manifest order', () => {
    expect(results.map((result) => path.basename(result.path))).toEqual(sampleFiles);
    expect(results.map((result) => result.index)).toEqual(sampleFiles.map((_, i) => i));
  });

  it('fails each broken file with its specific reason and extracts every invoice', () => {
    for (const result of results) {
      const name = path.basename(result.path);
      if (name in brokenReasons) {
        expect({ name, status: result.status, type: result.error?.type }).toEqual({ name, status: 'failed', type: brokenReasons[name] });
        expect(result.error?.message.length).toBeGreaterThan(10);
      } else {
        expect({ name, status: result.status, error: result.error }).toEqual({ name, status: 'succeeded', error: null });
        expect(result.data).toHaveProperty('invoiceNumber');
      }
    }
  });

  it('writes a summary whose counts agree with the files', async () => {
    const failures = await readJsonLines(summary.files.failures);
    const csv = parseCsv<Record<string, string>>(await readFile(summary.files.resultsCsv, 'utf8'), { columns: true });
    const manifest = await readJsonLines(summary.files.manifest);
    expect(summary.state).toBe('completed');
    expect(summary.total).toBe(sampleFiles.length);
    expect(manifest).toHaveLength(sampleFiles.length);
    expect(summary.failed).toBe(Object.keys(brokenReasons).length);
    expect(failures).toHaveLength(summary.failed);
    expect(summary.succeeded).toBe(results.filter((result) => result.status === 'succeeded').length);
    expect(summary.succeeded + summary.failed).toBe(summary.total);
    expect(summary.notProcessed).toBe(0);
    expect(summary.successRate).toBeCloseTo(summary.succeeded / summary.total, 3);
    expect(csv).toHaveLength(summary.total);
    expect(Object.keys(csv[0]!)).toEqual(expect.arrayContaining(['path', 'status', 'invoiceNumber', 'total', 'lineItems']));
    const summaryOnDisk = JSON.parse(await readFile(summary.files.summary, 'utf8')) as BatchSummary;
    expect(summaryOnDisk).toEqual(summary);
    expect(summary.failuresByType).toEqual(
      Object.values(brokenReasons).reduce<Record<string, number>>((acc, type) => ({ ...acc, [type]: (acc[type] ?? 0) + 1 }), {}),
    );
  });
});
