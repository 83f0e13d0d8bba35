/**
 * The daemon's event stream (`GET /events`, like `docker events`): opening it,
 * and reading its newline-delimited JSON messages into typed DTOs. The stream
 * never ends on its own while the daemon runs, so every end is reported to the
 * caller, who decides whether to reconnect (src/streams/daemon-events.ts).
 */
import type { Readable } from 'node:stream';
import type { DockerClient } from './client';
import { type NdjsonReadErrors, readNdjsonLines } from './ndjson-lines';
import type { DaemonFilters } from './types';

/** One daemon event: moby's `events.Message` (API >= 1.22 shape). */
export interface DaemonEventDto {
  /** container, image, volume, network, daemon, plugin, service, node, secret, config, builder... */
  readonly Type: string;
  /** create, start, die, destroy, pull, tag, health_status: healthy, exec_start: sh -c ..., reload... */
  readonly Action: string;
  readonly Actor: {
    /** Container, image, network... id (for images: the ref or id the action was about). */
    readonly ID: string;
    /** name, image, exitCode, signal, the container's labels... (always strings). */
    readonly Attributes: Readonly<Record<string, string>>;
  };
  /** local or swarm. */
  readonly scope: string;
  /** Seconds since the epoch. */
  readonly time: number;
  /**
   * Nanoseconds since the epoch, exact. The JSON number is larger than 2^53, so
   * JSON.parse would round it; it is read from the line's text instead.
   */
  readonly timeNano: bigint;
}

/** Longest event line accepted: events carry every label of their container, so allow plenty. */
export const MAX_EVENT_LINE = 4 * 1024 * 1024;

/** Why reading an event stream stopped with an error. */
export type EventStreamErrorKind = 'malformed' | 'truncated' | 'aborted';

/** The event stream broke; `message` is fit for logs and for ops. */
export class EventStreamError extends Error {
  override readonly name = 'EventStreamError';

  constructor(
    readonly kind: EventStreamErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
  }
}

/** What to ask the daemon for. */
export interface EventStreamQuery {
  /** Replay the daemon's buffered events from this time on (nanoseconds since the epoch, inclusive). */
  readonly since?: bigint;
  /** Daemon-side filters, as `docker events --filter` sends them (e.g. `{ type: ['container'] }`). */
  readonly filters?: DaemonFilters;
  /** Aborts the request, and the stream once open. */
  readonly signal?: AbortSignal;
}

/** `seconds.nanoseconds`, the timestamp form the daemon parses for `since`/`until` without losing precision. */
export function formatDaemonTimestamp(nanos: bigint): string {
  const seconds = nanos / 1_000_000_000n;
  const rest = nanos % 1_000_000_000n;
  return `${seconds}.${rest.toString().padStart(9, '0')}`;
}

/**
 * `GET /events`: resolves with the open response stream once the daemon
 * answered 200; failures to connect are the usual DAEMON_UNAVAILABLE etc.
 */
export function openEventStream(docker: DockerClient, query: EventStreamQuery = {}): Promise<Readable> {
  const options: Record<string, unknown> = {};
  if (query.since !== undefined) options.since = formatDaemonTimestamp(query.since);
  if (query.filters && Object.keys(query.filters).length) options.filters = JSON.stringify(query.filters);
  if (query.signal) options.abortSignal = query.signal;
  return docker.withDocker((d) => d.getEvents(options) as Promise<Readable>);
}

const TIME_NANO = /"timeNano":(\d{1,30})[,}]/;

/**
 * Parses one line of the event stream.
 * @throws EventStreamError (kind `malformed`) when it is not an event.
 */
export function parseDaemonEvent(line: string): DaemonEventDto {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw malformed(line);
  }
  if (!isPlainObject(value)) throw malformed(line);
  // `status`/`id` are the pre-1.22 names of Action and Actor.ID; daemons still send both.
  const action = stringOr(value.Action, stringOr(value.status, ''));
  if (action === '') throw malformed(line);
  const actor = isPlainObject(value.Actor) ? value.Actor : {};
  const attributes: Record<string, string> = {};
  if (isPlainObject(actor.Attributes)) {
    for (const [k, v] of Object.entries(actor.Attributes)) attributes[k] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  const time = typeof value.time === 'number' && Number.isFinite(value.time) ? Math.trunc(value.time) : undefined;
  const exact = TIME_NANO.exec(line)?.[1];
  let timeNano: bigint;
  if (exact !== undefined && typeof value.timeNano === 'number') timeNano = BigInt(exact);
  else if (time !== undefined) timeNano = BigInt(time) * 1_000_000_000n;
  else throw malformed(line);
  return {
    // Before API 1.22 only container events existed, and they had no Type.
    Type: stringOr(value.Type, value.Action === undefined && value.status !== undefined ? 'container' : ''),
    Action: action,
    Actor: { ID: stringOr(actor.ID, stringOr(value.id, '')), Attributes: attributes },
    scope: stringOr(value.scope, 'local'),
    time: time ?? Number(timeNano / 1_000_000_000n),
    timeNano,
  };
}

/**
 * Reads an open event stream, calling `onEvent` for every event in order.
 *
 * Resolves when the daemon ends the stream cleanly (it does so when it shuts
 * down). Rejects with an {@link EventStreamError} when a line is not an event
 * (`malformed`), the connection drops (`truncated`) or `signal` aborts
 * (`aborted`); with what `onEvent` threw when it throws. The stream is
 * destroyed on every rejection, and no listener is left behind (see
 * readNdjsonLines, which does the reading).
 */
export function readEventStream(stream: Readable | NodeJS.ReadableStream, onEvent: (event: DaemonEventDto) => void, options: { signal?: AbortSignal } = {}): Promise<void> {
  const errors: NdjsonReadErrors = {
    truncated: (cause) => new EventStreamError('truncated', 'the daemon\'s event stream was cut off', { cause }),
    aborted,
    tooLong: () => new EventStreamError('malformed', `the daemon sent a malformed event: a line longer than ${MAX_EVENT_LINE} characters`),
    notText: () => new EventStreamError('malformed', 'the daemon sent a malformed event: not text'),
  };
  return readNdjsonLines(stream, (line) => onEvent(parseDaemonEvent(line)), { maxLine: MAX_EVENT_LINE, signal: options.signal, errors });
}

function aborted(): EventStreamError {
  return new EventStreamError('aborted', 'the event stream was closed by dockql');
}

function malformed(line: string): EventStreamError {
  // JSON-escaped so that control characters in the line cannot reach logs raw.
  const excerpt = JSON.stringify(line.slice(0, 100)) + (line.length > 100 ? '…' : '');
  return new EventStreamError('malformed', `the daemon sent a malformed event: ${excerpt}`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}
