/**
 * Extra, real `docker-registry` processes on loopback for tests that need a
 * registry configured differently from the engine's (htpasswd or token auth).
 * Each lives in its own temp dir and is stopped by its own pid.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** A running registry. */
export interface RegistryProcess {
  /** 127.0.0.1:<port> */
  readonly host: string;
  /** Its temp dir (config, storage, log). */
  readonly dir: string;
  /** The registry's log so far (for failure messages). */
  log(): string;
  stop(): Promise<void>;
}

/** A loopback port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function answers(host: string): Promise<boolean> {
  try {
    await fetch(`http://${host}/v2/`, { signal: AbortSignal.timeout(1000) });
    return true;
  } catch {
    return false;
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Starts `/usr/bin/docker-registry serve` with `auth` (YAML lines under `auth:`,
 * already indented by two spaces; empty for none) and files written into its dir first.
 *
 * @param files - name -> content, written into the registry's dir (e.g. htpasswd)
 * @param auth - builds the auth section from the dir's path
 */
export async function startRegistry(files: Record<string, string>, auth: (dir: string) => string): Promise<RegistryProcess> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dq-registry-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content, { mode: 0o600 });
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const authSection = auth(dir);
  const config = [
    'version: 0.1',
    'log:',
    '  level: warn',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${path.join(dir, 'data')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: ${host}`,
    '  secret: dockql-test-only',
    ...(authSection ? ['auth:', authSection] : []),
    '',
  ].join('\n');
  writeFileSync(path.join(dir, 'config.yml'), config);

  let output = '';
  const child = spawn('docker-registry', ['serve', path.join(dir, 'config.yml')], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (output += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (output += s));
  const stop = async () => {
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 15_000;
  while (!(await answers(host))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`docker-registry did not start on ${host}:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { host, dir, log: () => output, stop };
}
