/**
 * The ops story of browsing a private registry: after `docker push` to the
 * LAN registry, `registry(host)` lists what is there, with the digests push
 * printed and the local images behind them. Real registries (the engine's,
 * and two more with htpasswd and token auth), real docker CLI, real HTTP.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { TokenCache } from '../../src/registry/auth';
import { RegistryClient } from '../../src/registry/client';
import { parseRegistryHost } from '../../src/registry/host';
import { startTestApp, type TestApp } from '../support/app';
import { type CountingProxy, startCountingProxy } from '../support/counting-proxy';
import { docker, testDockerHost, testRegistry } from '../support/engine';
import { cleanUp, makeImage } from '../support/fixtures';
import { codes, gql } from '../support/graphql';
import { freePort } from '../support/registry-process';
import { type RecordingProxy, startRecordingProxy } from '../support/recording-proxy';

const OWNER = 'registry';
// Registry content outlives a run (deletes keep the catalog entry): each run gets its own namespace.
const NS = `dockql-registry-${Date.now().toString(36)}`;
const PAGE_REPOS = ['page-a', 'page-b', 'page-c', 'page-d', 'page-e'];
const MANY_TAGS = ['t1', 't2', 't3', 't4', 't5', 't6', 't7', 't8'];

let daemon: CountingProxy;
let api: TestApp;
let reg: string;
let appId: string;
let pushedDigest: string;

/** The digest line of `docker push`: "1: digest: sha256:... size: 527". */
function pushedDigestOf(stdout: string): string {
  const m = /digest: (sha256:[a-f0-9]{64})/.exec(stdout);
  if (!m?.[1]) throw new Error(`no digest in docker push output:\n${stdout}`);
  return m[1];
}

async function tagAndPush(source: string, ref: string): Promise<string> {
  await docker(['tag', source, ref]);
  return pushedDigestOf((await docker(['push', ref])).stdout);
}

type Repo = { name: string; tags?: Array<{ name: string; reference?: string; digest?: string | null; image?: { id: string } | null }> };

beforeAll(async () => {
  reg = testRegistry();
  daemon = await startCountingProxy(testDockerHost());
  api = await startTestApp({ dockerHost: daemon.dockerHost });
  appId = await makeImage(OWNER, `${reg}/${NS}/app:1`);
  pushedDigest = pushedDigestOf((await docker(['push', `${reg}/${NS}/app:1`])).stdout);
  await tagAndPush(appId, `${reg}/${NS}/app:2`);
  for (const repo of PAGE_REPOS) await tagAndPush(appId, `${reg}/${NS}/${repo}:1`);
});

afterAll(async () => {
  await api?.stop();
  await daemon?.close();
  await cleanUp(OWNER);
});

describe('catalog', () => {
  it('lists the pushed repositories, named as in tags: with the registry host in front', async () => {
    const res = await gql<{ registry: { host: string; apiVersion: string; repositories: Repo[] } }>(
      api.graphqlUrl,
      'query($host: String!, $ns: String) { registry(host: $host) { host apiVersion repositories(filter: $ns, first: 1000) { name } } }',
      { host: reg, ns: `${NS}/` },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.registry).toEqual({
      host: reg,
      apiVersion: 'registry/2.0',
      repositories: ['app', ...PAGE_REPOS].map((r) => ({ name: `${reg}/${NS}/${r}` })),
    });
  });

  it('filters by a substring of the repository path', async () => {
    const res = await gql<{ registry: { repositories: Repo[] } }>(api.graphqlUrl, 'query($host: String!, $f: String) { registry(host: $host) { repositories(filter: $f) { name } } }', {
      host: reg,
      f: `${NS}/page-`,
    });
    expect(res.errors).toBeUndefined();
    expect(res.data!.registry.repositories.map((r) => r.name)).toEqual(PAGE_REPOS.map((r) => `${reg}/${NS}/${r}`));
  });

  it('pages with first/after, after being the last name of the previous page', async () => {
    const names: string[] = [];
    const pages: number[] = [];
    let after: string | null = null;
    for (;;) {
      const res: { errors?: unknown; data?: { registry: { repositories: Repo[] } } | null } = await gql(
        api.graphqlUrl,
        'query($host: String!, $f: String, $after: String) { registry(host: $host) { repositories(filter: $f, first: 2, after: $after) { name } } }',
        { host: reg, f: `${NS}/page-`, after },
      );
      expect(res.errors).toBeUndefined();
      const page = res.data!.registry.repositories.map((r) => r.name);
      pages.push(page.length);
      if (page.length === 0) break;
      names.push(...page);
      after = page[page.length - 1]!;
    }
    expect(pages).toEqual([2, 2, 1, 0]);
    expect(names).toEqual(PAGE_REPOS.map((r) => `${reg}/${NS}/${r}`));
  });

  it("follows the registry's own Link pagination when it answers in small pages", async () => {
    const proxy = await startRecordingProxy(reg);
    try {
      const collect = async (host: string, pageSize: number) => {
        const client = new RegistryClient({ host: parseRegistryHost(host), isInsecure: async () => true, tokens: new TokenCache(), pageSize });
        const out: string[] = [];
        for await (const name of client.catalog()) out.push(name);
        return out;
      };
      const inPagesOfTwo = await collect(proxy.host, 2);
      // Other test files may push meanwhile: compare this file's namespace only.
      const ours = (names: string[]) => names.filter((n) => n.startsWith(`${NS}/`));
      expect(ours(inPagesOfTwo)).toEqual(ours(await collect(reg, 1000)));
      expect(ours(inPagesOfTwo)).toEqual(expect.arrayContaining(PAGE_REPOS.map((r) => `${NS}/${r}`)));
      // One request per page of two, each after the first continuing where the registry's Link said.
      const paths = proxy.requests.map((r) => r.path);
      expect(paths).toHaveLength(Math.ceil(inPagesOfTwo.length / 2));
      expect(paths[0]).toBe('/v2/_catalog?n=2');
      expect(paths.slice(1).every((p) => /^\/v2\/_catalog\?.*last=/.test(p))).toBe(true);
    } finally {
      await proxy.close();
    }
  });
});

