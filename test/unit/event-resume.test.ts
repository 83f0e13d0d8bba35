/** Resuming the event stream: backoff, replay de-duplication, and the per-subscriber bounded queue. */
import { GraphQLError } from 'graphql';
import { backoffDelay, DEFAULT_BACKOFF, eventKey, RecentKeys } from '../../src/streams/event-resume';
import { SubscriberQueue } from '../../src/streams/subscriber-queue';

describe('backoffDelay', () => {
  const policy = { initialMs: 100, maxMs: 3000, factor: 2, jitter: 0 };

  it('doubles from the initial wait up to the cap, and stays there', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 100, 1e9].map((n) => backoffDelay(n, policy))).toEqual([100, 200, 400, 800, 1600, 3000, 3000, 3000, 3000]);
  });

  it('spreads each wait by the jitter, never past the cap or below zero', () => {
    const jittered = { ...policy, jitter: 0.2 };
    expect(backoffDelay(0, jittered, () => 0)).toBe(80);
    expect(backoffDelay(0, jittered, () => 0.9999)).toBe(120);
    expect(backoffDelay(10, jittered, () => 0.9999)).toBe(3000);
    expect(backoffDelay(-5, jittered, () => 0)).toBe(80);
  });

  it('caps the default at a few seconds', () => {
    expect(backoffDelay(50)).toBeLessThanOrEqual(DEFAULT_BACKOFF.maxMs);
    expect(DEFAULT_BACKOFF.maxMs).toBeLessThanOrEqual(5000);
  });
});

describe('replay de-duplication', () => {
  const e = (timeNano: bigint, Action = 'start', ID = 'c1', Type = 'container') => ({ timeNano, Type, Action, Actor: { ID } });

  it('tells events apart by (timeNano, Type, Action, Actor.ID)', () => {
    const keys = new Set([e(1n), e(2n), e(1n, 'die'), e(1n, 'start', 'c2'), e(1n, 'start', 'c1', 'network')].map(eventKey));
    expect(keys.size).toBe(5);
    expect(eventKey(e(1n))).toBe(eventKey(e(1n)));
  });

  it('recognises what it saw, forgetting the oldest beyond its capacity', () => {
    const recent = new RecentKeys(3);
    expect(['a', 'b', 'c'].map((k) => recent.seen(k))).toEqual([false, false, false]);
    expect(recent.seen('b')).toBe(true);
    expect(recent.seen('d')).toBe(false);
    expect(recent.size).toBe(3);
    expect(recent.seen('a')).toBe(false);
  });
});

describe('SubscriberQueue', () => {
  it('hands values straight to a waiting reader, buffers up to its capacity, and refuses beyond', async () => {
    const q = new SubscriberQueue<number>(2);
    const waiting = q.next();
    expect(q.offer(1)).toBe(true);
    await expect(waiting).resolves.toEqual({ value: { value: 1 }, done: false });
    expect([q.offer(2), q.offer(3), q.offer(4)]).toEqual([true, true, false]);
    expect(q.size).toBe(2);
  });

  it('fails with the error as the last result, dropping what it held, then completes and reports it once', async () => {
    let closed = 0;
    const q = new SubscriberQueue<number>(5, () => closed++);
    q.offer(1);
    q.offer(2);
    const error = new GraphQLError('too slow', { extensions: { code: 'SUBSCRIBER_TOO_SLOW' } });
    q.fail(error);
    expect(q.offer(3)).toBe(true); // ignored: the subscription is over
    await expect(q.next()).resolves.toEqual({ value: { error }, done: false });
    await expect(q.next()).resolves.toEqual({ value: undefined, done: true });
    await q.return();
    expect(closed).toBe(1);
  });

  it('drains what it holds after end(), then completes', async () => {
    const q = new SubscriberQueue<number>(5);
    q.offer(1);
    q.end();
    await expect(q.next()).resolves.toEqual({ value: { value: 1 }, done: false });
    await expect(q.next()).resolves.toMatchObject({ done: true });
  });

  it('keeps order across many reads and refills (buffer compaction)', async () => {
    const q = new SubscriberQueue<number>(3000);
    const read = async (n: number) => {
      const out: number[] = [];
      for (let i = 0; i < n; i++) {
        const r = await q.next();
        if (!r.done && 'value' in r.value) out.push(r.value.value);
      }
      return out;
    };
    for (let i = 0; i < 3000; i++) q.offer(i);
    const first = await read(2000);
    for (let i = 3000; i < 5000; i++) expect(q.offer(i)).toBe(true);
    expect(q.offer(-1)).toBe(false);
    const rest = await read(3000);
    expect([...first, ...rest]).toEqual(Array.from({ length: 5000 }, (_, i) => i));
  });
});
