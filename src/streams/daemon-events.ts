/**
 * One shared `GET /events` connection for the whole process, fanned out to
 * every subscriber. The connection is opened for the first subscriber and
 * closed after the last one leaves. Each subscriber has its own selector
 * (filter + mapping, from the service) and its own bounded buffer, so a slow
 * client never delays the daemon stream or the other subscribers: it is ended
 * with SUBSCRIBER_TOO_SLOW instead.
 *
 * When the stream breaks (daemon restart, socket closed, garbage on the wire),
 * the hub reconnects with exponential backoff and `since` = the last event's
 * timeNano, drops the events the daemon replays that were already delivered,
 * and tells subscribers about the gap with a synthetic DAEMON `reconnected`
 * event. Subscriptions stay open throughout.
 */
import type { Readable } from 'node:stream';
import { type DaemonEventDto, readEventStream } from '../docker/events';
import type { Logger } from '../logger';
import { DockqlError, ErrorCode } from '../schema/errors';
import type { Envelope } from './envelope';
import { type BackoffPolicy, backoffDelay, DEFAULT_BACKOFF, eventKey, RecentKeys } from './event-resume';
import { SubscriberQueue } from './subscriber-queue';

/** Opens the daemon's event stream, replaying from `since` (ns since the epoch, inclusive). */
export type EventStreamOpener = (query: { since?: bigint; signal: AbortSignal }) => Promise<Readable | NodeJS.ReadableStream>;

/** What subscribers see: daemon events, plus the notices dockql makes itself (`synthetic`). */
export interface HubEvent extends DaemonEventDto {
  /** True for events dockql made (the DAEMON `reconnected` notice), not the daemon. */
  readonly synthetic?: boolean;
}

/** Action of the notice sent after the stream was re-established. */
export const RECONNECTED_ACTION = 'reconnected';

/** Actor id of the notices dockql makes itself. */
export const DOCKQL_ACTOR = 'dockql';

/** Maps an event to what one subscriber receives, or undefined to skip it (its filter). */
export type EventSelector<T> = (event: HubEvent) => T | undefined;

/** Settings of a hub. */
export interface DaemonEventHubOptions {
  readonly open: EventStreamOpener;
  /** Events held per subscriber that is not reading; one more ends it with SUBSCRIBER_TOO_SLOW. */
  readonly bufferSize: number;
  readonly log: Logger;
  readonly backoff?: BackoffPolicy;
  /** A connection that lived this long starts the next backoff from the beginning. */
  readonly stableMs?: number;
  /** Milliseconds since the epoch (tests inject a clock). */
  readonly now?: () => number;
  /** Called each time the stream is re-established after a break (metrics). */
  readonly onReconnected?: () => void;
}

/** What the hub is doing, for tests, benches and diagnostics. */
export interface HubStats {
  /** `/events` connections opened since the hub was made. */
  readonly connectionsOpened: number;
  /** True while a daemon stream is open. */
  readonly connected: boolean;
  readonly subscribers: number;
}

interface Subscriber {
  deliver(event: HubEvent): void;
  end(): void;
}

interface Session {
  readonly controller: AbortController;
  connected: boolean;
  done?: Promise<void>;
}

/** Why the stream is down, and since when. */
export interface Gap {
  readonly startedAt: number;
  reason: string;
}

/** The process's one daemon event stream and its subscribers. */
export class DaemonEventHub {
  private readonly subscribers = new Set<Subscriber>();
  private readonly now: () => number;
  private session?: Session;
  private opened = 0;
  private disposed = false;

