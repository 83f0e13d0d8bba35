/**
 * Parsers of single configuration values: each turns the text of one
 * variable or flag into a value, or throws ConfigError naming where it came from.
 */
import { RefSyntaxError } from './docker/refs';
import { canonicalHost } from './registry/allow-list';

/** Log levels accepted by `LOG_LEVEL` (pino's). */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Log formats accepted by `DOCKQL_LOG_FORMAT`: `auto` is pretty on a terminal, JSON otherwise. */
export const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** A configuration value that cannot be used; `main` prints the message as one line and exits. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function parseHost(v: string, from: string): string {
  // A bind address or host name; anything with a scheme, path or spaces is a mistake worth naming.
  if (!/^[A-Za-z0-9.:_-]+$/.test(v) && !/^\[[0-9A-Fa-f:.]+\]$/.test(v)) {
    throw new ConfigError(`${from}: "${v}" is not a host name or IP address`);
  }
  return v.replace(/^\[(.*)\]$/, '$1');
}

export function parsePort(v: string, from: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n > 65535) {
    throw new ConfigError(`${from}: "${v}" is not a TCP port (0-65535)`);
  }
  return n;
}

export function parseCount(v: string, from: string, min: number, max: number, unit: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < min || n > max) {
    throw new ConfigError(`${from}: "${v}" is not a whole number of ${unit} from ${min} to ${max}`);
  }
  return n;
}

/** Bytes, optionally with a binary suffix as docker's own flags take them: 512M, 20G, 1T (K, M, G, T; `i`/`B` allowed). */
export function parseBytes(v: string, from: string): number {
  const m = /^(\d+)\s*(?:([KMGT])(?:i?B)?|B)?$/i.exec(v);
  const n = m ? Number(m[1]) * 1024 ** ' KMGT'.indexOf((m[2] ?? '').toUpperCase()) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new ConfigError(`${from}: "${v}" is not a size in bytes (a whole number, optionally with K, M, G or T, e.g. 20G)`);
  }
  return n;
}

/** An on/off setting: 1/true/yes/on or 0/false/no/off (any case); unset is undefined. */
export function parseSwitch(v: string | undefined, from: string): boolean | undefined {
  if (v === undefined) return undefined;
  const lower = v.toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(lower)) return true;
  if (['0', 'false', 'no', 'off'].includes(lower)) return false;
  throw new ConfigError(`${from}: "${v}" is not 1/true/yes/on or 0/false/no/off`);
}

/** A comma list of origins as browsers send them: scheme://host[:port], compared lower-case with default ports dropped. */
export function parseOrigins(v: string | undefined, from: string): string[] {
  return commaList(v).map((item) => {
    let url: URL;
    try {
      url = new URL(item);
    } catch {
      throw new ConfigError(`${from}: "${item}" is not an origin such as https://ops.example.com`);
    }
    if (!['http:', 'https:'].includes(url.protocol) || url.pathname !== '/' || url.search || url.hash || url.username) {
      throw new ConfigError(`${from}: "${item}" is not an origin (scheme://host[:port], nothing after it)`);
    }
    return url.origin.toLowerCase();
  });
}

/** A comma list of registry hosts: host or host:port, as they appear in image references (the SSRF guard's syntax). */
export function parseRegistryHosts(v: string | undefined, from: string): string[] {
  return commaList(v).map((item) => {
    try {
      canonicalHost(item);
    } catch (err) {
      const reason = err instanceof RefSyntaxError ? `: ${err.reason.replace(/^invalid registry host: /, '')}` : '';
      throw new ConfigError(`${from}: "${item}" is not a registry host (host or host:port)${reason}`);
    }
    return item.toLowerCase();
  });
}

export function commaList(v: string | undefined): string[] {
  return (v ?? '').split(',').map((x) => x.trim()).filter((x) => x !== '');
}

export function parseLogLevel(v: string, from: string): LogLevel {
  const level = v.toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new ConfigError(`${from}: "${v}" is not one of ${LOG_LEVELS.join(', ')}`);
  }
  return level as LogLevel;
}

export function parseLogFormat(v: string, from: string): LogFormat {
  const format = v.toLowerCase();
  if (!(LOG_FORMATS as readonly string[]).includes(format)) {
    throw new ConfigError(`${from}: "${v}" is not one of ${LOG_FORMATS.join(', ')}`);
  }
  return format as LogFormat;
}
