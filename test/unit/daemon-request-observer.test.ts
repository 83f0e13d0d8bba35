/**
 * Every daemon request is seen once, with its endpoint template, the daemon's
 * status (also on success, where docker-modem hands over only the body) and a
 * duration: dockerode methods, dial() JSON and stream answers, daemon errors,
 * and a daemon that is not there. A small fake daemon on a unix socket answers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DockerClient } from '../../src/docker/client';
import { dial } from '../../src/docker/dial';
import type { DaemonRequestRecord } from '../../src/docker/request-observer';

let dir: string;
let server: Server;

function fakeDaemon(socketPath: string): Promise<Server> {
  const s = createServer((req, res) => {
    const url = (req.url ?? '').replace(/^\/v\d+\.\d+/, '');
    if (url.startsWith('/version')) return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ApiVersion: '1.45' }));
    if (url.startsWith('/_ping')) return res.writeHead(200).end('OK');
    if (url.startsWith('/containers/gone/json')) return res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'No such container: gone' }));
    if (url.startsWith('/containers/abc/stop')) return res.writeHead(204).end();
    if (url.startsWith('/containers/abc/logs')) return res.writeHead(200, { 'content-type': 'application/octet-stream' }).end('lines');
    res.writeHead(500).end('{"message":"unexpected"}');
  });
  return new Promise((resolve) => s.listen(socketPath, () => resolve(s)));
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'dockql-observer-'));
  server = await fakeDaemon(path.join(dir, 'docker.sock'));
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

function observed(socketPath = path.join(dir, 'docker.sock')): { client: DockerClient; records: DaemonRequestRecord[] } {
  const client = new DockerClient({ kind: 'unix', socketPath });
  const records: DaemonRequestRecord[] = [];
  client.onRequest((r) => records.push(r));
  return { client, records };
}

describe('DockerClient.onRequest', () => {
  it('sees the version negotiation and a dockerode call, with their success statuses', async () => {
    const { client, records } = observed();
    await client.ping();
    expect(records.map((r) => [r.endpoint, r.status])).toEqual([
      ['GET /version', '200'],
      ['GET /_ping', '200'],
    ]);
    for (const r of records) expect(r.seconds).toBeGreaterThanOrEqual(0);
  });

  it('sees dial() answers: 204 with no body, a stream, and a daemon error by its status', async () => {
    const { client, records } = observed();
    await client.apiVersion();
    await client.withDocker((d) => dial(d, { method: 'POST', path: '/containers/abc/stop', ok: [204] }));
    const logs = await client.withDocker((d) => dial<NodeJS.ReadableStream>(d, { method: 'GET', path: '/containers/abc/logs', query: { follow: true }, ok: [200], stream: true }));
    logs.resume();
    await expect(client.inspectContainer('gone')).resolves.toBeNull();
    expect(records.slice(1).map((r) => [r.endpoint, r.status])).toEqual([
      ['POST /containers/{id}/stop', '204'],
      ['GET /containers/{id}/logs', '200'],
      ['GET /containers/{id}/json', '404'],
    ]);
  });

  it('calls a request the daemon never answered an error, and stops when asked', async () => {
    const { client, records } = observed(path.join(dir, 'nobody.sock'));
    await expect(client.ping()).rejects.toThrow();
    expect(records.map((r) => [r.endpoint, r.status])).toEqual([['GET /version', 'error']]);

    const other = observed();
    const seen: string[] = [];
    const stop = other.client.onRequest((r) => seen.push(r.endpoint));
    await other.client.ping();
    stop();
    await other.client.ping();
    expect(seen).toEqual(['GET /version', 'GET /_ping']);
  });
});
