/**
 * A continuously refilled token bucket, as the Messages API meters requests/min and input
 * tokens/min: it holds at most `burstSeconds` worth of the limit (a whole minute by default),
 * refills at perMinute/60 units a second, and reports itself in the
 * `anthropic-ratelimit-<name>-{limit,remaining,reset}` headers, where limit is the per-minute limit
 * and reset the RFC 3339 time at which the bucket will be full again. Like the API, token buckets
 * report `remaining` rounded to the nearest thousand; requests are exact.
 */
export class TokenBucket {
  private level: number;
  private updatedAt: number;
  private readonly capacity: number;

  constructor(
    readonly name: string,
    readonly perMinute: number,
    private readonly now: () => number,
    burstSeconds = 60,
  ) {
    this.capacity = Math.max(1, (perMinute * burstSeconds) / 60);
    this.level = this.capacity;
    this.updatedAt = now();
  }

  private refill(): void {
    const at = this.now();
    this.level = Math.min(this.capacity, this.level + ((at - this.updatedAt) * this.perMinute) / 60_000);
    this.updatedAt = at;
  }

  /** Takes `amount` units if the bucket has them; otherwise returns how long until it would. */
  take(amount: number): { ok: true } | { ok: false; waitMs: number } {
    this.refill();
    const needed = Math.min(amount, this.capacity);
    if (this.level >= needed) {
      this.level -= needed;
      return { ok: true };
    }
    return { ok: false, waitMs: Math.ceil(((needed - this.level) * 60_000) / this.perMinute) };
  }

  /** Takes `amount` units already used (output tokens): the bucket may go into debt, at most its capacity. */
  charge(amount: number): void {
    this.refill();
    this.level = Math.max(-this.capacity, this.level - amount);
  }

  private reportedRemaining(): number {
    const level = Math.max(0, this.level);
    return this.name === 'requests' ? Math.floor(level) : Math.round(level / 1000) * 1000;
  }

  headers(): Record<string, string> {
    this.refill();
    const untilFull = ((this.capacity - this.level) * 60_000) / this.perMinute;
    return {
      [`anthropic-ratelimit-${this.name}-limit`]: String(this.perMinute),
      [`anthropic-ratelimit-${this.name}-remaining`]: String(this.reportedRemaining()),
      [`anthropic-ratelimit-${this.name}-reset`]: new Date(this.now() + Math.ceil(untilFull / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    };
  }
}
