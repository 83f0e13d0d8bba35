/**
 * Bench: one daemon event stream fanned out to many dashboards.
 *
 *   npx ts-node --transpile-only bench/events-fanout.ts [--subscribers 1000] [--connections 20] [--containers 50] [--concurrency 8]
 *
 * Starts the real dockql server in-process behind a counting proxy; a second
 * process opens `--subscribers` containerEvents subscriptions over
 * `--connections` WebSocket connections (so this process measures the server
 * alone); then `--containers` containers live a whole life each (create,
 * start, die, destroy: 4 events each, 200 by default) through the raw Engine
 * API. Every subscriber must receive every event, over exactly one daemon
 * `/events` connection. Reports the latency from the daemon's timestamp
 * (timeNano) to delivery, against a raw `/events` reader on the daemon socket,
 * and the server's RSS. Exit 1 when a check fails. See bench/README.md.
 */
import 'reflect-metadata';
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { GRAPHQL_PATH } from '../src/server';
import { startCountingProxy } from '../test/support/counting-proxy';
import { liveContainers } from './lib/container-lives';
import { dockerCli } from './lib/docker-cli';
import { acquireEngine } from './lib/engine';
import { type EventRecord, readRawEvents, wallMs } from './lib/event-subscribers';
import { median, percentile } from './lib/measure';
import { formatMiB, formatMs, formatTable } from './lib/report';
import { startBenchApp } from './lib/server';
import { runBench, type Teardown } from './lib/teardown';

/** The label key on every container this bench creates (and removes). */
const BENCH_LABEL = 'dockql.bench';
const BASE_IMAGE = 'dockql/busybox:latest';
/** The life every container lives, in the order the daemon reports it. */
const ACTIONS = ['create', 'start', 'die', 'destroy'] as const;
/** How long the subscribers may take to receive everything after the last container is gone. */
const SETTLE_TIMEOUT_MS = 120_000;

/** Command-line options. */
interface Options {
  readonly subscribers: number;
  readonly connections: number;
  readonly containers: number;
  /** Containers living their lives at once (Engine API calls in flight). */
  readonly concurrency: number;
}

/** Parses the flags above. */
function parseOptions(argv: readonly string[]): Options {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      subscribers: { type: 'string', default: '1000' },
      connections: { type: 'string', default: '20' },
      containers: { type: 'string', default: '50' },
      concurrency: { type: 'string', default: '8' },
    },
    strict: true,
    allowPositionals: false,
  });
  const int = (name: string, value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < 1) throw new Error(`--${name}: "${value}" is not an integer >= 1`);
    return n;
  };
  return {
    subscribers: int('subscribers', values.subscribers),
    connections: int('connections', values.connections),
    containers: int('containers', values.containers),
    concurrency: int('concurrency', values.concurrency),
  };
}

