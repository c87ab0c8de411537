/** Calls timed together, and their mean above which the filesystem does not answer from memory (a network mount, a cold disk). */
const WINDOW = 64;
const SLOW_MEAN_MS = 0.25;

/**
 * A filesystem call made synchronously while the filesystem answers from memory, asynchronously
 * once a window of WINDOW synchronous calls took SLOW_MEAN_MS or more on average. A synchronous
 * stat or read of a cached file costs a few µs; an asynchronous call 15–50 µs of the main thread
 * (a request, the thread pool, a promise and the async hooks of Temporal's activity context), and
 * a document read is four of them. A mean rather than one slow call, because a busy machine
 * preempts a call now and then; a slow filesystem blocks the event loop for one window at most.
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
      if (++timed === WINDOW) {
        synchronous = spentMs / timed < SLOW_MEAN_MS;
        [timed, spentMs] = [0, 0];
      }
    }
    return answer === undefined ? later(...args) : answer;
  };
}
