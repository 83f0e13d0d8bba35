/**
 * No N+1: asking for every container's image, and every image's containers,
 * costs a constant number of daemon requests however many containers exist.
 */
import { startTestApp, type TestApp } from '../support/app';
import { startCountingProxy, type CountingProxy } from '../support/counting-proxy';
import { BUSYBOX, cleanUp, createContainer, makeImage } from '../support/fixtures';
import { gql } from '../support/graphql';

const OWNER = 'n-plus-one';
const QUERY = '{ containers { name image { repoTags containers { name } } } }';
let proxy: CountingProxy;
let api: TestApp;

/** Creates `count` containers spread over `images`, four at a time. */
async function createContainers(count: number, images: string[], offset: number): Promise<void> {
  const queue = Array.from({ length: count }, (_, i) => i + offset);
  const worker = async () => {
    for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
      await createContainer(OWNER, ['--name', `npo-${i}`], ['true'], images[i % images.length]);
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
}

/** Runs the query through the proxy and returns how many daemon requests it made and how many containers it saw. */
async function measure(): Promise<{ requests: string[]; containers: number }> {
  proxy.reset();
  const res = await gql<{ containers: Array<{ name: string; image: { containers: unknown[] } | null }> }>(api.graphqlUrl, QUERY);
  expect(res.errors).toBeUndefined();
  // Count only this file's containers: other test files create and remove theirs in parallel.
  const mine = res.data!.containers.filter((c) => c.name.startsWith('npo-')).length;
  return { requests: proxy.requests.map((r) => `${r.method} ${r.path.split('?')[0]}`), containers: mine };
}

beforeAll(async () => {
  proxy = await startCountingProxy(process.env.DOCKQL_TEST_DOCKER_HOST!);
  api = await startTestApp({ dockerHost: proxy.dockerHost });
  await gql(api.graphqlUrl, '{ version { client { apiVersion } } }'); // API version negotiation happens once per process
});

afterAll(async () => {
  await api?.stop();
  await proxy?.close();
  await cleanUp(OWNER);
});

it('lists 100 containers with their images and the images\' containers in the same number of daemon requests as 10', async () => {
  const images = [BUSYBOX, await makeImage(OWNER, 'dockql-test/npo:a'), await makeImage(OWNER, 'dockql-test/npo:b')];
  await createContainers(10, images, 0);
  const small = await measure();

  await createContainers(90, images, 10);
  const large = await measure();

  expect(large.containers - small.containers).toBe(90);
  expect(large.requests).toEqual(small.requests);
  // One `docker ps -a` and one `docker images`, whatever the number of containers.
  expect([...large.requests].sort()).toEqual(['GET /containers/json', 'GET /images/json']);
  console.log(`N+1 check: ${large.containers} containers -> ${large.requests.length} daemon requests (${large.requests.join(', ')})`);
});
