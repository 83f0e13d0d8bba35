/**
 * Entry point: loadConfig -> (private engine when no daemon answers) -> createApp -> listen.
 * SIGTERM/SIGINT stop the app cleanly.
 */
import 'reflect-metadata';
import { checkExposure } from './auth/exposure';
import { TokenFileError } from './auth/token-file';
import { type Config, ConfigError, loadConfig, parseDockerHost } from './config';
import { DockerClient } from './docker/client';
import { startPrivateEngine } from './engine/private-engine';
import { tuneGarbageCollection } from './gc-tuning';
import { createLogger, type Logger } from './logger';
import { createApp } from './server';

/** Finds a daemon: the configured one, or, when none was named and none answers, the private engine. */
async function connectDocker(config: Config, log: Logger): Promise<DockerClient> {
  const docker = new DockerClient(config.docker, { revealEndpoint: config.development });
  if (config.dockerHostExplicit) return docker;
  try {
    await docker.ping();
    return docker;
  } catch {
    log.info({ engineDir: config.engineDir }, `no Docker daemon answers at ${config.dockerHost}: starting a private engine (scripts/engine.sh)`);
  }
  try {
    const engine = await startPrivateEngine(config.engineDir);
    log.info({ dockerHost: engine.dockerHost, registry: engine.registry }, 'private engine ready (it keeps running after dockql stops; `npm run engine -- stop` stops it)');
    return new DockerClient(parseDockerHost(engine.dockerHost, undefined, undefined, {}), { revealEndpoint: config.development });
  } catch (err) {
    log.error({ err }, 'could not start the private engine: serving anyway, daemon-backed fields answer DAEMON_UNAVAILABLE');
    return docker;
  }
}

async function main(): Promise<void> {
  // Before any archive streams: otherwise a multi-GB save can spend more CPU collecting garbage than hashing.
  tuneGarbageCollection();
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`dockql: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(config.logLevel, undefined, config.logFormat);
  try {
    // Before any engine is started: an unsafe exposure must not leave one running (createApp checks again, and warns).
    checkExposure(config, createLogger('silent'));
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`dockql: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const docker = await connectDocker(config, log);
  let app: Awaited<ReturnType<typeof createApp>>;
  try {
    app = await createApp(config, log, docker);
  } catch (err) {
    // Unsafe exposure or an unusable tokens file: one line, and never serve open instead.
    if (err instanceof ConfigError || err instanceof TokenFileError) {
      process.stderr.write(`dockql: ${err instanceof TokenFileError ? `DOCKQL_TOKENS_FILE: ${err.message}` : err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  await app.listen();
  // Uptime covers `npm start`'s install/build checks too: it runs this module in its own process.
  log.info(
    { url: `${app.url()}/graphql`, docker: docker.describe(), readyAfterMs: Math.round(process.uptime() * 1000) },
    `dockql serves GraphQL and the playground at ${app.url()}/graphql`,
  );

  const shutdown = (signal: string) => {
    log.info({ signal }, 'stopping');
    app.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'unclean stop');
        process.exit(1);
      },
    );
  };
  // The tokens file is also watched; SIGHUP is for file systems where watching does not work.
  process.on('SIGHUP', () => {
    log.info('SIGHUP: reloading the tokens file');
    void app.reloadTokens();
  });
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((err: unknown) => {
  process.stderr.write(`dockql: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
