/**
 * The real `dockql` binary for tests: builds dist/cli when src/cli is newer
 * (incremental tsc of the whole build, as `npm run build` does), then runs
 * `node bin/dockql.js ...` as a child process with pipes (so: not a TTY).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './engine';

/** The launcher of the package's `bin`. */
export const DOCKQL_BIN = path.join(REPO_ROOT, 'bin', 'dockql.js');

const SOURCES = path.join(REPO_ROOT, 'src', 'cli');
const BUILT = path.join(REPO_ROOT, 'dist', 'cli');

/** The newest modification time under `dir` (0 when it does not exist). */
function newest(dir: string, ext: string): number {
  if (!existsSync(dir)) return 0;
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) latest = Math.max(latest, newest(full, ext));
    else if (entry.name.endsWith(ext)) latest = Math.max(latest, statSync(full).mtimeMs);
  }
  return latest;
}

/** Written after each build: tsc leaves the output of a touched but unchanged file as it was. */
const STAMP = path.join(BUILT, '.built');

/** True when dist/cli has every change of src/cli. */
function upToDate(): boolean {
  if (!existsSync(path.join(BUILT, 'main.js'))) return false;
  const built = Math.max(newest(BUILT, '.js'), existsSync(STAMP) ? statSync(STAMP).mtimeMs : 0);
  return built >= newest(SOURCES, '.ts');
}

/**
 * Builds dist/ with tsconfig.build.json when dist/cli is stale. A type error
 * elsewhere in src/ (another change in progress) does not stop tsc's emit, so
 * the build counts as done when it leaves dist/cli/main.js (type errors are
 * `npm run typecheck`'s to report).
 */
export async function ensureCliBuilt(): Promise<void> {
  if (upToDate()) return;
  // tsc's incremental state does not notice deleted outputs: without main.js, start over.
  if (!existsSync(path.join(BUILT, 'main.js'))) rmSync(path.join(REPO_ROOT, 'dist', '.tsbuildinfo'), { force: true });
  const tsc = path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const output = await new Promise<string>((resolve) => {
    execFile(process.execPath, [tsc, '-p', path.join(REPO_ROOT, 'tsconfig.build.json')], { cwd: REPO_ROOT, timeout: 300_000 }, (_err, stdout, stderr) =>
      resolve(`${stdout}${stderr}`),
    );
  });
  if (!existsSync(path.join(BUILT, 'main.js'))) throw new Error(`tsc -p tsconfig.build.json did not build dist/cli:\n${output}`);
  writeFileSync(STAMP, `${new Date().toISOString()}\n`);
}

/** What a run of the CLI did. */
export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The environment without the CLI's own variables, so the machine's settings do not leak into a test. */
function cleanEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.DOCKQL_SERVER;
  delete env.DOCKQL_TOKEN;
  return { ...env, ...extra };
}

/**
 * Runs `dockql ...args` to its end (killed after `timeoutMs`).
 * @param env extra environment, e.g. DOCKQL_SERVER
 */
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 120_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, [DOCKQL_BIN, ...args], { cwd: REPO_ROOT, env: cleanEnv(env), timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') return reject(new Error(`dockql ${args.join(' ')} did not finish: ${err.message}\n${stderr}`));
      resolve({ code: child.exitCode, stdout: String(stdout), stderr: String(stderr) });
    });
    child.stdin?.end();
  });
}

/** A long-running `dockql` (events): its output so far, a way to wait for a line, and stop(). */
export interface RunningCli {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first stdout line matching `pattern`, or undefined after `timeoutMs`. */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<string | undefined>;
  /** Sends SIGINT and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `dockql ...args` and leaves it running; always stop() it. */
export function startCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): RunningCli {
  const child = spawn(process.execPath, [DOCKQL_BIN, ...args], { cwd: REPO_ROOT, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const find = (pattern: RegExp) => out.split('\n').find((line) => pattern.test(line));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    async waitForLine(pattern, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (!find(pattern) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
      return find(pattern);
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      return exited;
    },
  };
}
