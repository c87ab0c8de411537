import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Pacing of Messages API requests so that a whole fleet of workers runs just under the account's
 * rate limits without coordinating with each other.
 *
 * The API meters requests/min, input tokens/min and output tokens/min with token buckets and
 * reports, on every response, each bucket's limit (`anthropic-ratelimit-*-limit`) and level (`*-remaining`). The level
 * is shared by every client of the account, so it is a signal all workers see alike:
 * - a worker paces its requests evenly at a rate of its own (no bursts);
 * - while the bucket is comfortably full (remaining above 2.5 times the reserve), it raises its
 *   rate by 5% of the limit every half second, up to the whole limit;
 * - below that, it steers by the level's slope: the bucket refills at the limit and loses what the
 *   whole fleet sends, so fleet ≈ limit - slope. Each worker scales its own rate (to cut: what it
 *   actually sent, if less) by wanted / fleet, where wanted is the limit corrected to bring the level back to 1.5 times the
 *   reserve (20% of the bucket by default) within about 10 s. Every worker sees the same bucket
 *   and applies the same factor, so their sum moves to the limit within a few steps, without the
 *   compounding cuts (a cut every half second while the bucket refills anyway) that overshoot
 *   far below it. A level that rose faster than refilling explains (a raised limit, a reset)
 *   says nothing about the fleet: the worker holds.
 * One worker therefore converges on the full limit; N workers settle where their sum equals the
 * bucket's refill rate — the limit — with the level held above the reserve, so the bucket never
 * runs dry and requests are not answered 429.
 * A 429 that still happens (another application on the same key, a limit lowered at run time)
 * pauses every request of this process until the server's retry-after; the activity fails with a
 * retryable error whose nextRetryDelay is that same wait (see anthropic/api-errors.ts).
 *
 * Output tokens are known only once a request is answered: they are spent then, so the requests
 * that follow wait for them, and the output bucket's level steers as the others do.
 *
 * Input tokens are spent when a request is sent, from the caller's estimate of its whole prompt.
 * The API's input-tokens limit counts input_tokens and cache_creation_input_tokens but not
 * cache_read_input_tokens, so once a long cached system prompt is warm the estimate overstates what
 * is counted. Each answer reports what counted (`CompletedRequest.inputTokens`) beside its estimate;
 * the limiter keeps the counted share of the estimate over the last answers (counted / estimated,
 * summed over a short window, so it settles within a few answers even on a small account, and
 * rises as fast when the cache goes cold) and spends estimate × share. Before any answer the share
 * is 1, and the first answers, which write the cache, keep it near 1: a cold cache is paced by the
 * whole prompt.
 *
 * The pace alone does not fill the limit: requests must also be in flight. By Little's law a
 * process needs rate × latency of them, so the limiter measures the latency and the tokens a
 * request costs and says how many documents to work on at once (`documentsInFlight`): the rate of
 * the tightest budget, in requests, times the latency, with headroom. More than that only waits
 * here; fewer would leave the limit unused.
 */
export interface RateLimiterOptions {
  /** Requests/min to pace at before the API's headers have said the limit. Default 60. */
  initialRequestsPerMinute?: number;
  /** Share of each bucket kept in reserve by the fleet. Default 0.2. */
  reserveFraction?: number;
  /** Least time between two rate adjustments, so stale headers do not compound. Default 500 ms. */
  adjustEveryMs?: number;
  now?: () => number;
}

export interface RateLimiterSnapshot {
  requestsPerMinute: number;
  inputTokensPerMinute: number | undefined;
  outputTokensPerMinute: number | undefined;
  requestsLimit: number | undefined;
  inputTokensLimit: number | undefined;
  outputTokensLimit: number | undefined;
  /** Share of the estimated input tokens the API counts (cache reads do not count); 1 before any answer. */
  countedInputShare: number;
  /** Mean time a request takes once sent (moving average), if any was answered yet. */
  latencyMs: number | undefined;
  pausedForMs: number;
}

/** What one answered request cost: the limiter's view of latency and tokens per request. */
export interface CompletedRequest {
  latencyMs: number;
  /** Input tokens the API counts against its limit: input_tokens + cache_creation_input_tokens. */
  inputTokens: number;
  /** What `acquire` was told for this request: the estimate of its whole prompt. */
  estimatedInputTokens: number;
  outputTokens: number;
}

export interface RateLimiter {
  /** Waits until this process may send a request whose whole prompt is about `inputTokens` tokens (cached prefix included). */
  acquire(inputTokens: number): Promise<void>;
  /** Reads the rate-limit headers of any response, success or error. */
  observe(headers: Headers | undefined): void;
  /** After a 429: no request from this process before `retryAfterMs` has passed. */
  pause(retryAfterMs: number): void;
  /** After an answer: spends its output tokens and learns latency and tokens per request. */
  completed(request: CompletedRequest): void;
  /** Documents this process should work on at once to keep its pace filled (Little's law). */
  documentsInFlight(): number;
  snapshot(): RateLimiterSnapshot;
}

