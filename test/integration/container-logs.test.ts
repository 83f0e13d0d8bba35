/**
 * The ops story of reading logs: `docker logs --tail N --timestamps` of TTY and
 * non-TTY containers through `Container.logs`, and `docker logs -f` through the
 * `containerLogs` subscription, against the real private engine.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Client } from 'graphql-ws';
import { startTestApp, type TestApp } from '../support/app';
import { docker, testDockerHost } from '../support/engine';
import { cleanUp, runContainer } from '../support/fixtures';
import { codes, gql, wsClient, wsQuery } from '../support/graphql';

const OWNER = 'container-logs';
let api: TestApp;
let ws: Client;

type Line = { stream: 'STDOUT' | 'STDERR'; text: string; time: string | null; truncated: boolean };
type Result = { data?: { containerLogs: Line } | null; errors?: Array<{ extensions?: { code?: string } }> };

beforeAll(async () => {
  api = await startTestApp();
  ws = wsClient(api.wsUrl);
});

afterAll(async () => {
  await ws?.dispose();
  await api?.stop();
  await cleanUp(OWNER);
});

/** Runs `script` in a container to its end and returns the container id. */
async function ranToEnd(script: string, args: string[] = []): Promise<string> {
  const id = await runContainer(OWNER, args, ['sh', '-c', script]);
  await docker(['wait', id]);
  return id;
}

async function logsOf(id: string, args = ''): Promise<Line[]> {
  const res = await gql<{ container: { logs: Line[] } }>(api.graphqlUrl, `query($id: String!) { container(ref: $id) { logs${args} { stream text time truncated } } }`, { id });
  expect(res.errors).toBeUndefined();
  return res.data!.container.logs;
}

/** Every result of a containerLogs subscription until it completes. */
async function followAll(variables: Record<string, unknown>): Promise<Result[]> {
  const out: Result[] = [];
  const query = 'subscription($ref: String!, $tail: Int) { containerLogs(ref: $ref, tail: $tail) { stream text time truncated } }';
  for await (const r of ws.iterate({ query, variables })) out.push(r as Result);
  return out;
}

describe('docker logs --tail N --timestamps', () => {
  it('tells stdout from stderr for a container without a TTY, with each line\'s time', async () => {
    const before = Date.now() - 1000;
    const id = await ranToEnd('echo out1; echo err1 >&2; echo out2; echo err2 >&2');
    const lines = await logsOf(id);
    expect(lines.filter((l) => l.stream === 'STDOUT').map((l) => l.text)).toEqual(['out1', 'out2']);
    expect(lines.filter((l) => l.stream === 'STDERR').map((l) => l.text)).toEqual(['err1', 'err2']);
    for (const l of lines) {
      expect(l.truncated).toBe(false);
      expect(Date.parse(l.time!)).toBeGreaterThanOrEqual(before);
      expect(Date.parse(l.time!)).toBeLessThanOrEqual(Date.now());
    }
  });

  it('reads a TTY container\'s one stream as STDOUT, without the terminal\'s carriage returns', async () => {
    const id = await ranToEnd('echo a; echo b >&2', ['-t']);
    const lines = await logsOf(id);
    expect(lines.map((l) => [l.stream, l.text])).toEqual([['STDOUT', 'a'], ['STDOUT', 'b']]);
    expect(lines.every((l) => l.time !== null)).toBe(true);
  });

  it('gives the last `tail` lines, 100 by default (also for an explicit null), none for 0', async () => {
    const id = await ranToEnd('i=1; while [ $i -le 150 ]; do echo line $i; i=$((i+1)); done');
    expect((await logsOf(id, '(tail: 2)')).map((l) => l.text)).toEqual(['line 149', 'line 150']);
    expect(await logsOf(id, '(tail: 0)')).toEqual([]);
    const byDefault = await logsOf(id);
    expect(byDefault).toHaveLength(100);
    expect(byDefault[0]!.text).toBe('line 51');
    expect(await logsOf(id, '(tail: null)')).toEqual(byDefault);
    expect(await logsOf(id, '(tail: 10000)')).toHaveLength(150);
  });

  it.each([-1, 10001])('refuses tail %i with BAD_USER_INPUT', async (tail) => {
    const id = await ranToEnd('echo x');
    const res = await gql(api.graphqlUrl, `{ container(ref: "${id}") { logs(tail: ${tail}) { text } } }`);
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
  });

  it('gives only the lines since a time, like `docker logs --since`', async () => {
    const id = await ranToEnd('echo early; sleep 1.5; echo late');
    const all = await logsOf(id);
    const late = all.find((l) => l.text === 'late')!;
    expect((await logsOf(id, `(since: "${late.time}")`)).map((l) => l.text)).toEqual(['late']);
  });

  it('joins a line the log driver stored in 16 KiB parts, and cuts it at 64 KiB', async () => {
    const id = await ranToEnd("head -c 70000 /dev/zero | tr '\\0' a; echo; echo after");
    const lines = await logsOf(id);
    expect(lines.map((l) => [l.text.length, l.truncated])).toEqual([[65536, true], [5, false]]);
    expect(lines[0]!.text).toBe('a'.repeat(65536));
  });
});

