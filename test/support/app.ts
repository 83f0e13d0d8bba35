/**
 * Starts a real dockql server on an ephemeral loopback port for a test, and
 * always stops it (use with `afterAll(() => app.stop())`).
 */
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
  stop(): Promise<void>;
}

/**
 * Serves the API against `dockerHost` (default: the test engine) on 127.0.0.1:0.
 * @param env extra environment for loadConfig (e.g. NODE_ENV).
 * @param logs when given, collects the server's log lines.
 */
export async function startTestApp(options: { dockerHost?: string; env?: Record<string, string>; logs?: string[] } = {}): Promise<TestApp> {
  const config = loadConfig([], {
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
    stop: () => app.stop(),
  };
}
