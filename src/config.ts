/**
 * The only reader of `process.env` and command-line flags.
 *
 * Every setting has an environment variable and a matching flag; the flag wins.
 * The README's configuration table is the user-facing copy of {@link SETTINGS}.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  ConfigError,
  type LogFormat,
  type LogLevel,
  parseBytes,
  parseCount,
  parseHost,
  parseLogFormat,
  parseLogLevel,
  parseOrigins,
  parsePort,
  parseRegistryHosts,
  parseSwitch,
} from './config-values';

export { ConfigError, LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from './config-values';

/** How to reach the Docker Engine, parsed from `DOCKER_HOST` the way the docker CLI reads it. */
export type DockerEndpoint =
  | { readonly kind: 'unix'; readonly socketPath: string }
  | {
      readonly kind: 'tcp';
      readonly host: string;
      readonly port: number;
      readonly tls?: { readonly ca: Buffer; readonly cert: Buffer; readonly key: Buffer; readonly verify: boolean };
    }
  | { readonly kind: 'ssh'; readonly host: string; readonly port: number; readonly username?: string };


/** The frozen configuration every other module receives. */
export interface Config {
  /** Address the HTTP/WebSocket server binds. */
  readonly host: string;
  /** TCP port; 0 picks a free one (tests). */
  readonly port: number;
  /** The `DOCKER_HOST` string as given (or the default). */
  readonly dockerHost: string;
  /** True when the user named a daemon (env or flag): then dockql never starts its own engine. */
  readonly dockerHostExplicit: boolean;
  readonly docker: DockerEndpoint;
  /** Directory holding saved/exported/uploaded archives. */
  readonly archiveDir: string;
  /** Largest archive accepted by `PUT /archives/<name>` (bytes). */
  readonly maxUploadBytes: number;
  /** `DOCKQL_ARCHIVE_DIRECT_IO`: write archives with O_DIRECT where the file system takes it. */
  readonly archiveDirectIo: boolean;
  /** State directory of the private engine `npm start` may start. */
  readonly engineDir: string;
  readonly logLevel: LogLevel;
  /** `DOCKQL_LOG_FORMAT`: JSON lines, pino-pretty's lines, or `auto` (pretty when stdout is a terminal). */
  readonly logFormat: LogFormat;
  /** How long finished pull, push and archive jobs stay listed (ms). */
  readonly jobRetentionMs: number;
  /** How many finished jobs of each store are kept at most. */
  readonly jobHistory: number;
  /** Bound on `docker search` through the daemon (ms). */
  readonly searchTimeoutMs: number;
  /** Events held per event subscriber that is not reading; one more ends it with SUBSCRIBER_TOO_SLOW. */
  readonly subscriberBuffer: number;
  /** `NODE_ENV=development`: errors keep their stack and detail. */
  readonly development: boolean;
  /** `NODE_ENV=production`: introspection, the playground and field suggestions are off unless asked for. */
  readonly production: boolean;
  /** JSON file of hashed tokens with roles; without one every caller is admin and the server must stay on loopback. */
  readonly tokensFile?: string;
  /** Serve a non-loopback address without tokens anyway (logged as a warning at start). */
  readonly insecure: boolean;
  /** Schema introspection (and with it the playground): on unless production, or as `DOCKQL_INTROSPECTION` says. */
  readonly introspection: boolean;
  /** Browser origins allowed besides the server's own (scheme://host[:port], lower-cased). */
  readonly allowedOrigins: readonly string[];
  /** Registry hosts (host[:port]) `registry(host)` and pull mirrors may contact besides loopback and the daemon's own lists. */
  readonly allowedRegistries: readonly string[];
  /** Mutations per second one token may start on average. */
  readonly rateLimitPerSecond: number;
  /** Mutations one token may start at once before the rate applies. */
  readonly rateBurst: number;
  /** Limits every GraphQL document must keep, over HTTP and WebSocket alike. */
  readonly limits: QueryLimits;
  /** Active subscriptions one WebSocket may hold. */
  readonly wsMaxSubscriptions: number;
  /** How long a WebSocket may stay open without `connection_init` (ms). */
  readonly wsInitTimeoutMs: number;
}

