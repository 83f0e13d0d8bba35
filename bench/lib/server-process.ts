/**
 * The real dockql server as its own process, from the compiled `dist/` (what
 * `npm start` runs), for benches whose cost is the server's streaming rather
 * than its event loop's latency (bench/archive). In its own process the server
 * is measured alone: its RSS and CPU time are not the bench's, it runs the
 * JavaScript tsc emitted (no ts-node hooks), and the bench's own work (spawning
 * the docker CLI, sampling) does not run on the server's event loop.
 *
 * Linux only: RSS and CPU time are read from /proc/<pid>.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import type { Teardown } from './teardown';

const ROOT = path.resolve(__dirname, '..', '..');
const ENTRY = path.join(ROOT, 'dist', 'main.js');
const STARTUP_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;
/** Clock ticks a second of /proc/<pid>/stat's utime and stime (USER_HZ, 100 on every Linux build in use). */
const CLOCK_TICKS = 100;

/** A running server process. */
export interface ServerProcess {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly pid: number;
  /** Resident set size now, in bytes. */
  rss(): number;
  /** User + system CPU time used so far, in ms. */
  cpuMs(): number;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/**
 * Compiles `src/` into `dist/` (tsc, then the playground bundle, which skips
 * itself when current) unless dist/main.js is newer than every source, as
 * `npm start` does. A failed compile fails the bench: timing a stale build
 * would measure some other code.
 */
export async function ensureBuilt(say: (message: string) => void): Promise<void> {
  const sources = Math.max(newestMtime(path.join(ROOT, 'src')), statSync(path.join(ROOT, 'tsconfig.json')).mtimeMs, statSync(path.join(ROOT, 'tsconfig.build.json')).mtimeMs);
  if (existsSync(ENTRY) && statSync(ENTRY).mtimeMs >= sources) return;
  say('building dist/ (tsc -p tsconfig.build.json)');
  const run = promisify(execFile);
  try {
    await run(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(ROOT, 'tsconfig.build.json')], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
    await run(process.execPath, [path.join(ROOT, 'scripts', 'build-playground.mjs')], { cwd: ROOT });
  } catch (err) {
    const out = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`the build failed: ${(out.stdout ?? '').trim() || (out.stderr ?? '').trim() || out.message}`);
  }
}

/** The `/proc/<pid>/stat` fields after the command name (which may hold spaces and parentheses). */
function procStat(pid: number): string[] {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}

/**
 * Starts `node dist/main.js` on 127.0.0.1 (a free port) against `dockerHost`,
 * with `archiveDir` as its archive directory and an environment of only what
 * it needs (no tokens file, registry list or TLS settings from the caller's
 * shell). Resolves once it listens; the teardown stops it (SIGTERM, then
 * SIGKILL after 10 s).
 */
export async function startServerProcess(dockerHost: string, archiveDir: string, teardown: Teardown): Promise<ServerProcess> {
  let child: ChildProcess | undefined;
  teardown.add('stop the dockql server process', () => stop(child));
  child = spawn(process.execPath, [ENTRY], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/root',
      DOCKER_HOST: dockerHost,
      DOCKQL_HOST: '127.0.0.1',
      DOCKQL_PORT: '0',
      DOCKQL_ARCHIVE_DIR: archiveDir,
      // Info: the "serves GraphQL at <url>" line names the port. A handful of lines a job, read and dropped.
      LOG_LEVEL: 'info',
      DOCKQL_LOG_FORMAT: 'json',
      NODE_ENV: 'production',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${ENTRY}`);
  const stderr: string[] = [];
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`dockql did not listen within ${STARTUP_TIMEOUT_MS} ms: ${stderr.join('').trim()}`)), STARTUP_TIMEOUT_MS);
    // Every line is read, also after the url: a full stdout pipe would block the server's logger.
    createInterface({ input: child!.stdout! }).on('line', (line) => {
      let logged: { url?: unknown } = {};
      try {
        logged = JSON.parse(line) as { url?: unknown };
      } catch {
        // Not a pino line (a warning printed by node itself): not the one with the url.
      }
      if (typeof logged?.url === 'string') {
        clearTimeout(timer);
        resolve(new URL(logged.url).origin);
      }
    });
    child!.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`dockql exited (${signal ?? code}) before it listened: ${stderr.join('').trim()}`));
    });
  });
  return {
    url,
    pid,
    rss: () => {
      const line = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (!line) throw new Error(`no VmRSS for pid ${pid}`);
      return Number(line[1]) * 1024;
    },
    cpuMs: () => {
      const fields = procStat(pid);
      // utime and stime are fields 14 and 15 of stat(5); this list starts at field 3.
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
    },
  };
}

/** SIGTERM (the server stops cleanly), SIGKILL when it does not exit in time. */
async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}
