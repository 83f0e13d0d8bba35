/**
 * The real entry point as an operator runs it: `node src/main.ts` in its own
 * process, with nothing but PATH, HOME and the variables under test.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, testDockerHost } from '../support/engine';
import { gql } from '../support/graphql';

/** How long any one dockql process may live before the test kills it. */
const PROCESS_TIMEOUT_MS = 30_000;
/** How long a bad configuration may take to be refused (ts-node compiles the sources first). */
const CONFIG_EXIT_MS = 10_000;

/** A dockql process under test, with everything it has written so far. */
interface Dockql {
  readonly child: ChildProcessWithoutNullStreams;
  readonly startedAt: number;
  stdout: string;
  stderr: string;
  /** Resolves when the process has exited (also after the timeout kill). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; afterMs: number }>;
}

const running = new Set<Dockql>();
let tempDir: string;

/** Starts `node -r ts-node/register/transpile-only src/main.ts` with a clean environment plus `env`. */
function startDockql(env: Record<string, string>): Dockql {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts'], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? os.homedir(),
      // Keep anything the process might write out of the repository.
      DOCKQL_ARCHIVE_DIR: path.join(tempDir, 'archives'),
      DOCKQL_ENGINE_DIR: path.join(tempDir, 'engine'),
      ...env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.end();
  const startedAt = Date.now();
  const timer = setTimeout(() => child.kill('SIGKILL'), PROCESS_TIMEOUT_MS);
  const proc: Dockql = {
    child,
    startedAt,
    stdout: '',
    stderr: '',
    exited: new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        running.delete(proc);
        resolve({ code, signal, afterMs: Date.now() - startedAt });
      });
    }),
  };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (proc.stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (proc.stderr += chunk));
  running.add(proc);
  return proc;
}

/** The JSON log lines printed so far. */
function logLines(proc: Dockql): Array<Record<string, unknown>> {
  return proc.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Waits for the "serves GraphQL" log line and returns its `url` (port 0 makes it unknowable otherwise). */
async function servedUrl(proc: Dockql): Promise<string> {
  const deadline = Date.now() + PROCESS_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const line = logLines(proc).find((l) => typeof l.msg === 'string' && l.msg.includes('serves GraphQL'));
    if (line) return String(line.url);
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`dockql never logged its URL.\nstdout:\n${proc.stdout}\nstderr:\n${proc.stderr}`);
}

beforeAll(() => {
  tempDir = mkdtempSync(path.join(os.tmpdir(), 'dockql-main-'));
});

afterEach(async () => {
  // Only our own children, by their pid: a test that failed midway must not leave one running.
  for (const proc of [...running]) {
    proc.child.kill('SIGKILL');
    await proc.exited;
  }
});

afterAll(() => {
  rmSync(tempDir, { recursive: true, force: true });
});

describe('dockql refuses an unusable configuration', () => {
  it.each([
    ['DOCKQL_PORT', 'abc'],
    ['LOG_LEVEL', 'loud'],
  ])('when %s=%s, then dockql exits with code 2 and one stderr line naming the variable', async (name, value) => {
    const proc = startDockql({ [name]: value });

    const { code, afterMs } = await proc.exited;

    expect(code).toBe(2);
    expect(afterMs).toBeLessThan(CONFIG_EXIT_MS);
    const lines = proc.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(name);
    expect(lines[0]).toContain(value);
    expect(proc.stderr).not.toMatch(/^\s+at /m); // no stack trace
    expect(proc.stdout).toBe('');
  });

  it('when asked to serve a non-loopback address without DOCKQL_TOKENS_FILE, then it refuses before starting anything', async () => {
    const proc = startDockql({ DOCKQL_HOST: '0.0.0.0', DOCKQL_PORT: '0', DOCKER_HOST: testDockerHost() });

    const { code } = await proc.exited;

    expect(code).toBe(2);
    expect(proc.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^dockql: DOCKQL_HOST: refusing to serve 0\.0\.0\.0 without DOCKQL_TOKENS_FILE.*DOCKQL_INSECURE=1/)]);
    expect(proc.stdout).toBe('');
  });

  it('when DOCKQL_TOKENS_FILE names a broken file, then it exits 2 with one line naming the variable and the problem', async () => {
    const file = path.join(tempDir, 'broken-tokens.json');
    writeFileSync(file, '[{"name": "ci", "role": "root", "sha256": "00"}]');
    const proc = startDockql({ DOCKQL_TOKENS_FILE: file, DOCKQL_PORT: '0', DOCKER_HOST: testDockerHost() });

    const { code } = await proc.exited;

    expect(code).toBe(2);
    expect(proc.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^dockql: DOCKQL_TOKENS_FILE: .*broken-tokens\.json: entry 1 \(ci\): role must be viewer, operator or admin$/)]);
  });
});

describe('when dockql starts against the test engine on port 0', () => {
  it('then it logs its URL, serves health and GraphQL there, and stops cleanly on SIGTERM', async () => {
    const proc = startDockql({ DOCKER_HOST: testDockerHost(), DOCKQL_PORT: '0' });

    const url = await servedUrl(proc);
    const { origin } = new URL(url);
    const health = await fetch(`${origin}/healthz`);
    const version = await gql<{ version: { server: { apiVersion: string } } }>(url, '{ version { server { apiVersion } } }');

    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/graphql$/);
    expect(new URL(url).port).not.toBe('0');
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    expect(version.errors).toBeUndefined();
    expect(version.data?.version.server.apiVersion).toMatch(/^\d+\.\d+$/);

    // An orchestrator's stop: exit status 0, not death by signal (143). Apollo's own
    // SIGTERM handler re-raises the signal after stop() unless stopOnTerminationSignals is false.
    const sentAt = Date.now();
    proc.child.kill('SIGTERM');
    const { code, signal } = await proc.exited;

    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(Date.now() - sentAt).toBeLessThan(10_000);
    expect(proc.stderr).toBe('');
  });

  it('then a bare HOST variable (set by many shells and platforms) does not change the bind address', async () => {
    const proc = startDockql({ DOCKER_HOST: testDockerHost(), DOCKQL_PORT: '0', HOST: 'somename' });

    const url = await servedUrl(proc);
    const health = await fetch(`${new URL(url).origin}/healthz`);

    expect(new URL(url).hostname).toBe('127.0.0.1');
    expect(health.status).toBe(200);
  });
});