/** Document limits (see src/schema/limits.ts). */
export interface QueryLimits {
  /** Deepest selection nesting (introspection exempt). */
  readonly maxDepth: number;
  /** Aliases in one document. */
  readonly maxAliases: number;
  /** Estimated cost (objects 2, scalars 1, times depth; introspection exempt). */
  readonly maxCost: number;
  /** Lexical tokens in one document (checked while parsing). */
  readonly maxTokens: number;
}

/** One configurable setting: the env variable, its flag, default and meaning (the README table). */
interface Setting {
  readonly env: string;
  readonly flag: string;
  readonly fallbackEnv?: string;
  readonly defaultValue?: string;
  /** A switch (`--tlsverify`) rather than a flag with a value. */
  readonly boolean?: true;
}

/** Every setting, by config key. Extend here and in the README table together. */
export const SETTINGS = {
  host: { env: 'DOCKQL_HOST', flag: 'host', defaultValue: '127.0.0.1' },
  port: { env: 'DOCKQL_PORT', flag: 'port', fallbackEnv: 'PORT', defaultValue: '4000' },
  dockerHost: { env: 'DOCKER_HOST', flag: 'docker-host', defaultValue: 'unix:///var/run/docker.sock' },
  tlsVerify: { env: 'DOCKER_TLS_VERIFY', flag: 'tlsverify', boolean: true },
  certPath: { env: 'DOCKER_CERT_PATH', flag: 'cert-path' },
  archiveDir: { env: 'DOCKQL_ARCHIVE_DIR', flag: 'archive-dir', defaultValue: './archives' },
  maxUploadBytes: { env: 'DOCKQL_MAX_UPLOAD_BYTES', flag: 'max-upload-bytes', defaultValue: '20G' },
  archiveDirectIo: { env: 'DOCKQL_ARCHIVE_DIRECT_IO', flag: 'archive-direct-io', defaultValue: 'true' },
  engineDir: { env: 'DOCKQL_ENGINE_DIR', flag: 'engine-dir', defaultValue: './.dockql/engine' },
  logLevel: { env: 'LOG_LEVEL', flag: 'log-level', defaultValue: 'info' },
  logFormat: { env: 'DOCKQL_LOG_FORMAT', flag: 'log-format', defaultValue: 'auto' },
  jobRetention: { env: 'DOCKQL_JOB_RETENTION', flag: 'job-retention', defaultValue: '900' },
  jobHistory: { env: 'DOCKQL_JOB_HISTORY', flag: 'job-history', defaultValue: '100' },
  searchTimeout: { env: 'DOCKQL_SEARCH_TIMEOUT', flag: 'search-timeout', defaultValue: '15' },
  subscriberBuffer: { env: 'DOCKQL_SUBSCRIBER_BUFFER', flag: 'subscriber-buffer', defaultValue: '1000' },
  tokensFile: { env: 'DOCKQL_TOKENS_FILE', flag: 'tokens-file' },
  insecure: { env: 'DOCKQL_INSECURE', flag: 'insecure', boolean: true },
  introspection: { env: 'DOCKQL_INTROSPECTION', flag: 'introspection' },
  allowedOrigins: { env: 'DOCKQL_ALLOWED_ORIGINS', flag: 'allowed-origins' },
  registries: { env: 'DOCKQL_REGISTRIES', flag: 'registries' },
  rateLimit: { env: 'DOCKQL_RATE_LIMIT', flag: 'rate-limit', defaultValue: '20' },
  rateBurst: { env: 'DOCKQL_RATE_BURST', flag: 'rate-burst', defaultValue: '100' },
  maxDepth: { env: 'DOCKQL_MAX_DEPTH', flag: 'max-depth', defaultValue: '12' },
  maxAliases: { env: 'DOCKQL_MAX_ALIASES', flag: 'max-aliases', defaultValue: '30' },
  maxCost: { env: 'DOCKQL_MAX_COST', flag: 'max-cost', defaultValue: '20000' },
  maxTokens: { env: 'DOCKQL_MAX_TOKENS', flag: 'max-tokens', defaultValue: '5000' },
  wsMaxSubscriptions: { env: 'DOCKQL_WS_MAX_SUBSCRIPTIONS', flag: 'ws-max-subscriptions', defaultValue: '100' },
  wsInitTimeout: { env: 'DOCKQL_WS_INIT_TIMEOUT', flag: 'ws-init-timeout', defaultValue: '3' },
} as const satisfies Record<string, Setting>;

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads the configuration from flags (`argv`, without node and script) and the environment.
 * @throws ConfigError naming the variable when a value is unusable.
 */
