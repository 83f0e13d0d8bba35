/**
 * The registry client against a small scripted registry on 127.0.0.1: the
 * bearer-token dance and its cache, basic auth, Link pagination, digests,
 * timeouts and the error mapping. (The real registry is in
 * test/integration/registry.test.ts.)
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { TokenCache } from '../../src/registry/auth';
import { RegistryClient, type RegistryClientOptions } from '../../src/registry/client';
import { parseRegistryHost } from '../../src/registry/host';
import { DockqlError } from '../../src/schema/errors';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => void;

interface Seen {
  method: string;
  path: string;
  authorization?: string;
  accept?: string;
}

let server: http.Server;
let host: string;
let routes: Record<string, Handler>;
let seen: Seen[];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://${host}`);
    seen.push({ method: req.method ?? '', path: `${url.pathname}${url.search}`, authorization: req.headers.authorization, accept: req.headers.accept });
    const route = routes[`${req.method} ${url.pathname}`] ?? routes[url.pathname];
    if (route) return route(req, res, url);
    res.writeHead(404, { 'content-type': 'text/plain' }).end('no route');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  routes = {};
  seen = [];
});

const REGISTRY = { 'docker-distribution-api-version': 'registry/2.0', 'content-type': 'application/json' };
const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
  res.writeHead(status, { ...REGISTRY, ...headers }).end(JSON.stringify(body));

function client(options: Partial<RegistryClientOptions> = {}): RegistryClient {
  return new RegistryClient({ host: parseRegistryHost(host), isInsecure: async () => true, tokens: new TokenCache(), ...options });
}

async function failure(p: Promise<unknown>): Promise<DockqlError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof DockqlError) return err;
    throw err;
  }
  throw new Error('expected a DockqlError');
}

async function all(it: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** A registry guarded by bearer tokens from its own /token realm; `grant(authorization, scope)` names the token. */
function bearerRegistry(grant: (authorization: string | undefined, scope: string) => string | undefined): void {
  const challenge = (scope: string, error?: string) =>
    `Bearer realm="http://${host}/token",service="fake",scope="${scope}"${error ? `,error="${error}"` : ''}`;
  routes['/token'] = (req, res, url) => {
    const token = grant(req.headers.authorization, url.searchParams.getAll('scope').join(' '));
    if (!token) return json(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'bad credentials' }] });
    json(res, 200, { token, expires_in: 300 });
  };
  routes['/v2/_catalog'] = (req, res) => {
    const auth = req.headers.authorization ?? '';
    if (auth === 'Bearer catalog-token') return json(res, 200, { repositories: ['a', 'b'] });
    const error = auth.startsWith('Bearer ') ? 'insufficient_scope' : undefined;
    json(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }, { 'www-authenticate': challenge('registry:catalog:*', error) });
  };
}

const ALICE = { username: 'alice', password: 'pa55-w0rd' };
const ALICE_BASIC = `Basic ${Buffer.from('alice:pa55-w0rd').toString('base64')}`;

