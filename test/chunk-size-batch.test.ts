import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { textChunkSize } from '../src/batch/chunk-size';
import type { BatchSummary } from '../src/batch/summary';
import type { DocumentResult } from '../src/store/document-result';
import { readJsonLines, startBatch, startTestWorker, tempDir, testClient, uniqueId } from './helpers/batch';
import { documentDir } from './helpers/documents';

/**
 * The size planning chooses travels to the workflow (the `listed` signal, then the plan): its
 * chunks, their documents and the report follow it. Unit cases of the choice: chunk-size.test.ts.
 */
describe('a text batch without a chunkSize', () => {
  const total = 2 * textChunkSize + 50;
  let stop: () => Promise<void>;
  let summary: BatchSummary;
  let results: DocumentResult[];
  let chunkActivities: number;

  beforeAll(async () => {
    const taskQueue = uniqueId('chunk-size');
    ({ stop } = await startTestWorker({ taskQueue, activityDeps: { resultCache: null } }));
    const client = await testClient();
    const handle = await startBatch(client, taskQueue, uniqueId('chosen'), { source: { dir: await documentDir(total) }, outputDir: await tempDir('chunk-size'), extractor: 'local' });
    summary = await handle.result();
    results = await readJsonLines<DocumentResult>(summary.files.results);
    const { events } = await handle.fetchHistory();
    chunkActivities = (events ?? []).filter((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'extractChunk').length;
  }, 240_000);

  afterAll(async () => stop?.());

  it('runs in chunks of the size planning chose for text', () => {
    expect(summary.chunkSize).toBe(textChunkSize);
    expect(chunkActivities).toBe(3);
  });

  it('extracts every document once, in manifest order', () => {
    expect(summary).toMatchObject({ state: 'completed', total, succeeded: total, failed: 0, notProcessed: 0 });
    expect(results.map((result) => result.index)).toEqual([...Array(total).keys()]);
  });
});
