import { describe, expect, it } from 'vitest';
import {
  activeMs,
  estimateRemainingMs,
  pauseClock,
  percentOf,
  progressFromSummary,
  progressOf,
  recentRate,
  recordThroughput,
  resumeClock,
  startClock,
  THROUGHPUT_WINDOW,
  totalPausedMs,
  type BatchClock,
} from '../src/batch/progress';

/** Feeds chunk completions: every `everyMs` of wall time, `docs` more documents are done. */
function completions(clock: BatchClock, from: number, count: number, everyMs: number, docs: number, processed = 0) {
  let now = from;
  for (let i = 0; i < count; i++) {
    now += everyMs;
    processed += docs;
    clock = recordThroughput(clock, now, processed);
  }
  return { clock, now, processed };
}

describe('progress math', () => {
  it('gives no rate or ETA until there is enough to go on', () => {
    const clock = startClock(0);
    expect(recentRate(clock)).toBeNull();
    expect(estimateRemainingMs(clock, 0, 100)).toBeNull();
    const one = recordThroughput(clock, 1000, 10);
    expect(estimateRemainingMs(one, 1000, 90)).toBeNull();
  });

  it('estimates a steady rate exactly', () => {
    // 10 documents every 2 s = 5 docs/s; 400 left -> 80 s.
    const { clock, now } = completions(startClock(0), 0, 10, 2000, 10);
    expect(recentRate(clock)).toBeCloseTo(5);
    expect(estimateRemainingMs(clock, now, 400)).toBe(80_000);
    // Half a second after the last completion the ETA has counted down.
    expect(estimateRemainingMs(clock, now + 500, 400)).toBe(79_500);
  });

  it('follows a change of rate within the window', () => {
    const slow = completions(startClock(0), 0, 30, 2000, 10); // 5 docs/s
    const fast = completions(slow.clock, slow.now, THROUGHPUT_WINDOW, 500, 10, slow.processed); // 20 docs/s
    expect(recentRate(fast.clock)).toBeCloseTo(20);
    expect(estimateRemainingMs(fast.clock, fast.now, 200)).toBe(10_000);
  });

  it('leaves paused time out of elapsed time, rate and ETA', () => {
    const running = completions(startClock(0), 0, 5, 1000, 10); // 10 docs/s, now = 5000
    const etaBefore = estimateRemainingMs(running.clock, running.now, 100);
    let clock = pauseClock(running.clock, running.now);
    // An hour of pause: neither elapsed time nor ETA moves.
    const later = running.now + 3_600_000;
    expect(activeMs(clock, later)).toBe(5000);
    expect(totalPausedMs(clock, later)).toBe(3_600_000);
    expect(estimateRemainingMs(clock, later, 100)).toBe(etaBefore);
    clock = resumeClock(clock, later);
    const after = completions(clock, later, 5, 1000, 10, running.processed);
    expect(recentRate(after.clock)).toBeCloseTo(10);
    expect(activeMs(after.clock, after.now)).toBe(10_000);
    expect(totalPausedMs(after.clock, after.now)).toBe(3_600_000);
  });

  it('pausing twice or resuming when running changes nothing', () => {
    const clock = pauseClock(startClock(0), 100);
    expect(pauseClock(clock, 500)).toEqual(clock);
    const running = startClock(0);
    expect(resumeClock(running, 500)).toEqual(running);
  });

  it('computes percent with one decimal, capped at 100', () => {
    expect(percentOf(0, 0)).toBe(0);
    expect(percentOf(0, 0, true)).toBe(100);
    expect(percentOf(1, 3)).toBe(33.3);
    expect(percentOf(5, 5)).toBe(100);
  });
});

describe('progressOf', () => {
  const counts = { documents: 30, succeeded: 25, failed: 5, cached: 2, usage: { inputTokens: 10, outputTokens: 4, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0.01 } };
  const view = {
    batchId: 'b',
    phase: 'running' as const,
    pauseReason: null,
    priority: 3,
    plan: { total: 45, chunkCount: 5, batchDir: '/out/b' },
    chunkSize: 10,
    doneChunks: 3,
    inFlightChunks: [3, 4],
    counts,
    clock: completions(startClock(0), 0, 3, 1000, 10).clock,
    outputDir: 'output/b',
    run: 2,
    mode: 'realtime' as const,
  };

  it('counts documents in flight, the last chunk being short', () => {
    const progress = progressOf(view, 3000);
    expect(progress).toMatchObject({ state: 'running', total: 45, processed: 30, inFlight: 15, percent: 66.6, outputDir: '/out/b', run: 2 });
    expect(progress.chunks).toEqual({ total: 5, done: 3, inFlight: 2 });
    expect(progress.etaMs).toBe(1500);
    expect(progress).not.toHaveProperty('pauseReason');
  });

  it('shows a pause with its reason, and only while running', () => {
    expect(progressOf({ ...view, pauseReason: 'key rejected' }, 3000)).toMatchObject({ state: 'paused', pauseReason: 'key rejected' });
    expect(progressOf({ ...view, phase: 'cancelling', pauseReason: 'x' }, 3000)).not.toHaveProperty('pauseReason');
  });

  it('has no ETA while planning and none left once over', () => {
    expect(progressOf({ ...view, phase: 'planning', plan: null, doneChunks: 0, inFlightChunks: [] }, 0)).toMatchObject({ total: 0, etaMs: null, outputDir: 'output/b' });
    expect(progressOf({ ...view, phase: 'cancelled' }, 3000).etaMs).toBe(0);
  });

  it('gives an ended batch the same percent whether the query or its summary answers (an empty batch is 100%)', () => {
    const empty = { ...view, phase: 'completed' as const, plan: { total: 0, chunkCount: 0, batchDir: '/out/b' }, doneChunks: 0, inFlightChunks: [], counts: { ...counts, documents: 0, succeeded: 0, failed: 0 } };
    const live = progressOf(empty, 3000);
    expect(live.percent).toBe(100);
    const summary = {
      batchId: 'b', state: 'completed' as const, outputDir: '/out/b', total: 0, processed: 0, succeeded: 0, failed: 0, cached: 0, notProcessed: 0,
      successRate: 0, failuresByType: {}, startedAt: '', finishedAt: '', elapsedMs: 0, pausedMs: 0, documentsPerSecond: 0, meanDocumentMs: 0,
      usage: counts.usage, models: {}, runs: 1, redrivenBy: [], files: { results: '', resultsCsv: '', failures: '', summary: '', manifest: '' },
    };
    expect(progressFromSummary(summary, 3).percent).toBe(live.percent);
    expect(progressFromSummary({ ...summary, total: 3, processed: 1 }, 3).percent).toBe(percentOf(1, 3, true));
  });
});