  constructor(private readonly options: DaemonEventHubOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Counters and state (see {@link HubStats}). */
  stats(): HubStats {
    return { connectionsOpened: this.opened, connected: this.session?.connected ?? false, subscribers: this.subscribers.size };
  }

  /**
   * A new subscription: every event `select` maps to a value, in daemon order,
   * as envelopes. Ends with one SUBSCRIBER_TOO_SLOW error envelope when more
   * than `bufferSize` values wait unread; completes on dispose. The caller
   * leaving (`return()`) unsubscribes, and closes the daemon stream when it was the last.
   */
  subscribe<T>(select: EventSelector<T>, options: { bufferSize?: number } = {}): AsyncIterableIterator<Envelope<T>> {
    const capacity = Math.max(1, options.bufferSize ?? this.options.bufferSize);
    const subscriber: Subscriber = {
      deliver: (event) => {
        const value = select(event);
        if (value !== undefined && !queue.offer(value)) this.tooSlow(subscriber, queue);
      },
      end: () => queue.end(),
    };
    const queue = new SubscriberQueue<T>(capacity, () => this.remove(subscriber));
    if (this.disposed) {
      queue.end();
      return queue;
    }
    this.subscribers.add(subscriber);
    this.ensureSession();
    return queue;
  }

  /** Closes the daemon stream and completes every subscription (server stop). Idempotent. */
  async dispose(): Promise<void> {
    this.disposed = true;
    const session = this.session;
    this.session = undefined;
    session?.controller.abort();
    for (const s of [...this.subscribers]) s.end();
    this.subscribers.clear();
    await session?.done;
  }

  private remove(subscriber: Subscriber): void {
    if (!this.subscribers.delete(subscriber) || this.subscribers.size > 0) return;
    // The last one left: nobody needs the daemon stream until someone subscribes again.
    const session = this.session;
    this.session = undefined;
    session?.controller.abort();
  }

  private tooSlow<T>(subscriber: Subscriber, queue: SubscriberQueue<T>): void {
    this.options.log.warn({ bufferSize: queue.capacity }, 'event subscriber too slow: ending its subscription');
    queue.fail(
      new DockqlError(
        ErrorCode.SUBSCRIBER_TOO_SLOW,
        `this subscription fell ${queue.capacity} events behind the daemon (the client reads too slowly) and was ended; events after that point were not delivered. Subscribe again to continue.`,
        { bufferSize: queue.capacity },
      ),
    );
    this.remove(subscriber);
  }

  private broadcast(event: HubEvent): void {
    // Deleting from a Set while iterating it is safe: an overflowing subscriber removes itself.
    for (const s of this.subscribers) {
      try {
        s.deliver(event);
      } catch (err) {
        // A selector bug must cost its own subscriber at most, never the stream.
        this.options.log.error({ err }, 'event subscriber failed to take an event');
      }
    }
  }

  private ensureSession(): void {
    if (this.disposed || this.session || this.subscribers.size === 0) return;
    const session: Session = { controller: new AbortController(), connected: false };
    this.session = session;
    session.done = this.run(session)
      .catch((err: unknown) => this.options.log.error({ err }, 'daemon event stream loop failed'))
      .finally(() => {
        session.connected = false;
        if (this.session === session) {
          this.session = undefined;
          this.ensureSession();
        }
      });
  }

  /** One session: connect, read, reconnect on every break, until aborted (idle or disposed). */
  private async run(session: Session): Promise<void> {
    const { signal } = session.controller;
    const log = this.options.log;
    const recent = new RecentKeys();
    // Events from the moment the first subscriber came, so that one made right after subscribing is not missed.
    const startedAt = this.now();
    let lastNano: bigint | undefined;
    let gap: Gap | undefined;
    let attempt = 0;
    const deliver = (event: DaemonEventDto): void => {
      if (recent.seen(eventKey(event))) return;
      if (lastNano === undefined || event.timeNano > lastNano) lastNano = event.timeNano;
      this.broadcast(event);
    };

    while (!signal.aborted) {
      let stream: Readable | NodeJS.ReadableStream;
      try {
        stream = await this.options.open({ since: lastNano ?? BigInt(startedAt) * 1_000_000n, signal });
      } catch (err) {
        if (signal.aborted) break;
        if (!gap) log.warn({ reason: messageOf(err) }, 'cannot open the daemon event stream; retrying');
        gap ??= { startedAt: this.now(), reason: messageOf(err) };
        await sleep(backoffDelay(attempt++, this.options.backoff ?? DEFAULT_BACKOFF), signal);
        continue;
      }
      if (signal.aborted) {
        destroy(stream);
        break;
      }
      this.opened++;
      session.connected = true;
      const connectedAt = this.now();
      if (gap) {
        log.info({ gapMs: connectedAt - gap.startedAt, attempts: attempt }, 'daemon event stream re-established');
        this.broadcast(reconnectedEvent(gap, connectedAt, lastNano, attempt));
        gap = undefined;
        this.options.onReconnected?.();
      }
      let reason = 'the daemon closed its event stream';
      try {
        await readEventStream(stream, deliver, { signal });
      } catch (err) {
        reason = messageOf(err);
      }
      session.connected = false;
      if (signal.aborted) break;
      log.warn({ reason }, 'daemon event stream broke; reconnecting');
      gap = { startedAt: this.now(), reason };
      if (this.now() - connectedAt >= (this.options.stableMs ?? 10_000)) attempt = 0;
      await sleep(backoffDelay(attempt++, this.options.backoff ?? DEFAULT_BACKOFF), signal);
    }
  }
}

/**
 * The notice for subscribers after a break: a DAEMON event with action
 * `reconnected`, whose attributes give the gap (ISO times) and why it began.
 * Events between the break and the reconnection are replayed by the daemon
 * when it still has them; after a daemon restart it does not.
 */
export function reconnectedEvent(gap: Gap, endedAt: number, lastNano: bigint | undefined, attempts: number): HubEvent {
  const attributes: Record<string, string> = {
    gapStart: new Date(gap.startedAt).toISOString(),
    gapEnd: new Date(endedAt).toISOString(),
    reason: gap.reason,
    attempts: String(attempts),
  };
  if (lastNano !== undefined) attributes.lastEventTime = new Date(Number(lastNano / 1_000_000n)).toISOString();
  return {
    Type: 'daemon',
    Action: RECONNECTED_ACTION,
    Actor: { ID: DOCKQL_ACTOR, Attributes: attributes },
    scope: 'local',
    time: Math.floor(endedAt / 1000),
    timeNano: BigInt(endedAt) * 1_000_000n,
    synthetic: true,
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

function destroy(stream: Readable | NodeJS.ReadableStream): void {
  stream.on('error', () => undefined);
  (stream as { destroy?: () => void }).destroy?.();
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