describe('repository and tags', () => {
  it('lists the tags of one repository, by its path or by its full name', async () => {
    const res = await gql<{ registry: { byPath: Repo; byName: Repo } }>(
      api.graphqlUrl,
      `query($host: String!, $path: String!, $name: String!) { registry(host: $host) {
         byPath: repository(name: $path) { name tags { name reference } }
         byName: repository(name: $name) { name } } }`,
      { host: reg, path: `${NS}/app`, name: `${reg}/${NS}/app` },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.registry.byPath).toEqual({
      name: `${reg}/${NS}/app`,
      tags: [
        { name: '1', reference: `${reg}/${NS}/app:1` },
        { name: '2', reference: `${reg}/${NS}/app:2` },
      ],
    });
    expect(res.data!.registry.byName).toEqual({ name: `${reg}/${NS}/app` });
  });

  it('gives each tag the digest `docker push` printed, and the local image behind it', async () => {
    const [repoDigest] = JSON.parse((await docker(['image', 'inspect', '--format', '{{json .RepoDigests}}', appId])).stdout) as string[];
    daemon.reset();
    const res = await gql<{ registry: { repository: Repo } }>(api.graphqlUrl, 'query($host: String!, $n: String!) { registry(host: $host) { repository(name: $n) { tags { name digest image { id } } } } }', {
      host: reg,
      n: `${NS}/app`,
    });
    expect(res.errors).toBeUndefined();
    expect(repoDigest).toBe(`${reg}/${NS}/app@${pushedDigest}`);
    expect(res.data!.registry.repository.tags).toEqual([
      { name: '1', digest: pushedDigest, image: { id: appId } },
      { name: '2', digest: pushedDigest, image: { id: appId } },
    ]);
    // Both tags' images come from one `docker images` list, not one daemon request per tag.
    expect(daemon.requests.filter((r) => r.path.startsWith('/images/json'))).toHaveLength(1);
  });

  it('resolves Tag.image to null once the image is removed locally; the registry digest stays', async () => {
    const goneId = await makeImage(OWNER, `${reg}/${NS}/gone:1`);
    const digest = pushedDigestOf((await docker(['push', `${reg}/${NS}/gone:1`])).stdout);
    const query = 'query($host: String!, $n: String!) { registry(host: $host) { repository(name: $n) { tags { digest image { id } } } } }';
    const before = await gql<{ registry: { repository: Repo } }>(api.graphqlUrl, query, { host: reg, n: `${NS}/gone` });
    expect(before.data!.registry.repository.tags).toEqual([{ digest, image: { id: goneId } }]);

    await docker(['rmi', `${reg}/${NS}/gone:1`]);
    const after = await gql<{ registry: { repository: Repo } }>(api.graphqlUrl, query, { host: reg, n: `${NS}/gone` });
    expect(after.errors).toBeUndefined();
    expect(after.data!.registry.repository.tags).toEqual([{ digest, image: null }]);
  });

  it('answers null for a repository the registry does not know', async () => {
    const res = await gql(api.graphqlUrl, 'query($host: String!, $n: String!) { registry(host: $host) { repository(name: $n) { name } } }', { host: reg, n: `${NS}/never-pushed` });
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ registry: { repository: null } });
  });
});

