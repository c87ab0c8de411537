/** Calls timed together, and their mean above which the filesystem does not answer from memory (a network mount, a cold disk). */
const WINDOW = 64;
const SLOW_MEAN_MS = 0.25;
/** What a window's calls may take in all: once spent, the calls go asynchronous without waiting for the window's end. */
const WINDOW_BUDGET_MS = WINDOW * SLOW_MEAN_MS;

/**
 * A filesystem call made synchronously while the filesystem answers from memory, asynchronously
 * for good once the synchronous calls of a window of WINDOW took WINDOW_BUDGET_MS (a mean of
 * SLOW_MEAN_MS). A synchronous stat or read of a cached file costs a few µs; an asynchronous call
 * 15–50 µs of the main thread (a request, the thread pool, a promise and the async hooks of
 * Temporal's activity context), and a document read is four of them. A budget rather than one
 * slow call, because a busy machine preempts a call now and then; spent, it stops at once, so a
 * slow filesystem (a network mount, a cold disk, a FUSE mount that downloads) holds the event loop
 * for WINDOW_BUDGET_MS and one call at most, and heartbeats go on.
 * `now` may decline a call (undefined: a large file) and it is made `later`, untimed.
 */
export function whileInMemory<A extends unknown[], R>(
  now: (...args: A) => R | undefined,
  later: (...args: A) => Promise<R>,
  clock: () => number = () => performance.now(),
): (...args: A) => Promise<R> {
  let synchronous = true;
  let timed = 0;
  let spentMs = 0;
  return async (...args) => {
    if (!synchronous) return later(...args);
    const started = clock();
    let answer: R | undefined;
    try {
      answer = now(...args);
    } finally {
      spentMs += clock() - started;
      if (spentMs >= WINDOW_BUDGET_MS) synchronous = false;
      else if (++timed === WINDOW) [timed, spentMs] = [0, 0];
    }
    return answer === undefined ? later(...args) : answer;
  };
}
