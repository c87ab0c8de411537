import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchSummary } from '../src/batch/summary';
import type { DocumentResult } from '../src/store/document-result';
import { batchKeys, batchStorage } from '../src/store/paths';
import { storageAt } from '../src/storage/location';
import { startObjectStoreServer, type ObjectStoreServer } from '../src/storage/versitygw';
import { startBatch, startTestWorker, tempDir, testClient, uniqueId } from './helpers/batch';
import { documentDir } from './helpers/documents';
import { eventually } from './helpers/eventually';
import { countingExtractor } from './helpers/extractors';

/**
 * The object store goes away mid-batch (its server killed, then started again on the same data):
 * chunks fail while it is down and Temporal retries them; when it is back the batch completes with
 * every document once, and none extracted twice beyond those in flight when it went.
 */
const DOCUMENTS = 40;
const bucket = 'restart-test';
let server: ObjectStoreServer;
let stopWorker: () => Promise<void>;
const extractor = countingExtractor(150);

beforeAll(async () => {
  // A server of this file's own (the run's shared one must stay up for the other files), reached the way a user's would: the SDK's env.
  server = await startObjectStoreServer({ dataDir: await tempDir('restart-store') });
  await server.createBucket(bucket);
  Object.assign(process.env, server.env);
  ({ stop: stopWorker } = await startTestWorker({ taskQueue, activityDeps: { extractorFor: () => extractor, resultCache: null } }));
}, 120_000);

afterAll(async () => {
  await stopWorker?.();
  await server?.stop();
});

const taskQueue = uniqueId('s3-restart');

describe('the object store killed and restarted mid-batch', () => {
  it('retries the chunks that failed while it was down, and loses or doubles nothing', async () => {
    const dir = await documentDir(DOCUMENTS);
    const source = `s3://${bucket}/inbox`;
    for (const name of await readdir(dir)) await storageAt(source).write(name, await readFile(path.join(dir, name)));

    const batchId = uniqueId('restart');
    const output = `s3://${bucket}/out`;
    const client = await testClient();
    const handle = await startBatch(client, taskQueue, batchId, {
      source: { url: source },
      outputDir: output,
      chunkSize: 4,
      concurrency: 2,
      extractor: 'local',
      retry: { initialInterval: '500ms', maximumInterval: '2s', maximumAttempts: 0 },
      timeouts: { chunkHeartbeat: '5s' },
    });
    const batchDir = `${output}/${batchId}`;
    // Some documents journaled, most not yet.
    await eventually(async () => {
      let journaled = 0;
      for await (const _ of batchStorage(batchDir).list(batchKeys.chunks)) journaled++;
      expect(journaled).toBeGreaterThan(2);
    }, 60_000, 50);
    await server.stop();
    await sleep(4_000);
    await server.restart();

    const summary: BatchSummary = await handle.result();
    expect(summary).toMatchObject({ state: 'completed', total: DOCUMENTS, succeeded: DOCUMENTS, failed: 0 });
    const text = (await storageAt(batchDir).read(batchKeys.results))!.toString('utf8');
    const results = text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as DocumentResult);
    expect(new Set(results.map((result) => result.path)).size).toBe(DOCUMENTS);
    // Extracted again: at most the documents in flight when the store went (2 chunks of 4).
    const twice = [...extractor.calls.values()].filter((calls) => calls > 1).length;
    expect(twice).toBeLessThanOrEqual(8);
  }, 240_000);
});
