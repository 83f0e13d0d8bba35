/**
 * The ops story of pulling: pull an image from the private registry (also
 * through a mirror), follow its progress over graphql-ws, share identical
 * pulls, and see failures as failed jobs with the daemon's words.
 */
import type { Client } from 'graphql-ws';
import { startTestApp, type TestApp } from '../support/app';
import { startCountingProxy, type CountingProxy } from '../support/counting-proxy';
import { docker, testDockerHost, testRegistry } from '../support/engine';
import { cleanUp, makeLayeredImage, removeLocally } from '../support/fixtures';
import { codes, gql, wsClient } from '../support/graphql';

const OWNER = 'pull';
const PULL_FIELDS = 'id ref pulledRef status current total message error digest layers { id status current total } image { id repoTags } startedAt finishedAt';

interface Pull {
  id: string;
  ref: string;
  pulledRef: string;
  status: string;
  current: number;
  total: number;
  message: string | null;
  error: string | null;
  digest: string | null;
  layers: Array<{ id: string; status: string; current: number | null; total: number | null }>;
  image: { id: string; repoTags: string[] } | null;
  finishedAt: string | null;
}

let proxy: CountingProxy;
let api: TestApp;
let ws: Client;
let registry: string;
let imageRef: string;
let imageId: string;

async function pull(ref: string, extra = '', wait = true): Promise<Pull> {
  const res = await gql<{ pullImage: Pull }>(api.graphqlUrl, `mutation($ref: String!) { pullImage(ref: $ref, wait: ${wait}${extra}) { ${PULL_FIELDS} } }`, { ref });
  expect(res.errors).toBeUndefined();
  return res.data!.pullImage;
}

/** Every message of a pullProgress subscription, until it completes. */
async function follow(id: string): Promise<Array<{ data?: { pullProgress: Pull } | null; errors?: unknown[] }>> {
  const messages: Array<{ data?: { pullProgress: Pull } | null; errors?: unknown[] }> = [];
  for await (const m of ws.iterate<{ pullProgress: Pull }>({ query: `subscription($id: ID!) { pullProgress(id: $id) { ${PULL_FIELDS} } }`, variables: { id } })) {
    messages.push(m as (typeof messages)[number]);
  }
  return messages;
}

const creates = () => proxy.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/images/create')).length;

beforeAll(async () => {
  registry = testRegistry();
  imageRef = `${registry}/dockql-test/layered:1`;
  imageId = await makeLayeredImage(OWNER, imageRef, 3, 7);
  await docker(['push', imageRef]);
  // Also in the registry as a Docker Hub-style path, for the mirror cases.
  await docker(['tag', imageRef, `${registry}/team/app:1`]);
  await docker(['push', `${registry}/team/app:1`]);
  await docker(['tag', imageRef, `${registry}/library/layered:latest`]);
  await docker(['push', `${registry}/library/layered:latest`]);
  proxy = await startCountingProxy(testDockerHost());
  api = await startTestApp({ dockerHost: proxy.dockerHost });
  ws = wsClient(api.wsUrl);
}, 180_000);

afterAll(async () => {
  await ws?.dispose();
  await api?.stop();
  await proxy?.close();
  for (const ref of [imageRef, 'team/app:1', 'layered:latest']) await removeLocally(ref).catch(() => undefined);
  await cleanUp(OWNER);
});

beforeEach(async () => {
  await removeLocally(imageRef);
  await removeLocally('team/app:1');
  await removeLocally('layered:latest');
});