describe('the bearer-token challenge', () => {
  it('fetches a token for the challenged scope with the credentials, retries once, and caches it per scope', async () => {
    bearerRegistry((auth, scope) => (auth === ALICE_BASIC && scope === 'registry:catalog:*' ? 'catalog-token' : undefined));
    const tokens = new TokenCache();
    expect(await all(client({ tokens, credentials: ALICE }).catalog())).toEqual(['a', 'b']);
    expect(seen.map((s) => `${s.method} ${s.path.replace(/\?.*/, '')} ${s.authorization ?? '-'}`)).toEqual([
      'GET /v2/_catalog -',
      `GET /token ${ALICE_BASIC}`,
      'GET /v2/_catalog Bearer catalog-token',
    ]);
    const tokenUrl = new URL(seen[1]!.path, 'http://x');
    expect(Object.fromEntries(tokenUrl.searchParams)).toEqual({ service: 'fake', scope: 'registry:catalog:*', account: 'alice' });

    // Another operation (a new client) with the same credentials reuses the token: no challenge, no token request.
    seen = [];
    expect(await all(client({ tokens, credentials: ALICE }).catalog())).toEqual(['a', 'b']);
    expect(seen.map((s) => `${s.path.replace(/\?.*/, '')} ${s.authorization}`)).toEqual(['/v2/_catalog Bearer catalog-token']);
  });

  it('never lends a token bought with credentials to an anonymous caller or to other credentials', async () => {
    bearerRegistry((auth) => (auth === ALICE_BASIC ? 'catalog-token' : auth ? undefined : 'anonymous-token'));
    const tokens = new TokenCache();
    await all(client({ tokens, credentials: ALICE }).catalog());
    seen = [];
    const anonymous = await failure(all(client({ tokens }).catalog()));
    expect(anonymous.code).toBe('UNAUTHENTICATED');
    expect(anonymous.message).toMatch(/needs credentials/);
    expect(seen.map((s) => s.authorization ?? '-')).toEqual(['-', '-', 'Bearer anonymous-token']);

    seen = [];
    const mallory = await failure(all(client({ tokens, credentials: { username: 'alice', password: 'guess' } }).catalog()));
    expect(mallory.code).toBe('UNAUTHENTICATED');
    expect(mallory.message).toMatch(/auth server 127\.0\.0\.1:\d+ of registry .* answered 401 .*the credentials were refused: bad credentials/);
    expect(seen.some((s) => s.authorization === 'Bearer catalog-token')).toBe(false);
  });

  it('is FORBIDDEN when accepted credentials lack the scope (insufficient_scope after the dance)', async () => {
    bearerRegistry(() => 'useless-token');
    const err = await failure(all(client({ credentials: ALICE }).catalog()));
    expect(err.code).toBe('FORBIDDEN');
    expect(err.message).toMatch(/do not grant this access: authentication required/);
  });

  it('shares one token request among concurrent requests of one scope', async () => {
    bearerRegistry(() => 'catalog-token');
    const c = client({ credentials: ALICE });
    await Promise.all([all(c.catalog()), all(c.catalog()), all(c.catalog())]);
    expect(seen.filter((s) => s.path.startsWith('/token'))).toHaveLength(1);
  });
});

describe('basic auth', () => {
  beforeEach(() => {
    routes['/v2/_catalog'] = (req, res) => {
      if (req.headers.authorization === ALICE_BASIC) return json(res, 200, { repositories: ['x'] });
      json(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: `access to the requested resource is not authorized (got ${req.headers.authorization ?? 'nothing'})` }] }, { 'www-authenticate': 'Basic realm="fake"' });
    };
  });

  it('answers the Basic challenge with the credentials, then sends them first for that registry', async () => {
    const tokens = new TokenCache();
    expect(await all(client({ tokens, credentials: ALICE }).catalog())).toEqual(['x']);
    expect(seen.map((s) => s.authorization ?? '-')).toEqual(['-', ALICE_BASIC]);
    seen = [];
    await all(client({ tokens, credentials: ALICE }).catalog());
    expect(seen.map((s) => s.authorization)).toEqual([ALICE_BASIC]);
  });

  it('is UNAUTHENTICATED without credentials or with wrong ones, and never echoes them', async () => {
    expect((await failure(all(client().catalog()))).code).toBe('UNAUTHENTICATED');
    const creds = { username: 'alice', password: 'wrong-secret' };
    const err = await failure(all(client({ credentials: creds }).catalog()));
    expect(err.code).toBe('UNAUTHENTICATED');
    expect(err.message).toMatch(/the credentials were refused/);
    const shown = JSON.stringify({ message: err.message, extensions: err.extensions });
    expect(shown).not.toContain('wrong-secret');
    expect(shown).not.toContain(Buffer.from('alice:wrong-secret').toString('base64'));
    expect(shown).toContain('[redacted]');
  });
});

