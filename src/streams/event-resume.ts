/**
 * The pure parts of resuming the daemon's event stream after it broke:
 * how long to wait before the next attempt, and how to recognise events the
 * daemon replays (with `since`) that subscribers already have.
 */
import type { DaemonEventDto } from '../docker/events';

/** Exponential backoff between reconnection attempts. */
export interface BackoffPolicy {
  /** Wait before the first retry. */
  readonly initialMs: number;
  /** Longest wait: a daemon that is back is noticed within this time. */
  readonly maxMs: number;
  /** Growth per failed attempt. */
  readonly factor: number;
  /** Random spread (0..1) of each wait, so that many dockql instances do not reconnect in lockstep. */
  readonly jitter: number;
}

/** 100 ms, 200 ms, 400 ms ... capped at 3 s, ±20%. */
export const DEFAULT_BACKOFF: BackoffPolicy = Object.freeze({ initialMs: 100, maxMs: 3_000, factor: 2, jitter: 0.2 });

/**
 * The wait before retry number `attempt` (0 for the first retry).
 * @param random a number in [0, 1), e.g. Math.random (injected by tests).
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  // Capped before multiplying, so that a large attempt count cannot overflow to Infinity.
  const exponent = Math.min(Math.max(0, attempt), 64);
  const base = Math.min(policy.maxMs, policy.initialMs * policy.factor ** exponent);
  const spread = base * policy.jitter * (random() * 2 - 1);
  return Math.max(0, Math.min(policy.maxMs, Math.round(base + spread)));
}

/**
 * Identity of an event for de-duplication. The daemon's `since` is inclusive
 * and its clock has nanosecond resolution, so an event it replays after a
 * reconnect is the same (timeNano, Type, Action, Actor.ID) as the one delivered.
 */
export function eventKey(e: Pick<DaemonEventDto, 'timeNano' | 'Type' | 'Action'> & { readonly Actor: Pick<DaemonEventDto['Actor'], 'ID'> }): string {
  return `${e.timeNano}\u0000${e.Type}\u0000${e.Action}\u0000${e.Actor.ID}`;
}

/**
 * The keys of the most recent events, bounded: enough to recognise a replay
 * (the daemon replays from the last delivered event on), never growing with uptime.
 */
export class RecentKeys {
  private readonly keys = new Set<string>();

  constructor(private readonly capacity = 4096) {}

  /** True when `key` was seen already; otherwise remembers it (forgetting the oldest when full) and returns false. */
  seen(key: string): boolean {
    if (this.keys.has(key)) return true;
    this.keys.add(key);
    if (this.keys.size > this.capacity) {
      // A Set iterates in insertion order: the first key is the oldest.
      const oldest = this.keys.values().next().value as string;
      this.keys.delete(oldest);
    }
    return false;
  }

  /** How many keys are remembered. */
  get size(): number {
    return this.keys.size;
  }
}
