import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { planBatch } from '../src/activities/plan-batch';
import { batchInputSchema, parseBatchInput } from '../src/batch/input';
import {
  emptyTally,
  messageBatchEtaMs,
  messageBatchProgressOf,
  recordSubmission,
  recordTurnaround,
  TURNAROUND_WINDOW,
  typicalTurnaroundMs,
  type MessageBatchTally,
} from '../src/batch/message-batch-progress';
import { progressLine, progressTable } from '../src/cli/format';
import { batchModeProgress } from './helpers/batch-mode-progress';

const minute = 60_000;
const at = (ms: number) => new Date(ms).toISOString();

/** A tally whose Message Batches took these many milliseconds each. */
function turnarounds(...ms: number[]): MessageBatchTally {
  return ms.reduce((tally, took) => recordTurnaround(tally, at(0), at(took)), emptyTally());
}

describe('the turnaround of Message Batches', () => {
  it('is unknown until a Message Batch has ended, then the median of the recent ones', () => {
    expect(typicalTurnaroundMs(emptyTally())).toBeNull();
    expect(typicalTurnaroundMs(turnarounds(10 * minute))).toBe(10 * minute);
    // One Message Batch that took hours does not swing it.
    expect(typicalTurnaroundMs(turnarounds(10 * minute, 12 * minute, 300 * minute))).toBe(12 * minute);
    expect(typicalTurnaroundMs(turnarounds(10 * minute, 20 * minute))).toBe(15 * minute);
  });

  it('keeps only the recent window, so a change of pace at Anthropic shows', () => {
    const slow = turnarounds(...Array<number>(TURNAROUND_WINDOW).fill(60 * minute));
    const fast = [...Array<number>(TURNAROUND_WINDOW).fill(5 * minute)].reduce((tally, took) => recordTurnaround(tally, at(0), at(took)), slow);
    expect(fast.turnaroundsMs).toHaveLength(TURNAROUND_WINDOW);
    expect(typicalTurnaroundMs(fast)).toBe(5 * minute);
  });

  it('ignores times it cannot read', () => {
    expect(recordTurnaround(emptyTally(), 'soon', at(0))).toEqual(emptyTally());
  });

  it('counts first submissions and resubmissions apart', () => {
    const tally = recordSubmission(recordSubmission(recordSubmission(emptyTally(), 0, 50), 0, 50), 2, 3);
    expect(tally).toMatchObject({ submitted: 100, resubmitted: 3 });
  });
});

describe('the ETA of a batch in batch mode', () => {
  const T = 30 * minute;
  const now = 100 * minute;

  it('has none before a Message Batch has ended', () => {
    expect(messageBatchEtaMs({ now, turnaroundMs: null, inFlight: [{ stage: 'waiting', createdAt: [now] }], pendingChunks: 3, concurrency: 2 })).toBeNull();
  });

  it('counts down what is left of the turnaround for the Message Batches waiting', () => {
    const waiting = { stage: 'waiting' as const, createdAt: [now - 10 * minute, now - 20 * minute] };
    // The newest Message Batch of the chunk decides: 30 - 10 minutes left.
    expect(messageBatchEtaMs({ now, turnaroundMs: T, inFlight: [waiting], pendingChunks: 0, concurrency: 4 })).toBe(20 * minute);
    // Past the typical turnaround: taken to end now, never a negative ETA.
    expect(messageBatchEtaMs({ now, turnaroundMs: T, inFlight: [{ stage: 'waiting', createdAt: [now - 45 * minute] }], pendingChunks: 0, concurrency: 4 })).toBe(0);
  });

  it('gives a chunk being submitted a whole turnaround and one being collected none', () => {
    expect(messageBatchEtaMs({ now, turnaroundMs: T, inFlight: [{ stage: 'submitting' }, { stage: 'collecting' }], pendingChunks: 0, concurrency: 2 })).toBe(T);
    expect(messageBatchEtaMs({ now, turnaroundMs: T, inFlight: [{ stage: 'collecting' }], pendingChunks: 0, concurrency: 2 })).toBe(0);
  });

  it('schedules pending chunks on the slots as they free up, a turnaround each', () => {
    const inFlight = [
      { stage: 'waiting' as const, createdAt: [now - 25 * minute] }, // free in 5 minutes
      { stage: 'waiting' as const, createdAt: [now - 10 * minute] }, // free in 20 minutes
    ];
    // 3 pending on 2 slots: the slot free at 5 min runs two (5 + 60), the other one (20 + 30).
    expect(messageBatchEtaMs({ now, turnaroundMs: T, inFlight, pendingChunks: 3, concurrency: 2 })).toBe(65 * minute);
    // A free slot starts a pending chunk at once.
    expect(messageBatchEtaMs({ now, turnaroundMs: T, inFlight: [], pendingChunks: 1, concurrency: 3 })).toBe(T);
    // 10 pending chunks, 5 at a time, nothing in flight: two waves.
    expect(messageBatchEtaMs({ now, turnaroundMs: T, inFlight: [], pendingChunks: 10, concurrency: 5 })).toBe(2 * T);
  });
});

