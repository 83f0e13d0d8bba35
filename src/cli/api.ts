/**
 * The CLI's client of the API: queries and mutations over HTTP (fetch),
 * subscriptions over graphql-ws (its createClient, on the `ws` package), both
 * with the token, every failure turned into a one-line CliError.
 */
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { CliError } from './errors';
import { bodyError, type FailureContext, graphqlFailure, type GraphQLErrorLike, httpFailure, networkFailure, socketFailure } from './failures';
import { archiveUrl, type ClientSettings, webSocketUrl } from './settings';

/** A GraphQL response body. */
interface GraphQLBody<T> {
  readonly data?: T | null;
  readonly errors?: readonly GraphQLErrorLike[];
}

/** How long the server has to acknowledge the WebSocket connection (graphql-ws closes with 4418 after it). */
const ACK_TIMEOUT_MS = 15_000;
/** How often an idle socket is pinged, and how long a pong may take. */
const PING_INTERVAL_MS = 30_000;
const PONG_TIMEOUT_MS = 10_000;
/** The close code the client uses when the pong does not come (graphql-ws' example uses 4408). */
export const CLOSE_PONG_TIMEOUT = 4408;

/** One client of one server; dispose() closes its WebSocket. */
export class Api {
  private ws?: Client;
  private lastSocketError: unknown;

  constructor(readonly settings: ClientSettings) {}

  /** For failure messages. */
  get context(): FailureContext {
    return { server: this.settings.server, tokenGiven: this.settings.token !== undefined };
  }

  /** The Authorization header, when there is a token. */
  authHeaders(): Record<string, string> {
    return this.settings.token === undefined ? {} : { authorization: `Bearer ${this.settings.token}` };
  }

  /** The URL of an archive's HTTP route. */
  archiveUrl(name: string): string {
    return archiveUrl(this.settings.server, name);
  }

  /**
   * Runs one query or mutation over HTTP and returns its data.
   * @throws CliError for an unreachable server, a refusal, or any GraphQL error
   */
  async request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    let res: Response;
    try {
      res = await fetch(this.settings.server, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...this.authHeaders() },
        body: JSON.stringify({ query, variables }),
      });
    } catch (err) {
      throw networkFailure(err, this.context) ?? new CliError(`cannot reach dockql at ${this.settings.server}: ${(err as Error).message}`);
    }
    const text = await res.text().catch(() => '');
    let body: GraphQLBody<T>;
    try {
      body = JSON.parse(text) as GraphQLBody<T>;
    } catch {
      if (res.status === 401 || res.status === 403) throw httpFailure(res.status, {}, this.context);
      throw new CliError(`the server at ${this.settings.server} did not answer as a GraphQL API (HTTP ${res.status})`);
    }
    const first = body.errors?.[0];
    if (first) throw graphqlFailure(first, this.context);
    if (!res.ok || !body.data) throw httpFailure(res.status, bodyError(text), this.context);
    return body.data;
  }

  /**
   * Follows a subscription: yields each result's data until the server completes it.
   * @throws CliError for a refused socket, a dropped connection or a GraphQL error
   */
  async *subscribe<T>(query: string, variables: Record<string, unknown> = {}): AsyncGenerator<T> {
    const results = this.client().iterate<T>({ query, variables });
    try {
      for (;;) {
        let next: IteratorResult<{ data?: T | null; errors?: readonly GraphQLErrorLike[] }>;
        try {
          next = await results.next();
        } catch (err) {
          throw socketFailure(err, this.lastSocketError, this.context);
        }
        if (next.done) return;
        const first = next.value.errors?.[0];
        if (first) throw graphqlFailure(first, this.context);
        if (next.value.data) yield next.value.data;
      }
    } finally {
      await results.return?.(undefined);
    }
  }

  private client(): Client {
    let socket: WebSocket | undefined;
    let pongTimer: NodeJS.Timeout | undefined;
    this.ws ??= createClient({
      url: webSocketUrl(this.settings.server),
      webSocketImpl: WebSocket,
      lazy: true,
      // One attempt: a CLI reports the failure instead of waiting through retries.
      retryAttempts: 0,
      connectionParams: this.settings.token === undefined ? undefined : { authorization: `Bearer ${this.settings.token}` },
      connectionAckWaitTimeout: ACK_TIMEOUT_MS,
      // `dockql events` may follow for days: a server that vanished without closing is noticed by its missing pong.
      keepAlive: PING_INTERVAL_MS,
      on: {
        connected: (s) => {
          socket = s as WebSocket;
        },
        ping: (received) => {
          if (received) return;
          pongTimer = setTimeout(() => socket?.close(CLOSE_PONG_TIMEOUT, 'no pong'), PONG_TIMEOUT_MS);
          pongTimer.unref();
        },
        pong: (received) => {
          if (received) clearTimeout(pongTimer);
        },
        closed: () => clearTimeout(pongTimer),
        // A close event does not say why the socket failed; the error before it does.
        error: (err) => {
          this.lastSocketError = err;
        },
      },
    });
    return this.ws;
  }

  /** Closes the WebSocket, if one was opened. */
  async dispose(): Promise<void> {
    const ws = this.ws;
    this.ws = undefined;
    await ws?.dispose();
  }
}
