import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { DocumentSlots } from '../src/extraction/document-slots';
import { createAnthropicExtractor } from '../src/extraction/anthropic/extractor';
import { createLocalExtractor } from '../src/extraction/local/extractor';

/** Resolves to the names granted so far, after pending grants have run. */
async function granted(order: string[]): Promise<string[]> {
  await new Promise((resolve) => setImmediate(resolve));
  return [...order];
}

describe('DocumentSlots with weights', () => {
  it('lets many light documents in, and a heavy one only when its weight fits, first in first out', async () => {
    const slots = new DocumentSlots(() => 4);
    const order: string[] = [];
    const take = (name: string, weight: number) => slots.acquire(undefined, weight).then((release) => (order.push(name), release));
    const a = take('a', 1);
    const b = take('b', 1);
    const heavy = take('heavy', 3);
    const c = take('c', 1);
    expect(await granted(order)).toEqual(['a', 'b']);
    (await a)();
    // 1 + 3 fits in 4; 'c' is not let past it while it waited.
    expect(await granted(order)).toEqual(['a', 'b', 'heavy']);
    expect(slots.inUse).toBe(4);
    (await b)();
    expect(await granted(order)).toEqual(['a', 'b', 'heavy', 'c']);
    (await heavy)();
    (await c)();
    expect(slots.inUse).toBe(0);
  });

  it('an aborted waiter leaves the queue without a slot, and one it held up goes on at once', async () => {
    const slots = new DocumentSlots(() => 2);
    const order: string[] = [];
    const take = (name: string, weight: number, signal?: AbortSignal) => slots.acquire(signal, weight).then((release) => (order.push(name), release));
    const a = take('a', 1);
    const cancelled = new AbortController();
    const heavy = take('heavy', 2, cancelled.signal);
    const light = take('light', 1);
    const last = take('last', 1);
    expect(await granted(order)).toEqual(['a']);
    cancelled.abort(new Error('chunk cancelled'));
    await expect(heavy).rejects.toThrow('chunk cancelled');
    // The heavy document no longer waits at the head: the light one behind it fits now.
    expect(await granted(order)).toEqual(['a', 'light']);
    (await a)();
    expect(await granted(order)).toEqual(['a', 'light', 'last']);
    (await light)();
    (await last)();
    expect(slots.inUse).toBe(0);
  });

  it('aborting one chunk\'s signal rejects only its waiters, granted ones keep their slots, and no listener is left behind', async () => {
    const slots = new DocumentSlots(() => 1);
    const first = new AbortController();
    const second = new AbortController();
    const held = slots.acquire(first.signal);
    const firstWaiting = [slots.acquire(first.signal), slots.acquire(first.signal)];
    const secondWaiting = [slots.acquire(second.signal), slots.acquire(second.signal)];
    for (const waiting of [...firstWaiting, ...secondWaiting]) waiting.catch(() => undefined);
    // One listener per signal, however many of its documents wait.
    expect(getEventListeners(second.signal, 'abort')).toHaveLength(1);
    first.abort(new Error('first chunk cancelled'));
    for (const waiting of firstWaiting) await expect(waiting).rejects.toThrow('first chunk cancelled');
    const release = await held;
    expect(slots.inUse).toBe(1);
    release();
    (await secondWaiting[0]!)();
    (await secondWaiting[1]!)();
    expect(slots.inUse).toBe(0);
    // Every waiter of the second signal granted: its one listener is gone.
    expect(getEventListeners(second.signal, 'abort')).toHaveLength(0);
  });

  it('grants a document heavier than the whole pool once the pool is idle, never deadlocking', async () => {
    const slots = new DocumentSlots(() => 2);
    const release = await slots.acquire(undefined, 10);
    expect(slots.inUse).toBe(2);
    release();
    expect(slots.inUse).toBe(0);
  });

  it('the offline extractor runs 64 small documents at once and bounds the bytes of large ones waiting for a decoder', () => {
    const local = createLocalExtractor();
    const size = local.documentsInFlight!();
    expect(size).toBeGreaterThanOrEqual(64);
    expect(local.documentWeight!(20_000)).toBe(1);
    // 32 MB documents (the largest accepted): two at a time hold at most the 64 MB budget.
    expect(Math.floor(size / local.documentWeight!(32 * 1024 * 1024))).toBeLessThanOrEqual(2);
  });

  it('Claude requests hold at most about 48 MB of documents between them, one large PDF at a time', () => {
    const claude = createAnthropicExtractor({ apiKey: 'test-key', baseURL: 'http://127.0.0.1:1', models: { simple: 'claude-haiku-4-5', complex: 'claude-sonnet-4-5', escalation: 'claude-sonnet-4-5' }, rateLimiter: false });
    const size = claude.documentsInFlight!();
    expect(claude.documentWeight!(50_000)).toBe(1);
    const inFlight = (bytes: number) => Math.floor(size / claude.documentWeight!(bytes));
    expect(inFlight(30 * 1024 * 1024)).toBe(1);
    expect(inFlight(4 * 1024 * 1024) * 4 * 1024 * 1024).toBeLessThanOrEqual(48 * 1024 * 1024);
  });
});
