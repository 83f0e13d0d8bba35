/**
 * jest globalTeardown of the integration project: stops and purges the engine
 * that `global-setup.ts` started. An engine supplied through
 * `DOCKQL_TEST_DOCKER_HOST` is left alone.
 */
import { runEngineScript } from './engine';
import { OWNED_ENGINE_KEY } from './global-setup';

/** Stops the engine started by globalSetup (containers, daemons, mounts, temp dir). */
export default async function globalTeardown(): Promise<void> {
  const slot = globalThis as Record<string, unknown>;
  const dir = slot[OWNED_ENGINE_KEY];
  if (typeof dir !== 'string') return;
  delete slot[OWNED_ENGINE_KEY];
  await runEngineScript(['stop', '--purge'], dir);
  delete process.env.DOCKQL_TEST_DOCKER_HOST;
  delete process.env.DOCKQL_TEST_REGISTRY;
  delete process.env.DOCKQL_TEST_ENGINE_DIR;
}
