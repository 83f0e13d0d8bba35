/** The process-wide structured logger (pino JSON on stdout). */
import pino, { type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './config';

export type { Logger };

/**
 * A pino logger at `level`. Secrets must never reach it: registry auth and
 * tokens are redacted by path as a second line of defence.
 * @param destination where lines go (default stdout); tests capture them.
 */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'dockql' },
    redact: { paths: ['*.password', '*.auth', '*.authorization', '*.token', '*.headers.authorization'], censor: '[redacted]' },
  };
  return destination ? pino(options, destination) : pino(options);
}
