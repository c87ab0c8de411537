import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { progressQuery } from '../src/batch/messages';
import { planRedrive, redriveInput } from '../src/client/redrive-batch';
import type { BatchSummary } from '../src/batch/summary';
import { listObjectSource } from '../src/store/object-listing';
import { objectAt, storageAt } from '../src/storage/location';
import { mapBounded } from '../src/store/source-listing';
import type { DocumentResult } from '../src/store/document-result';
import { samplesDir, startBatch, startTestWorker, testClient, uniqueId } from './helpers/batch';
import { eventually } from './helpers/eventually';
import { testBucketUrl } from './helpers/object-store';

/**
 * Batches whose documents and outputs live in a real S3-compatible server (versitygw): what breaks
 * in real buckets — odd keys, folder markers, empty objects, objects replaced or deleted while the
 * batch runs, long listings — ends as a document with its reason, and the outputs are in the bucket.
 */
const taskQueue = uniqueId('s3-batch');

async function upload(prefixUrl: string, files: Record<string, Buffer | string>): Promise<void> {
  const storage = storageAt(prefixUrl);
  await mapBounded(Object.entries(files), 16, ([key, body]) => storage.write(key, body));
}

async function readLines<T>(url: string): Promise<T[]> {
  const { storage, key } = objectAt(url);
  const text = (await storage.read(key))!.toString('utf8');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as T);
}

describe('a batch in object storage', () => {
  let stop: () => Promise<void>;
  beforeAll(async () => ({ stop } = await startTestWorker({ taskQueue, activityDeps: { resultCache: null } })), 120_000);
  afterAll(async () => stop?.());

  it('reads every object under the prefix and writes every output under <output>/<batch id>/', async () => {
    const source = testBucketUrl('inbox');
    const samples = (await readdir(samplesDir)).filter((name) => name.startsWith('invoice-')).slice(0, 12);
    const files: Record<string, Buffer | string> = {};
    for (const name of samples) files[`2026/${name}`] = await readFile(path.join(samplesDir, name));
    files['odd/Rechnung März 100% final.txt'] = await readFile(path.join(samplesDir, 'invoice-04-continental.txt'));
    files['odd/empty.txt'] = '';
    files['folder-marker/'] = '';
    files['skipped/notes.tmp'] = 'not a document';
    await upload(source, files);

    const output = testBucketUrl('results');
    const batchId = uniqueId('s3');
    const client = await testClient();
    const handle = await startBatch(client, taskQueue, batchId, { source: { url: `${source}/`, exclude: ['skipped/**'] }, outputDir: output, chunkSize: 3, concurrency: 2, extractor: 'local' });
    const summary: BatchSummary = await handle.result();

    expect(summary.state).toBe('completed');
    expect(summary.total).toBe(samples.length + 2);
    expect(summary.files.results).toBe(`${output}/${batchId}/results.jsonl`);
    const results = await readLines<DocumentResult>(summary.files.results);
    const keys = results.map((result) => result.path.slice(source.length + 1));
    expect(keys).toEqual([...samples.map((name) => `2026/${name}`), 'odd/Rechnung März 100% final.txt', 'odd/empty.txt']);
    expect(results.find((result) => result.path.endsWith('empty.txt'))).toMatchObject({ status: 'failed', error: { type: 'empty' } });
    for (const result of results.filter((r) => !r.path.endsWith('empty.txt'))) expect(result).toMatchObject({ status: 'succeeded', data: { invoiceNumber: expect.any(String) } });

    // Every output is an object of the batch's prefix; nothing was written to local disk.
    const written = [];
    for await (const object of storageAt(`${output}/${batchId}`).list()) written.push(object.key);
    expect(written).toEqual(expect.arrayContaining(['results.jsonl', 'results.csv', 'failures.jsonl', 'review.jsonl', 'summary.json', 'report.html', 'manifest.jsonl', 'manifest/000000.jsonl']));
    expect(written.some((key) => key.startsWith('chunks/000000.jsonl/'))).toBe(true);

    // A redrive of its failures from any machine: the redrive's manifest goes into the bucket too.
    const plan = await planRedrive(client, batchId, {});
    expect(plan.manifest).toBe(`${output}/${plan.batchId}/redrive-of-${batchId}.txt`);
    const { json } = await redriveInput(plan);
    const redriven: BatchSummary = await (await startBatch(client, taskQueue, plan.batchId, { ...json, extractor: 'local' })).result();
    expect(redriven).toMatchObject({ state: 'completed', total: 1, failed: 1, redriveOf: batchId });
  }, 180_000);

  it('fails an object replaced after planning as changed, and one deleted as not_found, instead of mixing versions', async () => {
    const source = testBucketUrl('replaced');
    const names = (await readdir(samplesDir)).filter((name) => name.startsWith('invoice-') && name.endsWith('.txt')).slice(0, 4);
    const files: Record<string, Buffer> = {};
    for (const name of names) files[name] = await readFile(path.join(samplesDir, name));
    await upload(source, files);

    const client = await testClient();
    const batchId = uniqueId('s3-replaced');
    const handle = await startBatch(client, taskQueue, batchId, { source: { url: source }, outputDir: testBucketUrl('replaced-out'), chunkSize: 1, concurrency: 1, extractor: 'local' });
    await handle.signal('pause', { reason: 'hold while the objects change' });
    await eventually(async () => {
      const progress = await handle.query(progressQuery);
      expect(progress.listing).toBeUndefined();
      expect(progress.total).toBe(4);
    });
    // Chunk 0 may have started before the pause; the last two are planned and not yet read.
    await storageAt(source).write(names[2]!, 'Invoice INV-NEW\nTotal: 1.00 EUR\n');
    await storageAt(source).delete(names[3]!);
    await handle.signal('resume');
    const summary: BatchSummary = await handle.result();
    const results = await readLines<DocumentResult>(summary.files.results);
    expect(results[2]).toMatchObject({ status: 'failed', error: { type: 'changed', message: expect.stringContaining('replaced after the batch was planned') } });
    expect(results[3]).toMatchObject({ status: 'failed', error: { type: 'not_found' } });
  }, 180_000);

  it('lists a prefix of more than 10,000 keys across pages, in key order, resuming after a key', async () => {
    const source = testBucketUrl('many');
    const keys = Array.from({ length: 10_050 }, (_, i) => `k/${String(i).padStart(5, '0')}.txt`);
    await upload(source, Object.fromEntries(keys.map((key) => [key, 'x'])));
    const listed: string[] = [];
    for await (const entry of listObjectSource({ url: source, include: ['**/*'], exclude: [] })) listed.push(entry.path);
    expect(listed).toHaveLength(10_050);
    expect(listed).toEqual(keys.map((key) => `${source}/${key}`));
    const resumed: string[] = [];
    for await (const entry of listObjectSource({ url: source, include: ['**/*'], exclude: [] }, { after: listed[9_999]! })) resumed.push(entry.path);
    expect(resumed).toEqual(listed.slice(10_000));
  }, 180_000);
});
