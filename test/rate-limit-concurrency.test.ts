import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startEmulator } from '../src/emulator';
import { createAnthropicExtractor } from '../src/extraction/anthropic';
import { loadDocument } from '../src/extraction/document';
import { createRateLimiter, littlesLawInFlight } from '../src/extraction/rate-limit';
import { invoiceSchema } from '../src/extraction/schemas/invoice';

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
    for (let i = 0; i < 50; i++) limiter.completed({ latencyMs: 4000, inputTokens: 2000, estimatedInputTokens: 2000, outputTokens: 400 });
    const snapshot = limiter.snapshot();
    expect(snapshot).toMatchObject({ requestsLimit: 1000, inputTokensLimit: 400_000, outputTokensLimit: 80_000, latencyMs: 4000 });
    // 400,000 input tokens/min at 2,000 a request is 200 requests/min: the tightest of the three.
    expect(limiter.documentsInFlight()).toBe(littlesLawInFlight(200, [], 4000));
  });

  it('lets the output-tokens limit bind when it is the tightest', () => {
    const limiter = createRateLimiter({ now: () => 0 });
    limiter.observe(headers({ requests: [4000, 4000], 'input-tokens': [2_000_000, 2_000_000], 'output-tokens': [40_000, 40_000] }));
    for (let i = 0; i < 50; i++) limiter.completed({ latencyMs: 8000, inputTokens: 1000, estimatedInputTokens: 1000, outputTokens: 800 });
    // 40,000 / 800 = 50 requests/min, against 4,000 and 2,000.
    expect(limiter.documentsInFlight()).toBe(littlesLawInFlight(50, [], 8000));
  });
});

describe('the rate limiter spends the input tokens the API counts', () => {
  /** Whether `pending` is still waiting after the limiter has had time to look again (the clock is fake). */
  async function stillWaiting(pending: Promise<void>): Promise<boolean> {
    let done = false;
    void pending.then(() => (done = true));
    await new Promise((resolve) => setTimeout(resolve, 250));
    return !done;
  }

  it('paces a cold cache by the whole prompt, and a warm one by what is not read from the cache', async () => {
    let now = 0;
    const limiter = createRateLimiter({ now: () => now });
    // 60,000 input tokens/min, the bucket full: one token a millisecond.
    limiter.observe(headers({ requests: [10_000, 10_000], 'input-tokens': [60_000, 60_000] }));
    // A 10,000-token prompt of which 8,000 are a cached system prompt. Nothing answered yet: all of it is spent.
    await limiter.acquire(10_000);
    expect(limiter.snapshot().countedInputShare).toBe(1);
    now = 9000;
    const second = limiter.acquire(10_000);
    expect(await stillWaiting(second)).toBe(true);
    now = 10_000;
    await second;
    // The first answers wrote the cache, which counts: the share stays 1.
    limiter.completed({ latencyMs: 3000, inputTokens: 10_000, estimatedInputTokens: 10_000, outputTokens: 300 });
    limiter.completed({ latencyMs: 3000, inputTokens: 10_000, estimatedInputTokens: 10_000, outputTokens: 300 });
    expect(limiter.snapshot().countedInputShare).toBe(1);
    // Later answers read the 8,000 from the cache: 2,000 counted of the 10,000 estimated. The share
    // follows within a few answers (a small account answers a few a minute), not after dozens.
    const warmAnswer = { latencyMs: 3000, inputTokens: 2000, estimatedInputTokens: 10_000, outputTokens: 300 };
    for (let i = 0; i < 8; i++) limiter.completed(warmAnswer);
    expect(limiter.snapshot().countedInputShare).toBeLessThan(0.5);
    for (let i = 0; i < 8; i++) limiter.completed(warmAnswer);
    expect(limiter.snapshot().countedInputShare).toBeCloseTo(0.2, 6);
    now = 20_000;
    await limiter.acquire(10_000);
    // This send spent about 2,000 tokens, so the next may go 2 s later, not 10 s.
    now = 21_000;
    const warm = limiter.acquire(10_000);
    expect(await stillWaiting(warm)).toBe(true);
    now = 22_100;
    await warm;
    // Little's law works in counted tokens too: 60,000 / 2,000 = 30 requests/min.
    expect(limiter.documentsInFlight()).toBe(littlesLawInFlight(30, [], limiter.snapshot().latencyMs ?? 0));
  });

  it('spends more than the estimate when the API counts more (an estimate that runs short)', async () => {
    let now = 0;
    const limiter = createRateLimiter({ now: () => now });
    limiter.observe(headers({ requests: [10_000, 10_000], 'input-tokens': [60_000, 60_000] }));
    await limiter.acquire(1000);
    for (let i = 0; i < 50; i++) limiter.completed({ latencyMs: 3000, inputTokens: 1500, estimatedInputTokens: 1000, outputTokens: 300 });
    expect(limiter.snapshot().countedInputShare).toBe(1.5);
    // The first send booked 1,000 tokens (1 s); this one books 1,500.
    now = 1000;
    await limiter.acquire(1000);
    now = 2400;
    const next = limiter.acquire(1000);
    expect(await stillWaiting(next)).toBe(true);
    now = 2500;
    await next;
  });
});

