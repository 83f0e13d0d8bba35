/** Two small concurrency tools for the archive store: a mutex and a one-at-a-time work queue. */

/** Runs critical sections one after another, in call order. */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `fn` once every earlier section has finished; its result or error is passed on. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn, fn);
    // The next section waits for this one whatever its outcome.
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/**
 * Background work on keys (archive names), one at a time, each key queued at
 * most once: hashing a 20 GB file must not run twice, nor compete with itself for the disk.
 */
export class WorkQueue {
  private readonly queued = new Set<string>();
  private running: Promise<void> | undefined;
  private abort = new AbortController();
  private idleWaiters: Array<() => void> = [];
  private disposed = false;

  /**
   * @param work - does the work for one key; should honour the signal (aborted on dispose).
   * @param onError - called with what `work` threw; the queue goes on.
   */
  constructor(
    private readonly work: (key: string, signal: AbortSignal) => Promise<void>,
    private readonly onError: (key: string, err: unknown) => void,
  ) {}

  /** Queues `key` unless it is already waiting. */
  add(key: string): void {
    if (this.disposed) return;
    this.queued.add(key);
    this.running ??= this.drain();
  }

  /** Resolves when nothing is queued or running. */
  idle(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops: aborts the running item and forgets the rest. */
  async dispose(): Promise<void> {
    this.disposed = true;
    this.queued.clear();
    this.abort.abort();
    await this.running;
  }

  private async drain(): Promise<void> {
    // Let the caller finish its synchronous work (e.g. answering a query) before the disk gets busy.
    await new Promise((resolve) => setImmediate(resolve));
    for (let key = this.next(); key !== undefined && !this.disposed; key = this.next()) {
      try {
        await this.work(key, this.abort.signal);
      } catch (err) {
        if (!this.disposed) this.onError(key, err);
      }
    }
    this.running = undefined;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private next(): string | undefined {
    const [key] = this.queued;
    if (key !== undefined) this.queued.delete(key);
    return key;
  }
}
