/** Container logs: the last lines (a Container field) and following them (a subscription). */
import type { DockerClient } from '../../docker/client';
import { toDockqlError } from '../../docker/errors';
import { type LogRecord, LogStreamError } from '../../docker/log-frames';
import { logParser, MAX_LOG_TAIL, openLogFollow, readLogs } from '../../docker/logs';
import type { Envelope } from '../../streams/envelope';
import { followDaemonStream } from '../../streams/daemon-stream';
import type { Container } from '../container/container.type';
import type { ContainerService } from '../container/container.service';
import { BadUserInputError, DockqlError, ErrorCode, NotFoundError } from '../errors';
import { LogLine, LogStream } from './log.type';

/** Default `tail` of Container.logs (the contract's). */
export const DEFAULT_LOG_TAIL = 100;

/** A log record as the schema's LogLine. */
export function toLogLine(r: LogRecord): LogLine {
  return { stream: r.stream === 'stderr' ? LogStream.STDERR : LogStream.STDOUT, text: r.text, time: r.time ?? null, truncated: r.truncated };
}

/** `tail` within 0..MAX_LOG_TAIL, else BAD_USER_INPUT. */
export function checkTail(tail: number): number {
  if (!Number.isInteger(tail) || tail < 0 || tail > MAX_LOG_TAIL) {
    throw new BadUserInputError(`tail must be a whole number from 0 to ${MAX_LOG_TAIL}, got ${tail}`, { argument: 'tail' });
  }
  return tail;
}

/** What broke a log read, as the API's error: the daemon's words where it gave any. */
export function toLogError(err: unknown): DockqlError {
  if (err instanceof DockqlError) return err;
  if (err instanceof LogStreamError) return new DockqlError(ErrorCode.DAEMON_ERROR, err.message);
  return toDockqlError(err) ?? new DockqlError(ErrorCode.DAEMON_ERROR, `the daemon's log stream broke: ${err instanceof Error ? err.message : String(err)}`);
}

export class LogsService {
  constructor(
    private readonly docker: DockerClient,
    private readonly containers: ContainerService,
  ) {}

  /** The container's last `tail` lines, oldest first; [] when it was removed meanwhile. */
  async lines(container: Container, tail: number | null, since: Date | null): Promise<LogLine[]> {
    const n = checkTail(tail ?? DEFAULT_LOG_TAIL);
    const details = await this.containers.details(container);
    if (!details) return [];
    try {
      const records = await readLogs(this.docker, container.id, { tail: n, since: since ?? undefined, tty: Boolean(details.Config?.Tty) });
      return records.map(toLogLine);
    } catch (err) {
      throw toLogError(err);
    }
  }

  /**
   * Follows the log like `docker logs -f`: the last `tail` lines, then each new
   * one, ending when the container stops (the daemon ends the stream).
   * @throws BAD_USER_INPUT for a bad ref or tail, NOT_FOUND for an unknown container (one error result)
   */
  async follow(ref: string, tail: number | null, since: Date | null): Promise<AsyncIterableIterator<Envelope<LogLine>>> {
    const n = checkTail(tail ?? 0);
    const container = await this.containers.find(ref);
    if (!container) throw new NotFoundError(`no such container: ${ref}`, { argument: 'ref' });
    const tty = Boolean((await this.containers.details(container))?.Config?.Tty);
    const parser = logParser(tty);
    return followDaemonStream(
      (signal) => openLogFollow(this.docker, container.id, { tail: n, since: since ?? undefined, tty }, signal),
      { push: (chunk) => ({ items: parser.push(chunk).map(toLogLine) }), end: () => parser.end().map(toLogLine) },
      toLogError,
    );
  }
}
