/**
 * Records every result of a graphql-ws subscription so that a test can wait
 * for what it expects ("until the destroy event arrived") with a timeout that
 * says what did arrive. Stop it (or dispose its client) when done.
 */
import type { Client, FormattedExecutionResult } from 'graphql-ws';

/** One running subscription and what it received. */
export interface RecordedSubscription<T> {
  readonly results: FormattedExecutionResult<T, unknown>[];
  /** True once the server completed it. */
  readonly completed: boolean;
  /** What the client's error handler got (validation errors, a closed socket). */
  readonly error: unknown;
  /** Resolves once `check()` holds (checked on every result and on completion); rejects after `timeoutMs`. */
  waitFor(check: () => boolean, what: string, timeoutMs?: number): Promise<void>;
  /** Unsubscribes (the client sends `complete`). */
  stop(): void;
}

/** Subscribes `query` on `client` and records its results. */
export function recordSubscription<T = Record<string, unknown>>(client: Client, query: string, variables?: Record<string, unknown>): RecordedSubscription<T> {
  const waiters = new Set<() => void>();
  const state = { completed: false, error: undefined as unknown };
  const results: FormattedExecutionResult<T, unknown>[] = [];
  const poke = () => {
    for (const w of [...waiters]) w();
  };
  const unsubscribe = client.subscribe<T>(
    { query, variables },
    {
      next: (r) => {
        results.push(r);
        poke();
      },
      error: (e) => {
        state.error = e;
        state.completed = true;
        poke();
      },
      complete: () => {
        state.completed = true;
        poke();
      },
    },
  );
  return {
    results,
    get completed() {
      return state.completed;
    },
    get error() {
      return state.error;
    },
    waitFor: (check, what, timeoutMs = 30_000) =>
      new Promise<void>((resolve, reject) => {
        if (check()) return resolve();
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; got ${results.length} result(s), completed=${state.completed}: ${JSON.stringify(results).slice(0, 1500)}`));
        }, timeoutMs);
        const waiter = () => {
          if (!check()) return;
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve();
        };
        waiters.add(waiter);
      }),
    stop: () => unsubscribe(),
  };
}
