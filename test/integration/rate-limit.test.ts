/**
 * The per-token mutation rate limit, end to end: with DOCKQL_RATE_BURST=3 and
 * DOCKQL_RATE_LIMIT=1, a caller's fourth quick mutation is RATE_LIMITED and the
 * budget comes back after the hinted wait. The rest of the story runs on a
 * server whose bucket barely refills (0.001 a second, set over the config),
 * so that it does not depend on how fast a loaded machine answers: HTTP and
 * WebSocket share one budget, archive uploads and deletes spend it, queries
 * and downloads never do, each token has its own, and refusals are audited.
 */
import { startTestApp, type TestApp } from '../support/app';
import { docker } from '../support/engine';
import { TEST_LABEL } from '../support/fixtures';
import { codes, gql, wsClient, wsQuery } from '../support/graphql';

const OWNER = 'rate-limit';
const RUN = process.pid;
const CANCEL = 'mutation { cancelPull(id: "no-such-pull") { id } }';

afterAll(async () => {
  const volumes = (await docker(['volume', 'ls', '-q', '--filter', `label=${TEST_LABEL}=${OWNER}`])).stdout.split('\n').filter(Boolean);
  if (volumes.length) await docker(['volume', 'rm', '-f', ...volumes]);
});

describe('with DOCKQL_RATE_BURST=3 and DOCKQL_RATE_LIMIT=1', () => {
  let api: TestApp;
  beforeAll(async () => {
    api = await startTestApp({ env: { DOCKQL_RATE_BURST: '3', DOCKQL_RATE_LIMIT: '1' } });
  });
  afterAll(async () => {
    await api?.stop();
  });

  it('a burst of 4 quick mutations gets 3 through and the 4th RATE_LIMITED, naming the limit and when to retry', async () => {
    // Warm the first-request paths, then send the four at once: the bucket refills 1 a second, so they must land close together.
    await gql(api.graphqlUrl, '{ pulls { id } }');
    const results = await Promise.all([1, 2, 3, 4].map(() => gql(api.graphqlUrl, CANCEL)));
    expect(results.map((r) => codes(r)[0]).sort()).toEqual(['NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND', 'RATE_LIMITED']);
    const error = results.find((r) => codes(r)[0] === 'RATE_LIMITED')!.errors![0]!;
    expect(error.message).toMatch(/token "anonymous" is over its mutation rate limit \(1 a second, bursts of 3; DOCKQL_RATE_LIMIT, DOCKQL_RATE_BURST\): retry in [\d.]+ s/);
    expect(error.extensions).toMatchObject({ limitPerSecond: 1, burst: 3 });
    expect(error.extensions!.retryAfterSeconds).toBeGreaterThan(0);
    expect(error.extensions!.retryAfterSeconds).toBeLessThanOrEqual(1);
  });

  it('mutates again after the hinted wait', async () => {
    // Spend whatever refilled meanwhile, up to the first refusal.
    let refused = await gql(api.graphqlUrl, CANCEL);
    for (let i = 0; i < 5 && codes(refused)[0] !== 'RATE_LIMITED'; i++) refused = await gql(api.graphqlUrl, CANCEL);
    expect(codes(refused)).toEqual(['RATE_LIMITED']);
    await new Promise((r) => setTimeout(r, Number(refused.errors![0]!.extensions!.retryAfterSeconds) * 1000));
    expect(codes(await gql(api.graphqlUrl, CANCEL))).toEqual(['NOT_FOUND']);
  });
});

describe('once a caller has spent its burst', () => {
  const logs: string[] = [];
  let api: TestApp;
  beforeAll(async () => {
    api = await startTestApp({ logs, config: { rateBurst: 3, rateLimitPerSecond: 0.001 } });
  });
  afterAll(async () => {
    await api?.stop();
  });

  it('each field of a multi-field mutation counted once: the 4th field of one document is refused', async () => {
    const label = `labels: [{ key: "${TEST_LABEL}", value: "${OWNER}" }]`;
    const fields = [1, 2, 3, 4].map((i) => `v${i}: createVolume(name: "dq-rate-${RUN}-${i}", ${label}) { name }`).join(' ');
    const res = await gql(api.graphqlUrl, `mutation { ${fields} }`);
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0]).toMatchObject({ path: ['v4'], extensions: { code: 'RATE_LIMITED' } });
    const made = (await docker(['volume', 'ls', '-q', '--filter', `label=${TEST_LABEL}=${OWNER}`])).stdout.split('\n').filter(Boolean).sort();
    expect(made).toEqual([1, 2, 3].map((i) => `dq-rate-${RUN}-${i}`));
  });

  it('is refused over WebSocket too: one budget for both transports', async () => {
    const client = wsClient(api.wsUrl);
    try {
      const result = await wsQuery(client, CANCEL);
      expect(result.errors?.map((e) => e.extensions?.code)).toEqual(['RATE_LIMITED']);
    } finally {
      await client.dispose();
    }
  });

  it('is refused a PUT or DELETE of an archive (429 with Retry-After), while downloads stay free', async () => {
    const put = await fetch(`${api.baseUrl}/archives/rate.tar`, { method: 'PUT', body: 'payload' });
    expect(put.status).toBe(429);
    expect(Number(put.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await put.json()).toEqual({ error: { code: 'RATE_LIMITED', message: expect.stringContaining('rate limit'), retryAfterSeconds: expect.any(Number) } });
    expect((await fetch(`${api.baseUrl}/archives/rate.tar`, { method: 'DELETE' })).status).toBe(429);
    expect((await fetch(`${api.baseUrl}/archives/rate.tar`)).status).toBe(404);
  });

  it('can still query: queries spend nothing', async () => {
    const res = await gql(api.graphqlUrl, '{ pulls { id } }');
    expect(res.errors).toBeUndefined();
  });

  it('has each refusal audited', async () => {
    // Archive lines are written when the response closes.
    await new Promise((r) => setTimeout(r, 50));
    const refused = logs
      .map((l) => JSON.parse(l) as { msg: string; audit?: { operation: string; outcome: string } })
      .filter((l) => l.msg === 'audit' && l.audit!.outcome === 'RATE_LIMITED')
      .map((l) => l.audit!.operation);
    expect(refused).toEqual(['createVolume', 'cancelPull', 'archive.upload', 'archive.delete']);
  });
});

describe('with tokens', () => {
  let api: TestApp;
  beforeAll(async () => {
    api = await startTestApp({ tokens: { ci: 'operator', deploy: 'operator' }, config: { rateBurst: 2, rateLimitPerSecond: 0.001 } });
  });
  afterAll(async () => {
    await api?.stop();
  });

  it('each token has its own budget: ci over its limit does not stop deploy', async () => {
    const as = (name: string) => gql(api.graphqlUrl, CANCEL, undefined, { token: api.tokens[name] });
    expect(codes(await as('ci'))).toEqual(['NOT_FOUND']);
    expect(codes(await as('ci'))).toEqual(['NOT_FOUND']);
    const refused = await as('ci');
    expect(codes(refused)).toEqual(['RATE_LIMITED']);
    expect(refused.errors![0]!.message).toContain('token "ci"');
    expect(codes(await as('deploy'))).toEqual(['NOT_FOUND']);
  });
});
