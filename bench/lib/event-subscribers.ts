/**
 * Many graphql-ws subscribers to one event subscription, multiplexed over a
 * few WebSocket connections, each recording which events it received and how
 * long after the daemon's own timestamp (timeNano) they arrived. A raw
 * `/events` reader on the daemon socket records the same for the baseline.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';

/** Wall-clock milliseconds with sub-millisecond resolution, comparable with the daemon's timeNano on the same host. */
export function wallMs(): number {
  return performance.timeOrigin + performance.now();
}

/** The daemon's timeNano (a decimal string of nanoseconds) as wall-clock milliseconds. */
export function nanoToMs(timeNano: string): number {
  const n = BigInt(timeNano);
  return Number(n / 1_000_000n) + Number(n % 1_000_000n) / 1e6;
}

/** What one subscriber saw. */
export interface EventRecord {
  readonly index: number;
  /** `<containerId> <action>` of every event, in arrival order. */
  readonly keys: string[];
  /** Milliseconds from the daemon's timestamp to arrival, per event. */
  readonly latenciesMs: number[];
  /** Wall-clock ms of the last event's arrival. */
  lastArrival?: number;
  completed: boolean;
  error?: string;
}

/** One event as a subscriber reads it. */
interface EventView {
  readonly action: string;
  readonly containerId: string;
  readonly timeNano: string;
}

/** A pool of connected graphql-ws clients carrying event subscriptions. */
export class EventSubscribers {
  readonly records: EventRecord[] = [];
  private readonly unsubscribes: (() => void)[] = [];
  private waiters: (() => void)[] = [];

  private constructor(private readonly clients: readonly Client[]) {}

  /** Opens `connections` WebSocket connections to `wsUrl` and resolves once each is acknowledged. */
  static async connect(wsUrl: string, connections: number): Promise<EventSubscribers> {
    const clients: Client[] = [];
    const acks = Array.from(
      { length: connections },
      (_, i) =>
        new Promise<void>((resolve, reject) => {
          clients.push(
            createClient({
              url: wsUrl,
              webSocketImpl: WebSocket,
              lazy: false,
              retryAttempts: 0,
              onNonLazyError: (e) => reject(new Error(`WebSocket connection ${i} failed: ${String(e)}`)),
              on: { connected: () => resolve() },
            }),
          );
        }),
    );
    const pool = new EventSubscribers(clients);
    try {
      await Promise.all(acks);
    } catch (err) {
      await pool.dispose();
      throw err;
    }
    return pool;
  }

  /** Starts `count` subscriptions of `query` (root field `containerEvents`), round robin over the connections. */
  subscribe(count: number, query: string): void {
    for (let index = 0; index < count; index++) {
      const record: EventRecord = { index, keys: [], latenciesMs: [], completed: false };
      this.records.push(record);
      const unsubscribe = this.clients[index % this.clients.length]!.subscribe<{ containerEvents: EventView }>(
        { query },
        {
          next: (result) => {
            const at = wallMs();
            const e = result.data?.containerEvents;
            if (result.errors?.length || !e) record.error ??= `GraphQL errors: ${JSON.stringify(result.errors ?? result).slice(0, 300)}`;
            else {
              record.keys.push(`${e.containerId} ${e.action}`);
              record.latenciesMs.push(at - nanoToMs(e.timeNano));
              record.lastArrival = at;
            }
            this.poke();
          },
          error: (err) => {
            record.error ??= String(err instanceof Error ? err.message : JSON.stringify(err));
            record.completed = true;
            this.poke();
          },
          complete: () => {
            record.completed = true;
            this.poke();
          },
        },
      );
      this.unsubscribes.push(unsubscribe);
    }
  }

  /** Resolves true once every record has `expected` events (or failed), false when `timeoutMs` runs out first. */
  async settle(expected: number, timeoutMs: number): Promise<boolean> {
    const done = () => this.records.every((r) => r.keys.length >= expected || r.error !== undefined || r.completed);
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 1000));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return true;
  }

  /** Ends every subscription and closes every connection. */
  async dispose(): Promise<void> {
    for (const unsubscribe of this.unsubscribes.splice(0)) unsubscribe();
    await Promise.all(this.clients.map((c) => c.dispose()));
  }

  private poke(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

/** A raw `GET /events` reader on the daemon socket (the baseline): arrival latency per event. */
export interface RawEventReader {
  readonly latenciesMs: number[];
  readonly keys: string[];
  close(): void;
}

/** Opens `GET <api>/events?filters=...` on `socketPath` and records each container event of `filters`. */
export function readRawEvents(socketPath: string, apiPrefix: string, filters: Record<string, string[]>): Promise<RawEventReader> {
  return new Promise((resolve, reject) => {
    const latenciesMs: number[] = [];
    const keys: string[] = [];
    const path = `${apiPrefix}/events?filters=${encodeURIComponent(JSON.stringify(filters))}`;
    const req = http.get({ socketPath, path }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`GET /events answered ${res.statusCode}`));
      let pending = '';
      res.setEncoding('utf8').on('data', (chunk: string) => {
        const at = wallMs();
        pending += chunk;
        const lines = pending.split('\n');
        pending = lines.pop()!;
        for (const line of lines.filter((l) => l.trim())) {
          const nano = /"timeNano":(\d+)/.exec(line)?.[1];
          const e = JSON.parse(line) as { Type: string; Action: string; Actor: { ID: string } };
          if (e.Type !== 'container' || !nano) continue;
          keys.push(`${e.Actor.ID} ${e.Action}`);
          latenciesMs.push(at - nanoToMs(nano));
        }
      });
      res.on('error', () => undefined);
      resolve({ latenciesMs, keys, close: () => req.destroy() });
    });
    req.on('error', (err) => (err.message.includes('socket hang up') ? undefined : reject(err)));
  });
}
