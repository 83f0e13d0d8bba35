/**
 * The ops story of reading logs: every HTTP response carries an X-Request-Id
 * (the caller's when plain, else a new one), the same id is on the request's
 * log line and on the audit line of what it did; each WebSocket operation has
 * a request id of its socket and operation ids; probes stay out of info.
 */
import { startTestApp, type TestApp } from '../support/app';
import { wsClient, wsQuery } from '../support/graphql';

type Line = Record<string, unknown> & { msg?: string; level?: number; requestId?: string };

let api: TestApp;
const logs: string[] = [];
const lines = (): Line[] => logs.map((l) => JSON.parse(l) as Line);
const httpLines = () => lines().filter((l) => l.msg === 'http request');

/** Waits for a log line (lines are written when the response closes, just after the client has it). */
async function lineWhere(check: (l: Line) => boolean, what: string): Promise<Line> {
  for (let i = 0; i < 100; i++) {
    const found = lines().find(check);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no log line for ${what}; have:\n${logs.slice(-20).join('')}`);
}

beforeAll(async () => {
  api = await startTestApp({ logs });
});
afterAll(() => api?.stop());

describe('HTTP request ids and lines', () => {
  it('echoes a plain X-Request-Id and logs the request with it: method, path, status, ms', async () => {
    const res = await fetch(api.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'ops-trace-42' }, body: JSON.stringify({ query: '{ __typename }' }) });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('ops-trace-42');
    const line = await lineWhere((l) => l.msg === 'http request' && l.requestId === 'ops-trace-42', 'the POST');
    expect(line).toMatchObject({ level: 30, method: 'POST', path: '/graphql', status: 200, component: 'http' });
    expect(line.ms).toEqual(expect.any(Number));
  });

  it('replaces an id that is not plain with a new one, and keeps the query string out of the path', async () => {
    const res = await fetch(`${api.baseUrl}/archives?secret=value`, { headers: { 'x-request-id': 'has spaces and "quotes"' } });
    const id = res.headers.get('x-request-id')!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const line = await lineWhere((l) => l.msg === 'http request' && l.requestId === id, 'the GET');
    expect(line).toMatchObject({ method: 'GET', path: '/archives', status: 200 });
    expect(JSON.stringify(lines())).not.toContain('secret=value');
  });

  it('puts the same id on the audit line of the mutation the request ran', async () => {
    const res = await fetch(api.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'audit-me-1' },
      body: JSON.stringify({ query: 'mutation { removeContainer(ref: "no-such-container-for-request-log") }' }),
    });
    expect(res.headers.get('x-request-id')).toBe('audit-me-1');
    const audit = await lineWhere((l) => l.msg === 'audit' && (l.audit as { operation?: string }).operation === 'removeContainer', 'the audit line');
    expect(audit.audit).toMatchObject({ requestId: 'audit-me-1', outcome: 'NOT_FOUND' });
  });

  it('logs probes at debug, not info', async () => {
    const res = await fetch(`${api.baseUrl}/healthz`);
    const id = res.headers.get('x-request-id');
    const line = await lineWhere((l) => l.msg === 'http request' && l.requestId === id, 'the probe');
    expect(line).toMatchObject({ path: '/healthz', level: 20 });
    expect(httpLines().filter((l) => l.path === '/healthz' && l.level === 30)).toEqual([]);
  });
});

describe('WebSocket operation ids', () => {
  it('logs each operation with its socket id and operation id as the request id', async () => {
    const ws = wsClient(api.wsUrl);
    try {
      const result = await wsQuery(ws, 'query TypenameOverWs { __typename }');
      expect(result.data).toEqual({ __typename: 'Query' });
      const line = await lineWhere((l) => l.msg === 'ws operation' && l.operation === 'TypenameOverWs', 'the ws operation');
      expect(line).toMatchObject({ level: 30, type: 'query', outcome: 'ok' });
      expect(line.requestId).toBe(`${String(line.socketId)}:${String(line.operationId)}`);
      expect(line.socketId).toMatch(/^[0-9a-f]{12}$/);
    } finally {
      await ws.dispose();
    }
  });
});
