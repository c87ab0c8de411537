import { describe, expect, it } from 'vitest';
import path from 'node:path';
import type { Context } from '@temporalio/activity';
import { ChunkAttempt } from '../src/activities/chunk-attempt';
import { DocumentSlots } from '../src/extraction/document-slots';
import { zeroUsage } from '../src/extraction/usage';
import type { DocumentResult } from '../src/store/document-result';
import { type ChunkJournal, readJournal, withChunkJournal } from '../src/store/journal';
import { tempDir } from './helpers/batch';
import { eventually } from './helpers/eventually';

function resultOf(index: number): DocumentResult {
  return { index, path: `doc-${index}`, attempts: 1, status: 'succeeded', cached: false, data: {}, error: null, durationMs: 1, model: 'm', usage: zeroUsage };
}

/** The parts of an activity's Context that ChunkAttempt uses: cancellation, heartbeats, the heartbeat timeout. */
function fakeContext(heartbeatTimeoutMs = 60_000) {
  const cancel = new AbortController();
  const beats: unknown[] = [];
  const context = {
    cancellationSignal: cancel.signal,
    heartbeat: (details?: unknown) => void beats.push(details),
    info: { heartbeatTimeoutMs },
  } as unknown as Context;
  return { context, cancel, beats };
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((ok, fail) => ((resolve = ok), (reject = fail)));
  return { promise, resolve, reject };
}

async function withJournal<T>(run: (journal: ChunkJournal, file: string) => Promise<T>): Promise<T> {
  const batchDir = path.join(await tempDir('chunk-attempt'), 'batch');
  return withChunkJournal(batchDir, 0, (journal) => run(journal, batchDir));
}

describe('ChunkAttempt', () => {
  it('records each result once, counts only its own lines, and beats with the progress', async () => {
    await withJournal(async (journal, file) => {
      // Beats every 100 ms (a third of the timeout, at least 100 ms).
      const { context, beats } = fakeContext(300);
      const observed: number[] = [];
      const attempt = new ChunkAttempt(context, journal, new DocumentSlots(() => 2), 3, (result) => observed.push(result.index));
      try {
        await Promise.all([0, 1, 1].map((index) => attempt.inSlot(() => Promise.resolve(resultOf(index)))));
        await attempt.inSlot(() => Promise.resolve(undefined));
        await attempt.settled();
        await eventually(async () => expect(beats.at(-1)).toEqual({ done: 2, of: 3 }));
      } finally {
        attempt.close();
      }
      expect(attempt.failure).toBeUndefined();
      expect(attempt.journaledNow).toBe(2);
      expect(observed.sort()).toEqual([0, 1]);
      expect([...(await readJournal(file, 0)).keys()].sort()).toEqual([0, 1]);
    });
  });

  it('after the first failure starts no further work, and records what was in flight', async () => {
    await withJournal(async (journal) => {
      const { context } = fakeContext();
      const attempt = new ChunkAttempt(context, journal, new DocumentSlots(() => 2), 4, () => {});
      const slow = deferred<DocumentResult>();
      const started: number[] = [];
      const work = (index: number) => () => {
        started.push(index);
        if (index === 0) return slow.promise;
        if (index === 1) return Promise.reject(new Error('document 1 broke the attempt'));
        return Promise.resolve(resultOf(index));
      };
      const queued = Promise.all([0, 1, 2, 3].map((index) => attempt.inSlot(work(index))));
      await new Promise((resolve) => setImmediate(resolve));
      expect(attempt.stopped).toBe(true);
      slow.resolve(resultOf(0));
      await queued;
      await attempt.settled();
      attempt.close();
      expect(started).toEqual([0, 1]);
      expect((attempt.failure?.error as Error).message).toBe('document 1 broke the attempt');
      expect(journal.done.has(0)).toBe(true);
      expect(attempt.journaledNow).toBe(1);
    });
  });

  it('a failure to record fails the attempt instead of escaping it', async () => {
    await withJournal(async (journal) => {
      const { context } = fakeContext();
      const attempt = new ChunkAttempt(context, journal, new DocumentSlots(() => 1), 1, () => {
        throw new Error('observer broke');
      });
      await attempt.inSlot(() => Promise.resolve(resultOf(0)));
      await attempt.settled();
      attempt.close();
      expect((attempt.failure?.error as Error).message).toBe('observer broke');
    });
  });

  it('on cancellation no queued document starts; the one in flight is recorded', async () => {
    await withJournal(async (journal) => {
      const { context, cancel } = fakeContext();
      const attempt = new ChunkAttempt(context, journal, new DocumentSlots(() => 1), 3, () => {});
      const slow = deferred<DocumentResult>();
      const started: number[] = [];
      const queued = Promise.all(
        [0, 1, 2].map((index) =>
          attempt.inSlot(() => {
            started.push(index);
            return index === 0 ? slow.promise : Promise.resolve(resultOf(index));
          }),
        ),
      );
      await new Promise((resolve) => setImmediate(resolve));
      cancel.abort('cancelled by the workflow');
      slow.resolve(resultOf(0));
      await queued;
      await attempt.settled();
      attempt.close();
      expect(attempt.stopped).toBe(true);
      expect(attempt.failure).toBeUndefined();
      expect(started).toEqual([0]);
      expect(attempt.journaledNow).toBe(1);
    });
  });
});
