/**
 * The ops story of looking inside containers: `docker stats`, `docker top`,
 * health checks and network addresses as Container fields, `docker stats`
 * streaming as a subscription, and `docker container prune`.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from 'graphql-ws';
import { startTestApp, type TestApp } from '../support/app';
import { docker } from '../support/engine';
import { cleanUp, createContainer, runContainer } from '../support/fixtures';
import { codes, gql, wsClient } from '../support/graphql';

const OWNER = 'container-details';
let api: TestApp;
let ws: Client;
let running: string;
let created: string;

const STATS = 'read cpuPercent onlineCpus memoryUsageBytes memoryLimitBytes memoryPercent networkRxBytes networkTxBytes blockReadBytes blockWriteBytes pids';
type Stats = Record<string, number> & { read: string };
type Result<T> = { data?: T | null; errors?: Array<{ extensions?: { code?: string } }> };

beforeAll(async () => {
  api = await startTestApp();
  ws = wsClient(api.wsUrl);
  running = await runContainer(OWNER, ['--memory', '64m'], ['sleep', '300']);
  created = await createContainer(OWNER);
});

afterAll(async () => {
  await ws?.dispose();
  await api?.stop();
  await cleanUp(OWNER);
});

async function container<T>(ref: string, fields: string): Promise<T> {
  const res = await gql<{ container: T }>(api.graphqlUrl, `query($ref: String!) { container(ref: $ref) { ${fields} } }`, { ref });
  expect(res.errors).toBeUndefined();
  return res.data!.container;
}

async function waitFor<T>(read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('docker stats', () => {
  it('samples a running container with the numbers `docker stats --no-stream` shows', async () => {
    const { stats } = await container<{ stats: Stats }>(running, `stats { ${STATS} }`);
    expect(stats.memoryUsageBytes).toBeGreaterThan(0);
    expect(stats.memoryLimitBytes).toBe(64 * 1024 * 1024);
    expect(stats.memoryPercent).toBeCloseTo((stats.memoryUsageBytes / stats.memoryLimitBytes) * 100, 5);
    expect(stats.cpuPercent).toBeGreaterThanOrEqual(0);
    expect(stats.cpuPercent).toBeLessThanOrEqual(stats.onlineCpus * 100);
    expect(stats.onlineCpus).toBeGreaterThanOrEqual(1);
    expect(stats.pids).toBe(1);
    // Network none: no interface but lo, which the daemon does not count.
    expect([stats.networkRxBytes, stats.networkTxBytes]).toEqual([0, 0]);
    expect(stats.blockReadBytes).toBeGreaterThanOrEqual(0);
    expect(Math.abs(Date.parse(stats.read) - Date.now())).toBeLessThan(30_000);
    const cli = JSON.parse((await docker(['stats', '--no-stream', '--format', '{{json .}}', running])).stdout) as { PIDs: string; MemUsage: string };
    expect(cli.PIDs).toBe('1');
    expect(cli.MemUsage).toMatch(/ \/ 64MiB$/);
  });

  it('is null for a container that is not running', async () => {
    expect(await container(created, 'stats { pids } top { titles }')).toEqual({ stats: null, top: null });
  });

  it('streams samples about once a second and completes when the container stops', async () => {
    const id = await runContainer(OWNER, [], ['sleep', '300']);
    const samples: Stats[] = [];
    const started = Date.now();
    for await (const r of ws.iterate({ query: `subscription { containerStats(ref: "${id}") { ${STATS} } }` })) {
      const result = r as Result<{ containerStats: Stats }>;
      expect(result.errors).toBeUndefined();
      samples.push(result.data!.containerStats);
      if (samples.length === 2) void docker(['kill', id]);
    }
    expect(samples.length).toBeGreaterThanOrEqual(2);
    expect(Date.parse(samples[1]!.read)).toBeGreaterThan(Date.parse(samples[0]!.read));
    expect(samples.every((s) => s.memoryUsageBytes > 0 && s.pids === 1)).toBe(true);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('completes at once for a stopped container, and ends with NOT_FOUND for an unknown one', async () => {
    const stopped: unknown[] = [];
    for await (const r of ws.iterate({ query: `subscription { containerStats(ref: "${created}") { pids } }` })) stopped.push(r);
    expect(stopped).toEqual([]);
    const unknown: Array<Result<unknown>> = [];
    for await (const r of ws.iterate({ query: 'subscription { containerStats(ref: "no-such-container-stats") { pids } }' })) unknown.push(r as Result<unknown>);
    expect(unknown.map((r) => r.errors?.map((e) => e.extensions?.code))).toEqual([['NOT_FOUND']]);
  });
});

describe('docker top', () => {
  it('lists the container\'s processes with the columns of `docker top`', async () => {
    const { top } = await container<{ top: { titles: string[]; processes: string[][] } }>(running, 'top { titles processes }');
    expect(top.titles).toEqual(expect.arrayContaining(['PID', 'CMD']));
    const cmd = top.titles.indexOf('CMD');
    expect(top.processes.map((p) => p[cmd])).toEqual(['sleep 300']);
    expect(top.processes[0]).toHaveLength(top.titles.length);
  });

  it('passes ps options, and refuses anything but option characters', async () => {
    const { top } = await container<{ top: { titles: string[]; processes: string[][] } }>(running, 'top(psArgs: "-eo pid,args") { titles processes }');
    expect(top.titles).toEqual(['PID', 'COMMAND']);
    expect(top.processes.map((p) => p[1])).toEqual(['sleep 300']);
    const res = await gql(api.graphqlUrl, `{ container(ref: "${running}") { top(psArgs: "-ef; rm -rf /") { titles } } }`);
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
  });
});

describe('health checks', () => {
  type Health = { status: string; failingStreak: number; lastProbe: { start: string; end: string | null; exitCode: number; output: string } | null; probes: unknown[] } | null;
  const HEALTH = 'health { status failingStreak lastProbe { start end exitCode output } probes { exitCode } }';

  it('becomes healthy when the probe passes', async () => {
    const id = await runContainer(OWNER, ['--health-cmd', 'true', '--health-interval', '1s'], ['sleep', '300']);
    const { health } = await waitFor(() => container<{ health: Health }>(id, HEALTH), (c) => c.health?.status === 'HEALTHY');
    expect(health).toMatchObject({ status: 'HEALTHY', failingStreak: 0, lastProbe: { exitCode: 0, output: '' } });
    expect(Date.parse(health!.lastProbe!.end!)).toBeGreaterThanOrEqual(Date.parse(health!.lastProbe!.start));
    expect(health!.probes.length).toBeGreaterThanOrEqual(1);
  });

  it('becomes unhealthy with the failing probe\'s output and streak', async () => {
    const id = await runContainer(OWNER, ['--health-cmd', 'echo not ready; exit 1', '--health-interval', '1s', '--health-retries', '1'], ['sleep', '300']);
    const { health } = await waitFor(() => container<{ health: Health }>(id, HEALTH), (c) => c.health?.status === 'UNHEALTHY');
    expect(health).toMatchObject({ status: 'UNHEALTHY', lastProbe: { exitCode: 1, output: 'not ready\n' } });
    expect(health!.failingStreak).toBeGreaterThanOrEqual(1);
  });

  it('is null for a container without a health check', async () => {
    expect(await container(running, 'health { status }')).toEqual({ health: null });
  });
});

describe('network addresses', () => {
  it('shows network none without addresses (the test engine has no bridge)', async () => {
    const none = (await docker(['network', 'inspect', '--format', '{{.Id}}', 'none'])).stdout.trim();
    const { networks } = await container<{ networks: unknown[] }>(running, 'networks { name networkId ipAddress ipPrefixLength gateway ipv6Address macAddress aliases }');
    expect(networks).toEqual([{ name: 'none', networkId: none, ipAddress: null, ipPrefixLength: null, gateway: null, ipv6Address: null, macAddress: null, aliases: [] }]);
  });
});

describe('docker container prune', () => {
  it('removes the stopped containers the labels select, and nothing running', async () => {
    const label = `dockql.prune=${randomUUID()}`;
    const exited = await runContainer(OWNER, ['--label', label], ['true']);
    await docker(['wait', exited]);
    const never = await createContainer(OWNER, ['--label', label]);
    const alive = await runContainer(OWNER, ['--label', label], ['sleep', '300']);
    const tooYoung = await gql<{ pruneContainers: { deleted: string[] } }>(api.graphqlUrl, `mutation { pruneContainers(labels: ["${label}"], olderThanSeconds: 3600) { deleted } }`);
    expect(tooYoung.data!.pruneContainers.deleted).toEqual([]);
    const res = await gql<{ pruneContainers: { deleted: string[]; spaceReclaimed: number } }>(api.graphqlUrl, `mutation { pruneContainers(labels: ["${label}"]) { deleted spaceReclaimed } }`);
    expect(res.errors).toBeUndefined();
    expect([...res.data!.pruneContainers.deleted].sort()).toEqual([exited, never].sort());
    expect(res.data!.pruneContainers.spaceReclaimed).toBeGreaterThanOrEqual(0);
    const left = (await docker(['ps', '-aq', '--no-trunc', '--filter', `label=${label}`])).stdout.split('\n').filter(Boolean);
    expect(left).toEqual([alive]);
  });

  it('refuses a malformed label filter or age with BAD_USER_INPUT', async () => {
    const res = await gql(api.graphqlUrl, 'mutation { a: pruneContainers(labels: ["=x"]) { deleted } }');
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    const age = await gql(api.graphqlUrl, 'mutation { pruneContainers(labels: ["dockql.prune=none"], olderThanSeconds: -1) { deleted } }');
    expect(codes(age)).toEqual(['BAD_USER_INPUT']);
  });
});
