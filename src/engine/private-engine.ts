/**
 * Starts the project's private Docker engine (scripts/engine.sh) when `npm start`
 * finds no daemon, so a fresh machine gets a working API with no other step.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** scripts/engine.sh, from src/engine (ts-node) or dist/engine (compiled): both are two levels below the root. */
export const ENGINE_SCRIPT = path.join(__dirname, '..', '..', 'scripts', 'engine.sh');

/** Where the private engine listens. */
export interface PrivateEngine {
  /** unix:///.../docker.sock */
  readonly dockerHost: string;
  /** 127.0.0.1:<port> of its local registry. */
  readonly registry?: string;
}

/** Parses engine.sh's stdout (KEY=value lines). */
export function parseEngineEnv(stdout: string): PrivateEngine {
  const vars = Object.fromEntries(
    stdout
      .split('\n')
      .map((line) => /^([A-Z_]+)=(.*)$/.exec(line.trim()))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1], m[2]]),
  );
  if (!vars.DOCKER_HOST) throw new Error('engine.sh printed no DOCKER_HOST');
  return { dockerHost: vars.DOCKER_HOST, registry: vars.DOCKQL_REGISTRY };
}

/**
 * Starts (or finds already running) the private engine in `engineDir`. Idempotent;
 * installs Debian's docker.io when missing and running as root. Takes seconds cold.
 */
export async function startPrivateEngine(engineDir: string): Promise<PrivateEngine> {
  const { stdout } = await run('bash', [ENGINE_SCRIPT, 'start'], {
    env: { ...process.env, DOCKQL_ENGINE_DIR: engineDir },
    maxBuffer: 1 << 20,
    timeout: 15 * 60_000,
  });
  return parseEngineEnv(stdout);
}
