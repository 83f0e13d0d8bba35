/**
 * Starts a real dockql server on an ephemeral loopback port for a test, and
 * always stops it (use with `afterAll(() => app.stop())`).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Role } from '../../src/auth/roles';
import { hashToken, newToken } from '../../src/auth/token-file';
import { type Config, loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { type App, createApp, GRAPHQL_PATH } from '../../src/server';
import { testDockerHost } from './engine';

/** A server under test. */
export interface TestApp {
  readonly app: App;
  /** http://127.0.0.1:<port> */
  readonly baseUrl: string;
  /** http://127.0.0.1:<port>/graphql */
  readonly graphqlUrl: string;
  /** ws://127.0.0.1:<port>/graphql */
  readonly wsUrl: string;
  /** The server's archive directory. */
  readonly archiveDir: string;
  /** With `tokens`: each name's token, and the tokens file (rewrite it to revoke). */
  readonly tokens: Readonly<Record<string, string>>;
  readonly tokensFile?: string;
  stop(): Promise<void>;
}

/** Writes a tokens file for `roles` (name -> role) in a new temp dir; returns the file and each name's token. */
export function writeTokensFile(roles: Readonly<Record<string, Role>>): { file: string; dir: string; tokens: Record<string, string> } {
  const dir = mkdtempSync(path.join(tmpdir(), 'dockql-tokens-'));
  const file = path.join(dir, 'tokens.json');
  const tokens = Object.fromEntries(Object.keys(roles).map((name) => [name, newToken()]));
  writeFileSync(file, JSON.stringify(Object.entries(roles).map(([name, role]) => ({ name, role, sha256: hashToken(tokens[name]) }))), { mode: 0o600 });
  return { file, dir, tokens };
}

/**
 * Serves the API against `dockerHost` (default: the test engine) on 127.0.0.1:0.
 * @param env extra environment for loadConfig (e.g. NODE_ENV).
 * @param logs when given, collects the server's log lines.
 * @param archiveDir the archive directory; by default a fresh temp dir, removed by stop().
 * @param config values set over the loaded config, for settings the environment cannot express (e.g. a refill slower than 1/s).
 */
export async function startTestApp(
  options: { dockerHost?: string; env?: Record<string, string>; logs?: string[]; archiveDir?: string; tokens?: Readonly<Record<string, Role>>; config?: Partial<Config> } = {},
): Promise<TestApp> {
  const tokens = options.tokens && writeTokensFile(options.tokens);
  // Never the checkout's ./archives: each app gets its own directory unless the test names one.
  const ownArchiveDir = options.archiveDir ?? options.env?.DOCKQL_ARCHIVE_DIR ? undefined : mkdtempSync(path.join(tmpdir(), 'dockql-archives-'));
  const loaded = loadConfig([], {
    DOCKQL_ARCHIVE_DIR: options.archiveDir ?? ownArchiveDir,
    DOCKER_HOST: options.dockerHost ?? testDockerHost(),
    DOCKQL_HOST: '127.0.0.1',
    DOCKQL_PORT: '0',
    LOG_LEVEL: 'silent',
    ...(tokens ? { DOCKQL_TOKENS_FILE: tokens.file } : {}),
    ...options.env,
  });
  const config: Config = { ...loaded, ...options.config };
  // With `logs`, every log line is kept there (and LOG_LEVEL defaults to trace) so a test can search them.
  const destination = options.logs && { write: (line: string) => void options.logs!.push(line) };
  const app = await createApp(config, createLogger(options.logs && !options.env?.LOG_LEVEL ? 'trace' : config.logLevel, destination));
  await app.listen();
  const baseUrl = app.url();
  return {
    app,
    baseUrl,
    graphqlUrl: `${baseUrl}${GRAPHQL_PATH}`,
    wsUrl: `${baseUrl.replace(/^http/, 'ws')}${GRAPHQL_PATH}`,
    archiveDir: config.archiveDir,
    tokens: tokens?.tokens ?? {},
    tokensFile: tokens?.file,
    stop: async () => {
      await app.stop();
      if (ownArchiveDir) rmSync(ownArchiveDir, { recursive: true, force: true });
      if (tokens) rmSync(tokens.dir, { recursive: true, force: true });
    },
  };
}