describe('the rate limiter against the emulator, the input-tokens limit binding', () => {
  it('runs close to the limit the emulator counts (cache reads excluded) with a long cached system prompt, without 429s', { timeout: 180_000 }, async () => {
    // 300,000 counted input tokens/min (a few hundred requests/min, so the learned share settles in
    // seconds); the system prompt, cached on Sonnet, is most of each prompt.
    const limit = 300_000;
    const emulator = await startEmulator({ requestsPerMinute: 10_000, inputTokensPerMinute: limit, burstSeconds: 10, latency: { minMs: 300, maxMs: 800 } });
    try {
      const limiter = createRateLimiter();
      const sonnet = 'claude-sonnet-4-5';
      const claude = createAnthropicExtractor({ apiKey: 'test-key', baseURL: emulator.url, models: { simple: sonnet, complex: sonnet, escalation: sonnet }, rateLimiter: limiter });
      const folder = path.resolve('samples/invoices');
      const names = (await readdir(folder)).filter((name) => name.startsWith('invoice-') && name.endsWith('.txt'));
      const documents = await Promise.all(names.map((name) => loadDocument(path.join(folder, name))));
      const start = Date.now();
      const runMs = 40_000;
      let next = 0;
      // More extractions under way than the pace needs: they wait in the limiter, as a chunk's do.
      await Promise.all(
        Array.from({ length: 48 }, async () => {
          while (Date.now() - start < runMs) {
            const document = documents[next++ % documents.length]!;
            await claude.extract({ document, schemaName: 'invoice', schema: invoiceSchema });
          }
        }),
      );
      const answered = emulator.log.filter((entry) => entry.status === 200);
      // Past the cold start (first headers, the first answers writing the cache), over the rest of the run.
      const from = start + 15_000;
      const to = Math.max(...answered.map((entry) => entry.at));
      const window = answered.filter((entry) => entry.at >= from);
      const counted = window.reduce((sum, entry) => sum + entry.inputTokens + entry.cacheWriteTokens, 0);
      const read = window.reduce((sum, entry) => sum + entry.cacheReadTokens, 0);
      const countedPerMinute = (counted / (to - from)) * 60_000;
      const snapshot = limiter.snapshot();
      console.log({ windowMs: to - from, requests: emulator.log.length, window: window.length, countedPerMinute, readPerMinute: (read / (to - from)) * 60_000, rateLimited: emulator.stats.rateLimited, snapshot });
      // The case is the one that matters: most of each prompt is read from the cache, not counted.
      expect(read).toBeGreaterThan(counted);
      expect(snapshot.countedInputShare).toBeLessThan(0.75);
      // Paced by the whole prompt, the limiter would hold the counted tokens near the share times the limit.
      expect(countedPerMinute).toBeGreaterThan(0.8 * limit);
      expect(countedPerMinute).toBeLessThan(1.1 * limit);
      expect(emulator.stats.rateLimited).toBeLessThanOrEqual(Math.ceil(0.01 * emulator.log.length));
    } finally {
      await emulator.stop();
    }
  });
});
