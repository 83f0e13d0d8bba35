/**
 * An engine together with the loopback registry scripts/engine.sh runs beside
 * it, for benches that push and pull. `DOCKER_HOST` is adopted only when
 * `DOCKQL_REGISTRY` names a loopback registry that answers too (as after
 * `set -a; eval "$(bash scripts/engine.sh env)"; set +a`); otherwise the bench
 * starts its own private engine, registry included, whatever DOCKER_HOST says.
 */
import http from 'node:http';
import path from 'node:path';
import { parseEngineEnv, runEngineScript } from '../../test/support/engine';
import { acquireEngine, type BenchEngine, socketAnswers } from './engine';
import type { Teardown } from './teardown';

/** An engine and the registry it can push to. */
export interface RegistryEngine extends BenchEngine {
  /** `127.0.0.1:<port>`, usable in image refs. */
  readonly registry: string;
}

/** The system daemon's socket, which dockql development never uses. */
const SYSTEM_SOCKET = '/var/run/docker.sock';

/** True for `127.x.x.x:port`, `localhost:port` and `[::1]:port`. */
function isLoopbackRegistry(registry: string): boolean {
  return /^(?:127(?:\.\d{1,3}){3}|localhost|\[::1\]):\d{1,5}$/.test(registry);
}

/** Resolves true when `GET http://<registry>/v2/` answers 200 in time. */
export function registryAnswers(registry: string, timeoutMs = 2_000): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(`http://${registry}/v2/`, { timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

/** Why the engine and registry of `env` cannot be adopted; undefined when they can. */
async function whyNotAdopt(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const socketPath = /^unix:\/\/(\/.+)$/.exec(env.DOCKER_HOST?.trim() ?? '')?.[1];
  const registry = env.DOCKQL_REGISTRY?.trim() ?? '';
  if (!socketPath) return 'DOCKER_HOST is not a unix:// socket';
  if (path.resolve(socketPath) === SYSTEM_SOCKET) return 'the system daemon is never used';
  if (!(await socketAnswers(socketPath))) return 'no daemon answers there';
  if (!registry) return 'DOCKQL_REGISTRY is not set, and this bench needs a registry';
  if (!isLoopbackRegistry(registry)) return `DOCKQL_REGISTRY=${registry} is not a loopback address`;
  if (!(await registryAnswers(registry))) return `no registry answers at ${registry}`;
  return undefined;
}

/**
 * The engine and registry to bench against: those of `DOCKER_HOST` and
 * `DOCKQL_REGISTRY` when both answer, else a private engine (owned by
 * `teardown`, purged at the end) with its own registry.
 */
export async function acquireEngineWithRegistry(teardown: Teardown, env: NodeJS.ProcessEnv = process.env): Promise<RegistryEngine> {
  const why = env.DOCKER_HOST ? await whyNotAdopt(env) : undefined;
  if (env.DOCKER_HOST && !why) {
    const engine = await acquireEngine(teardown, env);
    if (engine.owned) throw new Error(`the engine at ${env.DOCKER_HOST} stopped answering while the bench started`);
    return { ...engine, registry: env.DOCKQL_REGISTRY!.trim() };
  }
  if (why) process.stderr.write(`bench: not using DOCKER_HOST=${env.DOCKER_HOST}: ${why}; starting a private engine\n`);
  // Without DOCKER_HOST, acquireEngine starts (and registers the purge of) a private engine.
  const { DOCKER_HOST: _ignored, ...rest } = env;
  const engine = await acquireEngine(teardown, rest);
  // Its state dir holds the socket (temp dir paths are short), so engine.sh can print its registry.
  const dir = path.dirname(engine.socketPath);
  const printed = parseEngineEnv(await runEngineScript(['env'], dir));
  if (printed.dockerHost !== engine.dockerHost) {
    throw new Error(`engine.sh env in ${dir} names ${printed.dockerHost}, not the engine just started (${engine.dockerHost})`);
  }
  return { ...engine, registry: printed.registry };
}
