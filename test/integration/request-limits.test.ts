/**
 * The same request rules on HTTP and WebSocket: depth, alias, cost and token
 * limits, CSRF prevention, no batching, body and message size, the
 * per-socket operation cap, the init timeout, Origin and Host checks.
 */
import { request } from 'node:http';
import { getIntrospectionQuery } from 'graphql';
import { PLAYGROUND_EXAMPLES } from '../../src/playground/app/examples';
import { startTestApp, type TestApp } from '../support/app';
import { codes, gql } from '../support/graphql';
import { wsProbe } from '../support/ws-probe';

let api: TestApp;
/** Every log line of the server (LOG_LEVEL trace). */
const logs: string[] = [];

beforeAll(async () => {
  api = await startTestApp({ logs, env: { DOCKQL_WS_MAX_SUBSCRIPTIONS: '3', DOCKQL_WS_INIT_TIMEOUT: '1', DOCKQL_ALLOWED_ORIGINS: 'https://ops.example.test' } });
});

afterAll(async () => {
  await api?.stop();
});

/** A query `depth` levels deep: containers { image { containers { image ... { id } } } }. */
function deepQuery(depth: number): string {
  let query = 'id';
  for (let level = depth; level >= 1; level--) query = `${level % 2 === 1 ? 'containers' : 'image'} { ${query} }`;
  return `{ ${query} }`;
}
// __typename is exempt from the alias count (clients add it everywhere); a cheap introspection field is not.
const aliasBomb = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: __type(name: "Query") { name }`).join(' ')} }`;
// Shallow and alias-free, but a page of 1000 repositories with a lookup per tag multiplies the estimated cost.
const costBomb = '{ registry(host: "127.0.0.1:1") { repositories(first: 1000) { name tags { name digest image { id repoTags } } } } }';
const tokenBomb = `{ ${'__typename '.repeat(6000)}}`;

/** Sends `query` over HTTP and over a fresh WebSocket; returns both error code lists and messages. */
async function bothTransports(query: string): Promise<{ http: unknown[]; ws: unknown[]; messages: string[] }> {
  const overHttp = await gql(api.graphqlUrl, query);
  const probe = wsProbe(api.wsUrl);
  await probe.acked;
  const answer = await probe.subscribe('1', query);
  probe.close();
  const wsErrors = (answer.type === 'error' ? answer.payload : (answer.payload as { errors?: unknown[] }).errors ?? []) as Array<{ message: string; extensions?: { code?: string } }>;
  return { http: codes(overHttp), ws: wsErrors.map((e) => e.extensions?.code), messages: [...(overHttp.errors ?? []), ...wsErrors].map((e) => e.message) };
}

