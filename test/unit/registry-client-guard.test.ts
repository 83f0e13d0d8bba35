/**
 * The registry client and the SSRF guard: the registry host is checked before
 * anything (even the insecure check, which may ask DNS), and a token realm the
 * registry names is checked before it is fetched. Scripted servers on 127.0.0.1.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { TokenCache } from '../../src/registry/auth';
import { type HostGuard, RegistryClient } from '../../src/registry/client';
import { parseRegistryHost } from '../../src/registry/host';
import { DockqlError, ErrorCode } from '../../src/schema/errors';

interface Server {
  readonly host: string;
  readonly paths: string[];
  close(): Promise<void>;
}

async function serve(handler: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<Server> {
  const paths: string[] = [];
  const server = http.createServer((req, res) => {
    paths.push(req.url ?? '');
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    paths,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A registry that challenges every catalog request with a Bearer realm it names. */
function challenging(realm: () => string) {
  return (_req: http.IncomingMessage, res: http.ServerResponse) =>
    res.writeHead(401, { 'docker-distribution-api-version': 'registry/2.0', 'www-authenticate': `Bearer realm="${realm()}",service="x"` }).end('{}');
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

async function drain(it: AsyncIterable<string>): Promise<void> {
  for await (const _ of it) {
    /* drain */
  }
}

let registry: Server;
let realmServer: Server;
let realm: string;

beforeAll(async () => {
  realmServer = await serve((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"token":"t"}'));
  registry = await serve(challenging(() => realm));
});

afterAll(async () => {
  await registry?.close();
  await realmServer?.close();
});

beforeEach(() => {
  registry.paths.length = 0;
  realmServer.paths.length = 0;
});

describe('the registry host', () => {
  it('is refused (FORBIDDEN) by the default, loopback-only guard before the insecure check or any request', async () => {
    const isInsecure = jest.fn(async () => true);
    const client = new RegistryClient({ host: parseRegistryHost('registry.invalid:5000'), isInsecure, tokens: new TokenCache() });
    const err = await failure(client.apiVersion());
    expect(err.code).toBe('FORBIDDEN');
    expect(err.message).toBe(`registry host "registry.invalid:5000" is not allowed: add it to DOCKQL_REGISTRIES (or the daemon's insecure-registries/registry-mirrors)`);
    expect(isInsecure).not.toHaveBeenCalled();
  });
});

describe('the token realm', () => {
  /** A guard that allows the registry's host only (as DOCKQL_REGISTRIES=<registry host:port> would), recording what it is asked. */
  function registryOnly(asked: string[]): HostGuard {
    return async (host, what) => {
      asked.push(`${what}: ${host}`);
      if (host !== registry.host) throw new DockqlError(ErrorCode.FORBIDDEN, `${what} "${host}" is not allowed`);
    };
  }

  it('is not fetched when the guard refuses its host: FORBIDDEN, and the realm server sees nothing', async () => {
    realm = `http://${realmServer.host}/token`;
    const asked: string[] = [];
    const guard = registryOnly(asked);
    const client = new RegistryClient({ host: parseRegistryHost(registry.host), isInsecure: async () => true, tokens: new TokenCache(), guard });
    const err = await failure(drain(client.catalog()));
    expect(err.message).toBe(`token realm host of registry ${registry.host} "${realmServer.host}" is not allowed`);
    expect(asked).toEqual([`registry host: ${registry.host}`, `token realm host of registry ${registry.host}: ${realmServer.host}`]);
    expect(registry.paths).toHaveLength(1);
    expect(realmServer.paths).toEqual([]);
  });

  it('is refused by the default guard when it names a host that is not loopback', async () => {
    realm = 'https://auth.invalid/token';
    const client = new RegistryClient({ host: parseRegistryHost(registry.host), isInsecure: async () => true, tokens: new TokenCache() });
    const err = await failure(drain(client.catalog()));
    expect(err.code).toBe('FORBIDDEN');
    expect(err.message).toMatch(new RegExp(`^token realm host of registry ${registry.host.replace(/\./g, '\\.')} "auth\\.invalid" is not allowed: add it to DOCKQL_REGISTRIES`));
  });

  it('is fetched without asking the guard again when on the registry host:port itself', async () => {
    realm = `http://${registry.host}/token`;
    const asked: string[] = [];
    const client = new RegistryClient({ host: parseRegistryHost(registry.host), isInsecure: async () => true, tokens: new TokenCache(), guard: registryOnly(asked) });
    await failure(drain(client.catalog()));
    expect(asked).toEqual([`registry host: ${registry.host}`]);
    expect(registry.paths.map((p) => p.replace(/\?.*/, ''))).toEqual(['/v2/_catalog', '/token']);
  });

  it('is fetched when on another allowed host (here loopback)', async () => {
    realm = `http://${realmServer.host}/token`;
    const client = new RegistryClient({ host: parseRegistryHost(registry.host), isInsecure: async () => true, tokens: new TokenCache() });
    // The registry keeps refusing, so the dance ends in an error, but only after the realm was asked.
    await failure(drain(client.catalog()));
    expect(realmServer.paths).toHaveLength(1);
  });

  it('is checked in the form fetch would connect to: a decimal IPv4 realm is loopback 127.0.0.1, not a name', async () => {
    const port = realmServer.host.split(':')[1];
    realm = `http://2130706433:${port}/token`;
    const client = new RegistryClient({ host: parseRegistryHost(registry.host), isInsecure: async () => true, tokens: new TokenCache() });
    await failure(drain(client.catalog()));
    expect(realmServer.paths).toHaveLength(1);
  });
});