describe('Link pagination', () => {
  const names = ['a', 'b', 'c', 'd', 'e'];
  beforeEach(() => {
    routes['/v2/_catalog'] = (_req, res, url) => {
      const n = Number(url.searchParams.get('n'));
      const last = url.searchParams.get('last');
      const rest = names.filter((x) => !last || x > last);
      const page = rest.slice(0, n);
      const more: Record<string, string> = rest.length > n ? { link: `</v2/_catalog?last=${page[page.length - 1]}&n=${n}>; rel="next"` } : {};
      json(res, 200, { repositories: page }, more);
    };
  });

  it('follows rel="next" page by page, asking n entries a page and starting after `after`', async () => {
    expect(await all(client({ pageSize: 2 }).catalog())).toEqual(names);
    expect(seen.map((s) => s.path)).toEqual(['/v2/_catalog?n=2', '/v2/_catalog?last=b&n=2', '/v2/_catalog?last=d&n=2']);
    seen = [];
    expect(await all(client({ pageSize: 2 }).catalog('b'))).toEqual(['c', 'd', 'e']);
    expect(seen[0]!.path).toBe('/v2/_catalog?n=2&last=b');
  });

  it('asks no further page once the caller has enough', async () => {
    for await (const name of client({ pageSize: 2 }).catalog()) if (name === 'b') break;
    expect(seen).toHaveLength(1);
  });

  it('refuses a link that leaves the registry, and a link that loops', async () => {
    routes['/v2/_catalog'] = (_req, res) => json(res, 200, { repositories: ['a'] }, { link: '<http://127.0.0.2:9/v2/_catalog?last=a>; rel="next"' });
    expect((await failure(all(client().catalog()))).message).toMatch(/leaves the registry; not followed/);
    routes['/v2/_catalog'] = (_req, res) => json(res, 200, { repositories: ['a'] }, { link: '</v2/_catalog?n=100>; rel="next"' });
    expect((await failure(all(client().catalog()))).message).toMatch(/paginates .* without end/);
  });

  it('pages tags/list the same way; an unknown repository is null, a null list empty', async () => {
    routes['/v2/team/app/tags/list'] = (_req, res, url) =>
      url.searchParams.get('last') ? json(res, 200, { name: 'team/app', tags: ['3'] }) : json(res, 200, { name: 'team/app', tags: ['1', '2'] }, { link: '</v2/team/app/tags/list?last=2&n=2>; rel="next"' });
    routes['/v2/team/empty/tags/list'] = (_req, res) => json(res, 200, { name: 'team/empty', tags: null });
    routes['/v2/team/gone/tags/list'] = (_req, res) => json(res, 404, { errors: [{ code: 'NAME_UNKNOWN', message: 'repository name not known to registry' }] });
    expect(await client({ pageSize: 2 }).tags('team/app')).toEqual(['1', '2', '3']);
    expect(await client().tags('team/empty')).toEqual([]);
    expect(await client().tags('team/gone')).toBeNull();
  });
});

describe('manifest digests', () => {
  it('HEADs the manifest accepting Docker v2 and OCI manifests and indexes, and reads Docker-Content-Digest', async () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    routes['HEAD /v2/team/app/manifests/1.0'] = (_req, res) => res.writeHead(200, { ...REGISTRY, 'docker-content-digest': digest }).end();
    expect(await client().manifestDigest('team/app', '1.0')).toBe(digest);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.method).toBe('HEAD');
    expect(seen[0]!.accept!.split(', ').sort()).toEqual([
      'application/vnd.docker.distribution.manifest.list.v2+json',
      'application/vnd.docker.distribution.manifest.v2+json',
      'application/vnd.oci.image.index.v1+json',
      'application/vnd.oci.image.manifest.v1+json',
    ]);
  });

  it('hashes the manifest itself when the registry sends no digest header, and answers null for an unknown tag', async () => {
    const manifest = '{"schemaVersion":2, "note":"bytes as sent"}';
    routes['HEAD /v2/team/app/manifests/1'] = (_req, res) => res.writeHead(200, REGISTRY).end();
    routes['GET /v2/team/app/manifests/1'] = (_req, res) => res.writeHead(200, REGISTRY).end(manifest);
    routes['HEAD /v2/team/app/manifests/2'] = (_req, res) => res.writeHead(404, REGISTRY).end();
    expect(await client().manifestDigest('team/app', '1')).toBe(`sha256:${createHash('sha256').update(manifest).digest('hex')}`);
    expect(await client().manifestDigest('team/app', '2')).toBeNull();
  });
});

