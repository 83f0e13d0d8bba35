/**
 * The shared event stream against a fake daemon: one connection for all
 * subscribers, opened lazily and closed after the last; bounded buffers;
 * reconnection with `since`, de-duplication and the `reconnected` notice.
 */
import { PassThrough } from 'node:stream';
import { createLogger } from '../../src/logger';
import { DaemonEventHub, type HubEvent } from '../../src/streams/daemon-events';
import type { Envelope } from '../../src/streams/envelope';

const T0 = 1_800_000_000_000_000_000n;

/** A daemon event line at T0 + n ns. */
function line(n: number, action = 'start', id = `c${n}`, type = 'container'): string {
  return `${JSON.stringify({ Type: type, Action: action, Actor: { ID: id, Attributes: { name: `n${n}` } }, scope: 'local', time: 1_800_000_000 }).slice(0, -1)},"timeNano":${T0 + BigInt(n)}}\n`;
}

/** A daemon whose /events connections the test drives. */
class FakeDaemon {
  readonly opens: Array<{ since?: bigint; stream: PassThrough; signal: AbortSignal }> = [];
  /** While > 0, opening fails (daemon down), counting down. */
  refuse = 0;

  readonly open = async ({ since, signal }: { since?: bigint; signal: AbortSignal }): Promise<PassThrough> => {
    if (this.refuse > 0) {
      this.refuse--;
      throw new Error('connect ECONNREFUSED');
    }
    const stream = new PassThrough();
    this.opens.push({ since, stream, signal });
    return stream;
  };

  get current(): PassThrough {
    return this.opens[this.opens.length - 1]!.stream;
  }

  emit(...lines: string[]): void {
    for (const l of lines) this.current.write(l);
  }
}

const tick = () => new Promise((r) => setTimeout(r, 5));
async function until(check: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await tick();
  }
}

/** Reads `n` envelopes from a subscription. */
async function take<T>(it: AsyncIterator<Envelope<T>>, n: number): Promise<Envelope<T>[]> {
  const out: Envelope<T>[] = [];
  for (let i = 0; i < n; i++) {
    const r = await it.next();
    if (r.done) break;
    out.push(r.value);
  }
  return out;
}

const actions = (envelopes: Envelope<HubEvent>[]) => envelopes.map((e) => ('value' in e ? `${e.value.Action}:${e.value.Actor.ID}` : `error:${String(e.error.extensions.code)}`));
const all = (e: HubEvent) => e;

let daemon: FakeDaemon;
let hub: DaemonEventHub;

function makeHub(bufferSize = 100): DaemonEventHub {
  return new DaemonEventHub({ open: daemon.open, bufferSize, log: createLogger('silent'), backoff: { initialMs: 1, maxMs: 5, factor: 2, jitter: 0 } });
}

beforeEach(() => {
  daemon = new FakeDaemon();
  hub = makeHub();
});
afterEach(() => hub.dispose());

it('opens no connection until someone subscribes, then one for every subscriber', async () => {
  await tick();
  expect(daemon.opens).toHaveLength(0);
  const subs = Array.from({ length: 50 }, () => hub.subscribe(all));
  await until(() => hub.stats().connected);
  daemon.emit(line(1, 'create'), line(2, 'start'));
  for (const s of subs) expect(actions(await take(s, 2))).toEqual(['create:c1', 'start:c2']);
  expect(daemon.opens).toHaveLength(1);
  expect(hub.stats()).toEqual({ connectionsOpened: 1, connected: true, subscribers: 50 });
});

it('asks the daemon for events from the moment of the first subscription on', async () => {
  const before = BigInt(Date.now()) * 1_000_000n;
  hub.subscribe(all);
  await until(() => daemon.opens.length === 1);
  expect(daemon.opens[0]!.since).toBeGreaterThanOrEqual(before);
  expect(daemon.opens[0]!.since).toBeLessThanOrEqual(BigInt(Date.now()) * 1_000_000n);
});

it('closes the connection after the last subscriber leaves, and opens exactly one new one for the next', async () => {
  const a = hub.subscribe(all);
  const b = hub.subscribe(all);
  await until(() => hub.stats().connected);
  await a.return!();
  expect(daemon.opens[0]!.signal.aborted).toBe(false);
  await b.return!();
  expect(daemon.opens[0]!.signal.aborted).toBe(true);
  await until(() => !hub.stats().connected);
  const c = hub.subscribe(all);
  await until(() => hub.stats().connected);
  expect(daemon.opens).toHaveLength(2);
  daemon.emit(line(3));
  expect(actions(await take(c, 1))).toEqual(['start:c3']);
});

