/**
 * One subscriber's bounded buffer between a shared stream and a GraphQL
 * subscription: the stream offers values without ever waiting, the
 * subscription pulls them at its own pace. When the buffer is full the offer
 * is refused, so that the producer (and every other subscriber) never waits
 * for a slow one; the producer then ends the queue with an error envelope.
 */
import type { GraphQLError } from 'graphql';
import type { Envelope } from './envelope';

type Resolve<T> = (result: IteratorResult<Envelope<T>, undefined>) => void;

const DONE = Object.freeze({ value: undefined, done: true as const });

/** An async iterator of envelopes fed by {@link SubscriberQueue.offer}; graphql-ws pulls it. */
export class SubscriberQueue<T> implements AsyncIterableIterator<Envelope<T>, undefined> {
  private items: T[] = [];
  private head = 0;
  private waiting?: Resolve<T>;
  private final?: Envelope<T>;
  /** open: takes values; ending: drains what it holds, then done; done: nothing more. */
  private state: 'open' | 'ending' | 'done' = 'open';
  private closedOnce = false;

  /**
   * @param capacity values held at most while the subscriber is not reading.
   * @param onClose called once when the subscription is over (drained, returned, or failed and read).
   */
  constructor(
    readonly capacity: number,
    private readonly onClose: () => void = () => undefined,
  ) {}

  /** Values waiting to be read. */
  get size(): number {
    return this.items.length - this.head;
  }

  /** True once it takes no more values. */
  get closed(): boolean {
    return this.state !== 'open';
  }

  /** Hands `value` to the subscriber. False when the buffer is full (nothing was added). */
  offer(value: T): boolean {
    if (this.state !== 'open') return true;
    if (this.waiting) {
      this.settle({ value: { value }, done: false });
      return true;
    }
    if (this.size >= this.capacity) return false;
    this.items.push(value);
    return true;
  }

  /** Ends the subscription with `error` as its last result; values still buffered are dropped. */
  fail(error: GraphQLError): void {
    if (this.state === 'done') return;
    this.items = [];
    this.head = 0;
    this.state = 'ending';
    if (this.waiting) {
      this.settle({ value: { error }, done: false });
      this.finish();
    } else {
      this.final = { error };
    }
  }

  /** Ends the subscription after the values already buffered. */
  end(): void {
    if (this.state !== 'open') return;
    this.state = 'ending';
    if (this.waiting) {
      this.settle(DONE);
      this.finish();
    }
  }

  next(): Promise<IteratorResult<Envelope<T>, undefined>> {
    if (this.size > 0) {
      const value = this.items[this.head]!;
      this.items[this.head++] = undefined as T;
      // Compact now and then instead of shift()ing every time (O(n) per read on a full buffer).
      if (this.head > 1024 && this.head * 2 > this.items.length) {
        this.items = this.items.slice(this.head);
        this.head = 0;
      }
      return Promise.resolve({ value: { value }, done: false });
    }
    if (this.final) {
      const final = this.final;
      this.final = undefined;
      this.finish();
      return Promise.resolve({ value: final, done: false });
    }
    if (this.state !== 'open') {
      this.finish();
      return Promise.resolve(DONE);
    }
    // One reader at a time (graphql-js awaits each next()); a second call would replace the first.
    return new Promise((resolve) => (this.waiting = resolve));
  }

  /** The subscriber left (client `complete`, socket closed): drop everything and stop. */
  return(): Promise<IteratorResult<Envelope<T>, undefined>> {
    this.items = [];
    this.head = 0;
    this.final = undefined;
    this.state = 'done';
    this.settle(DONE);
    this.finish();
    return Promise.resolve(DONE);
  }

  throw(err?: unknown): Promise<IteratorResult<Envelope<T>, undefined>> {
    void this.return();
    return Promise.reject(err);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private settle(result: IteratorResult<Envelope<T>, undefined>): void {
    const resolve = this.waiting;
    this.waiting = undefined;
    resolve?.(result);
  }

  private finish(): void {
    this.state = 'done';
    if (this.closedOnce) return;
    this.closedOnce = true;
    this.onClose();
  }
}
