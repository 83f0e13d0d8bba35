/**
 * The ops story after the pull: tag an image, push it to the private registry,
 * remove tags and images (by name, by id; force when several repositories use
 * it), prune dangling images, and search an index this host cannot reach.
 */
import { startTestApp, type TestApp } from '../support/app';
import { startCountingProxy, type CountingProxy } from '../support/counting-proxy';
import { docker, testDockerHost, testRegistry } from '../support/engine';
import { cleanUp, makeImage } from '../support/fixtures';
import { codes, gql, wsClient } from '../support/graphql';

const OWNER = 'image-lifecycle';
let proxy: CountingProxy;
let api: TestApp;
let registry: string;

beforeAll(async () => {
  registry = testRegistry();
  proxy = await startCountingProxy(testDockerHost());
  api = await startTestApp({ dockerHost: proxy.dockerHost, env: { DOCKQL_SEARCH_TIMEOUT: '5' } });
});

afterAll(async () => {
  await api?.stop();
  await proxy?.close();
  await cleanUp(OWNER);
});

const exists = async (ref: string) => docker(['image', 'inspect', ref]).then(() => true, () => false);

describe('docker tag', () => {
  it('tags an image and returns it with the new tag', async () => {
    const id = await makeImage(OWNER, 'dockql-test/tag-src:1');
    const res = await gql<{ tagImage: { id: string; repoTags: string[] } }>(api.graphqlUrl, 'mutation { tagImage(source: "dockql-test/tag-src:1", target: "dockql-test/tag-dst:2") { id repoTags } }');
    expect(res.errors).toBeUndefined();
    expect(res.data!.tagImage).toEqual({ id, repoTags: expect.arrayContaining(['dockql-test/tag-src:1', 'dockql-test/tag-dst:2']) });
    expect(await exists('dockql-test/tag-dst:2')).toBe(true);
  });

  it('refuses an unknown source with NOT_FOUND and a bad target with BAD_USER_INPUT, changing nothing', async () => {
    const missing = await gql(api.graphqlUrl, 'mutation { tagImage(source: "dockql-test/none:1", target: "dockql-test/x:1") { id } }');
    expect(codes(missing)).toEqual(['NOT_FOUND']);
    proxy.reset();
    const bad = await gql(api.graphqlUrl, 'mutation { tagImage(source: "dockql/busybox", target: "Bad Name") { id } }');
    expect(codes(bad)).toEqual(['BAD_USER_INPUT']);
    expect(proxy.requests).toEqual([]);
  });
});

describe('docker push', () => {
  it('pushes a local image to the private registry and reports its digest, which the registry then serves', async () => {
    const ref = `${registry}/dockql-test/pushed:1`;
    await makeImage(OWNER, ref);
    const res = await gql<{ pushImage: { ref: string; status: string; digest: string; error: string | null; layers: Array<{ status: string }> } }>(
      api.graphqlUrl,
      `mutation { pushImage(ref: "${ref}") { ref status digest error layers { status } } }`,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.pushImage).toMatchObject({ ref, status: 'SUCCEEDED', error: null, digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });
    const head = await fetch(`http://${registry}/v2/dockql-test/pushed/manifests/1`, {
      method: 'HEAD',
      headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' },
    });
    expect(head.headers.get('docker-content-digest')).toBe(res.data!.pushImage.digest);
  });

  it('follows a push over graphql-ws until its final state', async () => {
    const ref = `${registry}/dockql-test/pushed:2`;
    await makeImage(OWNER, ref);
    const started = await gql<{ pushImage: { id: string } }>(api.graphqlUrl, `mutation { pushImage(ref: "${ref}", wait: false) { id } }`);
    const client = wsClient(api.wsUrl);
    try {
      const statuses: string[] = [];
      for await (const m of client.iterate<{ pushProgress: { status: string } }>({ query: `subscription { pushProgress(id: "${started.data!.pushImage.id}") { status digest } }` })) {
        statuses.push(m.data!.pushProgress.status);
      }
      expect(statuses.at(-1)).toBe('SUCCEEDED');
    } finally {
      await client.dispose();
    }
  });

  it('ends a push to an unreachable registry as FAILED with the daemon\'s words', async () => {
    await makeImage(OWNER, '127.0.0.1:9/dockql-test/nowhere:1');
    const res = await gql<{ pushImage: { status: string; error: string } }>(api.graphqlUrl, 'mutation { pushImage(ref: "127.0.0.1:9/dockql-test/nowhere:1") { status error } }');
    expect(res.data!.pushImage.status).toBe('FAILED');
    expect(res.data!.pushImage.error).toMatch(/connection refused/);
  });

  it('refuses to push an image that is not here with NOT_FOUND before any job', async () => {
    const res = await gql(api.graphqlUrl, `mutation { pushImage(ref: "${registry}/dockql-test/absent:1") { id } }`);
    expect(codes(res)).toEqual(['NOT_FOUND']);
    const pushes = await gql<{ pushes: Array<{ ref: string }> }>(api.graphqlUrl, '{ pushes { ref } }');
    expect(pushes.data!.pushes.map((p) => p.ref)).not.toContain(`${registry}/dockql-test/absent:1`);
  });
});

