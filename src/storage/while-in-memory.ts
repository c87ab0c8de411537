/** Calls timed together. */
const WINDOW = 64;
/** A window's median call at or above this: the filesystem does not answer from memory (a network mount, a cold disk). */
const SLOW_MEDIAN_MS = 0.25;
/** What the synchronous calls of one window may take in all, whatever their median: the most a slow filesystem holds the event loop. */
const WINDOW_BUDGET_MS = 100;

/**
 * A filesystem call made synchronously while the filesystem answers from memory, asynchronously
 * for good once a window of WINDOW synchronous calls had a median of SLOW_MEDIAN_MS or more, or
 * spent WINDOW_BUDGET_MS in all (checked after every call). A synchronous stat or read of a cached
 * file costs a few µs; an asynchronous call 15–50 µs of the main thread (a request, the thread
 * pool, a promise and the async hooks of Temporal's activity context), and a document read is four
 * of them. The median, because on a busy machine the kernel preempts a call now and then for
 * milliseconds (over a batch of a million documents, often enough to tip a mean); the budget, so a
 * slow filesystem (a FUSE mount that downloads each file) holds the event loop for
 * WINDOW_BUDGET_MS and one call at most, and heartbeats go on.
 * `now` may decline a call (undefined: a large file) and it is made `later`, untimed.
 *
 * A call answered synchronously returns its value, not a promise (a failure throws): a caller
 * that awaits it gets the same, and one that handles both (the listing) spares a promise a call.
 */
export function whileInMemory<A extends unknown[], R>(
  now: (...args: A) => R | undefined,
  later: (...args: A) => Promise<R>,
  clock: () => number = () => performance.now(),
): (...args: A) => R | Promise<R> {
  let synchronous = true;
  const timings = new Float64Array(WINDOW);
  let timed = 0;
  let spentMs = 0;
  return (...args) => {
    if (!synchronous) return later(...args);
    const started = clock();
    let answer: R | undefined;
    try {
      answer = now(...args);
    } finally {
      const tookMs = clock() - started;
      timings[timed++] = tookMs;
      spentMs += tookMs;
      if (spentMs >= WINDOW_BUDGET_MS) synchronous = false;
      else if (timed === WINDOW) {
        synchronous = timings.slice().sort()[WINDOW / 2]! < SLOW_MEDIAN_MS;
        [timed, spentMs] = [0, 0];
      }
    }
    return answer === undefined ? later(...args) : answer;
  };
}
