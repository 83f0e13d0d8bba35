/** The process-wide structured logger: pino JSON on stdout, or pino-pretty's lines for a person at a terminal. */
import pino, { type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { LogFormat, LogLevel } from './config';

export type { Logger };

/**
 * Where a secret could sit in a logged object. pino matches paths, not key
 * names anywhere (`*` is one level), so each depth is listed; audit lines
 * redact their arguments by key name first (src/audit/redact-args.ts).
 * No `token` at the top level: the per-operation logger binds `token` to the
 * caller's token *name*.
 */
const REDACT_PATHS = [
  'password',
  'auth',
  'authorization',
  'secret',
  '*.password',
  '*.auth',
  '*.authorization',
  '*.token',
  '*.secret',
  '*.authconfig',
  '*.*.password',
  '*.*.auth',
  '*.*.authorization',
  '*.*.token',
  '*.*.secret',
  'headers.authorization',
  '*.headers.authorization',
  'headers["x-registry-auth"]',
  '*.headers["x-registry-auth"]',
  'connectionParams.authorization',
  '*.connectionParams.authorization',
];

/** The format `DOCKQL_LOG_FORMAT` asks for, with `auto` decided by whether stdout is a terminal. */
export function resolveLogFormat(format: LogFormat, isTTY: boolean): 'json' | 'pretty' {
  return format === 'auto' ? (isTTY ? 'pretty' : 'json') : format;
}

/**
 * A pino logger at `level`. Secrets must never reach it: registry auth and
 * tokens are redacted by path as a second line of defence.
 * @param destination where JSON lines go (default stdout); tests capture them.
 * @param format `pretty` (or `auto` on a terminal) writes pino-pretty's lines to stdout instead of JSON; ignored with a destination.
 */
export function createLogger(level: LogLevel, destination?: DestinationStream, format: LogFormat = 'json'): Logger {
  const options = {
    level,
    base: { service: 'dockql' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  };
  if (destination) return pino(options, destination);
  if (resolveLogFormat(format, process.stdout.isTTY === true) === 'pretty') {
    // In this thread and synchronous rather than as a pino transport (a worker): main.ts ends with
    // process.exit(), which would drop the last lines a worker had not written yet.
    return pino(options, pretty({ sync: true, colorize: process.stdout.isTTY === true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' }));
  }
  return pino(options);
}
