/** A bound on how many registry requests one GraphQL operation runs at once. */

/** Runs `task` when fewer than the bound are running, else queues it (FIFO). */
export type Limiter = <T>(task: () => Promise<T>) => Promise<T>;

/** A limiter allowing `concurrency` tasks at a time. */
export function createLimiter(concurrency: number): Limiter {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    // A finishing task hands its slot straight to the next waiter, so a newcomer cannot slip in between.
    if (running < concurrency) running++;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await task();
    } finally {
      const wake = waiting.shift();
      if (wake) wake();
      else running--;
    }
  };
}