/** Progress goes to stderr so stdout holds only the report. */
function say(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** min / p50 / p99 / max of `values` in ms; `-` when empty. */
function spread(values: readonly number[]): string[] {
  if (!values.length) return ['-', '-', '-', '-'];
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  return [min, median(values), percentile(values, 99), max].map(formatMs);
}

/** The subscriber process (lib/event-subscribers-worker.ts) and its IPC. */
interface Worker {
  /** Resolves once every subscriber recorded `expected` events (or failed), or the timeout ran out. */
  collect(expected: number, timeoutMs: number): Promise<{ settled: boolean; records: EventRecord[]; cpuMs: number }>;
}

/** Forks the subscriber process and resolves once its subscriptions are sent. */
async function forkSubscribers(wsUrl: string, options: Options, query: string, teardown: Teardown): Promise<Worker> {
  const child = fork(path.join(__dirname, 'lib', 'event-subscribers-worker.ts'), [wsUrl, String(options.subscribers), String(Math.min(options.connections, options.subscribers)), query], {
    execArgv: ['-r', 'ts-node/register/transpile-only'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  teardown.add('stop the subscriber process', async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    // Disconnecting lets it unsubscribe and close its sockets cleanly; killing is the fallback.
    const exited = new Promise((resolve) => child.once('exit', resolve));
    if (child.connected) child.disconnect();
    const timer = setTimeout(() => child.kill(), 10_000);
    await exited;
    clearTimeout(timer);
  });
  const next = <T>(type: string): Promise<T> =>
    new Promise((resolve, reject) => {
      const onMessage = (m: { type: string }) => {
        if (m.type !== type) return;
        child.off('exit', onExit);
        child.off('message', onMessage);
        resolve(m as T);
      };
      const onExit = (code: number | null) => reject(new Error(`the subscriber process exited (${code}) before sending "${type}"`));
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  await next('ready');
  return {
    collect: (expected, timeoutMs) => {
      const result = next<{ settled: boolean; records: EventRecord[]; cpuMs: number }>('result');
      child.send({ type: 'collect', expected, timeoutMs });
      return result;
    },
  };
}

/** Arrange, subscribe, generate, check, report; the teardown undoes all of it. */
async function run(options: Options, teardown: Teardown): Promise<string[]> {
  const engine = await acquireEngine(teardown);
  const host = engine.dockerHost;
  const runLabel = `${BENCH_LABEL}=events-fanout-${randomBytes(3).toString('hex')}`;
  const baselineLabel = `${runLabel}-baseline`;
  teardown.add('remove the bench containers', async () => {
    for (const label of [runLabel, baselineLabel]) {
      const ids = (await dockerCli(host, ['ps', '-aq', '--filter', `label=${label}`])).split('\n').filter(Boolean);
      if (ids.length) await dockerCli(host, ['rm', '-f', ...ids]);
    }
  });
  const proxy = await startCountingProxy(host);
  teardown.add('close the counting proxy', () => proxy.close());
  const app = await startBenchApp(proxy.dockerHost, teardown);
  const wsUrl = `${app.url().replace(/^http/, 'ws')}${GRAPHQL_PATH}`;
  const version = (await dockerCli(host, ['version', '--format', '{{.Server.Version}} (API {{.Server.APIVersion}})'])).trim();
  const api = `/v${/API (\d+\.\d+)/.exec(version)?.[1] ?? '1.41'}`;
  const expected = options.containers * ACTIONS.length;
  const live = (label: string) => liveContainers(engine.socketPath, api, BASE_IMAGE, label, options.containers, options.concurrency);

  // Baseline first, with nothing subscribed: what reading the daemon stream costs by itself.
  say(`baseline: ${expected} events read by a raw GET /events on the daemon socket`);
  const idleRaw = await readRawEvents(engine.socketPath, api, { label: [baselineLabel], type: ['container'] });
  await live(baselineLabel);
  await waitFor(() => idleRaw.keys.length >= expected, 'the baseline reader to see every event', 10_000).catch(() => undefined);
  idleRaw.close();

  const rssBefore = process.memoryUsage().rss;
  proxy.reset();
  say(`subscribing ${options.subscribers} containerEvents subscribers over ${options.connections} connections (in a separate process)`);
  const subscribeStart = performance.now();
  const worker = await forkSubscribers(wsUrl, options, `subscription { containerEvents(filter: { labels: ["${runLabel}"] }) { action containerId timeNano } }`, teardown);
  const stats = () => app.eventHub.stats();
  await waitFor(() => stats().subscribers === options.subscribers && stats().connected, `${options.subscribers} subscribers on an open daemon stream`);
  const subscribeMs = performance.now() - subscribeStart;
  const rssSubscribed = process.memoryUsage().rss;
  // The same raw reader, now in the server's (busy) process: how long the server's event loop keeps events waiting.
  const raw = await readRawEvents(engine.socketPath, api, { label: [runLabel], type: ['container'] });
  teardown.add('close the raw event reader', () => raw.close());

  say(`generating ${expected} container events: ${options.containers} containers x ${ACTIONS.join('/')}`);
  const generateStart = wallMs();
  const serverCpu = process.cpuUsage();
  const ids = await live(runLabel);
  const generateMs = wallMs() - generateStart;
  const { settled, records, cpuMs: subscriberCpuMs } = await worker.collect(expected, SETTLE_TIMEOUT_MS);
  const cpu = process.cpuUsage(serverCpu);
  const serverCpuMs = (cpu.user + cpu.system) / 1000;
  const deliveredMs = records.reduce((last, r) => Math.max(last, r.lastArrival ?? -Infinity), -Infinity) - generateStart;
  await waitFor(() => raw.keys.length >= expected, 'the raw reader to see every event', 10_000).catch(() => undefined);
  const rssAfter = process.memoryUsage().rss;
  const wanted = new Set(ids.flatMap((id) => ACTIONS.map((a) => `${id} ${a}`)));
  const complete = records.filter((r) => !r.error && r.keys.length === expected && new Set(r.keys).size === expected && r.keys.every((k) => wanted.has(k)));
  const life = ACTIONS.join();
  const inOrder = complete.filter((r) => {
    const perContainer = new Map<string, string[]>();
    for (const k of r.keys) {
      const [id = '', action = ''] = k.split(' ');
      perContainer.set(id, [...(perContainer.get(id) ?? []), action]);
    }
    return [...perContainer.values()].every((actions) => actions.join() === life);
  });
  const connections = proxy.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/events')).length;
  const latencies = records.flatMap((r) => r.latenciesMs);
  // Per event: when its last subscriber had it, which is what a full fan-out costs.
  const lastPerEvent = new Map<string, number>();
  for (const r of records) r.keys.forEach((k, i) => lastPerEvent.set(k, Math.max(lastPerEvent.get(k) ?? -Infinity, r.latenciesMs[i]!)));

  const n = options.subscribers;
  const checks: [string, string, string, boolean][] = [
    ['subscribers that received all events, each once', `${complete.length}/${n}`, 'all', complete.length === n && settled],
    ['subscribers that saw each container\'s life in order', `${inOrder.length}/${n}`, 'all', inOrder.length === n],
    ['daemon GET /events connections (counting proxy)', String(connections), '1', connections === 1],
    ['connections opened by the server\'s event hub', String(stats().connectionsOpened), '1', stats().connectionsOpened === 1],
    ['events the raw /events readers saw (baseline / during the run)', `${idleRaw.keys.length} / ${raw.keys.length}`, `${expected} / ${expected}`, idleRaw.keys.length === expected && raw.keys.length === expected],
  ];
  const [p50, p99] = [median(latencies), percentile(latencies, 99)];
  const [raw50, raw99] = idleRaw.latenciesMs.length ? [median(idleRaw.latenciesMs), percentile(idleRaw.latenciesMs, 99)] : [NaN, NaN];
  const lines = [
    `events-fanout bench: ${n} containerEvents subscribers over ${Math.min(options.connections, n)} WebSocket connections, ${expected} events (${options.containers} containers x ${ACTIONS.join('/')}, ${options.concurrency} at a time)`,
    `engine: Docker ${version}, ${engine.owned ? 'private' : 'from DOCKER_HOST'} at ${host}`,
    '',
    formatTable(['check', 'result', 'expected', ''], checks.map(([c, r, e, ok]) => [c, r, e, ok ? 'ok' : 'FAIL'])),
    '',
    formatTable(
      ['ms from the daemon\'s timeNano to delivery', 'samples', 'min', 'p50', 'p99', 'max'],
      [
        ['raw GET /events reader, idle process (baseline)', String(idleRaw.latenciesMs.length), ...spread(idleRaw.latenciesMs)],
        ['raw GET /events reader, same process during the run', String(raw.latenciesMs.length), ...spread(raw.latenciesMs)],
        ['dockql: every (subscriber, event)', String(latencies.length), ...spread(latencies)],
        ['dockql: each event\'s last subscriber', String(lastPerEvent.size), ...spread([...lastPerEvent.values()])],
      ],
    ),
    '',
    `dockql vs baseline: p50 +${formatMs(p50 - raw50)} ms (${(p50 / raw50).toFixed(1)}x), p99 +${formatMs(p99 - raw99)} ms (${(p99 / raw99).toFixed(1)}x)`,
    `subscribing ${n}: ${formatMs(subscribeMs)} ms; generating the events (Engine API): ${formatMs(generateMs)} ms; until every subscriber had every event: ${formatMs(deliveredMs)} ms`,
    `deliveries: ${latencies.length} (${Math.round(latencies.length / (deliveredMs / 1000))}/s over the generation window)`,
    `CPU while generating and delivering: server process ${formatMs(serverCpuMs)} ms (${((serverCpuMs * 1000) / Math.max(1, latencies.length)).toFixed(0)} µs per delivery), subscriber process ${formatMs(subscriberCpuMs)} ms`,
    `server RSS (this process: the server, not the subscribers): ${formatMiB(rssBefore)} before subscribing, ${formatMiB(rssSubscribed)} with ${n} subscribers, ${formatMiB(rssAfter)} after delivery`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);

  const failed = checks.filter(([, , , ok]) => !ok).map(([c, r, e]) => `${c}: ${r}, expected ${e}`);
  for (const r of records.filter((x) => !complete.includes(x)).slice(0, 5)) {
    failed.push(`subscriber ${r.index}: ${r.error ?? `${r.keys.length} events${r.completed ? ', completed early' : ''}`}`);
  }
  return failed;
}

// Exit 0 when every check passed, 1 (after cleaning up) on a failed check or an error.
runBench((teardown) => run(parseOptions(process.argv.slice(2)), teardown));
