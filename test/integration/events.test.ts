/**
 * The ops story of watching a host: subscribe to container events over
 * graphql-ws, run containers with the docker CLI, and see their lives in
 * order; narrow by name, label and action; many dashboards share one daemon
 * stream; a client that stops reading is dropped without hurting the others.
 */
import { randomBytes } from 'node:crypto';
import type { Client } from 'graphql-ws';
import { startTestApp, type TestApp } from '../support/app';
import { type ConnectionTracker, startConnectionTracker } from '../support/connection-tracker';
import { type CountingProxy, startCountingProxy } from '../support/counting-proxy';
import { docker, testDockerHost } from '../support/engine';
import { BUSYBOX, cleanUp, TEST_LABEL } from '../support/fixtures';
import { wsClient, wsQuery } from '../support/graphql';
import { rawSubscriber } from '../support/raw-graphql-ws';
import { type RecordedSubscription, recordSubscription } from '../support/subscription-recorder';

const OWNER = 'events';
const RUN = randomBytes(3).toString('hex');
/** A tag the `events` test makes and removes (images carry no test label). */
const TAG = `dq-ev-${RUN}/tagged:1`;
const CONTAINER_FIELDS = 'action containerId name image time timeNano exitCode attributes { key value }';

interface ContainerEvent {
  action: string;
  containerId: string;
  name: string | null;
  image: string | null;
  time: string;
  timeNano: string;
  exitCode: number | null;
  attributes: Array<{ key: string; value: string }>;
}
type Events = RecordedSubscription<{ containerEvents: ContainerEvent }>;

let tracker: ConnectionTracker;
let proxy: CountingProxy;
let api: TestApp;
const clients: Client[] = [];

/** A graphql-ws client (of `url`, default this file's server), disposed after the test. */
function client(url = api.wsUrl): Client {
  const c = wsClient(url);
  clients.push(c);
  return c;
}

function watch(c: Client, filter: Record<string, unknown> | null = null): Events {
  return recordSubscription(c, `subscription($f: ContainerEventFilter) { containerEvents(filter: $f) { ${CONTAINER_FIELDS} } }`, { f: filter });
}

/** The actions a subscription received so far, as `action name`. */
const seen = (s: Events) => s.results.map((r) => `${r.data?.containerEvents.action} ${r.data?.containerEvents.name}`);
const has = (s: Events, entry: string) => () => seen(s).includes(entry);

