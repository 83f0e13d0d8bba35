/**
 * Many graphql-ws subscribers to one progress subscription, multiplexed over a
 * few WebSocket connections, each recording what it received and when. The
 * connections are opened (and acknowledged) before anything is timed, as a
 * dashboard that is already open would be.
 */
import { performance } from 'node:perf_hooks';
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';

/** The fields of a progress snapshot a subscriber checks. */
export interface ProgressView {
  readonly status: string;
  readonly current: number;
  readonly total: number;
  readonly layers: readonly { readonly id: string; readonly status: string }[];
}

/** One message as a subscriber received it; `at` is `performance.now()` milliseconds. */
export interface ReceivedMessage extends ProgressView {
  readonly at: number;
}

/** What one subscriber saw. */
export interface SubscriberRecord {
  readonly index: number;
  /** Which WebSocket connection carried it. */
  readonly connection: number;
  readonly subscribedAt: number;
  readonly messages: ReceivedMessage[];
  /** True once some message's `current` was below the one before it. */
  wentBackwards: boolean;
  completedAt?: number;
  /** GraphQL errors, a closed socket, or a message without the field. */
  error?: string;
}

/** Subscriptions started together, and a way to wait for all of them. */
export interface SubscriberBatch {
  readonly records: readonly SubscriberRecord[];
  /** Resolves true when every subscription completed or failed, false when `timeoutMs` ran out first. */
  settle(timeoutMs: number): Promise<boolean>;
}

/** A pool of connected graphql-ws clients. */
export class ProgressSubscribers {
  private readonly unsubscribes: (() => void)[] = [];

  private constructor(private readonly clients: readonly Client[]) {}

  /**
   * Opens `connections` WebSocket connections to `graphqlUrl` (http://...) and
   * resolves once every one is acknowledged.
   */
  static async connect(graphqlUrl: string, connections: number): Promise<ProgressSubscribers> {
    const url = graphqlUrl.replace(/^http/, 'ws');
    const clients: Client[] = [];
    const acks: Promise<void>[] = [];
    for (let i = 0; i < connections; i++) {
      acks.push(
        new Promise<void>((resolve, reject) => {
          clients.push(
            createClient({
              url,
              webSocketImpl: WebSocket,
              lazy: false,
              retryAttempts: 0,
              onNonLazyError: (e) => reject(new Error(`WebSocket connection ${i} failed: ${describe(e)}`)),
              on: { connected: () => resolve() },
            }),
          );
        }),
      );
    }
    const pool = new ProgressSubscribers(clients);
    try {
      await Promise.all(acks);
    } catch (err) {
      await pool.dispose();
      throw err;
    }
    return pool;
  }

  /** Starts `count` subscriptions of `query`, round robin over the connections; `field` is the root field. */
  subscribe(count: number, query: string, variables: Record<string, unknown>, field: string): SubscriberBatch {
    const records: SubscriberRecord[] = [];
    const settled: Promise<void>[] = [];
    for (let index = 0; index < count; index++) {
      const connection = index % this.clients.length;
      const record: SubscriberRecord = { index, connection, subscribedAt: performance.now(), messages: [], wentBackwards: false };
      records.push(record);
      settled.push(
        new Promise<void>((resolve) => {
          const fail = (message: string) => {
            record.error ??= message;
            resolve();
          };
          const unsubscribe = this.clients[connection]!.subscribe<Record<string, ProgressView>>(
            { query, variables },
            {
              next: (result) => {
                const at = performance.now();
                const view = result.data?.[field];
                if (result.errors?.length) return fail(`GraphQL errors: ${result.errors.map((e) => e.message).join('; ')}`);
                if (!view) return fail(`a message without data.${field}`);
                const previous = record.messages[record.messages.length - 1];
                if (previous && view.current < previous.current) record.wentBackwards = true;
                record.messages.push({ at, status: view.status, current: view.current, total: view.total, layers: view.layers });
              },
              error: (e) => fail(describe(e)),
              complete: () => {
                record.completedAt = performance.now();
                resolve();
              },
            },
          );
          this.unsubscribes.push(unsubscribe);
        }),
      );
    }
    return {
      records,
      settle: async (timeoutMs) => {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
        try {
          return await Promise.race([Promise.all(settled).then(() => true as const), timeout]);
        } finally {
          clearTimeout(timer);
        }
      },
    };
  }

  /** Ends every subscription and closes every connection. */
  async dispose(): Promise<void> {
    for (const unsubscribe of this.unsubscribes.splice(0)) unsubscribe();
    await Promise.all(this.clients.map((c) => c.dispose()));
  }
}

/** A readable description of what graphql-ws hands to error handlers (Error, CloseEvent, GraphQL errors). */
function describe(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (Array.isArray(e)) return e.map((x: { message?: string }) => x.message ?? String(x)).join('; ');
  if (e && typeof e === 'object' && 'code' in e) {
    const close = e as { code: number; reason?: string };
    return `socket closed (${close.code}${close.reason ? `: ${close.reason}` : ''})`;
  }
  return String(e);
}
