import { describe, expect, it } from 'vitest';
import { createRateLimiter, littlesLawInFlight } from '../src/extraction/rate-limit';

function headers(limits: Record<string, [limit: number, remaining: number]>): Headers {
  const result = new Headers();
  for (const [name, [limit, remaining]] of Object.entries(limits)) {
    result.set(`anthropic-ratelimit-${name}-limit`, String(limit));
    result.set(`anthropic-ratelimit-${name}-remaining`, String(remaining));
  }
  return result;
}

describe('documents in flight (Little\'s law)', () => {
  it('is the rate times the latency, with headroom', () => {
    // 1,000 requests/min at 7 s: 116.7 in flight; × 1.5 headroom = 175, + 1.
    expect(littlesLawInFlight(1000, [], 7000)).toBe(176);
    expect(littlesLawInFlight(4000, [], 7000)).toBe(701);
  });

  it('follows the tightest budget in requests, and stays within its bounds', () => {
    // 20,000 input tokens/min at 1,000 a request is 20 requests/min, tighter than 1,000.
    expect(littlesLawInFlight(1000, [{ perMinute: 20_000, perRequest: 1000 }], 6000)).toBe(littlesLawInFlight(20, [], 6000));
    expect(littlesLawInFlight(1000, [{ perMinute: undefined, perRequest: 500 }], 6000)).toBe(littlesLawInFlight(1000, [], 6000));
    expect(littlesLawInFlight(1, [], 10)).toBe(2);
    expect(littlesLawInFlight(1_000_000, [], 60_000)).toBe(2000);
  });
});

describe('the rate limiter sizes the documents in flight', () => {
  it('learns the limits from the headers and the latency and tokens from answered requests', () => {
    const limiter = createRateLimiter({ now: () => 0 });
    // Before any answer: 60 requests/min and an assumed 10 s.
    expect(limiter.documentsInFlight()).toBe(littlesLawInFlight(60, [], 10_000));
    limiter.observe(headers({ requests: [1000, 1000], 'input-tokens': [400_000, 400_000], 'output-tokens': [80_000, 80_000] }));
    for (let i = 0; i < 50; i++) limiter.completed({ latencyMs: 4000, inputTokens: 2000, outputTokens: 400 });
    const snapshot = limiter.snapshot();
    expect(snapshot).toMatchObject({ requestsLimit: 1000, inputTokensLimit: 400_000, outputTokensLimit: 80_000, latencyMs: 4000 });
    // 400,000 input tokens/min at 2,000 a request is 200 requests/min: the tightest of the three.
    expect(limiter.documentsInFlight()).toBe(littlesLawInFlight(200, [], 4000));
  });

  it('lets the output-tokens limit bind when it is the tightest', () => {
    const limiter = createRateLimiter({ now: () => 0 });
    limiter.observe(headers({ requests: [4000, 4000], 'input-tokens': [2_000_000, 2_000_000], 'output-tokens': [40_000, 40_000] }));
    for (let i = 0; i < 50; i++) limiter.completed({ latencyMs: 8000, inputTokens: 1000, outputTokens: 800 });
    // 40,000 / 800 = 50 requests/min, against 4,000 and 2,000.
    expect(limiter.documentsInFlight()).toBe(littlesLawInFlight(50, [], 8000));
  });
});