it('pulls a 3-layer image with wait: true and reports every layer done and the image', async () => {
  const job = await pull(imageRef);
  expect(job).toMatchObject({ ref: imageRef, pulledRef: imageRef, status: 'SUCCEEDED', error: null, image: { id: imageId, repoTags: expect.arrayContaining([imageRef]) } });
  expect(job.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  expect(job.message).toMatch(/Downloaded newer image/);
  const fresh = job.layers.filter((l) => l.status === 'Pull complete');
  expect(fresh.length).toBeGreaterThanOrEqual(3);
  expect(job.total).toBeGreaterThan(20 * 1024 * 1024 * 0.9); // random data does not compress
  expect(job.current).toBe(job.total);
  expect(job.finishedAt).not.toBeNull();
  expect((await docker(['image', 'inspect', '--format', '{{.Id}}', imageRef])).stdout.trim()).toBe(imageId);
});

it('streams progress over graphql-ws: a snapshot first, current never going back, then SUCCEEDED with the image, then completion', async () => {
  const started = await pull(imageRef, '', false);
  expect(['QUEUED', 'RUNNING']).toContain(started.status);
  const messages = await follow(started.id);
  const snapshots = messages.map((m) => m.data!.pullProgress);
  expect(messages.every((m) => m.errors === undefined)).toBe(true);
  expect(snapshots[0]!.id).toBe(started.id);
  expect(snapshots.length).toBeGreaterThan(2); // progress in between, not just first and last
  for (let i = 1; i < snapshots.length; i++) expect(snapshots[i]!.current).toBeGreaterThanOrEqual(snapshots[i - 1]!.current);
  const last = snapshots.at(-1)!;
  expect(last).toMatchObject({ status: 'SUCCEEDED', image: { id: imageId } });
  expect(last.current).toBe(last.total);
  expect(snapshots.slice(0, -1).every((s) => s.status !== 'SUCCEEDED')).toBe(true);
});

it('gives a late subscriber the final snapshot and completes', async () => {
  const done = await pull(imageRef);
  const messages = await follow(done.id);
  expect(messages).toHaveLength(1);
  expect(messages[0]!.data!.pullProgress).toMatchObject({ id: done.id, status: 'SUCCEEDED' });
});

it('merges two identical pulls running at once into one job and one daemon request', async () => {
  proxy.reset();
  const [a, b] = await Promise.all([pull(imageRef, '', false), pull(imageRef, '', false)]);
  expect(b.id).toBe(a.id);
  const messages = await follow(a.id);
  expect(messages.at(-1)!.data!.pullProgress.status).toBe('SUCCEEDED');
  expect(creates()).toBe(1);
  const pulls = await gql<{ pulls: Array<{ id: string }> }>(api.graphqlUrl, '{ pulls { id } }');
  expect(pulls.data!.pulls.filter((p) => p.id === a.id)).toHaveLength(1);
});

it('keeps pulls with different credentials apart: nobody rides on someone else\'s login', async () => {
  const auth = (password: string) => `, auth: { username: "ops", password: "${password}", serverAddress: "${registry}" }`;
  const [anonymous, withLogin] = await Promise.all([pull(imageRef, '', false), pull(imageRef, auth('one'), false)]);
  expect(withLogin.id).not.toBe(anonymous.id);
  await Promise.all([follow(anonymous.id), follow(withLogin.id)]);
});

it('ends a pull of a missing tag as FAILED with the daemon\'s words, also with wait: true', async () => {
  const job = await pull(`${registry}/dockql-test/layered:no-such-tag`);
  expect(job.status).toBe('FAILED');
  expect(job.error).toMatch(/manifest unknown|not found/i);
  expect(job.image).toBeNull();
});

it('fails a pull from Docker Hub cleanly on this offline host, without crashing or hanging', async () => {
  const job = await pull('busybox:1.36');
  expect(job.status).toBe('FAILED');
  expect(job.error).toMatch(/connection refused|dial tcp/);
  const health = await fetch(`${api.baseUrl}/healthz`);
  expect(health.status).toBe(200);
});

it('pulls through a mirror with a bare host: team/app:1 comes from <mirror>/team/app:1 and is tagged with both names', async () => {
  const job = await pull('team/app:1', ', mirror: $mirror'.replace('$mirror', JSON.stringify(registry)));
  expect(job).toMatchObject({ ref: 'team/app:1', pulledRef: `${registry}/team/app:1`, status: 'SUCCEEDED' });
  expect(job.image!.repoTags).toEqual(expect.arrayContaining([`${registry}/team/app:1`, 'team/app:1']));
});

it('pulls an official image through a mirror under library/: layered -> <mirror>/library/layered:latest, tagged layered:latest', async () => {
  const job = await pull('layered', `, mirror: ${JSON.stringify(registry)}`);
  expect(job).toMatchObject({ pulledRef: `${registry}/library/layered:latest`, status: 'SUCCEEDED' });
  expect(job.image!.repoTags).toEqual(expect.arrayContaining(['layered:latest']));
});

it('refuses a mirror together with a ref that names a registry, before any job or daemon request', async () => {
  proxy.reset();
  const res = await gql(api.graphqlUrl, `mutation { pullImage(ref: "${registry}/team/app:1", mirror: "${registry}") { id } }`);
  expect(codes(res)).toEqual(['BAD_USER_INPUT']);
  expect(proxy.requests).toEqual([]);
});

it('cancels a running pull: status CANCELED, and the job says so to its subscribers', async () => {
  const started = await pull(imageRef, '', false);
  const res = await gql<{ cancelPull: Pull }>(api.graphqlUrl, `mutation { cancelPull(id: "${started.id}") { ${PULL_FIELDS} } }`);
  expect(res.errors).toBeUndefined();
  expect(res.data!.cancelPull).toMatchObject({ id: started.id, status: 'CANCELED', image: null });
  const messages = await follow(started.id);
  expect(messages.at(-1)!.data!.pullProgress.status).toBe('CANCELED');
});

it.each([
  ['a query string', 'bb:1?force=true'],
  ['a parent path', '../x'],
  ['an encoded slash', 'a%2Fb'],
  ['spaces', 'busy box'],
  ['a control character', 'busybox\u0007'],
  ['an image id', `sha256:${'a'.repeat(64)}`],
  ['256 characters', 'a'.repeat(256)],
])('refuses a hostile ref (%s) with BAD_USER_INPUT and no daemon request', async (_why, ref) => {
  proxy.reset();
  const res = await gql(api.graphqlUrl, 'mutation($ref: String!) { pullImage(ref: $ref) { id } }', { ref });
  expect(codes(res)).toEqual(['BAD_USER_INPUT']);
  expect(proxy.requests).toEqual([]);
});

it('ends a subscription to an unknown pull with one NOT_FOUND result and keeps the socket usable', async () => {
  const messages = await follow('no-such-job');
  expect(messages).toHaveLength(1);
  expect((messages[0]!.errors as Array<{ extensions: { code: string } }>)[0]!.extensions.code).toBe('NOT_FOUND');
  const again = await follow((await pull(imageRef)).id);
  expect(again.at(-1)!.data!.pullProgress.status).toBe('SUCCEEDED');
});

it('never echoes or logs registry credentials', async () => {
  const logs: string[] = [];
  const secretApi = await startTestApp({ logs });
  try {
    const secret = 'S3cr3t-do-not-echo';
    const res = await fetch(secretApi.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: `mutation($ref: String!, $auth: RegistryAuthInput) { a: pullImage(ref: $ref, auth: $auth, wait: true) { ${PULL_FIELDS} } }`,
        variables: { ref: `${registry}/dockql-test/layered:no-such-tag`, auth: { username: 'ops', password: secret, serverAddress: registry } },
      }),
    });
    const body = await res.text();
    const list = await (await fetch(secretApi.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: `{ pulls { ${PULL_FIELDS} } }` }) })).text();
    expect(body).toContain('FAILED');
    expect(body).not.toContain(secret);
    expect(list).not.toContain(secret);
    expect(logs.join('\n')).not.toContain(secret);
  } finally {
    await secretApi.stop();
  }
});
