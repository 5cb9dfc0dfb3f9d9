/**
 * Every subscription's event stream is built with `abortable`, so it ends at once when the client
 * completes the operation, the socket closes or the server shuts down.
 *
 * An async generator suspended in an `await` (waiting for the next event, or re-reading a row)
 * cannot run its `finally` on `return()` until that await resumes, so its listeners and its
 * operation slot would be held until the next event. Here `return()` aborts the signal handed to
 * `make` (pubsub streams remove their listeners on abort, synchronously) and settles every pending
 * `next()` as done without waiting for the generator; the generator itself finishes in the
 * background once its await resumes.
 */
export function abortable<T>(make: (signal: AbortSignal) => AsyncGenerator<T>): AsyncGenerator<T> {
  const abort = new AbortController();
  const inner = make(abort.signal);
  const finished: IteratorReturnResult<undefined> = { done: true, value: undefined };
  const waiting = new Set<() => void>();

  const end = () => {
    if (abort.signal.aborted) return;
    abort.abort();
    for (const settleAsDone of waiting) settleAsDone();
    waiting.clear();
    // Queued behind the pending next(), if any; errors from a stream nobody reads any more are moot.
    inner.return(undefined).catch(() => {});
  };

  const outer: AsyncGenerator<T> = {
    next: () => {
      if (abort.signal.aborted) return Promise.resolve(finished);
      return new Promise<IteratorResult<T>>((resolve, reject) => {
        const settleAsDone = () => resolve(finished);
        waiting.add(settleAsDone);
        inner.next().then(
          (result) => {
            waiting.delete(settleAsDone);
            if (result.done) end();
            resolve(result);
          },
          (error: unknown) => {
            waiting.delete(settleAsDone);
            end();
            reject(error);
          },
        );
      });
    },
    return: (value) => {
      end();
      return Promise.resolve({ done: true, value: value as never });
    },
    throw: (error) => {
      end();
      return Promise.reject(error);
    },
    [Symbol.asyncIterator]: () => outer,
    [Symbol.asyncDispose]: async () => {
      end();
    },
  };
  return outer;
}
