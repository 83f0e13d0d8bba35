/**
 * Container logs (`GET /containers/{id}/logs`): the last lines, or a follow
 * stream like `docker logs -f`, always with `timestamps=1` so every line has
 * its time, and always read incrementally (a `stream` dial: dockerode would
 * buffer a log without `follow` whole).
 */
import type { DockerClient } from './client';
import { dial } from './dial';
import { type LogRecord, LogStreamParser } from './log-frames';
import { encodePathSegment } from './refs';

/** Most lines a caller may ask for (`tail`). */
export const MAX_LOG_TAIL = 10_000;

/** Most text one `readLogs` returns, in characters: beyond it the oldest lines are dropped (10,000 lines of 64 KiB would be 640 MiB). */
export const MAX_LOG_RESPONSE_CHARS = 16 * 1024 * 1024;

/** What to read. */
export interface LogQuery {
  /** Last this many log messages (the daemon counts messages, i.e. lines and 16 KiB parts of longer ones). */
  readonly tail: number;
  /** Only messages logged at or after this time. */
  readonly since?: Date;
  /** The container has a TTY: one raw stream instead of stdcopy frames. */
  readonly tty: boolean;
}

function toQuery(query: LogQuery, follow: boolean): Record<string, string | number | boolean> {
  return {
    stdout: true,
    stderr: true,
    timestamps: true,
    follow,
    tail: query.tail,
    // The daemon takes seconds since the epoch with a fraction.
    ...(query.since ? { since: (query.since.getTime() / 1000).toFixed(3) } : {}),
  };
}

/** `GET /containers/{id}/logs` as a stream; resolves once the daemon answered 200. */
function openLogs(client: DockerClient, id: string, query: LogQuery, follow: boolean, signal?: AbortSignal): Promise<NodeJS.ReadableStream> {
  const path = `/containers/${encodePathSegment(id)}/logs`;
  return client.withDocker((d) => dial<NodeJS.ReadableStream>(d, { method: 'GET', path, query: toQuery(query, follow), ok: [200], stream: true, signal }));
}

/** A parser for the response of a container with or without a TTY. */
export function logParser(tty: boolean): LogStreamParser {
  return new LogStreamParser({ multiplexed: !tty, timestamps: true });
}

/**
 * The container's last log lines, oldest first. At most
 * {@link MAX_LOG_RESPONSE_CHARS} of text: past that the oldest lines are dropped.
 * @param id the container's full id (resolve refs first)
 */
export async function readLogs(client: DockerClient, id: string, query: LogQuery): Promise<LogRecord[]> {
  const stream = await openLogs(client, id, query, false);
  const parser = logParser(query.tty);
  const lines: LogRecord[] = [];
  let first = 0;
  let chars = 0;
  const keep = (records: readonly LogRecord[]): void => {
    for (const r of records) {
      lines.push(r);
      chars += r.text.length;
      while (chars > MAX_LOG_RESPONSE_CHARS && first < lines.length) chars -= lines[first++]!.text.length;
    }
  };
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) keep(parser.push(chunk));
    keep(parser.end());
  } finally {
    (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
  }
  return first ? lines.slice(first) : lines;
}

/** Opens a follow stream (`docker logs -f`): the last `tail` lines, then new ones until the container stops. */
export function openLogFollow(client: DockerClient, id: string, query: LogQuery, signal: AbortSignal): Promise<NodeJS.ReadableStream> {
  return openLogs(client, id, query, true, signal);
}
