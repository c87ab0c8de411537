import { createHash } from 'node:crypto';

/**
 * The emulator's prompt cache: entries keyed by model and the exact bytes of a prefix up to a
 * cache_control breakpoint, each living its TTL (5 minutes, or 1 hour with `ttl: '1h'`) from its
 * last use, as the API's ephemeral cache. Which prefixes are cached is the caller's (inputUsage).
 */
export class PromptCache {
  private readonly entries = new Map<string, number>();

  constructor(private readonly now: () => number) {}

  private key(model: string, prefix: unknown[]): string {
    return createHash('sha256').update(model).update('\n').update(JSON.stringify(prefix)).digest('hex');
  }

  /** Whether the prefix is cached and alive. */
  has(model: string, prefix: unknown[]): boolean {
    return (this.entries.get(this.key(model, prefix)) ?? 0) > this.now();
  }

  /** Writes the prefix, or refreshes it, for `ttlMs` from now (never shortening a longer-lived entry). */
  put(model: string, prefix: unknown[], ttlMs: number): void {
    const key = this.key(model, prefix);
    this.entries.set(key, Math.max(this.entries.get(key) ?? 0, this.now() + ttlMs));
  }

  clear(): void {
    this.entries.clear();
  }
}
