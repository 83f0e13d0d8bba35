/** The docker CLI, always pointed explicitly at one engine (`-H`), never at a default socket. */
import { execFile } from 'node:child_process';

/** Variables that would make the CLI talk to some other daemon, or refuse `-H`. */
const FOREIGN_DOCKER_VARS = ['DOCKER_HOST', 'DOCKER_CONTEXT', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH', 'DOCKER_TLS'];

/** `process.env` without the variables that point the CLI elsewhere. */
function cliEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of FOREIGN_DOCKER_VARS) delete env[name];
  return env;
}

/**
 * Runs `docker -H <host> ...args` and resolves with its stdout.
 * Rejects with the CLI's stderr when it exits non-zero or outlives `timeoutMs`.
 */
export function dockerCli(host: string, args: readonly string[], timeoutMs = 120_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'docker',
      ['-H', host, ...args],
      { env: cliEnv(), timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`docker ${args.join(' ')} failed: ${String(stderr).trim() || error.message}`));
        else resolve(String(stdout));
      },
    );
    // Nothing is ever piped in: close stdin so no command waits for it.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end();
  });
}

/** Runs `fn` over `items` with at most `limit` calls in flight; resolves with the results in order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
