/**
 * The ops story of scraping dockql: after a pull from the registry and a
 * subscription over WebSocket, `GET /metrics` shows the GraphQL operations,
 * the running subscription and open socket, the daemon requests by endpoint
 * template (never a raw id), the finished pull job and the process metrics;
 * with tokens, scraping needs a viewer token.
 */
import { randomBytes } from 'node:crypto';
import type { Client } from 'graphql-ws';
import { startTestApp, type TestApp } from '../support/app';
import { docker, testRegistry } from '../support/engine';
import { cleanUp, createContainer, makeLayeredImage, removeLocally } from '../support/fixtures';
import { gql, wsClient } from '../support/graphql';
import { type RecordedSubscription, recordSubscription } from '../support/subscription-recorder';
import { exportArchive } from '../support/tars';

const OWNER = 'metrics';
const RUN = randomBytes(3).toString('hex');

let api: TestApp;
let ws: Client | undefined;
let imageRef: string;

/** The scrape, as text (asserting the status and content type). */
async function scrape(url: string, token?: string): Promise<string> {
  const res = await fetch(`${url}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text();
}

/** The value of one sample, e.g. `dockql_x{a="b"}`; undefined when the series is absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** Scrapes until `check` holds on the text (the server counts after it answered); fails with the last text. */
async function scrapeUntil(check: (text: string) => boolean, what: string): Promise<string> {
  let text = '';
  for (let i = 0; i < 100; i++) {
    text = await scrape(api.baseUrl);
    if (check(text)) return text;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`/metrics never showed ${what}:\n${text.split('\n').filter((l) => l.startsWith('dockql_')).join('\n')}`);
}

beforeAll(async () => {
  imageRef = `${testRegistry()}/dockql-test/metrics-${RUN}:1`;
  await makeLayeredImage(OWNER, imageRef, 1, 1);
  await docker(['push', imageRef]);
  await removeLocally(imageRef);
  api = await startTestApp();
}, 180_000);

afterAll(async () => {
  await ws?.dispose();
  await api?.stop();
  await removeLocally(imageRef).catch(() => undefined);
  await cleanUp(OWNER);
});

describe('GET /metrics without tokens', () => {
  it('shows a pull by operation, job and daemon endpoint, and a subscription while it runs and after', async () => {
    const pulled = await gql<{ pullImage: { status: string } }>(api.graphqlUrl, 'mutation PullForMetrics($ref: String!) { pullImage(ref: $ref, wait: true) { status } }', { ref: imageRef });
    expect(pulled.data?.pullImage.status).toBe('SUCCEEDED');
    const refused = await gql(api.graphqlUrl, 'query Broken { noSuchField }');
    expect(refused.status).toBe(400);

    ws = wsClient(api.wsUrl);
    const events: RecordedSubscription<{ containerEvents: { action: string } }> = recordSubscription(ws, 'subscription WatchContainers { containerEvents { action } }');
    await scrapeUntil((t) => sample(t, 'dockql_graphql_subscriptions_active') === 1, 'the running subscription');
    await createContainer(OWNER);
    await events.waitFor(() => events.results.some((r) => r.data?.containerEvents.action === 'create'), 'the create event');

    const during = await scrape(api.baseUrl);
    expect(sample(during, 'dockql_websocket_connections')).toBe(1);
    expect(sample(during, 'dockql_graphql_operations_total{operation="PullForMetrics",type="mutation",transport="http",outcome="ok"}')).toBe(1);
    expect(sample(during, 'dockql_graphql_operation_duration_seconds_count{operation="PullForMetrics",type="mutation",transport="http"}')).toBe(1);
    expect(sample(during, 'dockql_graphql_operations_total{operation="Broken",type="query",transport="http",outcome="GRAPHQL_VALIDATION_FAILED"}')).toBe(1);
    expect(sample(during, 'dockql_transfer_jobs_finished_total{kind="pull",status="succeeded"}')).toBe(1);
    expect(sample(during, 'dockql_transfer_jobs_running{kind="pull"}')).toBe(0);
    expect(sample(during, 'dockql_daemon_requests_total{endpoint="POST /images/create",status="200"}')).toBeGreaterThanOrEqual(1);
    expect(sample(during, 'dockql_daemon_requests_total{endpoint="GET /events",status="200"}')).toBe(1);
    expect(sample(during, 'dockql_daemon_request_duration_seconds_count{endpoint="POST /images/create"}')).toBeGreaterThanOrEqual(1);
    expect(sample(during, 'dockql_daemon_event_stream_reconnects_total')).toBe(0);
    expect(during).toMatch(/^process_resident_memory_bytes \d+/m);

    // Endpoint labels are templates: no container ids, image names or digests.
    const endpoints = [...during.matchAll(/endpoint="([^"]*)"/g)].map((m) => m[1]!);
    expect(endpoints.length).toBeGreaterThan(0);
    for (const endpoint of endpoints) expect(endpoint).toMatch(/^[A-Z]+ (\/(?:[a-z_]+|\{id\}|\{name\}|\{other\}))+$/);

    events.stop();
    const after = await scrapeUntil((t) => sample(t, 'dockql_graphql_subscriptions_active') === 0, 'the subscription ended');
    expect(sample(after, 'dockql_graphql_operations_total{operation="WatchContainers",type="subscription",transport="ws",outcome="ok"}')).toBe(1);
    await ws.dispose();
    ws = undefined;
    await scrapeUntil((t) => sample(t, 'dockql_websocket_connections') === 0, 'the socket closed');
  });

  it('counts archive bytes uploaded and downloaded over HTTP', async () => {
    const tar = await exportArchive();
    const put = await fetch(`${api.baseUrl}/archives/metrics-${RUN}.tar`, { method: 'PUT', body: tar });
    expect(put.status).toBe(201);
    const got = await fetch(`${api.baseUrl}/archives/metrics-${RUN}.tar`);
    expect(Buffer.from(await got.arrayBuffer())).toEqual(tar);
    const text = await scrapeUntil((t) => sample(t, 'dockql_archive_bytes_total{direction="downloaded"}') !== undefined, 'the download');
    expect(sample(text, 'dockql_archive_bytes_total{direction="uploaded"}')).toBe(tar.length);
    expect(sample(text, 'dockql_archive_bytes_total{direction="downloaded"}')).toBe(tar.length);
  });
});

describe('GET /metrics with tokens', () => {
  let secured: TestApp;
  beforeAll(async () => {
    secured = await startTestApp({ tokens: { scraper: 'viewer' } });
  });
  afterAll(() => secured?.stop());

  it('answers 401 without a token and the exposition with a viewer token', async () => {
    const anonymous = await fetch(`${secured.baseUrl}/metrics`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
    const wrong = await fetch(`${secured.baseUrl}/metrics`, { headers: { authorization: 'Bearer not-a-token' } });
    expect(wrong.status).toBe(401);
    const text = await scrape(secured.baseUrl, secured.tokens.scraper);
    expect(text).toContain('# TYPE dockql_graphql_operations_total counter');
  });
});
