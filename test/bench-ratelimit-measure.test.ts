import { describe, expect, it } from 'vitest';
import { secondsToReach, throughput, type CompletionRecorder } from '../bench/ratelimit-measure';

/** Answer times every `everyMs` from `fromMs` to `toMs` (ms after 0). */
function answers(fromMs: number, toMs: number, everyMs: number): number[] {
  const times: number[] = [];
  for (let at = fromMs; at < toMs; at += everyMs) times.push(at);
  return times;
}

describe('bench/ratelimit: time to reach a rate', () => {
  it('is the end of the first full window at the rate', () => {
    // 10 answers/min for 30 s, then 60/min (one a second). 54/min is reached over a 33.3 s window
    // (30 answers' worth at 54/min) once it holds 30 answers: the fast ones at 30 … 59 s.
    const ok = [...answers(0, 30_000, 6000), ...answers(30_000, 120_000, 1000)];
    expect(secondsToReach(ok, 0, 54)).toBe(59);
    // The same answers, counted from 20 s: 39 s after that start.
    expect(secondsToReach(ok, 20_000, 54)).toBe(39);
  });

  it('never, when the rate is never reached, or the run is shorter than one window', () => {
    expect(secondsToReach(answers(0, 120_000, 2000), 0, 54)).toBeNull();
    expect(secondsToReach(answers(0, 5000, 10), 0, 600)).toBeNull();
  });
});

describe('bench/ratelimit: the binding limit', () => {
  const recorder = (inputTokens: number) =>
    ({ answered: answers(0, 60_000, 100).map((doneAt) => ({ at: doneAt - 50, doneAt, status: 200, inputTokens })), inFlight: [] }) as unknown as CompletionRecorder;

  it('is the input-tokens limit, in requests, when that is the tighter one', () => {
    // 600 answers in a minute at 2,000 tokens each; 400,000 tokens/min allow 200 requests/min.
    const measured = throughput(recorder(2000), 0, { requestsPerMinute: 1000, inputTokensPerMinute: 400_000, burstSeconds: 10 });
    expect(measured.binding).toEqual({ limit: 'input tokens', perMinute: 200 });
    expect(measured.inputTokensPerRequest).toBe(2000);
    expect(measured.sustainedFractionOfBinding).toBe(3);
    expect(measured.inputTokensPerMinute).toBe(1_200_000);
  });

  it('is R otherwise', () => {
    const measured = throughput(recorder(100), 0, { requestsPerMinute: 1000, inputTokensPerMinute: 400_000, burstSeconds: 10 });
    expect(measured.binding).toEqual({ limit: 'requests', perMinute: 1000 });
    expect(measured.sustainedFractionOfR).toBe(0.6);
  });
});