describe('document limits, over HTTP and WebSocket alike', () => {
  it('lets every playground example and GraphiQL introspection through', async () => {
    for (const example of PLAYGROUND_EXAMPLES) {
      // Documents with several operations are checked one operation at a time, as GraphiQL sends them.
      const res = await fetch(api.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: example.query, operationName: /(?:query|mutation|subscription) (\w+)/.exec(example.query)?.[1] }) });
      const body = (await res.json()) as { errors?: Array<{ extensions?: { code?: string } }> };
      expect({ example: example.query.split('\n')[0], codes: (body.errors ?? []).map((e) => e.extensions?.code).filter((c) => c === 'GRAPHQL_VALIDATION_FAILED' || c === 'GRAPHQL_PARSE_FAILED') }).toEqual({ example: example.query.split('\n')[0], codes: [] });
    }
    const introspection = await bothTransports(getIntrospectionQuery());
    expect(introspection).toEqual({ http: [], ws: [], messages: [] });
  });

  it('refuses a query deeper than DOCKQL_MAX_DEPTH (12)', async () => {
    expect((await gql(api.graphqlUrl, deepQuery(8))).errors).toBeUndefined();
    const res = await bothTransports(deepQuery(14));
    expect(res.http).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(res.ws).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(res.messages.every((m) => /depth limit of 12/.test(m))).toBe(true);
  });

  it('refuses more aliases than DOCKQL_MAX_ALIASES (30)', async () => {
    expect((await gql(api.graphqlUrl, aliasBomb(30))).errors).toBeUndefined();
    const res = await bothTransports(aliasBomb(31));
    expect(res).toMatchObject({ http: ['GRAPHQL_VALIDATION_FAILED'], ws: ['GRAPHQL_VALIDATION_FAILED'] });
    expect(res.messages.every((m) => /aliases limit of 30/i.test(m))).toBe(true);
  });

  it('refuses a query whose estimated cost is over DOCKQL_MAX_COST (20000)', async () => {
    const res = await bothTransports(costBomb);
    expect(res).toMatchObject({ http: ['GRAPHQL_VALIDATION_FAILED'], ws: ['GRAPHQL_VALIDATION_FAILED'] });
    expect(res.messages.every((m) => /cost limit of 20000/i.test(m))).toBe(true);
  });

  it('stops parsing a document of more than DOCKQL_MAX_TOKENS (5000) tokens', async () => {
    const res = await bothTransports(tokenBomb);
    expect(res).toMatchObject({ http: ['GRAPHQL_PARSE_FAILED'], ws: ['GRAPHQL_PARSE_FAILED'] });
    expect(res.messages.every((m) => /more th(?:at|an) 5000 tokens/.test(m))).toBe(true);
  });
});

describe('HTTP request rules', () => {
  it('refuses a simple (text/plain) POST: CSRF prevention', async () => {
    const res = await fetch(api.graphqlUrl, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ query: 'mutation { removeImage(ref: "dockql/none:1") { deleted } }' }) });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/CSRF/);
  });

  it('refuses a header-less GET (CSRF) and any mutation over GET', async () => {
    const url = `${api.graphqlUrl}?query=${encodeURIComponent('mutation { removeImage(ref: "dockql/none:1") { deleted } }')}`;
    const plain = await fetch(url);
    expect(plain.status).toBe(400);
    expect(await plain.text()).toMatch(/CSRF/);
    const withPreflightHeader = await fetch(url, { headers: { 'apollo-require-preflight': 'true' } });
    expect(withPreflightHeader.status).toBe(405);
    expect(await withPreflightHeader.text()).toMatch(/GET/);
  });

  it('refuses batched requests', async () => {
    const res = await fetch(api.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]) });
    expect(res.status).toBe(400);
  });

  it('answers 413 to a body over 1 MB, as a GraphQL error', async () => {
    const res = await fetch(api.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: `{ __typename } # ${'x'.repeat(1024 * 1024)}` }) });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ errors: [{ message: expect.stringContaining('1mb'), extensions: { code: 'BAD_REQUEST' } }] });
  });

  it('refuses a browser request from another origin (403), and lets listed and same-host origins through', async () => {
    const post = (headers: Record<string, string>) => fetch(api.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{"query":"{ __typename }"}' });
    const hostile = await post({ origin: 'https://evil.example.test' });
    expect(hostile.status).toBe(403);
    expect(((await hostile.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0].extensions.code).toBe('FORBIDDEN');
    expect((await post({ origin: 'null' })).status).toBe(403);
    expect((await post({ origin: 'https://ops.example.test' })).status).toBe(200);
    expect((await post({ origin: api.baseUrl })).status).toBe(200);
  });

  it('without tokens, answers only to loopback Host names (DNS rebinding)', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(api.graphqlUrl, { method: 'POST', headers: { host: 'rebound.example.test:4000', 'content-type': 'application/json' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end('{"query":"{ __typename }"}');
    });
    expect(status).toBe(403);
  });
});

