/**
 * A subscriber's view of a job: the current state at once, then changes at most
 * every `intervalMs` (coalesced: a slow reader gets the newest state, not a
 * backlog), and always the final state, then the end.
 */
import { Repeater, SlidingBuffer } from '@graphql-yoga/subscription';

/** What can be watched: something that changes, can say so, and eventually finishes. */
export interface Watchable<T> {
  readonly finished: boolean;
  onChange(listener: () => void): () => void;
  whenFinished(): Promise<void>;
  /** The state to send (called at send time, so it is always the newest). */
  view(): T;
}

/** Default spacing of progress messages: at most 10 a second per subscriber. */
export const PROGRESS_INTERVAL_MS = 100;

/**
 * Streams `subject`'s views. The buffer holds one value, so a subscriber that
 * reads slowly skips intermediate states; the final state is the last value
 * pushed and can never be skipped.
 */
export function watch<T>(subject: Watchable<T>, intervalMs = PROGRESS_INTERVAL_MS): AsyncIterableIterator<T> {
  return new Repeater<T>(async (push, stop) => {
    await push(subject.view());
    if (subject.finished) {
      stop();
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    let lastSent = Date.now();
    const send = () => {
      timer = undefined;
      lastSent = Date.now();
      void push(subject.view());
    };
    const unsubscribe = subject.onChange(() => {
      if (timer || subject.finished) return;
      timer = setTimeout(send, Math.max(0, lastSent + intervalMs - Date.now()));
    });
    void subject.whenFinished().then(() => {
      clearTimeout(timer);
      timer = undefined;
      void push(subject.view());
      stop();
    });
    await stop;
    unsubscribe();
    clearTimeout(timer);
  }, new SlidingBuffer(1));
}