describe('docker logs -f', () => {
  it('receives lines written after subscribing, from both streams, and completes when the container stops', async () => {
    const id = await runContainer(OWNER, [], ['sh', '-c', 'echo ready; while [ ! -f /tmp/go ]; do sleep 0.1; done; echo after-1; echo after-2 >&2; sleep 0.3; echo after-3']);
    const results: Result[] = [];
    let triggered = false;
    const query = 'subscription($ref: String!) { containerLogs(ref: $ref, tail: 1) { stream text time } }';
    for await (const r of ws.iterate({ query, variables: { ref: id } })) {
      results.push(r as Result);
      // "ready" (the one line of tail) proves the follow is live: only now is the rest written.
      if (!triggered && (r as Result).data?.containerLogs.text === 'ready') {
        triggered = true;
        await docker(['exec', id, 'touch', '/tmp/go']);
      }
    }
    expect(results.every((r) => !r.errors)).toBe(true);
    const lines = results.map((r) => r.data!.containerLogs);
    expect(lines.map((l) => [l.stream, l.text])).toEqual(
      expect.arrayContaining([['STDOUT', 'ready'], ['STDOUT', 'after-1'], ['STDERR', 'after-2'], ['STDOUT', 'after-3']]),
    );
    expect(lines).toHaveLength(4);
    expect(lines.every((l) => l.time)).toBe(true);
    // It completed because the container's main process ended.
    expect((await docker(['inspect', '--format', '{{.State.Status}}', id])).stdout.trim()).toBe('exited');
  });

  it('completes when the container is stopped from outside', async () => {
    const id = await runContainer(OWNER, [], ['sh', '-c', 'while true; do echo tick; sleep 0.2; done']);
    const texts: string[] = [];
    const started = Date.now();
    for await (const r of ws.iterate({ query: `subscription { containerLogs(ref: "${id}") { text } }` })) {
      texts.push((r as Result).data!.containerLogs.text);
      if (texts.length === 3) void docker(['kill', id]);
    }
    expect(texts.length).toBeGreaterThanOrEqual(3);
    expect(texts.every((t) => t === 'tick')).toBe(true);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('sends the last lines of a stopped container and completes at once (tail 0 sends nothing)', async () => {
    const id = await ranToEnd('echo one; echo two; echo three');
    const two = await followAll({ ref: id, tail: 2 });
    expect(two.map((r) => r.data?.containerLogs.text)).toEqual(['two', 'three']);
    expect(await followAll({ ref: id, tail: 0 })).toEqual([]);
    expect(await followAll({ ref: id, tail: null })).toEqual([]);
  });

  it('ends a subscription to an unknown container with one NOT_FOUND result and keeps the socket usable', async () => {
    const results = await followAll({ ref: 'no-such-container-logs' });
    expect(results).toHaveLength(1);
    expect(results[0]!.errors?.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
    expect((await followAll({ ref: 'x y' }))[0]!.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    const id = await ranToEnd('echo x');
    expect((await followAll({ ref: id, tail: 10001 }))[0]!.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect((await wsQuery<{ __typename: string }>(ws, '{ __typename }')).data).toEqual({ __typename: 'Query' });
  });

  it('closes its daemon connection as soon as the subscriber leaves, even when the container is silent', async () => {
    const proxy = await startLogsProxy(testDockerHost());
    const app = await startTestApp({ dockerHost: proxy.dockerHost });
    const client = wsClient(app.wsUrl);
    try {
      const id = await runContainer(OWNER, [], ['sleep', '300']);
      const results = client.iterate({ query: `subscription { containerLogs(ref: "${id}") { text } }` });
      const next = results.next();
      await waitFor(() => proxy.openLogFollows() === 1);
      await results.return?.();
      await waitFor(() => proxy.openLogFollows() === 0);
      await expect(next).resolves.toMatchObject({ done: true });
    } finally {
      await client.dispose();
      await app.stop();
      await proxy.close();
    }
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A unix-socket proxy to the daemon that counts open connections carrying a `logs?...follow=true` request. */
async function startLogsProxy(target: string): Promise<{ dockerHost: string; openLogFollows: () => number; close: () => Promise<void> }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dq-logs-'));
  const socketPath = path.join(dir, 'docker.sock');
  const follows = new Set<net.Socket>();
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target.replace(/^unix:\/\//, ''));
    sockets.add(client).add(upstream);
    client.on('data', (chunk: Buffer) => {
      if (/GET \S*\/logs\?\S*follow=true/.test(chunk.toString('latin1'))) follows.add(client);
    });
    client.pipe(upstream).pipe(client);
    const drop = () => {
      follows.delete(client);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', drop).on('error', drop);
    upstream.on('close', drop).on('error', drop);
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return {
    dockerHost: `unix://${socketPath}`,
    openLogFollows: () => follows.size,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