describe('WebSocket rules', () => {
  it('refuses the upgrade from a foreign Origin (403, no socket), and logs the refusal', async () => {
    const probe = wsProbe(api.wsUrl, { headers: { origin: 'https://evil.example.test' } });
    expect(await probe.refusedUpgrade).toBe(403);
    const refusals = logs.map((l) => JSON.parse(l) as { level: number; msg: string; origin?: string; status?: number; reason?: string }).filter((l) => l.msg === 'websocket upgrade refused');
    expect(refusals).toEqual([expect.objectContaining({ level: 40, origin: 'https://evil.example.test', status: 403, reason: expect.stringContaining('cross-origin request refused') })]);
    const allowed = wsProbe(api.wsUrl, { headers: { origin: 'https://ops.example.test' } });
    await allowed.acked;
    allowed.close();
  });

  it('closes a socket that sends no connection_init within DOCKQL_WS_INIT_TIMEOUT (4408)', async () => {
    const probe = wsProbe(api.wsUrl, { init: false });
    expect((await probe.closed).code).toBe(4408);
  });

  it('caps active operations per socket (DOCKQL_WS_MAX_SUBSCRIPTIONS) and keeps the socket open', async () => {
    const probe = wsProbe(api.wsUrl);
    await probe.acked;
    for (const id of ['a', 'b', 'c']) void probe.subscribe(id, 'subscription { events { type } }');
    const fourth = await probe.subscribe('d', 'subscription { events { type } }');
    expect(fourth.type).toBe('error');
    expect(fourth.payload).toEqual([expect.objectContaining({ message: expect.stringContaining('DOCKQL_WS_MAX_SUBSCRIPTIONS'), extensions: { code: 'RATE_LIMITED' } })]);
    probe.socket.send(JSON.stringify({ id: 'a', type: 'complete' }));
    // One slot is free again.
    const after = await probe.subscribe('q', '{ __typename }');
    expect(after).toEqual({ id: 'q', type: 'next', payload: { data: { __typename: 'Query' } } });
    probe.close();
  });

  it('closes a socket that sends a message over 1 MiB (1009)', async () => {
    const probe = wsProbe(api.wsUrl);
    await probe.acked;
    probe.socket.send(JSON.stringify({ id: 'big', type: 'subscribe', payload: { query: `{ __typename } # ${'x'.repeat(1024 * 1024)}` } }));
    expect((await probe.closed).code).toBe(1009);
  });
});

describe('in production (NODE_ENV=production)', () => {
  let prod: TestApp;
  beforeAll(async () => {
    prod = await startTestApp({ env: { NODE_ENV: 'production' } });
  });
  afterAll(async () => {
    await prod?.stop();
  });

  it('refuses introspection over HTTP and WebSocket', async () => {
    const overHttp = await gql(prod.graphqlUrl, '{ __schema { queryType { name } } }');
    expect(codes(overHttp)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    const probe = wsProbe(prod.wsUrl);
    await probe.acked;
    const overWs = await probe.subscribe('i', '{ __schema { queryType { name } } }');
    expect(overWs.type).toBe('error');
    expect((overWs.payload as Array<{ message: string }>)[0].message).toMatch(/introspection/i);
    probe.close();
  });

  it('serves no playground and gives no "Did you mean" hints', async () => {
    const page = await fetch(prod.graphqlUrl, { headers: { accept: 'text/html' } });
    expect(await page.text()).not.toContain('<html');
    const typo = await gql(prod.graphqlUrl, '{ container { id } }');
    expect(codes(typo)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(typo.errors?.[0]?.message).not.toMatch(/Did you mean/);
    const probe = wsProbe(prod.wsUrl);
    await probe.acked;
    const overWs = await probe.subscribe('t', '{ container { id } }');
    expect(JSON.stringify(overWs.payload)).not.toMatch(/Did you mean/);
    probe.close();
  });

  it('turns both back on with DOCKQL_INTROSPECTION=true', async () => {
    const open = await startTestApp({ env: { NODE_ENV: 'production', DOCKQL_INTROSPECTION: 'true' } });
    try {
      expect((await gql(open.graphqlUrl, '{ __schema { queryType { name } } }')).errors).toBeUndefined();
      expect(await (await fetch(open.graphqlUrl, { headers: { accept: 'text/html' } })).text()).toContain('<html');
    } finally {
      await open.stop();
    }
  });
});
