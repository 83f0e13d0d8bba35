/** Real clients for tests: GraphQL over HTTP (fetch) and over WebSocket (graphql-ws). */
import { type Client, createClient, type FormattedExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';

/** A GraphQL response as the client sees it. */
export interface GqlResponse<T = Record<string, unknown>> {
  readonly status: number;
  readonly data?: T | null;
  readonly errors?: Array<{ message: string; path?: readonly (string | number)[]; extensions?: Record<string, unknown> }>;
}

/** How a test client identifies itself. */
export interface ClientAuth {
  /** Sent as `Authorization: Bearer <token>` (HTTP) or `connectionParams.authorization` (WebSocket). */
  readonly token?: string;
}

/** POSTs one operation to `url` and returns status and parsed body. */
export async function gql<T = Record<string, unknown>>(url: string, query: string, variables?: Record<string, unknown>, auth: ClientAuth = {}): Promise<GqlResponse<T>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...(auth.token === undefined ? {} : { authorization: `Bearer ${auth.token}` }),
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as Omit<GqlResponse<T>, 'status'>;
  return { status: res.status, ...body };
}

/** The error codes of a response, in order. */
export function codes(res: Pick<GqlResponse, 'errors'>): unknown[] {
  return (res.errors ?? []).map((e) => e.extensions?.code);
}

/** A graphql-ws client for `url`; dispose it in afterAll/afterEach. */
export function wsClient(url: string, auth: ClientAuth = {}): Client {
  const connectionParams = auth.token === undefined ? undefined : { authorization: `Bearer ${auth.token}` };
  return createClient({ url, webSocketImpl: WebSocket, lazy: true, retryAttempts: 0, connectionParams });
}

/** Runs one query/mutation over the WebSocket client and returns its single result. */
export async function wsQuery<T = Record<string, unknown>>(client: Client, query: string, variables?: Record<string, unknown>): Promise<FormattedExecutionResult<T, unknown>> {
  const results = client.iterate<T>({ query, variables });
  const first = await results.next();
  await results.return?.();
  if (first.done) throw new Error('the operation completed without a result');
  return first.value;
}