describe('failures', () => {
  it.each([
    [500, { errors: [{ code: 'UNKNOWN', message: 'storage backend exploded' }] }, 'REGISTRY_ERROR', /answered 500 to GET \/v2\/_catalog: storage backend exploded/],
    [403, { errors: [{ code: 'DENIED', message: 'requested access to the resource is denied' }] }, 'FORBIDDEN', /access denied: requested access/],
    [429, { errors: [{ code: 'TOOMANYREQUESTS', message: 'slow down' }] }, 'RATE_LIMITED', /slow down/],
    [404, { errors: [{ code: 'UNSUPPORTED', message: 'catalog disabled' }] }, 'NOT_FOUND', /catalog disabled/],
  ])('maps %i to its code, with the registry words', async (status, body, code, message) => {
    routes['/v2/_catalog'] = (_req, res) => json(res, status, body);
    const err = await failure(all(client().catalog()));
    expect(err.code).toBe(code);
    expect(err.message).toMatch(message);
    expect(err.extensions.registryCodes).toEqual([body.errors[0]!.code]);
  });

  it('says when what answers is not a Distribution v2 registry', async () => {
    const err = await failure(all(client().catalog()));
    expect(err.code).toBe('REGISTRY_ERROR');
    expect(err.message).toMatch(/without a Docker-Distribution-API-Version header: is it a Distribution v2 registry\? no route/);
  });

  it('does not follow redirects', async () => {
    routes['/v2/_catalog'] = (_req, res) => res.writeHead(307, { location: 'http://127.0.0.2:9/v2/_catalog' }).end();
    expect((await failure(all(client().catalog()))).message).toMatch(/answered 307 .*redirect, which is not followed/);
  });

  it('stops reading an answer larger than 4 MiB', async () => {
    routes['/v2/_catalog'] = (_req, res) => {
      res.writeHead(200, REGISTRY);
      res.end(`{"repositories": ["${'a'.repeat(5 * 1024 * 1024)}"]}`);
    };
    const err = await failure(all(client().catalog()));
    expect(err.code).toBe('REGISTRY_ERROR');
    expect(err.message).toMatch(/answered GET \/v2\/_catalog with more than 4194304 bytes/);
  });

  it('is TIMEOUT when the registry does not answer within the bound', async () => {
    routes['/v2/_catalog'] = () => undefined; // never answers
    const started = Date.now();
    const err = await failure(all(client({ timeoutMs: 300 }).catalog()));
    expect(err.code).toBe('TIMEOUT');
    expect(err.message).toMatch(/did not answer GET \/v2\/_catalog within 300 ms/);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('is REGISTRY_UNAVAILABLE when nothing listens', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const c = new RegistryClient({ host: parseRegistryHost(`127.0.0.1:${port}`), isInsecure: async () => true, tokens: new TokenCache() });
    const err = await failure(c.apiVersion());
    expect(err.code).toBe('REGISTRY_UNAVAILABLE');
    expect(err.message).toMatch(/cannot reach registry 127\.0\.0\.1:\d+ for GET \/v2\/: ECONNREFUSED/);
  });

  it('reports the API version from GET /v2/', async () => {
    routes['/v2/'] = (_req, res) => json(res, 200, {});
    expect(await client().apiVersion()).toBe('registry/2.0');
  });
});
