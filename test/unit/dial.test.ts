/**
 * The one raw-request helper: what it asks docker-modem for (path, query, body,
 * status codes, stream/hijack, abort signal) and how it hands the answer back.
 * The real daemon side is in the container, logs, stats and exec integration tests.
 */
import type Dockerode from 'dockerode';
import { dial, type DialRequest } from '../../src/docker/dial';

/** A dockerode whose modem records the dial options and answers `err`/`data`. */
function fakeDocker(err: unknown, data: unknown): { docker: Dockerode; sent: () => Record<string, unknown> } {
  let options: Record<string, unknown> | undefined;
  const docker = {
    modem: {
      dial(o: Record<string, unknown>, callback: (e: unknown, d: unknown) => void) {
        options = o;
        setImmediate(() => callback(err, data));
      },
    },
  } as unknown as Dockerode;
  return { docker, sent: () => options! };
}

const call = (request: DialRequest, answer: unknown = Buffer.alloc(0), err: unknown = null) => {
  const fake = fakeDocker(err, answer);
  return { result: dial<unknown>(fake.docker, request), sent: fake.sent };
};

describe('dial', () => {
  it('sends the query without undefined values, behind the "?" docker-modem needs, and lists the ok statuses', async () => {
    const { result, sent } = call({ method: 'POST', path: '/containers/x/stop', query: { t: 0, signal: undefined, force: false }, ok: [204] });
    await expect(result).resolves.toBeUndefined();
    expect(sent()).toMatchObject({ path: '/containers/x/stop?', method: 'POST', options: { _query: { t: 0, force: false }, _body: {} }, statusCodes: { 204: true } });
    expect(sent()).not.toHaveProperty('isStream');
    expect(sent()).not.toHaveProperty('abortSignal');
  });

  it('leaves the "?" off when no query value is set, and sends the JSON body', async () => {
    const { result, sent } = call({ method: 'POST', path: '/containers/create', query: { name: undefined }, body: { Image: 'i' }, ok: [200, 201] }, { Id: 'abc' });
    await expect(result).resolves.toEqual({ Id: 'abc' });
    expect(sent()).toMatchObject({ path: '/containers/create', options: { _body: { Image: 'i' } }, statusCodes: { 200: true, 201: true } });
    expect(sent().options).not.toHaveProperty('_query');
  });

  it('asks for the response stream, with the abort signal where docker-modem reads it', async () => {
    const response = { fake: 'stream' };
    const signal = new AbortController().signal;
    const { result, sent } = call({ method: 'GET', path: '/containers/x/logs', query: { follow: true }, ok: [200], stream: true, signal }, response);
    await expect(result).resolves.toBe(response);
    expect(sent()).toMatchObject({ isStream: true, abortSignal: signal });
    expect(sent()).not.toHaveProperty('hijack');
  });

  it('hijacks for exec start and hands back the socket even when nothing was read yet', async () => {
    const socket = Buffer.alloc(0);
    const { result, sent } = call({ method: 'POST', path: '/exec/e/start', body: { Detach: false }, ok: [101, 200], hijack: true }, socket);
    await expect(result).resolves.toBe(socket);
    expect(sent()).toMatchObject({ hijack: true, isStream: true });
  });

  it('passes docker-modem\'s error on as it is, statusCode and all, for the client to map', async () => {
    const err = Object.assign(new Error('(HTTP code 409) unexpected - is paused'), { statusCode: 409 });
    await expect(call({ method: 'POST', path: '/containers/x/pause', ok: [204] }, null, err).result).rejects.toBe(err);
  });
});