describe('Message Batches in progress', () => {
  const tally = { submitted: 120, resubmitted: 4, turnaroundsMs: [12 * minute] };
  const now = Date.parse('2026-11-23T12:00:00Z');
  const waiting = [
    { id: 'msgbatch_new', chunkIndex: 3, round: 1, requests: 4, createdAt: at(now - 2 * minute), expiresAt: at(now - 2 * minute + 24 * 60 * minute) },
    { id: 'msgbatch_old', chunkIndex: 2, round: 0, requests: 50, createdAt: at(now - 5 * minute), expiresAt: at(now - 5 * minute + 24 * 60 * minute) },
  ];

  it('lists the Message Batches waiting, oldest first, with their age and time to expiry', () => {
    const progress = messageBatchProgressOf(tally, waiting, now);
    expect(progress).toMatchObject({ submitted: 120, resubmitted: 4, waiting: 54, turnaroundMs: 12 * minute });
    expect(progress.waitingBatches.map((b) => [b.id, b.ageMs, b.expiresInMs])).toEqual([
      ['msgbatch_old', 5 * minute, (24 * 60 - 5) * minute],
      ['msgbatch_new', 2 * minute, (24 * 60 - 2) * minute],
    ]);
    // Past its expiry: 0, not negative.
    expect(messageBatchProgressOf(tally, waiting, now + 25 * 60 * minute).waitingBatches[0]!.expiresInMs).toBe(0);
  });

  const progress = batchModeProgress();

  it('shows them in `docbatch status` and in the progress line of `watch`', () => {
    const table = progressTable(progress, 'http://ui/b1');
    expect(table).toMatch(/mode\s+batch/);
    expect(table).toMatch(/Message Batches\s+120 submitted · 4 resubmitted · 54 waiting at Anthropic in 2 Message Batches/);
    expect(table).toMatch(/at Anthropic\s+msgbatch_old \(chunk 2\): 50 documents, 5m 00s old, expires in 23h 55m/);
    expect(progressLine(progress)).toMatch(/· 120 submitted · 54 waiting at Anthropic in 2 Message Batches$/);
  });
});

describe('batch mode input', () => {
  it('refuses the local extractor with batch mode, saying what to choose instead', () => {
    const parsed = parseBatchInput({ source: { dir: '/x' }, mode: 'batch', extractor: 'local' });
    expect(parsed).toEqual({ ok: false, problems: [expect.stringMatching(/^mode: "batch" sends documents to Claude as Message Batches, but extractor "local" never calls Claude: use extractor "anthropic"/)] });
    expect(parseBatchInput({ source: { dir: '/x' }, mode: 'batch' }).ok).toBe(true);
    expect(parseBatchInput({ source: { dir: '/x' }, mode: 'realtime', extractor: 'local' }).ok).toBe(true);
  });
});

describe('the extractor of a batch in batch mode', () => {
  it('is Claude for `auto` even on a planning worker without a key (that worker pauses the batch when it submits)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'docbatch-batch-mode-plan-'));
    await writeFile(path.join(dir, 'a.txt'), 'Invoice 1');
    const plan = (mode: 'batch' | 'realtime') =>
      planBatch({ hasAnthropicKey: () => false }, { batchId: `plan-${mode}`, input: batchInputSchema.parse({ source: { dir }, outputDir: path.join(dir, 'out'), mode }) });
    expect((await plan('batch')).extractor).toBe('anthropic');
    expect((await plan('realtime')).extractor).toBe('local');
  });
});
