/**
 * jest globalSetup of the integration project: provides the private Docker
 * engine and registry the tests run against.
 *
 * - `DOCKQL_TEST_DOCKER_HOST` set: that engine is used (with
 *   `DOCKQL_TEST_REGISTRY` if set) and nothing is started.
 * - Otherwise a fresh engine is started in a new temp dir with
 *   `scripts/engine.sh start`, and `global-teardown.ts` stops and purges it.
 *
 * The results go to `process.env`, which jest workers inherit:
 * `DOCKQL_TEST_DOCKER_HOST`, `DOCKQL_TEST_REGISTRY`, `DOCKQL_TEST_ENGINE_DIR`.
 */
import { mkdtemp } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { parseEngineEnv, REPO_ROOT, runEngineScript } from './engine';

/** globalThis key through which setup tells teardown which engine it owns. */
export const OWNED_ENGINE_KEY = '__dockqlOwnedEngineDir';

/** Starts (or adopts) the test engine and publishes it in `process.env`. */
export default async function globalSetup(): Promise<void> {
  // The playground tests load the real bundle from dist/playground; this skips itself when current.
  execFileSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'build-playground.mjs')], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (process.env.DOCKQL_TEST_DOCKER_HOST) {
    process.stderr.write(`\ndockql tests: using the engine at ${process.env.DOCKQL_TEST_DOCKER_HOST}\n`);
    return;
  }
  // mkdtemp under the OS temp dir keeps the path short: unix socket paths
  // under it must stay below ~108 bytes.
  const dir = await mkdtemp(path.join(os.tmpdir(), 'dockql-'));
  const started = Date.now();
  process.stderr.write(`\ndockql tests: starting a private engine in ${dir}\n`);
  let stdout: string;
  try {
    stdout = await runEngineScript(['start'], dir);
  } catch (err) {
    // A half-started engine must not outlive a failed setup.
    await runEngineScript(['stop', '--purge'], dir).catch(() => undefined);
    throw err;
  }
  const env = parseEngineEnv(stdout);
  process.env.DOCKQL_TEST_DOCKER_HOST = env.dockerHost;
  process.env.DOCKQL_TEST_REGISTRY = env.registry;
  process.env.DOCKQL_TEST_ENGINE_DIR = dir;
  (globalThis as Record<string, unknown>)[OWNED_ENGINE_KEY] = dir;
  process.stderr.write(`dockql tests: engine ready in ${Date.now() - started} ms (${env.dockerHost}, registry ${env.registry})\n`);
}