const defaults = { initialRequestsPerMinute: 60, reserveFraction: 0.2, adjustEveryMs: 500 };
/** Rate raised per adjustment while the bucket is full: 5% of the limit. */
const increaseStep = 0.05;
/** Longest a waiting request sleeps before it looks at the (possibly new) rate again. */
const recheckMs = 100;
/** Lateness of a waiter that is made up for, rather than lost (a burst of at most this long). */
const lateToleranceMs = 250;
/** Lowest rate a budget falls to, as a share of the limit, so a worker never stalls completely. */
const floorShare = 0.01;
/**
 * The slope is measured once the level has moved this many units, or over the time the bucket
 * takes to refill them, so rounding of the header does not swamp it.
 */
const slopeUnits = 20;
/** How soon the steering aims to bring the level back to its target. */
const steerMs = 10_000;
/** Largest cut and raise of one steering step. */
const steerRange = { min: 0.5, max: 1.25 };

/** Latency assumed before any answer: on the slow side, since too many in flight only wait here. */
const assumedLatencyMs = 10_000;
/** In flight = rate × latency × headroom (a document also spends time being read and profiled). */
const inFlightHeadroom = 1.5;
const inFlightRange = { min: 2, max: 2000 };
/** Weight of each new sample in the moving averages of latency and tokens per request. */
const averageWeight = 0.05;
/** Answers the counted share of the input estimate is measured over. */
const shareWindow = 16;

/** An exponential moving average; undefined until the first sample. */
class MovingAverage {
  value: number | undefined;
  add(sample: number): void {
    this.value = this.value === undefined ? sample : this.value + averageWeight * (sample - this.value);
  }
}

/**
 * Documents to keep in flight for a pace of `requestsPerMinute`, token budgets (units/min) and
 * the tokens a request costs on average, at `latencyMs` a request.
 */
export function littlesLawInFlight(
  requestsPerMinute: number,
  tokenBudgets: { perMinute: number | undefined; perRequest: number | undefined }[],
  latencyMs: number,
): number {
  let perMinute = requestsPerMinute;
  for (const { perMinute: rate, perRequest } of tokenBudgets) {
    if (rate !== undefined && perRequest !== undefined && perRequest > 0) perMinute = Math.min(perMinute, rate / perRequest);
  }
  const inFlight = Math.ceil((perMinute / 60_000) * latencyMs * inFlightHeadroom) + 1;
  return Math.min(inFlightRange.max, Math.max(inFlightRange.min, inFlight));
}

/** One metered quantity (requests, input tokens, or output tokens): its own pace, adapted to its own bucket. */
class AdaptiveBudget {
  /** Units per minute this process currently sends. */
  rate: number | undefined;
  limit: number | undefined;
  private capacity = 0;
  private nextFreeAt = 0;
  private lastAdjustAt = -Infinity;
  /** The level at the last adjustment: the start of the window the next slope is measured over. */
  private reference: { at: number; remaining: number } | undefined;
  /** Units this process sent since the reference. */
  private spentSinceReference = 0;

  constructor(
    private readonly header: string,
    initialRate: number | undefined,
    private readonly reserveFraction: number,
    private readonly adjustEveryMs: number,
  ) {
    this.rate = initialRate;
  }

  /** How long until `cost` units may go at the current rate (0: now). */
  waitFor(now: number): number {
    return this.rate === undefined ? 0 : Math.max(0, this.nextFreeAt - now);
  }

  /** Spends `cost` units now: the next send waits cost / rate. */
  spend(cost: number, now: number): void {
    if (cost > 0) this.spentSinceReference += cost;
    if (this.rate === undefined || cost <= 0) return;
    // A send that woke late (timers, a busy event loop) keeps its slot: up to lateToleranceMs of
    // lateness is credited, so the pace holds the rate instead of drifting below it.
    this.nextFreeAt = Math.max(now - lateToleranceMs, this.nextFreeAt) + (cost / this.rate) * 60_000;
  }

