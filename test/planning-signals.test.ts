import { defaultPayloadConverter } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ListedArgs } from '../src/batch/messages';
import type { BatchSummary } from '../src/batch/summary';
import { startBatch, startTestWorker, tempDir, testClient, uniqueId } from './helpers/batch';
import { documentDir } from './helpers/documents';

/**
 * Planning tells the workflow of listed chunks with the `listed` signal: at once whenever the
 * chunks listed have doubled since it last told (so the first second of a fast listing does not
 * leave the worker with one chunk), else at most once a second (each signal is a history event).
 * Asserted on counts, not on the gaps between signals: those depend on the machine's load.
 */
describe('the listed signals of a fast listing', () => {
  const total = 300;
  let summary: BatchSummary;
  let signals: { chunks: number; at: number }[];
  let stop: () => Promise<void>;

  beforeAll(async () => {
    const taskQueue = uniqueId('listed');
    ({ stop } = await startTestWorker({ taskQueue, activityDeps: { resultCache: null } }));
    const client = await testClient();
    const handle = await startBatch(client, taskQueue, uniqueId('listed'), {
      source: { dir: await documentDir(total) },
      outputDir: await tempDir('listed'),
      extractor: 'local',
      chunkSize: 1,
      concurrency: 4,
    });
    summary = await handle.result();
    const { events } = await handle.fetchHistory();
    signals = (events ?? []).flatMap((event) => {
      const signaled = event.workflowExecutionSignaledEventAttributes;
      if (signaled?.signalName !== 'listed') return [];
      const args = defaultPayloadConverter.fromPayload<ListedArgs>(signaled.input!.payloads![0]!);
      const time = event.eventTime!;
      return [{ chunks: args.chunks, at: Number(time.seconds) * 1000 + Math.floor((time.nanos ?? 0) / 1e6) }];
    });
  }, 240_000);

  afterAll(async () => stop?.());

  it('tells of more chunks with each signal, from the first chunk ready (parts finish writing a few at a time)', () => {
    expect(summary).toMatchObject({ state: 'completed', succeeded: total });
    expect(signals.length).toBeGreaterThan(0);
    expect(signals[0]!.chunks).toBeGreaterThanOrEqual(1);
    for (let i = 1; i < signals.length; i++) expect(signals[i]!.chunks).toBeGreaterThan(signals[i - 1]!.chunks);
    expect(signals.at(-1)!.chunks).toBeLessThanOrEqual(total);
  });

  it('costs about log2(chunks) signals plus one a second, not one per chunk', () => {
    const listingSeconds = signals.length > 0 ? (signals.at(-1)!.at - signals[0]!.at) / 1000 : 0;
    // Doublings: at most log2(total) + 1. Signals a second after the last: at most one per second of
    // listing, plus one for the round trip of a signal (the event times are the server's).
    expect(signals.length).toBeLessThanOrEqual(Math.ceil(Math.log2(total)) + 2 + Math.ceil(listingSeconds));
    expect(signals.length).toBeLessThan(total / 10);
  });
});