async function until(check: () => boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Resolves once the server has `n` event subscribers and its daemon stream is open. */
const subscribed = (n: number, app = api) => until(() => app.app.eventHub.stats().subscribers === n && app.app.eventHub.stats().connected, `${n} event subscribers`);

/** Like `docker run --name <name> ... sh -c 'exit <code>'`, waited for, then `docker rm`: create, start, die, destroy. */
async function lifecycle(name: string, labels: string[] = [], code = 0): Promise<string> {
  const args = ['create', '--network', 'none', '--name', name, '--label', `${TEST_LABEL}=${OWNER}`, ...labels.flatMap((l) => ['--label', l]), BUSYBOX, 'sh', '-c', `exit ${code}`];
  const id = (await docker(args)).stdout.trim();
  await docker(['start', id]);
  await docker(['wait', id]);
  await docker(['rm', id]);
  return id;
}

const eventsRequests = () => proxy.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/events')).length;

beforeAll(async () => {
  tracker = await startConnectionTracker(testDockerHost());
  proxy = await startCountingProxy(tracker.dockerHost);
  api = await startTestApp({ dockerHost: proxy.dockerHost });
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await api?.stop();
  await proxy?.close();
  await tracker?.close();
  await docker(['rmi', TAG]).catch(() => undefined);
  await cleanUp(OWNER);
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
  await until(() => api.app.eventHub.stats().subscribers === 0, 'no event subscribers left');
});

it('shows a container\'s life in order: create, start, die (with its exit code), destroy', async () => {
  const name = `dq-ev-${RUN}-life`;
  const sub = watch(client(), { containers: [name] });
  await subscribed(1);
  const id = await lifecycle(name, ['team=ops'], 3);
  await sub.waitFor(has(sub, `destroy ${name}`), 'the destroy event');
  const events = sub.results.map((r) => r.data!.containerEvents);
  expect(sub.results.every((r) => r.errors === undefined)).toBe(true);
  expect(events.map((e) => e.action)).toEqual(['create', 'start', 'die', 'destroy']);
  expect(events.every((e) => e.containerId === id && e.name === name && e.image === BUSYBOX)).toBe(true);
  expect(events.map((e) => e.exitCode)).toEqual([null, null, 3, null]);
  expect(events[0]!.attributes).toEqual(expect.arrayContaining([{ key: 'team', value: 'ops' }, { key: TEST_LABEL, value: OWNER }]));
  const times = events.map((e) => BigInt(e.timeNano));
  expect([...times].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(times);
  expect(Math.abs(Date.parse(events[0]!.time) - Date.now())).toBeLessThan(60_000);
  expect(sub.completed).toBe(false);
});

it('narrows by container name, by label and by action, each subscription seeing only its own', async () => {
  const [blue, red] = [`dq-ev-${RUN}-blue`, `dq-ev-${RUN}-red`];
  const c = client();
  const byName = watch(c, { containers: [blue] });
  const byLabel = watch(c, { labels: [`${TEST_LABEL}=${OWNER}`, `colour=blue`] });
  const dies = watch(c, { actions: ['die'], containers: [blue, red] });
  const everything = watch(client(), { labels: [`run=${RUN}`] });
  await subscribed(4);
  await lifecycle(blue, ['colour=blue', `run=${RUN}`]);
  await lifecycle(red, ['colour=red', `run=${RUN}`], 1);
  await everything.waitFor(has(everything, `destroy ${red}`), 'the last destroy');
  await dies.waitFor(() => dies.results.length >= 2, 'both die events');
  await byName.waitFor(has(byName, `destroy ${blue}`), 'blue\'s destroy');
  await byLabel.waitFor(has(byLabel, `destroy ${blue}`), 'blue\'s destroy by label');
  // Give any stray event the time to arrive before asserting it did not.
  await new Promise((r) => setTimeout(r, 300));
  expect(seen(everything)).toEqual([...['create', 'start', 'die', 'destroy'].map((a) => `${a} ${blue}`), ...['create', 'start', 'die', 'destroy'].map((a) => `${a} ${red}`)]);
  expect(seen(byName)).toEqual(['create', 'start', 'die', 'destroy'].map((a) => `${a} ${blue}`));
  expect(seen(byLabel)).toEqual(seen(byName));
  expect(seen(dies)).toEqual([`die ${blue}`, `die ${red}`]);
  expect(dies.results.map((r) => r.data!.containerEvents.exitCode)).toEqual([0, 1]);
});

it('serves 50 concurrent subscribers over 5 sockets from ONE daemon /events connection, closed after the last leaves', async () => {
  await until(() => tracker.open('/events') === 0, 'the previous daemon stream to close');
  proxy.reset();
  const sockets = Array.from({ length: 5 }, () => client());
  const name = `dq-ev-${RUN}-fifty`;
  const subs = Array.from({ length: 50 }, (_, i) => watch(sockets[i % 5]!, { containers: [name] }));
  await subscribed(50);
  await lifecycle(name);
  await Promise.all(subs.map((s) => s.waitFor(has(s, `destroy ${name}`), 'the destroy event')));
  for (const s of subs) expect(seen(s)).toEqual(['create', 'start', 'die', 'destroy'].map((a) => `${a} ${name}`));
  expect(eventsRequests()).toBe(1);
  expect(tracker.open('/events')).toBe(1);

  for (const s of subs.slice(0, 49)) s.stop();
  await until(() => api.app.eventHub.stats().subscribers === 1, 'one subscriber left');
  expect(tracker.open('/events')).toBe(1);
  subs[49]!.stop();
  await until(() => tracker.open('/events') === 0, 'the daemon stream to close after the last subscriber');

  const next = watch(sockets[0]!, { containers: [`${name}-again`] });
  await subscribed(1);
  await lifecycle(`${name}-again`);
  await next.waitFor(has(next, `destroy ${name}-again`), 'the next subscriber\'s events');
  expect(eventsRequests()).toBe(2);
  expect(tracker.open('/events')).toBe(1);
});

it('refuses a bad filter with BAD_USER_INPUT before subscribing, and the socket stays usable', async () => {
  const c = client();
  const bad = watch(c, { labels: ['=x'], containers: ['ok'] });
  await bad.waitFor(() => bad.completed, 'the subscription to end');
  expect(bad.results).toHaveLength(1);
  expect(bad.results[0]!.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
  expect(bad.results[0]!.errors?.[0]?.message).toMatch(/filter\.labels\[0\]/);
  expect((await wsQuery<{ __typename: string }>(c, '{ __typename }')).data).toEqual({ __typename: 'Query' });
});

it('streams every event type through `events`, typed, and narrows by type', async () => {
  const c = client();
  const all = recordSubscription<{ events: { type: string; rawType: string; action: string; actorId: string; scope: string } }>(c, 'subscription { events { type rawType action actorId scope } }');
  const images = recordSubscription<{ events: { type: string; action: string; actorId: string } }>(c, 'subscription { events(filter: { types: [IMAGE] }) { type action actorId } }');
  await subscribed(2);
  await docker(['tag', BUSYBOX, TAG]);
  await docker(['rmi', TAG]);
  await images.waitFor(() => images.results.some((r) => r.data?.events.action === 'untag'), 'the untag event');
  await all.waitFor(() => all.results.some((r) => r.data?.events.action === 'untag'), 'the untag event on the unfiltered subscription');
  expect(images.results.map((r) => r.data!.events.type)).toEqual(images.results.map(() => 'IMAGE'));
  expect(images.results.map((r) => r.data!.events.action)).toEqual(expect.arrayContaining(['tag', 'untag']));
  expect(all.results.find((r) => r.data?.events.action === 'tag')!.data!.events).toMatchObject({ type: 'IMAGE', rawType: 'image', scope: 'local' });
});

it('completes event subscriptions (no error) and closes the daemon stream when the server stops', async () => {
  const own = await startTestApp();
  try {
    const sub = watch(client(own.wsUrl), { labels: [`never=${RUN}`] });
    await subscribed(1, own);
    await own.stop();
    await sub.waitFor(() => sub.completed, 'the subscription to complete');
    expect(sub.error).toBeUndefined();
    expect(sub.results).toEqual([]);
    expect(own.app.eventHub.stats()).toMatchObject({ connected: false, subscribers: 0 });
  } finally {
    await own.stop();
  }
});

describe('a client that stops reading', () => {
  let slowApi: TestApp;

  beforeAll(async () => {
    // 64 aliases below: over the default alias limit (30), which this test is not about.
    slowApi = await startTestApp({ env: { DOCKQL_SUBSCRIBER_BUFFER: '2', DOCKQL_MAX_ALIASES: '100' } });
  });
  afterAll(async () => {
    await slowApi?.stop();
  });

  it('is ended with SUBSCRIBER_TOO_SLOW while a normal subscriber on another socket keeps receiving', async () => {
    const label = `slow=${RUN}`;
    // Many aliases of the attributes make each message megabytes, so the paused socket's kernel buffers fill quickly.
    const aliases = Array.from({ length: 64 }, (_, i) => `a${i}: attributes { value }`).join(' ');
    const slow = await rawSubscriber(slowApi.wsUrl, `subscription { containerEvents(filter: { labels: ["${label}"] }) { action ${aliases} } }`);
    const normal = recordSubscription<{ containerEvents: ContainerEvent }>(client(slowApi.wsUrl), `subscription { containerEvents(filter: { labels: ["${label}"] }) { action name } }`);
    await subscribed(2, slowApi);
    slow.pause();
    const big = `big=${'x'.repeat(64 * 1024)}`;
    const names = Array.from({ length: 10 }, (_, i) => `dq-ev-${RUN}-slow${i}`);
    for (const name of names) {
      await docker(['create', '--network', 'none', '--name', name, '--label', `${TEST_LABEL}=${OWNER}`, '--label', label, '--label', big, BUSYBOX, 'true']);
      await docker(['rm', name]);
    }
    await normal.waitFor(() => normal.results.length === 20, 'all 20 events on the normal subscription');
    await until(() => slowApi.app.eventHub.stats().subscribers === 1, 'the slow subscriber to be dropped');

    slow.resume();
    const ended = await slow.completion();
    expect(ended.results.length).toBeGreaterThan(0);
    expect(ended.results.slice(0, -1).every((r) => r.errors === undefined)).toBe(true);
    expect(ended.results.length).toBeLessThan(20);
    const last = ended.results.at(-1)!;
    expect(last.errors?.map((e) => e.extensions?.code)).toEqual(['SUBSCRIBER_TOO_SLOW']);
    // The socket is still open and serves the next operation.
    expect(await slow.query('{ __typename }')).toEqual({ data: { __typename: 'Query' } });
    slow.close();

    const after = `dq-ev-${RUN}-after`;
    await docker(['create', '--network', 'none', '--name', after, '--label', `${TEST_LABEL}=${OWNER}`, '--label', label, BUSYBOX, 'true']);
    await normal.waitFor(() => normal.results.some((r) => r.data?.containerEvents.name === after), 'the event after the drop');
    expect(normal.completed).toBe(false);
  });
});
