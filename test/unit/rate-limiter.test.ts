/** The per-token mutation bucket: burst, refill, retry hints, separate callers, bounded memory (fake clock). */
import { enforceRateLimit, RateLimiter, rateKey } from '../../src/auth/rate-limiter';
import { DockqlError } from '../../src/schema/errors';

/** A clock the test moves by hand. */
function fakeClock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

describe('RateLimiter', () => {
  it('allows a burst at once, then refuses with the time until the next token', () => {
    const clock = fakeClock();
    const limiter = new RateLimiter({ ratePerSecond: 2, burst: 3, now: clock.now });
    expect([1, 2, 3].map(() => limiter.take('ci').allowed)).toEqual([true, true, true]);
    expect(limiter.take('ci')).toEqual({ allowed: false, retryAfterSeconds: 0.5 });
    clock.advance(200);
    expect(limiter.take('ci')).toEqual({ allowed: false, retryAfterSeconds: 0.3 });
  });

  it('refills at the rate, never above the burst', () => {
    const clock = fakeClock();
    const limiter = new RateLimiter({ ratePerSecond: 2, burst: 3, now: clock.now });
    for (let i = 0; i < 3; i++) limiter.take('ci');
    clock.advance(500);
    expect(limiter.take('ci').allowed).toBe(true);
    expect(limiter.take('ci').allowed).toBe(false);
    clock.advance(60_000);
    expect([1, 2, 3, 4].map(() => limiter.take('ci').allowed)).toEqual([true, true, true, false]);
  });

  it('keeps one bucket per caller', () => {
    const clock = fakeClock();
    const limiter = new RateLimiter({ ratePerSecond: 1, burst: 1, now: clock.now });
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(false);
    expect(limiter.take('b').allowed).toBe(true);
  });

  it('a retry after exactly the hinted time succeeds', () => {
    const clock = fakeClock();
    const limiter = new RateLimiter({ ratePerSecond: 3, burst: 1, now: clock.now });
    limiter.take('ci');
    const refused = limiter.take('ci');
    if (refused.allowed) throw new Error('expected a refusal');
    clock.advance(refused.retryAfterSeconds * 1000);
    expect(limiter.take('ci').allowed).toBe(true);
  });

  it('drops buckets that have been idle long enough to be full again', () => {
    const clock = fakeClock();
    const limiter = new RateLimiter({ ratePerSecond: 10, burst: 20, now: clock.now });
    for (let i = 0; i < 1000; i++) limiter.take(`caller-${i}`);
    expect(limiter.size).toBe(1000);
    clock.advance(2000); // burst / rate = 2 s: every bucket is full again
    limiter.take('latest');
    expect(limiter.size).toBe(1);
  });

  it('never tracks more than maxKeys callers (the least recently seen goes first)', () => {
    const clock = fakeClock();
    const limiter = new RateLimiter({ ratePerSecond: 1, burst: 1, maxKeys: 2, now: clock.now });
    limiter.take('a');
    limiter.take('b');
    limiter.take('a');
    limiter.take('c');
    expect(limiter.size).toBe(2);
    // b was forgotten (full bucket again); a was not.
    expect(limiter.take('a').allowed).toBe(false);
    expect(limiter.take('b').allowed).toBe(true);
  });

  it('refuses nonsense settings', () => {
    expect(() => new RateLimiter({ ratePerSecond: 0, burst: 1 })).toThrow(RangeError);
    expect(() => new RateLimiter({ ratePerSecond: 1, burst: 0 })).toThrow(RangeError);
  });
});

describe('rateKey', () => {
  it('is the token name, plus its hash when there is one', () => {
    expect(rateKey({ name: 'anonymous', role: 'admin' })).toBe('anonymous');
    expect(rateKey({ name: 'ci', role: 'operator', tokenSha256: 'ab'.repeat(32) })).toBe(`ci#${'ab'.repeat(32)}`);
  });
});

describe('enforceRateLimit', () => {
  it('throws RATE_LIMITED naming the limit, with retryAfterSeconds', () => {
    const limiter = new RateLimiter({ ratePerSecond: 20, burst: 1, now: () => 0 });
    const ci = { name: 'ci', role: 'operator' as const };
    enforceRateLimit(limiter, ci);
    let error: unknown;
    try {
      enforceRateLimit(limiter, ci);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(DockqlError);
    const e = error as DockqlError;
    expect(e.extensions).toEqual({ code: 'RATE_LIMITED', retryAfterSeconds: 0.05, limitPerSecond: 20, burst: 1 });
    expect(e.message).toBe('token "ci" is over its mutation rate limit (20 a second, bursts of 1; DOCKQL_RATE_LIMIT, DOCKQL_RATE_BURST): retry in 0.05 s');
  });
});