describe('docker rmi', () => {
  it('removes a tag by name and keeps the image while another tag remains', async () => {
    const id = await makeImage(OWNER, 'dockql-test/rmi:a');
    await docker(['tag', 'dockql-test/rmi:a', 'dockql-test/rmi:b']);
    const res = await gql<{ removeImage: Array<{ untagged: string | null; deleted: string | null }> }>(api.graphqlUrl, 'mutation { removeImage(ref: "dockql-test/rmi:a") { untagged deleted } }');
    expect(res.errors).toBeUndefined();
    expect(res.data!.removeImage).toEqual([{ untagged: 'dockql-test/rmi:a', deleted: null }]);
    expect(await exists(id)).toBe(true);
  });

  it('refuses to remove by id prefix an image several repositories use (CONFLICT, the daemon\'s words), and removes it with force', async () => {
    const id = await makeImage(OWNER, 'dockql-test/shared-one:1');
    await docker(['tag', 'dockql-test/shared-one:1', 'dockql-test/shared-two:1']);
    const prefix = id.slice('sha256:'.length, 'sha256:'.length + 12);
    const refused = await gql(api.graphqlUrl, `mutation { removeImage(ref: "${prefix}") { untagged deleted } }`);
    expect(codes(refused)).toEqual(['CONFLICT']);
    expect(refused.errors![0]!.message).toMatch(/referenced in multiple repositories|must be forced/);
    expect(await exists(id)).toBe(true);

    const forced = await gql<{ removeImage: Array<{ untagged: string | null; deleted: string | null }> }>(api.graphqlUrl, `mutation { removeImage(ref: "${prefix}", force: true) { untagged deleted } }`);
    expect(forced.errors).toBeUndefined();
    expect(forced.data!.removeImage).toEqual(
      expect.arrayContaining([{ untagged: 'dockql-test/shared-one:1', deleted: null }, { untagged: 'dockql-test/shared-two:1', deleted: null }, { untagged: null, deleted: id }]),
    );
    expect(await exists(id)).toBe(false);
  });

  it('refuses to remove an image a container uses (CONFLICT), unless forced', async () => {
    await makeImage(OWNER, 'dockql-test/in-use:1');
    await docker(['create', '--network', 'none', '--label', `dockql.test=${OWNER}`, 'dockql-test/in-use:1', 'true']);
    const id = (await docker(['image', 'inspect', '--format', '{{.Id}}', 'dockql-test/in-use:1'])).stdout.trim();
    const refused = await gql(api.graphqlUrl, `mutation { removeImage(ref: "${id}") { deleted } }`);
    expect(codes(refused)).toEqual(['CONFLICT']);
    expect(refused.errors![0]!.message).toMatch(/being used by|must be forced/);
  });

  it('answers NOT_FOUND for an image that is not here', async () => {
    const res = await gql(api.graphqlUrl, 'mutation { removeImage(ref: "dockql-test/never:1") { deleted } }');
    expect(codes(res)).toEqual(['NOT_FOUND']);
  });
});

describe('docker image prune', () => {
  it('removes dangling images and reports them with the space reclaimed', async () => {
    // Committing a second image under the same tag leaves the first one untagged: dangling.
    const dangling = await makeImage(OWNER, 'dockql-test/dangling:1');
    await makeImage(OWNER, 'dockql-test/dangling:1');
    const res = await gql<{ pruneImages: { deleted: string[]; spaceReclaimed: number } }>(api.graphqlUrl, 'mutation { pruneImages { deleted untagged spaceReclaimed } }');
    expect(res.errors).toBeUndefined();
    expect(res.data!.pruneImages.deleted).toContain(dangling);
    expect(res.data!.pruneImages.spaceReclaimed).toBeGreaterThanOrEqual(0);
    expect(await exists(dangling)).toBe(false);
    expect(await exists('dockql-test/dangling:1')).toBe(true);
  });
});

describe('docker search', () => {
  it('fails fast and cleanly when the index cannot be reached, and the server stays healthy', async () => {
    const started = Date.now();
    const res = await gql(api.graphqlUrl, '{ searchImages(term: "nginx", limit: 5) { name stars official } }');
    expect(codes(res)).toEqual([expect.stringMatching(/^(REGISTRY_UNAVAILABLE|DAEMON_ERROR|TIMEOUT)$/)]);
    expect(res.errors![0]!.message).toMatch(/index\.docker\.io|connection refused|did not answer/);
    expect(Date.now() - started).toBeLessThan(6000);
    expect((await fetch(`${api.baseUrl}/readyz`)).status).toBe(200);
  });

  it('refuses a bad term or limit before asking the daemon', async () => {
    proxy.reset();
    const res = await gql(api.graphqlUrl, '{ a: searchImages(term: "a b") { name } }');
    const limit = await gql(api.graphqlUrl, '{ searchImages(term: "nginx", limit: 0) { name } }');
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(codes(limit)).toEqual(['BAD_USER_INPUT']);
    expect(proxy.requests).toEqual([]);
  });
});
