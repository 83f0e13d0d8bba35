/**
 * The SSRF guard, the ops story: dockql browses registries and pulls through
 * mirrors on loopback and on the hosts ops allow (DOCKQL_REGISTRIES, the
 * daemon's insecure registries and mirrors), and refuses every other host
 * with FORBIDDEN before contacting it.
 *
 * No traffic leaves the box, even if the guard were broken: names resolve
 * through a fake resolver (registry.invalid -> 127.0.0.1, every other name
 * fails at once without a DNS query), and the one non-loopback literal used,
 * 0.0.0.0, means this host.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestApp, type TestApp } from '../support/app';
import { type CountingProxy, startCountingProxy } from '../support/counting-proxy';
import { testDockerHost, testRegistry } from '../support/engine';
import { type FakeDns, installFakeDns } from '../support/fake-dns';
import { codes, gql, type GqlResponse } from '../support/graphql';

const ALLOWED = 'registry.invalid,pinned.invalid:5000,0.0.0.0';
const FORBIDDEN_MESSAGE = /is not allowed: add it to DOCKQL_REGISTRIES \(or the daemon's insecure-registries\/registry-mirrors\)$/;

let daemon: CountingProxy;
/** No DOCKQL_REGISTRIES: loopback and the daemon's lists only. */
let api: TestApp;
/** DOCKQL_REGISTRIES=registry.invalid,pinned.invalid:5000,0.0.0.0 */
let allowing: TestApp;
let fakeDns: FakeDns;
let reg: string;
let regPort: string;
/** A loopback HTTP server that must never be asked: a fooled guard would send requests here. */
let sentinel: http.Server;
let sentinelHits: string[];
let sentinelPort: number;

function browse(app: TestApp, host: string): Promise<GqlResponse<{ registry: { apiVersion: string | null } }>> {
  return gql(app.graphqlUrl, 'query($host: String!) { registry(host: $host) { host apiVersion } }', { host });
}

function pullThrough(app: TestApp, mirror: string, ref = 'busybox:1.36'): Promise<GqlResponse<{ pullImage: { status: string; pulledRef: string; error: string | null } }>> {
  return gql(app.graphqlUrl, 'mutation($ref: String!, $mirror: String) { pullImage(ref: $ref, mirror: $mirror, wait: true) { status pulledRef error } }', { ref, mirror });
}

const pullRequests = () => daemon.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/images/create'));

/** Nothing looked up or connected to for `names` (host names without port). */
function expectUntouched(names: string[]): void {
  const touched = (host: string) => names.some((n) => host === n || host.startsWith(`${n}:`));
  expect(fakeDns.lookups.filter(touched)).toEqual([]);
  expect(fakeDns.connections.filter(touched)).toEqual([]);
}

beforeAll(async () => {
  reg = testRegistry();
  regPort = reg.split(':')[1]!;
  fakeDns = installFakeDns({ 'registry.invalid': '127.0.0.1' });
  sentinelHits = [];
  sentinel = http.createServer((req, res) => {
    sentinelHits.push(req.url ?? '');
    res.end();
  });
  await new Promise<void>((resolve) => sentinel.listen(0, '127.0.0.1', resolve));
  sentinelPort = (sentinel.address() as AddressInfo).port;
  daemon = await startCountingProxy(testDockerHost());
  api = await startTestApp({ dockerHost: daemon.dockerHost });
  allowing = await startTestApp({ dockerHost: daemon.dockerHost, env: { DOCKQL_REGISTRIES: ALLOWED } });
});

afterAll(async () => {
  await api?.stop();
  await allowing?.stop();
  await daemon?.close();
  if (sentinel) {
    sentinel.closeAllConnections();
    await new Promise((resolve) => sentinel.close(resolve));
  }
  fakeDns?.restore();
});

beforeEach(() => {
  fakeDns.reset();
  daemon.reset();
  sentinelHits.length = 0;
});

