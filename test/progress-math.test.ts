import { describe, expect, it } from 'vitest';
import {
  activeMs,
  estimateRemainingMs,
  pauseClock,
  percentOf,
  recentRate,
  recordThroughput,
  resumeClock,
  startClock,
  THROUGHPUT_WINDOW,
  totalPausedMs,
  type BatchClock,
} from '../src/workflows/progress';

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
    expect(percentOf(1, 3)).toBe(33.3);
    expect(percentOf(5, 5)).toBe(100);
  });
});