export function loadConfig(argv: readonly string[] = process.argv.slice(2), env: Env = process.env): Config {
  const flags = parseFlags(argv);
  /** Where a setting's value came from, so that an error names what the user actually set. */
  const origin = (key: keyof typeof SETTINGS): string => {
    const s: Setting = SETTINGS[key];
    if (flags[s.flag] !== undefined) return `--${s.flag}`;
    if (nonEmpty(env[s.env]) === undefined && s.fallbackEnv && nonEmpty(env[s.fallbackEnv]) !== undefined) return s.fallbackEnv;
    return s.env;
  };
  const raw = (key: keyof typeof SETTINGS): string | undefined => {
    const s: Setting = SETTINGS[key];
    const fromFlag = flags[s.flag];
    if (fromFlag !== undefined) return fromFlag;
    const fromEnv = nonEmpty(env[s.env]) ?? (s.fallbackEnv ? nonEmpty(env[s.fallbackEnv]) : undefined);
    return fromEnv ?? s.defaultValue;
  };

  const dockerHost = raw('dockerHost')!;
  const production = env.NODE_ENV === 'production';
  const config: Config = {
    host: parseHost(raw('host')!, origin('host')),
    port: parsePort(raw('port')!, origin('port')),
    dockerHost,
    dockerHostExplicit: flags['docker-host'] !== undefined || nonEmpty(env.DOCKER_HOST) !== undefined,
    docker: parseDockerHost(dockerHost, raw('tlsVerify'), raw('certPath'), env),
    archiveDir: path.resolve(raw('archiveDir')!),
    maxUploadBytes: parseBytes(raw('maxUploadBytes')!, origin('maxUploadBytes')),
    archiveDirectIo: parseSwitch(raw('archiveDirectIo'), origin('archiveDirectIo'))!,
    engineDir: path.resolve(raw('engineDir')!),
    logLevel: parseLogLevel(raw('logLevel')!, origin('logLevel')),
    logFormat: parseLogFormat(raw('logFormat')!, origin('logFormat')),
    jobRetentionMs: parseCount(raw('jobRetention')!, origin('jobRetention'), 0, 7 * 24 * 3600, 'seconds') * 1000,
    jobHistory: parseCount(raw('jobHistory')!, origin('jobHistory'), 0, 100_000, 'jobs'),
    searchTimeoutMs: parseCount(raw('searchTimeout')!, origin('searchTimeout'), 1, 600, 'seconds') * 1000,
    subscriberBuffer: parseCount(raw('subscriberBuffer')!, origin('subscriberBuffer'), 1, 1_000_000, 'events'),
    development: env.NODE_ENV === 'development',
    production,
    tokensFile: raw('tokensFile') === undefined ? undefined : path.resolve(raw('tokensFile')!),
    insecure: parseSwitch(raw('insecure'), origin('insecure')) ?? false,
    introspection: parseSwitch(raw('introspection'), origin('introspection')) ?? !production,
    allowedOrigins: parseOrigins(raw('allowedOrigins'), origin('allowedOrigins')),
    allowedRegistries: parseRegistryHosts(raw('registries'), origin('registries')),
    rateLimitPerSecond: parseCount(raw('rateLimit')!, origin('rateLimit'), 1, 100_000, 'mutations per second'),
    rateBurst: parseCount(raw('rateBurst')!, origin('rateBurst'), 1, 1_000_000, 'mutations'),
    limits: Object.freeze({
      maxDepth: parseCount(raw('maxDepth')!, origin('maxDepth'), 2, 1000, 'levels'),
      maxAliases: parseCount(raw('maxAliases')!, origin('maxAliases'), 0, 100_000, 'aliases'),
      maxCost: parseCount(raw('maxCost')!, origin('maxCost'), 10, 10_000_000, 'cost units'),
      maxTokens: parseCount(raw('maxTokens')!, origin('maxTokens'), 100, 10_000_000, 'tokens'),
    }),
    wsMaxSubscriptions: parseCount(raw('wsMaxSubscriptions')!, origin('wsMaxSubscriptions'), 1, 100_000, 'subscriptions'),
    wsInitTimeoutMs: parseCount(raw('wsInitTimeout')!, origin('wsInitTimeout'), 1, 600, 'seconds') * 1000,
  };
  Object.freeze(config.docker);
  Object.freeze(config.allowedOrigins);
  Object.freeze(config.allowedRegistries);
  return Object.freeze(config);
}

