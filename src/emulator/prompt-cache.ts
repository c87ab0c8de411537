import { createHash } from 'node:crypto';

/**
 * The emulator's prompt cache: entries keyed by model and the exact bytes of the prefix up to the
 * last cache_control breakpoint, living `ttlMs` from their last use, as the API's ephemeral cache.
 * A prefix shorter than the model's minimum cacheable length is never cached (no error either).
 */
export class PromptCache {
  private readonly entries = new Map<string, number>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  /** Looks the prefix up and writes or refreshes it; says whether it was a hit. */
  use(model: string, prefix: unknown[]): 'read' | 'write' {
    const key = createHash('sha256').update(model).update('\n').update(JSON.stringify(prefix)).digest('hex');
    const at = this.now();
    const expiresAt = this.entries.get(key);
    this.entries.set(key, at + this.ttlMs);
    return expiresAt !== undefined && expiresAt > at ? 'read' : 'write';
  }

  clear(): void {
    this.entries.clear();
  }
}
