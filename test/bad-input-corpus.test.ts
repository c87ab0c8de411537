import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DocumentResult } from '../src/store/document-result';
import type { BatchSummary } from '../src/batch/summary';
import { badInputCorpus } from './helpers/bad-input-corpus';
import { readJsonLines, startBatch, startTestWorker, tempDir, testClient, uniqueId } from './helpers/batch';

const taskQueue = uniqueId('corpus');
let stop: () => Promise<void>;
let summary: BatchSummary;
const results = new Map<string, DocumentResult>();

beforeAll(async () => {
  const sourceDir = await tempDir('corpus-src');
  for (const { file, bytes } of badInputCorpus) {
    await mkdir(path.dirname(path.join(sourceDir, file)), { recursive: true });
    await writeFile(path.join(sourceDir, file), await bytes());
  }
  ({ stop } = await startTestWorker({ taskQueue, activityDeps: { resultCache: null } }));
  const handle = await startBatch(await testClient(), taskQueue, uniqueId('corpus-batch'), {
    source: { dir: sourceDir },
    outputDir: await tempDir('corpus-out'),
    chunkSize: 4,
    concurrency: 3,
    extractor: 'local',
    cache: false,
    // Most of the corpus fails on purpose.
    toleratedFailurePercent: 100,
  });
  summary = await handle.result();
  for (const result of await readJsonLines<DocumentResult>(summary.files.results)) results.set(path.relative(sourceDir, result.path), result);
}, 600_000);

afterAll(async () => stop?.());

describe(`a batch of ${badInputCorpus.length} kinds of bad input`, () => {
  it('completes, with one result line for every input', () => {
    expect(badInputCorpus.length).toBeGreaterThanOrEqual(25);
    expect(summary.state).toBe('completed');
    expect([...results.keys()].sort()).toEqual(badInputCorpus.map(({ file }) => file).sort());
  });

  it.each(badInputCorpus.map((entry) => [entry.kind, entry] as const))('%s', (_, { file, expected }) => {
    const result = results.get(file);
    expect(result, `no result line for ${JSON.stringify(file)}`).toBeDefined();
    const outcome = { status: result!.status, type: result!.error?.type, encoding: result!.encoding };
    expect(outcome, result!.error?.message).toEqual({ status: expected.status, type: expected.type, encoding: expected.encoding });
    if (result!.status === 'failed') {
      // The reason names the document and says what to do about it.
      expect(result!.error!.message).toContain(result!.path);
      expect(result!.error!.message).toMatch(/: [a-z]/);
    }
  });
});
