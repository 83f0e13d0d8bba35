/**
 * Maps failures of daemon calls to the API's error codes: on the HTTP status
 * code the daemon answered (never on message text), keeping the daemon's words.
 */
import { DockqlError, ErrorCode } from '../schema/errors';

/** Socket-level error codes that mean "no daemon answers there". */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOENT',
  'EACCES',
  'EPERM',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENOTSOCK',
  'ECONNABORTED',
]);

/** The ErrorCode for a daemon HTTP status (304 is success and never reaches here). */
export function codeForDaemonStatus(status: number): ErrorCode {
  switch (status) {
    case 400:
      return ErrorCode.BAD_USER_INPUT;
    case 404:
      return ErrorCode.NOT_FOUND;
    case 409:
      return ErrorCode.CONFLICT;
    default:
      return ErrorCode.DAEMON_ERROR;
  }
}

/** What docker-modem attaches to the errors it raises. */
interface ModemError {
  statusCode?: unknown;
  json?: unknown;
  code?: unknown;
  message?: unknown;
}

/** The daemon's own message from an error body (`{"message": "..."}`), else the raw text. */
export function daemonMessage(err: ModemError): string {
  const json = err.json;
  if (json && typeof json === 'object' && 'message' in json && typeof json.message === 'string') return json.message;
  if (typeof json === 'string' && json.trim()) return json.trim();
  if (Buffer.isBuffer(json) && json.length) return json.toString('utf8').trim();
  // docker-modem's own wrapper text: "(HTTP code 404) no such container - <daemon words> "
  const text = typeof err.message === 'string' ? err.message : 'the daemon answered an error';
  return text.replace(/^\(HTTP code \d+\) [^-]*- /, '').trim();
}

/** True when the error means the daemon could not be reached at all. */
export function isUnreachable(err: unknown): boolean {
  const e = err as ModemError | null;
  if (!e || typeof e !== 'object') return false;
  if (typeof e.code === 'string' && UNREACHABLE_CODES.has(e.code)) return true;
  // ssh2 and TLS handshakes fail with level/reason fields rather than errno codes.
  return 'level' in e && (e as { level?: unknown }).level === 'client-socket';
}

/**
 * Converts anything a daemon call threw into a {@link DockqlError}, or returns
 * `undefined` for errors that are not the daemon's (bugs), which the error
 * formatter masks.
 * @param describeEndpoint shown only in development: where we tried to connect.
 */
export function toDockqlError(err: unknown, describeEndpoint?: string): DockqlError | undefined {
  if (err instanceof DockqlError) return err;
  const e = err as ModemError | null;
  if (!e || typeof e !== 'object') return undefined;
  if (typeof e.statusCode === 'number') {
    return new DockqlError(codeForDaemonStatus(e.statusCode), daemonMessage(e), { daemonStatus: e.statusCode });
  }
  if (isUnreachable(e)) {
    const why = typeof e.code === 'string' ? e.code : 'connection failed';
    const where = describeEndpoint ? ` at ${describeEndpoint}` : '';
    return new DockqlError(ErrorCode.DAEMON_UNAVAILABLE, `Cannot connect to the Docker daemon${where} (${why}). Is the docker daemon running?`);
  }
  return undefined;
}
