/**
 * The ops story when the Docker daemon is gone: dockql keeps serving, says it is
 * alive but not ready, and every daemon-backed field answers DAEMON_UNAVAILABLE
 * without leaking where the socket lives (outside development).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from 'graphql-ws';
import { startTestApp, type TestApp } from '../support/app';
import { codes, gql, type GqlResponse, wsClient, wsQuery } from '../support/graphql';

/** One query per daemon-backed root field, each asking for little. */
const DAEMON_QUERIES: Record<string, string> = {
  version: '{ version { server { apiVersion } } }',
  info: '{ info { serverVersion } }',
  images: '{ images { id } }',
  containers: '{ containers { id } }',
  image: '{ image(ref: "busybox") { id } }',
  container: '{ container(ref: "x1") { id } }',
  repositories: '{ repositories { name } }',
};

/** A socket path in a fresh temp dir where no daemon listens (the file never exists). */
function missingSocket(): { dir: string; socketPath: string; dockerHost: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dockql-nodaemon-'));
  const socketPath = path.join(dir, 'nope.sock');
  return { dir, socketPath, dockerHost: `unix://${socketPath}` };
}

function firstError(res: Pick<GqlResponse, 'errors'>): { message: string; extensions?: Record<string, unknown> } {
  expect(res.errors?.length).toBeGreaterThan(0);
  return res.errors![0];
}

describe('when the Docker daemon is unavailable', () => {
  let socket: ReturnType<typeof missingSocket>;
  let server: TestApp;

  beforeAll(async () => {
    socket = missingSocket();
    server = await startTestApp({ dockerHost: socket.dockerHost, env: { NODE_ENV: 'production' } });
  });

  afterAll(async () => {
    await server?.stop();
    rmSync(socket.dir, { recursive: true, force: true });
  });

  it('then /healthz still says the process is alive', async () => {
    const res = await fetch(`${server.baseUrl}/healthz`);

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('then /readyz answers 503 with a reason that does not reveal the socket path', async () => {
    const res = await fetch(`${server.baseUrl}/readyz`);
    const body = (await res.json()) as { status: string; reason: string };

    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(body).toEqual({ status: 'unavailable', reason: expect.any(String) });
    expect(body.reason.length).toBeGreaterThan(0);
    expect(body.reason).not.toContain(socket.socketPath);
    expect(body.reason).not.toContain(socket.dir);
  });

  it.each(Object.entries(DAEMON_QUERIES))('then the %s query answers DAEMON_UNAVAILABLE without a stack or the socket path', async (_field, query) => {
    const res = await gql(server.graphqlUrl, query);
    const error = firstError(res);

    expect(res.status).toBe(200);
    expect(codes(res)[0]).toBe('DAEMON_UNAVAILABLE');
    expect(error.extensions).not.toHaveProperty('stacktrace');
    expect(error.message).toMatch(/docker daemon/i);
    expect(error.message).not.toContain(socket.socketPath);
    expect(error.message).not.toContain(socket.dir);
  });

  describe('over graphql-ws', () => {
    let client: Client;

    beforeAll(() => {
      client = wsClient(server.wsUrl);
    });

    afterAll(async () => {
      await client?.dispose();
    });

    it('then the images query answers DAEMON_UNAVAILABLE the same way', async () => {
      const res = await wsQuery(client, DAEMON_QUERIES.images);
      const error = firstError(res as Pick<GqlResponse, 'errors'>);

      expect(codes(res as Pick<GqlResponse, 'errors'>)[0]).toBe('DAEMON_UNAVAILABLE');
      expect(error.extensions).not.toHaveProperty('stacktrace');
      expect(error.message).not.toContain(socket.socketPath);
    });
  });

  it('then a malformed ref is still BAD_USER_INPUT, because refs are checked before any daemon call', async () => {
    const res = await gql(server.graphqlUrl, '{ image(ref: "bb:1?force=true") { id } }');

    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.errors![0].extensions).not.toHaveProperty('stacktrace');
  });
});

describe('when the Docker daemon is unavailable and NODE_ENV=development', () => {
  let socket: ReturnType<typeof missingSocket>;
  let server: TestApp;

  beforeAll(async () => {
    socket = missingSocket();
    server = await startTestApp({ dockerHost: socket.dockerHost, env: { NODE_ENV: 'development' } });
  });

  afterAll(async () => {
    await server?.stop();
    rmSync(socket.dir, { recursive: true, force: true });
  });

  it('then the error says where dockql tried to connect', async () => {
    const res = await gql(server.graphqlUrl, DAEMON_QUERIES.images);
    const error = firstError(res);

    expect(codes(res)[0]).toBe('DAEMON_UNAVAILABLE');
    expect(error.message).toContain(socket.dockerHost);
  });
});
