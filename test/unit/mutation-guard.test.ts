/**
 * The mutation guard on the real schema, with a stub context (no daemon):
 * every top-level mutation field is rate limited per caller and audited once,
 * refusals by the role check included; queries are neither.
 */
import 'reflect-metadata';
import { graphql, type GraphQLSchema, parse, subscribe } from 'graphql';
import type { Principal } from '../../src/auth/principal';
import { RateLimiter } from '../../src/auth/rate-limiter';
import { createLogger } from '../../src/logger';
import { buildDockqlSchema } from '../../src/schema/build';
import { NotFoundError } from '../../src/schema/errors';

let schema: GraphQLSchema;
beforeAll(async () => {
  schema = await buildDockqlSchema();
});

const ADMIN: Principal = { name: 'ops', role: 'admin' };
const VIEWER: Principal = { name: 'dashboard', role: 'viewer' };

/** A context with just what the exercised resolvers use, and a log the test can read. */
function stubContext(principal: Principal, limiter: RateLimiter, lines: string[]) {
  const log = createLogger('info', { write: (line: string) => void lines.push(line) }).child({ requestId: 'req-1', token: principal.name });
  return {
    requestId: 'req-1',
    principal,
    log,
    rateLimiter: limiter,
    services: {
      archives: { delete: async () => true },
      exec: { output: () => (async function* () {})() },
      pulls: {
        watch: () => (async function* () {})(),
        pull: async () => {
          throw new NotFoundError('no such image');
        },
        list: () => [],
      },
    },
  };
}

function audits(lines: string[]): Array<Record<string, unknown>> {
  return lines.map((l) => JSON.parse(l) as { msg: string; audit: Record<string, unknown> }).filter((l) => l.msg === 'audit').map((l) => l.audit);
}

const roomy = () => new RateLimiter({ ratePerSecond: 1000, burst: 1000 });

describe('guardMutations', () => {
  it('audits a successful mutation with caller, operation, arguments, outcome, duration and request id', async () => {
    const lines: string[] = [];
    const res = await graphql({ schema, source: 'mutation { deleteArchive(name: "a.tar") }', contextValue: stubContext(ADMIN, roomy(), lines) });
    expect(res.errors).toBeUndefined();
    expect(audits(lines)).toEqual([{ kind: 'mutation', operation: 'deleteArchive', principal: 'ops', role: 'admin', args: { name: 'a.tar' }, outcome: 'ok', ms: expect.any(Number), requestId: 'req-1' }]);
  });

  it('audits a failed mutation with its error code and the credentials removed', async () => {
    const lines: string[] = [];
    const source = 'mutation { pullImage(ref: "x:1", auth: {username: "alice", password: "wonder-1"}) { id } }';
    const res = await graphql({ schema, source, contextValue: stubContext(ADMIN, roomy(), lines) });
    expect(res.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(audits(lines)).toEqual([expect.objectContaining({ operation: 'pullImage', args: { ref: 'x:1', auth: '[redacted]', wait: false }, outcome: 'NOT_FOUND' })]);
    expect(lines.join('')).not.toContain('wonder-1');
  });

  it('audits a refusal by the role check as FORBIDDEN (at warn)', async () => {
    const lines: string[] = [];
    const res = await graphql({ schema, source: 'mutation { deleteArchive(name: "a.tar") }', contextValue: stubContext(VIEWER, roomy(), lines) });
    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(audits(lines)).toEqual([expect.objectContaining({ operation: 'deleteArchive', principal: 'dashboard', role: 'viewer', outcome: 'FORBIDDEN' })]);
    expect(JSON.parse(lines[0]!).level).toBe(40);
  });

  it('counts each field of a multi-field mutation document once, and refuses past the burst', async () => {
    const lines: string[] = [];
    const limiter = new RateLimiter({ ratePerSecond: 1, burst: 2, now: () => 0 });
    const source = 'mutation { a: deleteArchive(name: "a.tar") b: deleteArchive(name: "b.tar") c: deleteArchive(name: "c.tar") }';
    const res = await graphql({ schema, source, contextValue: stubContext(ADMIN, limiter, lines) });
    expect(res.data).toBeNull(); // c is non-null: its error nulls the whole result
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0]!.path).toEqual(['c']);
    expect(res.errors![0]!.extensions).toEqual({ code: 'RATE_LIMITED', retryAfterSeconds: 1, limitPerSecond: 1, burst: 2 });
    expect(audits(lines).map((a) => [a.operation, a.outcome])).toEqual([
      ['deleteArchive', 'ok'],
      ['deleteArchive', 'ok'],
      ['deleteArchive', 'RATE_LIMITED'],
    ]);
  });

  it('keeps a separate budget per token: one caller over its limit does not stop another', async () => {
    const lines: string[] = [];
    const limiter = new RateLimiter({ ratePerSecond: 1, burst: 1, now: () => 0 });
    const run = (p: Principal) => graphql({ schema, source: 'mutation { deleteArchive(name: "a.tar") }', contextValue: stubContext(p, limiter, lines) });
    const ci = { name: 'ci', role: 'admin' as const, tokenSha256: '1'.repeat(64) };
    const deploy = { name: 'deploy', role: 'admin' as const, tokenSha256: '2'.repeat(64) };
    expect((await run(ci)).errors).toBeUndefined();
    expect((await run(ci)).errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect((await run(deploy)).errors).toBeUndefined();
  });

  it('spends the budget on refused calls too (a viewer hammering mutations is throttled as well)', async () => {
    const lines: string[] = [];
    const limiter = new RateLimiter({ ratePerSecond: 1, burst: 1, now: () => 0 });
    const run = () => graphql({ schema, source: 'mutation { deleteArchive(name: "a.tar") }', contextValue: stubContext(VIEWER, limiter, lines) });
    expect((await run()).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await run()).errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
  });

  it('audits and rate limits the start of subscriptions that act (execOutput), not of those that watch', async () => {
    const lines: string[] = [];
    const limiter = new RateLimiter({ ratePerSecond: 1, burst: 1, now: () => 0 });
    const operator: Principal = { name: 'ci', role: 'operator' };
    const start = (source: string, p: Principal) => subscribe({ schema, document: parse(source), contextValue: stubContext(p, limiter, lines) });
    const exec = 'subscription { execOutput(ref: "web", cmd: ["env"], env: ["A=b"]) { stream } }';
    expect('errors' in (await start(exec, operator))).toBe(false);
    expect(await start(exec, operator)).toMatchObject({ errors: [expect.objectContaining({ extensions: expect.objectContaining({ code: 'RATE_LIMITED' }) })] });
    expect(await start('subscription { pullProgress(id: "p") { id } }', operator)).not.toHaveProperty('errors');
    expect(audits(lines).map((a) => [a.kind, a.operation, a.outcome, a.args])).toEqual([
      ['subscription', 'execOutput', 'ok', { ref: 'web', cmd: ['env'], env: ['A=[redacted]'], timeout: 3600 }],
      ['subscription', 'execOutput', 'RATE_LIMITED', expect.anything()],
    ]);
  });

  it('leaves queries alone: no budget spent, no audit line', async () => {
    const lines: string[] = [];
    const limiter = new RateLimiter({ ratePerSecond: 1, burst: 1, now: () => 0 });
    for (let i = 0; i < 3; i++) expect((await graphql({ schema, source: '{ pulls { id } }', contextValue: stubContext(ADMIN, limiter, lines) })).errors).toBeUndefined();
    expect(lines).toEqual([]);
    expect(limiter.size).toBe(0);
  });
});
