/** The real dockql server, in the bench's own process, for the benches to measure. */
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { type App, createApp, GRAPHQL_PATH } from '../../src/server';
import { scratchDir, type Teardown } from './teardown';

/** Starts dockql on 127.0.0.1:0 against `dockerHost`, with a scratch archive dir, stopped at teardown. */
export async function startBenchApp(dockerHost: string, teardown: Teardown): Promise<App> {
  const config = loadConfig([], {
    DOCKER_HOST: dockerHost,
    DOCKQL_HOST: '127.0.0.1',
    DOCKQL_PORT: '0',
    LOG_LEVEL: 'silent',
    DOCKQL_ARCHIVE_DIR: scratchDir(teardown, 'dockql-bench-archives-'),
  });
  const app = await createApp(config, createLogger(config.logLevel));
  teardown.add('stop the dockql server', () => app.stop());
  await app.listen();
  return app;
}

/** Like {@link startBenchApp}, returning the GraphQL URL. */
export async function startBenchServer(dockerHost: string, teardown: Teardown): Promise<string> {
  const app = await startBenchApp(dockerHost, teardown);
  return `${app.url()}${GRAPHQL_PATH}`;
}
