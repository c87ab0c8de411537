import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Pacing of Messages API requests so that a whole fleet of workers runs just under the account's
 * rate limits without coordinating with each other.
 *
 * The API meters requests/min and input tokens/min with token buckets and reports, on every
 * response, each bucket's size (`anthropic-ratelimit-*-limit`) and level (`*-remaining`). The level
 * is shared by every client of the account, so it is a signal all workers see alike:
 * - a worker paces its requests evenly at a rate of its own (no bursts);
 * - while the bucket is comfortably full (remaining above twice the reserve), it raises its rate
 *   by a step, up to the whole limit;
 * - when the level falls below the reserve (10% of the limit by default), it lowers its rate in
 *   proportion to how far below it is;
 * - between the two it holds.
 * One worker therefore converges on the full limit; N workers raise their rates together until
 * the shared bucket sinks into the reserve band, where their sum equals the bucket's refill rate —
 * the limit — while the bucket never runs dry, so requests are not answered 429.
 * A 429 that still happens (another application on the same key, a limit lowered at run time)
 * pauses every request of this process until the server's retry-after; the activity fails with a
 * retryable error whose nextRetryDelay is that same wait (see anthropic/api-errors.ts).
 */
export interface RateLimiterOptions {
  /** Requests/min to pace at before the API's headers have said the limit. Default 60. */
  initialRequestsPerMinute?: number;
  /** Share of each limit kept in reserve by the fleet. Default 0.1. */
  reserveFraction?: number;
  /** Least time between two rate adjustments, so stale headers do not compound. Default 500 ms. */
  adjustEveryMs?: number;
  now?: () => number;
}

export interface RateLimiterSnapshot {
  requestsPerMinute: number;
  inputTokensPerMinute: number | undefined;
  requestsLimit: number | undefined;
  inputTokensLimit: number | undefined;
  pausedForMs: number;
}

export interface RateLimiter {
  /** Waits until this process may send a request of about `inputTokens` input tokens. */
  acquire(inputTokens: number): Promise<void>;
  /** Reads the rate-limit headers of any response, success or error. */
  observe(headers: Headers | undefined): void;
  /** After a 429: no request from this process before `retryAfterMs` has passed. */
  pause(retryAfterMs: number): void;
  snapshot(): RateLimiterSnapshot;
}

const defaults = { initialRequestsPerMinute: 60, reserveFraction: 0.1, adjustEveryMs: 500 };
/** Rate raised per adjustment while the bucket is full: a tenth of the limit (full speed in ~5 s). */
const increaseStep = 0.1;
/** Lowest rate a budget falls to, as a share of the limit, so a worker never stalls completely. */
const floorShare = 0.01;

/** One metered quantity (requests, or input tokens): its own pace, adapted to its own bucket. */
class AdaptiveBudget {
  /** Units per minute this process currently sends. */
  rate: number | undefined;
  limit: number | undefined;
  private nextFreeAt = 0;
  private lastAdjustAt = -Infinity;

  constructor(
    private readonly header: string,
    initialRate: number | undefined,
    private readonly reserveFraction: number,
    private readonly adjustEveryMs: number,
  ) {
    this.rate = initialRate;
  }

  /** Reserves `cost` units; returns how long to wait before sending. */
  reserve(cost: number, now: number): number {
    if (this.rate === undefined || cost <= 0) return 0;
    const start = Math.max(now, this.nextFreeAt);
    this.nextFreeAt = start + (cost / this.rate) * 60_000;
    return start - now;
  }

  observe(headers: Headers, now: number): void {
    const limit = Number(headers.get(`anthropic-ratelimit-${this.header}-limit`));
    const remaining = Number(headers.get(`anthropic-ratelimit-${this.header}-remaining`));
    if (!(limit > 0) || !Number.isFinite(remaining)) return;
    const firstSight = this.limit === undefined;
    this.limit = limit;
    const fill = Math.max(0, remaining) / limit;
    if (firstSight) {
      // Start where the shared bucket says we can: all of it when it is full.
      this.rate = limit * Math.max(floorShare, Math.min(1, fill / (2 * this.reserveFraction)));
      this.lastAdjustAt = now;
      return;
    }
    if (now - this.lastAdjustAt < this.adjustEveryMs) return;
    this.lastAdjustAt = now;
    const rate = this.rate ?? limit * floorShare;
    if (fill > 2 * this.reserveFraction) {
      this.rate = Math.min(limit, rate + limit * increaseStep);
    } else if (fill < this.reserveFraction) {
      this.rate = Math.max(limit * floorShare, rate * (0.6 + 0.4 * (fill / this.reserveFraction)));
    }
  }
}

export function createRateLimiter(options: RateLimiterOptions = {}): RateLimiter {
  const settings = { ...defaults, ...options };
  const now = options.now ?? Date.now;
  const requests = new AdaptiveBudget('requests', settings.initialRequestsPerMinute, settings.reserveFraction, settings.adjustEveryMs);
  const inputTokens = new AdaptiveBudget('input-tokens', undefined, settings.reserveFraction, settings.adjustEveryMs);
  let pausedUntil = 0;

  return {
    async acquire(tokens) {
      for (;;) {
        const pausedFor = pausedUntil - now();
        if (pausedFor <= 0) break;
        await sleep(pausedFor);
      }
      const at = now();
      const wait = Math.max(requests.reserve(1, at), inputTokens.reserve(tokens, at));
      if (wait > 0) await sleep(wait);
    },
    observe(headers) {
      if (!headers) return;
      const at = now();
      requests.observe(headers, at);
      inputTokens.observe(headers, at);
    },
    pause(retryAfterMs) {
      pausedUntil = Math.max(pausedUntil, now() + retryAfterMs);
    },
    snapshot() {
      return {
        requestsPerMinute: requests.rate ?? 0,
        inputTokensPerMinute: inputTokens.rate,
        requestsLimit: requests.limit,
        inputTokensLimit: inputTokens.limit,
        pausedForMs: Math.max(0, pausedUntil - now()),
      };
    },
  };
}

const sharedLimiters = new Map<string, RateLimiter>();

/**
 * The limiter of this process for one account (API key) at one endpoint: every extractor of a
 * worker shares it, whatever chunk or batch it serves. Keyed by a hash, never the key itself.
 */
export function sharedRateLimiter(baseURL: string, apiKey: string, options?: RateLimiterOptions): RateLimiter {
  const key = createHash('sha256').update(`${baseURL}\n${apiKey}`).digest('hex');
  let limiter = sharedLimiters.get(key);
  if (!limiter) {
    limiter = createRateLimiter(options);
    sharedLimiters.set(key, limiter);
  }
  return limiter;
}
