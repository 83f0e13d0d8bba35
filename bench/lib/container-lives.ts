/**
 * Containers living a whole life (create, start, die, destroy) through the raw
 * Engine API on the daemon socket: the event load of a bench, made without
 * spawning a docker CLI per step (a spawn blocks the bench process's event
 * loop, which also hosts the server being measured).
 */
import http from 'node:http';
import { mapLimit } from './docker-cli';

/** One Engine API call; resolves with the parsed JSON body (or null), rejects on a non-2xx status. */
function call(socketPath: string, method: string, path: string, body?: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      { socketPath, method, path, headers: payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {} },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c: string) => (text += c));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status < 200 || status >= 300) return reject(new Error(`${method} ${path} answered ${status}: ${text.slice(0, 200)}`));
          resolve(text ? JSON.parse(text) : null);
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/**
 * Makes `count` containers of `image` (running `true`, network none, labelled
 * `label` = key=value) live and die, `concurrency` at a time: create, start,
 * wait for the exit, remove. Resolves with their ids.
 */
export function liveContainers(socketPath: string, apiPrefix: string, image: string, label: string, count: number, concurrency: number): Promise<string[]> {
  const [key = label, value = ''] = label.split('=');
  return mapLimit(Array.from({ length: count }, (_, i) => i), concurrency, async () => {
    const created = (await call(socketPath, 'POST', `${apiPrefix}/containers/create`, {
      Image: image,
      Cmd: ['true'],
      Labels: { [key]: value },
      HostConfig: { NetworkMode: 'none' },
    })) as { Id: string };
    await call(socketPath, 'POST', `${apiPrefix}/containers/${created.Id}/start`);
    await call(socketPath, 'POST', `${apiPrefix}/containers/${created.Id}/wait`);
    await call(socketPath, 'DELETE', `${apiPrefix}/containers/${created.Id}`);
    return created.Id;
  });
}
