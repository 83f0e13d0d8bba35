/**
 * The per-token mutation budget: one token bucket per caller, `burst` deep,
 * refilled at `ratePerSecond`. Hand-written rather than taken from
 * rate-limiter-flexible: that package is not a dependency (and its memory
 * limiter counts fixed windows; a refilling bucket with a burst needs two of
 * them combined), while this is one small pure class with an injectable clock.
 */
import { DockqlError, ErrorCode } from '../schema/errors';
import type { Principal } from './principal';

/** Settings of a {@link RateLimiter}. */
export interface RateLimiterOptions {
  /** Sustained rate: tokens added per second. */
  readonly ratePerSecond: number;
  /** Bucket size: calls allowed at once after a quiet spell. */
  readonly burst: number;
  /** Most callers tracked at once; the least recently seen is forgotten beyond it (it then starts with a full bucket). */
  readonly maxKeys?: number;
  /** The clock in ms (tests inject a fake one). */
  readonly now?: () => number;
}

/** The answer to one {@link RateLimiter.take}. */
export type RateDecision = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  at: number;
}

/** Token buckets by caller key; memory stays bounded: idle (full again) buckets are dropped. */
export class RateLimiter {
  readonly ratePerSecond: number;
  readonly burst: number;
  private readonly maxKeys: number;
  private readonly now: () => number;
  /** Ordered by last use (a key is re-inserted on each take), so idle buckets sit at the front. */
  private readonly buckets = new Map<string, Bucket>();
  /** How long an untouched bucket takes to refill completely; after that it equals a fresh one. */
  private readonly refillMs: number;

  constructor(options: RateLimiterOptions) {
    if (!(options.ratePerSecond > 0) || !(options.burst >= 1)) throw new RangeError('ratePerSecond must be > 0 and burst >= 1');
    this.ratePerSecond = options.ratePerSecond;
    this.burst = options.burst;
    this.maxKeys = Math.max(1, options.maxKeys ?? 10_000);
    this.now = options.now ?? Date.now;
    this.refillMs = (this.burst / this.ratePerSecond) * 1000;
  }

  /** Spends one token of `key`'s bucket, or says how long until one is there. */
  take(key: string): RateDecision {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + (Math.max(0, now - bucket.at) / 1000) * this.ratePerSecond);
    bucket.at = now;
    this.buckets.delete(key);
    this.buckets.set(key, bucket);
    this.forgetIdle(now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    // Rounded up to the ms, so that retrying after exactly this long succeeds.
    return { allowed: false, retryAfterSeconds: Math.ceil(((1 - bucket.tokens) / this.ratePerSecond) * 1000) / 1000 };
  }

  /** Callers currently tracked (for tests and metrics). */
  get size(): number {
    return this.buckets.size;
  }

  private forgetIdle(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (this.buckets.size <= this.maxKeys && now - bucket.at < this.refillMs) break;
      this.buckets.delete(key);
    }
  }
}

/** The bucket key of a caller: its token name, and its token's hash when it has one (a re-issued token starts afresh). */
export function rateKey(principal: Principal): string {
  return principal.tokenSha256 ? `${principal.name}#${principal.tokenSha256}` : principal.name;
}

/**
 * Spends one of `principal`'s mutation tokens.
 * @throws DockqlError RATE_LIMITED naming the limit, with `extensions.retryAfterSeconds`.
 */
export function enforceRateLimit(limiter: RateLimiter, principal: Principal): void {
  const decision = limiter.take(rateKey(principal));
  if (decision.allowed) return;
  throw new DockqlError(
    ErrorCode.RATE_LIMITED,
    `token "${principal.name}" is over its mutation rate limit (${limiter.ratePerSecond} a second, bursts of ${limiter.burst}; DOCKQL_RATE_LIMIT, DOCKQL_RATE_BURST): retry in ${decision.retryAfterSeconds} s`,
    { retryAfterSeconds: decision.retryAfterSeconds, limitPerSecond: limiter.ratePerSecond, burst: limiter.burst },
  );
}