it('gives each subscriber only what its selector keeps', async () => {
  const dies = hub.subscribe((e) => (e.Action === 'die' ? e : undefined));
  const everything = hub.subscribe(all);
  await until(() => hub.stats().connected);
  daemon.emit(line(1, 'create'), line(2, 'die'), line(3, 'destroy'));
  expect(actions(await take(everything, 3))).toEqual(['create:c1', 'die:c2', 'destroy:c3']);
  expect(actions(await take(dies, 1))).toEqual(['die:c2']);
});

it('ends a subscriber that falls behind with one SUBSCRIBER_TOO_SLOW result, and never delays the others', async () => {
  hub = makeHub(3);
  const slow = hub.subscribe(all);
  const fast = hub.subscribe(all);
  await until(() => hub.stats().connected);
  const fastSeen: string[] = [];
  for (let n = 1; n <= 10; n++) {
    daemon.emit(line(n));
    fastSeen.push(...actions(await take(fast, 1)));
  }
  expect(fastSeen).toHaveLength(10);
  expect(hub.stats().subscribers).toBe(1);
  // Three buffered events were dropped with it: the error says what happened, then it completes.
  const rest = await take(slow, 10);
  expect(actions(rest)).toEqual(['error:SUBSCRIBER_TOO_SLOW']);
  expect('error' in rest[0]! && rest[0].error.message).toMatch(/fell 3 events behind/);
  await expect(slow.next()).resolves.toEqual({ value: undefined, done: true });
  // The stream goes on for the others.
  daemon.emit(line(11));
  expect(actions(await take(fast, 1))).toEqual(['start:c11']);
});

it('reconnects after a break with since = the last event, drops the replayed duplicates, and sends `reconnected`', async () => {
  const sub = hub.subscribe(all);
  await until(() => hub.stats().connected);
  daemon.emit(line(1, 'create'), line(2, 'start'));
  expect(actions(await take(sub, 2))).toEqual(['create:c1', 'start:c2']);
  daemon.current.destroy();
  await until(() => daemon.opens.length === 2);
  expect(daemon.opens[1]!.since).toBe(T0 + 2n);
  // The daemon's since is inclusive: it replays event 2, then the new ones.
  daemon.emit(line(2, 'start'), line(3, 'die'));
  const [notice, ...after] = await take(sub, 2);
  expect(notice).toMatchObject({ value: { Type: 'daemon', Action: 'reconnected', synthetic: true, Actor: { ID: 'dockql' } } });
  const attributes = 'value' in notice! ? notice.value.Actor.Attributes : {};
  expect(Date.parse(attributes.gapEnd!)).toBeGreaterThanOrEqual(Date.parse(attributes.gapStart!));
  expect(attributes.reason).toMatch(/cut off/);
  expect(attributes.lastEventTime).toBe(new Date(Number((T0 + 2n) / 1_000_000n)).toISOString());
  expect(actions(after)).toEqual(['die:c3']);
  expect(hub.stats().connectionsOpened).toBe(2);
});

it('keeps subscriptions open while the daemon is down, retrying with backoff, and reconnects on a malformed line too', async () => {
  daemon.refuse = 3;
  const sub = hub.subscribe(all);
  await until(() => hub.stats().connected);
  expect(daemon.refuse).toBe(0);
  const [notice] = await take(sub, 1);
  expect(notice).toMatchObject({ value: { Action: 'reconnected', Actor: { Attributes: { attempts: '3', reason: expect.stringMatching(/ECONNREFUSED/) } } } });
  daemon.emit('this is not json\n');
  await until(() => daemon.opens.length === 2);
  daemon.emit(line(5));
  const got = actions(await take(sub, 2));
  expect(got).toEqual(['reconnected:dockql', 'start:c5']);
});

it('completes every subscription and closes the connection on dispose; later subscriptions complete at once', async () => {
  const sub = hub.subscribe(all);
  await until(() => hub.stats().connected);
  daemon.emit(line(1));
  await tick();
  await hub.dispose();
  expect(daemon.opens[0]!.signal.aborted).toBe(true);
  expect(actions(await take(sub, 5))).toEqual(['start:c1']);
  await expect(sub.next()).resolves.toMatchObject({ done: true });
  await expect(hub.subscribe(all).next()).resolves.toMatchObject({ done: true });
  expect(hub.stats().connected).toBe(false);
});

it('ends a pending read when the subscriber leaves, without waiting for the next event', async () => {
  const sub = hub.subscribe(all);
  await until(() => hub.stats().connected);
  const pending = sub.next();
  await sub.return!();
  await expect(pending).resolves.toMatchObject({ done: true });
  expect(hub.stats().subscribers).toBe(0);
});
