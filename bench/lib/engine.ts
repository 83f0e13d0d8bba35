/**
 * The Docker engine a bench runs against: the one `DOCKER_HOST` names when it is
 * a unix socket that answers, else a private engine started with
 * `scripts/engine.sh` in a fresh temp dir and purged by the teardown.
 */
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseEngineEnv, runEngineScript } from '../../test/support/engine';
import type { Teardown } from './teardown';

/** The system daemon's socket, which dockql development never uses (DEVELOPERS.md). */
const SYSTEM_SOCKET = '/var/run/docker.sock';

/** An engine a bench can use. */
export interface BenchEngine {
  /** `unix:///abs/path/docker.sock` */
  readonly dockerHost: string;
  /** The socket path behind {@link dockerHost}. */
  readonly socketPath: string;
  /** True when this bench started the engine (and the teardown purges it). */
  readonly owned: boolean;
}

/** Resolves true when the daemon behind `socketPath` answers `GET /_ping` with 200 in time. */
export function socketAnswers(socketPath: string, timeoutMs = 2_000): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ socketPath, path: '/_ping', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

/** The socket path of a `unix://` DOCKER_HOST, else undefined. */
function unixSocketOf(dockerHost: string | undefined): string | undefined {
  const match = /^unix:\/\/(\/.+)$/.exec(dockerHost?.trim() ?? '');
  return match?.[1];
}

/** The engine named by `DOCKER_HOST`, when it is usable; says why not otherwise. */
async function adoptEngine(dockerHost: string | undefined): Promise<BenchEngine | undefined> {
  if (!dockerHost) return undefined;
  const socketPath = unixSocketOf(dockerHost);
  const skip = (why: string): undefined => {
    process.stderr.write(`bench: not using DOCKER_HOST=${dockerHost}: ${why}; starting a private engine\n`);
    return undefined;
  };
  if (!socketPath) return skip('not a unix:// socket');
  if (path.resolve(socketPath) === SYSTEM_SOCKET) return skip('the system daemon is never used');
  if (!(await socketAnswers(socketPath))) return skip('no daemon answers there');
  process.stderr.write(`bench: using the engine at ${dockerHost}\n`);
  return { dockerHost: `unix://${socketPath}`, socketPath, owned: false };
}

/** Starts a private engine in a fresh temp dir; the teardown stops and purges it. */
async function startPrivateEngine(teardown: Teardown): Promise<BenchEngine> {
  // Under the OS temp dir the socket path stays well below the ~108 byte limit.
  const dir = await mkdtemp(path.join(os.tmpdir(), 'dockql-bench-'));
  // Registered before starting: a half-started engine (error, Ctrl-C) is purged too.
  teardown.add('stop the private engine', async () => {
    await runEngineScript(['stop', '--purge'], dir);
    if (existsSync(dir)) process.stderr.write(`bench: ${dir} is still there; run: DOCKQL_ENGINE_DIR=${dir} bash scripts/engine.sh stop --purge\n`);
  });
  const started = Date.now();
  process.stderr.write(`bench: starting a private engine in ${dir}\n`);
  const env = parseEngineEnv(await runEngineScript(['start'], dir));
  const socketPath = unixSocketOf(env.dockerHost);
  if (!socketPath) throw new Error(`engine.sh printed DOCKER_HOST=${env.dockerHost}, not a unix socket`);
  process.stderr.write(`bench: engine ready in ${Date.now() - started} ms (${env.dockerHost})\n`);
  return { dockerHost: env.dockerHost, socketPath, owned: true };
}

/**
 * The engine to bench against: `DOCKER_HOST` when it is a unix socket that answers
 * (and not the system daemon's), else a private engine owned by `teardown`.
 */
export async function acquireEngine(teardown: Teardown, env: NodeJS.ProcessEnv = process.env): Promise<BenchEngine> {
  return (await adoptEngine(env.DOCKER_HOST)) ?? startPrivateEngine(teardown);
}