  observe(headers: Headers, now: number): void {
    const limit = Number(headers.get(`anthropic-ratelimit-${this.header}-limit`));
    const remaining = Number(headers.get(`anthropic-ratelimit-${this.header}-remaining`));
    if (!(limit > 0) || !Number.isFinite(remaining)) return;
    const firstSight = this.limit === undefined;
    this.limit = limit;
    // The API may enforce a per-minute limit over shorter intervals (a bucket smaller than the
    // limit), so "full" is the most this process has ever seen remaining, not the limit itself.
    this.capacity = Math.max(this.capacity, remaining);
    const fill = this.capacity > 0 ? Math.max(0, remaining) / this.capacity : 0;
    if (firstSight) {
      // Start where the shared bucket says we can: all of it when it is full.
      this.rate = limit * Math.max(floorShare, Math.min(1, fill / (2.5 * this.reserveFraction)));
      this.lastAdjustAt = now;
      this.reference = { at: now, remaining };
      this.spentSinceReference = 0;
      return;
    }
    const window = Math.max(this.adjustEveryMs, (slopeUnits / limit) * 60_000);
    if (now - this.lastAdjustAt < this.adjustEveryMs) return;
    const reference = this.reference;
    const rate = this.rate ?? limit * floorShare;
    if (fill > 2.5 * this.reserveFraction) {
      this.lastAdjustAt = now;
      this.reference = { at: now, remaining };
      this.spentSinceReference = 0;
      this.rate = Math.min(limit, rate + limit * increaseStep);
      return;
    }
    if (reference === undefined || (now - reference.at < window && Math.abs(remaining - reference.remaining) < slopeUnits)) return;
    this.lastAdjustAt = now;
    this.reference = { at: now, remaining };
    const spent = this.spentSinceReference;
    this.spentSinceReference = 0;
    // Units/min: the level moves at (refill - what the whole fleet sends).
    const slope = ((remaining - reference.remaining) / (now - reference.at)) * 60_000;
    const fleet = limit - slope;
    if (!(fleet > 0)) return;
    const targetLevel = 1.5 * this.reserveFraction * this.capacity;
    const wanted = Math.max(limit * floorShare, limit + ((remaining - targetLevel) / steerMs) * 60_000);
    const factor = Math.min(steerRange.max, Math.max(steerRange.min, wanted / fleet));
    // A cut applies to what this process actually sent in the window, which is less than its
    // rate when it had fewer requests to send: cutting an allowance it does not use changes nothing.
    const sent = (spent / (now - reference.at)) * 60_000;
    const base = factor < 1 ? Math.min(rate, sent) : rate;
    this.rate = Math.min(limit, Math.max(limit * floorShare, base * factor));
  }
}

export function createRateLimiter(options: RateLimiterOptions = {}): RateLimiter {
  const settings = { ...defaults, ...options };
  const now = options.now ?? Date.now;
  const requests = new AdaptiveBudget('requests', settings.initialRequestsPerMinute, settings.reserveFraction, settings.adjustEveryMs);
  const inputTokens = new AdaptiveBudget('input-tokens', undefined, settings.reserveFraction, settings.adjustEveryMs);
  const outputTokens = new AdaptiveBudget('output-tokens', undefined, settings.reserveFraction, settings.adjustEveryMs);
  const latency = new MovingAverage();
  /** Input tokens per request: as counted by the API (answers), and as estimated by callers (sends). */
  /** The last answers' counted and estimated input tokens, oldest first. */
  const recentInput: { counted: number; estimated: number }[] = [];
  const outputPerRequest = new MovingAverage();
  let pausedUntil = 0;

  function recentInputTotals() {
    let counted = 0;
    let estimated = 0;
    for (const answer of recentInput) {
      counted += answer.counted;
      estimated += answer.estimated;
    }
    return { counted, estimated, answers: recentInput.length };
  }

  function countedInputShare(): number {
    const { counted, estimated } = recentInputTotals();
    return estimated > 0 ? counted / estimated : 1;
  }

  /** Counted input tokens per request over the last answers; undefined before any. */
  function inputPerRequest(): number | undefined {
    const { counted, answers } = recentInputTotals();
    return answers > 0 ? counted / answers : undefined;
  }

  return {
    async acquire(tokens) {
      // Waiters re-check at least every `recheckMs`, so a rate raised meanwhile takes effect at
      // once instead of after slots booked at the old, slower rate.
      for (;;) {
        const at = now();
        const wait = Math.max(pausedUntil - at, requests.waitFor(at), inputTokens.waitFor(at), outputTokens.waitFor(at));
        if (wait <= 0) {
          requests.spend(1, at);
          inputTokens.spend(tokens * countedInputShare(), at);
          return;
        }
        await sleep(Math.min(wait, recheckMs));
      }
    },
    observe(headers) {
      if (!headers) return;
      const at = now();
      requests.observe(headers, at);
      inputTokens.observe(headers, at);
      outputTokens.observe(headers, at);
    },
    pause(retryAfterMs) {
      pausedUntil = Math.max(pausedUntil, now() + retryAfterMs);
    },
    completed(request) {
      outputTokens.spend(request.outputTokens, now());
      latency.add(request.latencyMs);
      recentInput.push({ counted: request.inputTokens, estimated: request.estimatedInputTokens });
      if (recentInput.length > shareWindow) recentInput.shift();
      outputPerRequest.add(request.outputTokens);
    },
    documentsInFlight() {
      return littlesLawInFlight(
        requests.rate ?? settings.initialRequestsPerMinute,
        [
          { perMinute: inputTokens.rate, perRequest: inputPerRequest() },
          { perMinute: outputTokens.rate, perRequest: outputPerRequest.value },
        ],
        latency.value ?? assumedLatencyMs,
      );
    },
    snapshot() {
      return {
        requestsPerMinute: requests.rate ?? 0,
        inputTokensPerMinute: inputTokens.rate,
        outputTokensPerMinute: outputTokens.rate,
        requestsLimit: requests.limit,
        inputTokensLimit: inputTokens.limit,
        outputTokensLimit: outputTokens.limit,
        countedInputShare: countedInputShare(),
        latencyMs: latency.value,
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