describe('digests on demand', () => {
  let proxy: RecordingProxy;

  beforeAll(async () => {
    for (const tag of MANY_TAGS) await docker(['tag', appId, `${reg}/${NS}/many:${tag}`]);
    await docker(['push', '--all-tags', `${reg}/${NS}/many`]);
    // HEADs are held 150 ms so that, unbounded, all eight would be in flight together.
    proxy = await startRecordingProxy(reg, { delayMethod: 'HEAD', delayMs: 150 });
  });

  afterAll(() => proxy?.close());
  beforeEach(() => proxy.reset());

  it('fetches no manifest when only tag names are asked', async () => {
    const res = await gql<{ registry: { repository: Repo } }>(api.graphqlUrl, 'query($host: String!, $n: String!) { registry(host: $host) { repository(name: $n) { tags { name } } } }', {
      host: proxy.host,
      n: `${NS}/many`,
    });
    expect(res.errors).toBeUndefined();
    expect(res.data!.registry.repository.tags!.map((t) => t.name)).toEqual(MANY_TAGS);
    expect(proxy.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`GET /v2/${NS}/many/tags/list?n=100`]);
  });

  it('HEADs each manifest once when digest and image are both asked, at most four at a time', async () => {
    const res = await gql<{ registry: { repository: Repo } }>(
      api.graphqlUrl,
      'query($host: String!, $n: String!) { registry(host: $host) { repository(name: $n) { tags { name digest image { id } } } } }',
      { host: proxy.host, n: `${NS}/many` },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.registry.repository.tags!.every((t) => t.digest === pushedDigest)).toBe(true);
    const heads = proxy.requests.filter((r) => r.method === 'HEAD').map((r) => r.path);
    expect(heads.sort()).toEqual(MANY_TAGS.map((t) => `/v2/${NS}/many/manifests/${t}`).sort());
    expect(proxy.maxInFlight('HEAD')).toBe(4);
  });

  it('lists the catalog without asking for tags unless they are selected', async () => {
    const res = await gql(api.graphqlUrl, 'query($host: String!, $f: String) { registry(host: $host) { repositories(filter: $f) { name } } }', { host: proxy.host, f: `${NS}/many` });
    expect(res.errors).toBeUndefined();
    expect(proxy.requests.every((r) => r.path.startsWith('/v2/_catalog'))).toBe(true);
  });
});

describe('unreachable registries and bad input', () => {
  it('is REGISTRY_UNAVAILABLE, fast, when nothing listens on the port', async () => {
    const host = `127.0.0.1:${await freePort()}`;
    const started = Date.now();
    const res = await gql(api.graphqlUrl, 'query($host: String!) { registry(host: $host) { repositories { name } } }', { host });
    expect(codes(res)).toEqual(['REGISTRY_UNAVAILABLE']);
    expect(res.errors![0]!.message).toMatch(new RegExp(`cannot reach registry ${host.replace(/\./g, '\\.')} .*ECONNREFUSED`));
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('refuses hosts that are not host[:port] with BAD_USER_INPUT, before any request', async () => {
    let hits = 0;
    const sentinel = http.createServer((_req, res) => {
      hits++;
      res.end();
    });
    await new Promise<void>((resolve) => sentinel.listen(0, '127.0.0.1', resolve));
    const near = `127.0.0.1:${(sentinel.address() as AddressInfo).port}`;
    try {
      daemon.reset();
      const hosts = ['http://x', 'a/b', 'x?y', 'user@host', `http://${near}`, `${near}/v2/`, `${near}?n=1`, `user:pw@${near}`, `${near}#x`, ''];
      for (const host of hosts) {
        const res = await gql(api.graphqlUrl, 'query($host: String!) { registry(host: $host) { host repositories { name } } }', { host });
        expect({ host, codes: codes(res), data: res.data }).toEqual({ host, codes: ['BAD_USER_INPUT'], data: null });
      }
      expect(hits).toBe(0);
      expect(daemon.requests).toEqual([]);
    } finally {
      await new Promise((resolve) => sentinel.close(resolve));
    }
  });

  it('refuses bad repository names and page bounds with BAD_USER_INPUT, before any registry request', async () => {
    const proxy = await startRecordingProxy(reg);
    try {
      const cases: Array<[string, string, unknown]> = [
        ['$v: String!', 'repository(name: $v) { name }', '../x'],
        ['$v: String!', 'repository(name: $v) { name }', 'a%2Fb'],
        ['$v: String!', 'repository(name: $v) { name }', 'Team/App'],
        ['$v: String!', 'repository(name: $v) { name }', `${NS}/app:1`],
        ['$v: String!', 'repository(name: $v) { name }', 'other.example:5000/team/app'],
        ['$v: String', 'repositories(after: $v) { name }', 'x?y'],
        ['$v: String', 'repositories(filter: $v) { name }', 'a b'],
        ['$v: Int', 'repositories(first: $v) { name }', 0],
        ['$v: Int', 'repositories(first: $v) { name }', 1001],
      ];
      for (const [declaration, field, v] of cases) {
        const res = await gql(api.graphqlUrl, `query($host: String!, ${declaration}) { registry(host: $host) { ${field} } }`, { host: proxy.host, v });
        expect({ field, v, codes: codes(res) }).toEqual({ field, v, codes: ['BAD_USER_INPUT'] });
      }
      expect(proxy.requests).toEqual([]);
    } finally {
      await proxy.close();
    }
  });
});
