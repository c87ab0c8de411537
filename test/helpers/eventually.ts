import { setTimeout as sleep } from 'node:timers/promises';

/** Retries an assertion until it passes or `timeoutMs` runs out (for eventually-consistent state). */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(everyMs);
    }
  }
}
