/** The process-wide structured logger (pino JSON on stdout). */
import pino, { type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './config';

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

/**
 * A pino logger at `level`. Secrets must never reach it: registry auth and
 * tokens are redacted by path as a second line of defence.
 * @param destination where lines go (default stdout); tests capture them.
 */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'dockql' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  };
  return destination ? pino(options, destination) : pino(options);
}
