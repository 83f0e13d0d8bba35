/**
 * The private Docker engine the integration tests run against.
 *
 * `global-setup.ts` starts it with `scripts/engine.sh` (or adopts one named by
 * `DOCKQL_TEST_DOCKER_HOST`) and publishes it through environment variables
 * that every jest worker inherits; this module reads them back and offers a
 * thin docker CLI wrapper for arranging test state.
 */
import { execFile, spawn } from 'node:child_process';
import * as path from 'node:path';

/** Repository root (this file lives in `test/support/`). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** The script that starts and stops the private engine. */
export const ENGINE_SCRIPT = path.join(REPO_ROOT, 'scripts', 'engine.sh');

/** What `engine.sh start|env` prints: where the engine and registry answer. */
export interface EngineEnv {
  /** `unix:///abs/path/docker.sock` */
  dockerHost: string;
  /** `127.0.0.1:<port>` */
  registry: string;
}

/** Result of a docker CLI call. */
export interface DockerResult {
  stdout: string;
  stderr: string;
}

/** Options for {@link docker}. */
export interface DockerOptions {
  /** Written to the CLI's stdin (for `docker import -`, `docker load`, ...). */
  input?: string | Buffer;
  /** Kill the CLI after this many milliseconds (default 120 000). */
  timeoutMs?: number;
  /** Extra environment for the CLI. */
  env?: NodeJS.ProcessEnv;
}

/** Variables that would make the CLI talk to some other daemon, or refuse `-H`. */
const FOREIGN_DOCKER_VARS = ['DOCKER_HOST', 'DOCKER_CONTEXT', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH', 'DOCKER_TLS'];

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `${name} is not set: the integration project's globalSetup (test/support/global-setup.ts) ` +
        'did not run, or you are running a test outside jest. Run `npm run test:integration`, or ' +
        'start an engine (`bash scripts/engine.sh start`) and set DOCKQL_TEST_DOCKER_HOST / DOCKQL_TEST_REGISTRY.',
    );
  }
  return value;
}

/** The test engine's Docker host, e.g. `unix:///tmp/dockql-x/docker.sock`. Throws when unset. */
export function testDockerHost(): string {
  return requireEnv('DOCKQL_TEST_DOCKER_HOST');
}

/** The test registry as `127.0.0.1:<port>` (usable in image refs). Throws when unset. */
export function testRegistry(): string {
  return requireEnv('DOCKQL_TEST_REGISTRY');
}

/** The engine's state directory when the tests manage the engine, else `undefined`. */
export function testEngineDir(): string | undefined {
  return process.env.DOCKQL_TEST_ENGINE_DIR || undefined;
}

/** `process.env` without variables that point the docker CLI elsewhere. */
function cleanEnv(extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const name of FOREIGN_DOCKER_VARS) delete env[name];
  return env;
}

/**
 * Runs the docker CLI against the test engine (`docker -H <testDockerHost()> ...args`).
 * Rejects with the CLI's stderr when it exits non-zero.
 */
export function docker(args: string[], opts: DockerOptions = {}): Promise<DockerResult> {
  const host = testDockerHost();
  return new Promise((resolve, reject) => {
    const child = execFile(
      'docker',
      ['-H', host, ...args],
      { env: cleanEnv(opts.env), timeout: opts.timeoutMs ?? 120_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          const detail = String(stderr).trim() || error.message;
          reject(new Error(`docker ${args.join(' ')} failed: ${detail}`));
        } else {
          resolve({ stdout: String(stdout), stderr: String(stderr) });
        }
      },
    );
    // EPIPE when the CLI exits before reading: its exit status tells the story.
    child.stdin?.on('error', () => undefined);
    // Without input, close stdin so commands that read it do not wait forever.
    child.stdin?.end(opts.input);
  });
}

/**
 * Parses the `KEY=value` lines of `engine.sh start|env` (an `export ` prefix is tolerated).
 * Throws when either variable is missing.
 */
export function parseEngineEnv(stdout: string): EngineEnv {
  const vars = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const match = /^(?:export\s+)?([A-Z_]+)=(.*)$/.exec(line.trim());
    if (match) vars.set(match[1], match[2]);
  }
  const dockerHost = vars.get('DOCKER_HOST');
  const registry = vars.get('DOCKQL_REGISTRY');
  if (!dockerHost || !registry) {
    throw new Error(`engine.sh printed no DOCKER_HOST/DOCKQL_REGISTRY; stdout was:\n${stdout}`);
  }
  return { dockerHost, registry };
}

/**
 * Runs `bash scripts/engine.sh <args>` for the state directory `engineDir`.
 * The script's progress (stderr) goes to ours so a slow first start (apt-get)
 * is visible; its stdout is returned. Rejects on a non-zero exit.
 */
export function runEngineScript(args: string[], engineDir: string, timeoutMs = 10 * 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [ENGINE_SCRIPT, ...args], {
      cwd: REPO_ROOT,
      // Offline: the test engine must never resolve or contact a host off this machine.
      env: { ...process.env, DOCKQL_ENGINE_DIR: engineDir, DOCKQL_ENGINE_OFFLINE: '1' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else reject(new Error(`bash scripts/engine.sh ${args.join(' ')} failed (${signal ?? `exit ${code}`}); see its stderr above`));
    });
  });
}

function managedEngineDir(): string {
  const dir = testEngineDir();
  if (!dir) {
    throw new Error(
      'DOCKQL_TEST_ENGINE_DIR is not set: the engine was supplied from outside (DOCKQL_TEST_DOCKER_HOST), ' +
        'so the tests cannot restart it.',
    );
  }
  return dir;
}

/**
 * (Re)starts the test engine in {@link testEngineDir}; a running one is left as is.
 * The host and registry port survive a stop/start, so the env vars stay valid.
 */
export async function engineStart(): Promise<EngineEnv> {
  const env = parseEngineEnv(await runEngineScript(['start'], managedEngineDir()));
  if (env.dockerHost !== process.env.DOCKQL_TEST_DOCKER_HOST || env.registry !== process.env.DOCKQL_TEST_REGISTRY) {
    // Only this worker sees the update; say so rather than drift silently.
    process.stderr.write(`engineStart: engine moved to ${env.dockerHost} / ${env.registry}\n`);
    process.env.DOCKQL_TEST_DOCKER_HOST = env.dockerHost;
    process.env.DOCKQL_TEST_REGISTRY = env.registry;
  }
  return env;
}

/** Stops the test engine (its containers are removed; images and state are kept). */
export async function engineStop(): Promise<void> {
  await runEngineScript(['stop'], managedEngineDir());
}