describe('registry(host)', () => {
  it('browses a loopback registry without any allow list', async () => {
    for (const host of [reg, `localhost:${regPort}`]) {
      const res = await browse(api, host);
      expect({ host, errors: res.errors, data: res.data }).toEqual({ host, errors: undefined, data: { registry: { host, apiVersion: 'registry/2.0' } } });
    }
  });

  it('refuses a host that is neither loopback, the daemon\'s, nor in DOCKQL_REGISTRIES: FORBIDDEN at once, nothing contacted', async () => {
    const hosts = ['registry.invalid', 'registry.invalid:5000', 'example.com', 'EXAMPLE.com:443', `0.0.0.0:${regPort}`, 'localhost.example', 'foo.localhost:5000'];
    const started = Date.now();
    for (const host of hosts) {
      const res = await browse(api, host);
      expect({ host, codes: codes(res), data: res.data }).toEqual({ host, codes: ['FORBIDDEN'], data: null });
      expect(res.errors![0]!.message).toMatch(FORBIDDEN_MESSAGE);
      expect(res.errors![0]!.message).toContain(`registry host ${JSON.stringify(host)}`);
      expect(res.errors![0]!.path).toEqual(['registry']);
    }
    expect(Date.now() - started).toBeLessThan(2_000 + 200 * hosts.length);
    expectUntouched(['registry.invalid', 'example.com', 'localhost.example', 'foo.localhost', '0.0.0.0']);
  });

  it('refuses IPv4 written in decimal, hex or octal, IPv4-mapped IPv6, user info and trailing dots with BAD_USER_INPUT', async () => {
    const hosts = [
      `2130706433:${sentinelPort}`,
      `0x7f.1:${sentinelPort}`,
      `0x7f000001:${sentinelPort}`,
      `0177.0.0.1:${sentinelPort}`,
      `127.1:${sentinelPort}`,
      `[::ffff:127.0.0.1]:${sentinelPort}`,
      `[::ffff:7f00:1]:${sentinelPort}`,
      `registry.invalid@127.0.0.1:${sentinelPort}`,
      `localhost.:${sentinelPort}`,
    ];
    for (const host of hosts) {
      const res = await browse(allowing, host);
      expect({ host, codes: codes(res) }).toEqual({ host, codes: ['BAD_USER_INPUT'] });
    }
    expect(sentinelHits).toEqual([]);
  });

  it('still refuses hosts DOCKQL_REGISTRIES does not name: another name, a subdomain, another port than the one pinned', async () => {
    for (const host of ['other.invalid', 'sub.registry.invalid', 'registry.invalid.example', 'pinned.invalid', 'pinned.invalid:5001']) {
      const res = await browse(allowing, host);
      expect({ host, codes: codes(res) }).toEqual({ host, codes: ['FORBIDDEN'] });
    }
    expectUntouched(['other.invalid', 'sub.registry.invalid', 'registry.invalid.example', 'pinned.invalid']);
  });

  it('contacts a host DOCKQL_REGISTRIES allows: registry.invalid (the fake resolver points it at the loopback registry) answers like any', async () => {
    const host = `registry.invalid:${regPort}`;
    const res = await browse(allowing, host);
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ registry: { host, apiVersion: 'registry/2.0' } });
    expect(fakeDns.connections).toContain(host);
  });

  it('does not fetch a token realm on a host that is not allowed: FORBIDDEN, naming the realm host', async () => {
    const challenger = http.createServer((_req, res) => {
      res.writeHead(401, { 'docker-distribution-api-version': 'registry/2.0', 'www-authenticate': 'Bearer realm="http://realm.invalid/token",service="x"' }).end('{}');
    });
    await new Promise<void>((resolve) => challenger.listen(0, '127.0.0.1', resolve));
    const host = `127.0.0.1:${(challenger.address() as AddressInfo).port}`;
    try {
      const res = await gql(allowing.graphqlUrl, 'query($host: String!) { registry(host: $host) { repositories { name } } }', { host });
      expect(codes(res)).toEqual(['FORBIDDEN']);
      expect(res.errors![0]!.message).toBe(
        `token realm host of registry ${host} "realm.invalid" is not allowed: add it to DOCKQL_REGISTRIES (or the daemon's insecure-registries/registry-mirrors)`,
      );
      expectUntouched(['realm.invalid']);
    } finally {
      challenger.closeAllConnections();
      await new Promise((resolve) => challenger.close(resolve));
    }
  });
});

describe('pullImage(mirror)', () => {
  it('refuses a mirror host that is not allowed: FORBIDDEN, no job, no pull request to the daemon', async () => {
    const before = await gql<{ pulls: unknown[] }>(api.graphqlUrl, '{ pulls { id } }');
    for (const mirror of ['mirror.invalid', 'mirror.invalid:5000/library', `0.0.0.0:${regPort}`, 'registry.invalid']) {
      const res = await pullThrough(api, mirror);
      expect({ mirror, codes: codes(res), data: res.data }).toEqual({ mirror, codes: ['FORBIDDEN'], data: null });
      expect(res.errors![0]!.message).toMatch(FORBIDDEN_MESSAGE);
      expect(res.errors![0]!.message).toMatch(/^mirror host "/);
    }
    expect(pullRequests()).toEqual([]);
    expect((await gql<{ pulls: unknown[] }>(api.graphqlUrl, '{ pulls { id } }')).data!.pulls).toEqual(before.data!.pulls);
    expectUntouched(['mirror.invalid', 'registry.invalid', '0.0.0.0']);
  });

  it('refuses tricky mirror spellings with BAD_USER_INPUT before any daemon request', async () => {
    for (const mirror of [`0x7f.1:${regPort}`, `2130706433:${regPort}`, `[::ffff:7f00:1]:${regPort}`]) {
      const res = await pullThrough(allowing, mirror);
      expect({ mirror, codes: codes(res) }).toEqual({ mirror, codes: ['BAD_USER_INPUT'] });
    }
    expect(pullRequests()).toEqual([]);
  });

  it('hands a mirror DOCKQL_REGISTRIES allows to the daemon (0.0.0.0, this host: the pull starts, and fails there)', async () => {
    const res = await pullThrough(allowing, `0.0.0.0:${regPort}`);
    expect(res.errors).toBeUndefined();
    expect(res.data!.pullImage).toMatchObject({ pulledRef: `0.0.0.0:${regPort}/library/busybox:1.36`, status: 'FAILED' });
    expect(pullRequests().map((r) => decodeURIComponent(r.path))).toEqual([expect.stringContaining(`fromImage=0.0.0.0:${regPort}/library/busybox`)]);
  });

  it('pulls without a mirror are the daemon\'s business: not guarded (the daemon is asked, whatever the host)', async () => {
    const res = await gql<{ pullImage: { status: string } }>(api.graphqlUrl, `mutation { pullImage(ref: "0.0.0.0:${regPort}/nothing/here:1", wait: true) { status } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data!.pullImage.status).toBe('FAILED');
    expect(pullRequests()).toHaveLength(1);
  });
});
