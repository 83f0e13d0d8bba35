/**
 * The archive routes answer every request in their own JSON error shape, also
 * one with no archive name (PUT or DELETE on `/archives` or `/archives/`, which
 * Express would otherwise answer with its HTML 404). Found by the hostile-input fuzz.
 * The store is a stub: these requests never reach it.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { archiveRouter } from '../../src/archive/routes';
import type { ArchiveStore } from '../../src/archive/store';
import { createLogger } from '../../src/logger';

let server: Server;
let base: string;

beforeAll(async () => {
  const store = { list: async () => [] } as unknown as ArchiveStore;
  const app = express().use(archiveRouter(store, { maxUploadBytes: 1024, log: createLogger('silent') }));
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise((resolve) => server.close(resolve)));

describe('a request on /archives without a name', () => {
  it.each([
    ['PUT', '/archives'],
    ['PUT', '/archives/'],
    ['DELETE', '/archives'],
    ['DELETE', '/archives/'],
    ['POST', '/archives/'],
  ])('%s %s answers 405 in the JSON error shape, allowing GET and HEAD', async (method, path) => {
    const res = await fetch(`${base}${path}`, { method, body: method === 'DELETE' ? undefined : 'x' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
    expect(await res.json()).toEqual({ error: { code: 'BAD_USER_INPUT', message: `${method} needs an archive name: /archives/<name>` } });
  });

  it('still lists the archives on GET /archives/', async () => {
    const res = await fetch(`${base}/archives/`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ archives: [] });
  });
});