function parseFlags(argv: readonly string[]): Record<string, string | undefined> {
  const settings: readonly Setting[] = Object.values(SETTINGS);
  const options = Object.fromEntries(settings.map((s) => [s.flag, { type: s.boolean ? ('boolean' as const) : ('string' as const) }]));
  try {
    const { values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false });
    // A switch given on the command line reads like DOCKER_TLS_VERIFY=1.
    return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v === true ? '1' : v === false ? undefined : v]));
  } catch (err) {
    throw new ConfigError(`command line: ${(err as Error).message}`);
  }
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

/**
 * Parses `DOCKER_HOST` as the docker CLI does: unix://path, tcp://host:port (TLS when
 * DOCKER_TLS_VERIFY is set or DOCKER_CERT_PATH is given), ssh://[user@]host[:port].
 */
export function parseDockerHost(value: string, tlsVerify: string | undefined, certPath: string | undefined, env: Env): DockerEndpoint {
  const bad = (why: string) => new ConfigError(`${SETTINGS.dockerHost.env}: "${value}" ${why}`);
  const scheme = /^([a-z]+):\/\//.exec(value)?.[1];
  if (scheme === 'unix') {
    const socketPath = value.slice('unix://'.length);
    if (!socketPath.startsWith('/')) throw bad('needs an absolute socket path, e.g. unix:///var/run/docker.sock');
    return { kind: 'unix', socketPath };
  }
  if (scheme === 'tcp' || scheme === 'ssh') {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw bad('is not a valid URL');
    }
    if (!url.hostname) throw bad('has no host');
    if (url.pathname !== '' && url.pathname !== '/') throw bad('must not have a path');
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    if (scheme === 'ssh') {
      return { kind: 'ssh', host, port: url.port ? Number(url.port) : 22, username: url.username || undefined };
    }
    const useTls = nonEmpty(tlsVerify) !== undefined || nonEmpty(certPath) !== undefined;
    const port = url.port ? Number(url.port) : useTls ? 2376 : 2375;
    if (!useTls) return { kind: 'tcp', host, port };
    const dir = nonEmpty(certPath) ?? path.join(env.HOME ?? '/root', '.docker');
    const read = (file: string) => {
      try {
        return readFileSync(path.join(dir, file));
      } catch {
        throw new ConfigError(`${SETTINGS.certPath.env}: cannot read ${file} in "${dir}"`);
      }
    };
    // As the docker CLI: any non-empty DOCKER_TLS_VERIFY (even "0") turns verification on.
    const verify = nonEmpty(tlsVerify) !== undefined;
    return { kind: 'tcp', host, port, tls: { ca: read('ca.pem'), cert: read('cert.pem'), key: read('key.pem'), verify } };
  }
  throw bad('must start with unix://, tcp:// or ssh://');
}
