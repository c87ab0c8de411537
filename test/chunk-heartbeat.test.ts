import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import type { DocumentResult } from '../src/store/document-result';
import { heartbeatEveryMs } from '../src/activities/chunk-attempt';
import { readJsonLines, startBatch, startTestWorker, testClient, uniqueId } from './helpers/batch';
import { documentDir } from './helpers/documents';
import { countingExtractor } from './helpers/extractors';

/**
 * A chunk heartbeats on a timer while a document is being extracted, so an extraction longer than
 * the heartbeat timeout is not mistaken for a dead worker (and the timeout can be short).
 */
const taskQueue = uniqueId('heartbeat');
// Each document takes 3 s, longer than the 1 s heartbeat timeout below.
const extractor = countingExtractor(3000);
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ stop } = await startTestWorker({ taskQueue, activityDeps: { extractorFor: () => extractor, resultCache: null } }));
});
afterAll(async () => stop?.());

describe('a chunk whose documents each take longer than its heartbeat timeout', () => {
  it('completes on its first attempt, each document extracted once', async () => {
    const dir = await documentDir(2);
    const handle = await startBatch(await testClient(), taskQueue, uniqueId('slow'), {
      source: { dir },
      outputDir: path.join(dir, 'out'),
      extractor: 'local',
      chunkSize: 2,
      cache: false,
      timeouts: { chunkHeartbeat: '1s' },
      retry: { initialInterval: '100ms', maximumAttempts: 3 },
    });
    const summary = await handle.result();
    expect(summary).toMatchObject({ state: 'completed', succeeded: 2, failed: 0 });
    const results = await readJsonLines<DocumentResult>(summary.files.results);
    expect(results.map((result) => result.attempts)).toEqual([1, 1]);
    expect([...extractor.calls.values()]).toEqual([1, 1]);
    const timedOut = ((await handle.fetchHistory()).events ?? []).filter((event) => event.activityTaskTimedOutEventAttributes);
    expect(timedOut).toHaveLength(0);
  }, 60_000);
});

describe('heartbeatEveryMs', () => {
  it('beats three times per timeout, with the 15 s default when none is set', () => {
    expect(heartbeatEveryMs(15_000)).toBe(5000);
    expect(heartbeatEveryMs(undefined)).toBe(5000);
    expect(heartbeatEveryMs(90)).toBe(100);
  });
});
