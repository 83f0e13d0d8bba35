/**
 * Starts a real dockql server on an ephemeral loopback port for a test, and
 * always stops it (use with `afterAll(() => app.stop())`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config';
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
  stop(): Promise<void>;
}

/**
 * Serves the API against `dockerHost` (default: the test engine) on 127.0.0.1:0.
 * @param env extra environment for loadConfig (e.g. NODE_ENV).
 * @param logs when given, collects the server's log lines.
 * @param archiveDir the archive directory; by default a fresh temp dir, removed by stop().
 */
export async function startTestApp(options: { dockerHost?: string; env?: Record<string, string>; logs?: string[]; archiveDir?: string } = {}): Promise<TestApp> {
  // Never the checkout's ./archives: each app gets its own directory unless the test names one.
  const ownArchiveDir = options.archiveDir ?? options.env?.DOCKQL_ARCHIVE_DIR ? undefined : mkdtempSync(path.join(tmpdir(), 'dockql-archives-'));
  const config = loadConfig([], {
    DOCKQL_ARCHIVE_DIR: options.archiveDir ?? ownArchiveDir,
    DOCKER_HOST: options.dockerHost ?? testDockerHost(),
    DOCKQL_HOST: '127.0.0.1',
    DOCKQL_PORT: '0',
    LOG_LEVEL: 'silent',
    ...options.env,
  });
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
    stop: async () => {
      await app.stop();
      if (ownArchiveDir) rmSync(ownArchiveDir, { recursive: true, force: true });
    },
  };
}
