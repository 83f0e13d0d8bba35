/**
 * Bench: one image pull followed by many `pullProgress` subscribers, through
 * dockql, against `docker pull` of the same image on the same engine.
 *
 *   npx ts-node --transpile-only bench/pull-progress.ts [--subscribers 100] [--size-mb 64] [--layers 4] [--connections 10] [--warmup 1]
 *
 * Builds a multi-layer image of random data, pushes it to the engine's loopback
 * registry and removes it locally. After an untimed warm-up pull (every layer
 * already there), starts one pull with `pullImage(wait:
 * false)` and at once opens the subscribers, spread over a few graphql-ws
 * connections. Reports daemon pull requests (must be 1), who got the final
 * SUCCEEDED snapshot (must be all), messages per subscriber, the latency from
 * the daemon's last stream line to each final message, and dockql's pull time
 * against the CLI's. Exits 1 when a check fails. See bench/README.md.
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { type CountingProxy, type RecordedRequest, startCountingProxy } from '../test/support/counting-proxy';
import { GraphqlClient, graphqlData } from './lib/clients';
import { dockerCli } from './lib/docker-cli';
import { median, percentile } from './lib/measure';
import { ProgressSubscribers, type SubscriberRecord } from './lib/progress-subscribers';
import { BASE_IMAGE, buildAndPushImage, imageExists, pushBaseAs, removeLocally, TRANSFER_TIMEOUT_MS } from './lib/pushed-image';
import { acquireEngineWithRegistry } from './lib/registry-engine';
import { formatMiB, formatMs, formatTable } from './lib/report';
import { startStreamTimingProxy, type StreamTimingProxy, type TimedExchange } from './lib/stream-timing-proxy';
import { startBenchServer } from './lib/server';
import { runBench, type Teardown } from './lib/teardown';

/** The subscription every subscriber runs (the issue's document). */
const SUBSCRIPTION = 'subscription($id: ID!) { pullProgress(id: $id) { status current total layers { id status } } }';
/** A daemon pull request, as the proxies see it. */
const isPullRequest = (method: string, path: string): boolean => method === 'POST' && path.startsWith('/images/create');

/** Command-line options. */
interface Options {
  readonly subscribers: number;
  readonly sizeMb: number;
  readonly layers: number;
  readonly connections: number;
  /** Untimed warm-up pulls (of the base image, pushed under another name) with every subscriber. */
  readonly warmup: number;
}

/** Parses `--subscribers N --size-mb N --layers N --connections N --warmup N`. */
function parseOptions(argv: readonly string[]): Options {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      subscribers: { type: 'string', default: '100' },
      'size-mb': { type: 'string', default: '64' },
      layers: { type: 'string', default: '4' },
      connections: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '1' },
    },
    strict: true,
    allowPositionals: false,
  });
  const int = (name: string, value: string, min = 1): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min) throw new Error(`--${name}: "${value}" is not an integer >= ${min}`);
    return n;
  };
  return {
    subscribers: int('subscribers', values.subscribers),
    sizeMb: int('size-mb', values['size-mb']),
    layers: int('layers', values.layers),
    connections: int('connections', values.connections),
    warmup: int('warmup', values.warmup, 0),
  };
}

/** Progress goes to stderr so stdout holds only the report. */
function say(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}


/** The one timed daemon pull of a phase. */
function onlyExchange(exchanges: readonly TimedExchange[], what: string): TimedExchange | undefined {
  if (exchanges.length !== 1) say(`${what}: the proxy timed ${exchanges.length} pull requests`);
  return exchanges[exchanges.length - 1];
}

/** Both proxies in front of the daemon. */
interface Proxies {
  readonly counting: CountingProxy;
  readonly timing: StreamTimingProxy;
}

/** What a dockql pull needs: the engine, the proxies, an HTTP client and the connected subscribers. */
interface Session {
  readonly host: string;
  readonly proxies: Proxies;
  readonly gql: GraphqlClient;
  readonly pool: ProgressSubscribers;
}

/** What one dockql pull produced. */
interface DockqlPull {
  /** When the mutation was sent (performance.now()). */
  readonly startedAt: number;
  readonly settled: boolean;
  readonly records: readonly SubscriberRecord[];
  readonly requests: readonly RecordedRequest[];
  readonly exchange?: TimedExchange;
  readonly imagePresent: boolean;
  /** `{ pulls { status error } }` when a subscriber missed the final state, for the message. */
  readonly jobState?: string;
}

/** True when the subscriber completed, without an error, after a SUCCEEDED message. */
function gotFinal(r: SubscriberRecord): boolean {
  return r.completedAt !== undefined && !r.error && r.messages.at(-1)?.status === 'SUCCEEDED';
}

/** True when every subscriber got the final SUCCEEDED state. */
function allSucceeded(p: Pick<DockqlPull, 'settled' | 'records'>): boolean {
  return p.settled && p.records.every(gotFinal);
}

/** `pullImage(wait: false)` over HTTP, then `count` subscribers at once; waits for all of them. */
async function dockqlPull(ref: string, count: number, s: Session): Promise<DockqlPull> {
  s.proxies.counting.reset();
  s.proxies.timing.reset();
  const startedAt = performance.now();
  const data = graphqlData(await s.gql.post(`mutation { pullImage(ref: ${JSON.stringify(ref)}, wait: false) { id } }`));
  const { id } = data.pullImage as { id: string };
  const batch = s.pool.subscribe(count, SUBSCRIPTION, { id }, 'pullProgress');
  const settled = await batch.settle(TRANSFER_TIMEOUT_MS);
  // The job made its last daemon request (the image check) before it sent the final state.
  const requests = [...s.proxies.counting.requests];
  const exchange = onlyExchange(s.proxies.timing.exchanges, `dockql pull of ${ref}`);
  const result = { startedAt, settled, records: batch.records, requests, exchange, imagePresent: await imageExists(s.host, ref) };
  if (allSucceeded(result)) return result;
  return { ...result, jobState: await s.gql.post('{ pulls { id ref status error } }').catch((e: Error) => e.message) };
}

/** What `docker pull` took. */
interface CliPull {
  /** Spawn and exit of the CLI (performance.now(), the proxy's clock). */
  readonly startedAt: number;
  readonly exitedAt: number;
  readonly exchange?: TimedExchange;
  /** Layers the CLI printed as "Pull complete". */
  readonly downloaded: number;
}

/** `docker pull <ref>` through the same proxies, timed from spawn to exit. */
async function cliPull(ref: string, proxies: Proxies): Promise<CliPull> {
  proxies.timing.reset();
  const startedAt = performance.now();
  const out = await dockerCli(proxies.timing.dockerHost, ['pull', ref], TRANSFER_TIMEOUT_MS);
  const exitedAt = performance.now();
  if (!/Downloaded newer image/.test(out)) throw new Error(`docker pull ${ref} did not download anything:\n${out}`);
  return { startedAt, exitedAt, exchange: onlyExchange(proxies.timing.exchanges, 'docker pull'), downloaded: (out.match(/: Pull complete$/gm) ?? []).length };
}

/** `GET /a, GET /b x3`: a phase's daemon requests, repeats folded. */
function foldRequests(requests: readonly RecordedRequest[]): string {
  const counts = new Map<string, number>();
  for (const r of requests) {
    // Query strings carry the ref; the path shape is what matters here.
    const key = `${r.method} ${r.path.replace(/\?.*$/, '?...')}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([r, n]) => (n > 1 ? `${r} x${n}` : r)).join(', ') || '(none)';
}

/** min / median / p99 / max of `values`, formatted; `-` when there are none. */
function spread(values: readonly number[], format: (n: number) => string): string[] {
  if (!values.length) return ['-', '-', '-', '-'];
  return [Math.min(...values), median(values), percentile(values, 99), Math.max(...values)].map(format);
}

/** One pull's phases on the proxy clock: to the daemon request, the daemon stream, after its last line. */
function pullRow(name: string, startedAt: number, endedAt: number, e: TimedExchange | undefined, wallMs: number, baselineMs: number): string[] {
  const ms = (from: number | undefined, to: number | undefined) => (from === undefined || to === undefined ? '-' : formatMs(to - from));
  return [name, formatMs(wallMs), ms(startedAt, e?.requestAt), ms(e?.requestAt, e?.lastLineAt), ms(e?.lastLineAt, endedAt), String(e?.lines ?? '-'), `${(wallMs / baselineMs).toFixed(2)}x`];
}

/** Prints the report and returns the failed checks (empty when all passed). */
function report(options: Options, engineLine: string, ref: string, dockql: DockqlPull, cli: CliPull): string[] {
  const n = dockql.records.length;
  const finals = dockql.records.filter(gotFinal);
  const backwards = dockql.records.filter((r) => r.wentBackwards);
  const posts = dockql.requests.filter((r) => isPullRequest(r.method, r.path)).length;
  const lastLineAt = dockql.exchange?.lastLineAt;
  const finalAts = finals.map((r) => r.messages.at(-1)!.at);
  const latencies = lastLineAt === undefined ? [] : finalAts.map((at) => at - lastLineAt);
  // dockql's pull is over when the last subscriber has its final message.
  const lastFinal = finalAts.length ? Math.max(...finalAts) : NaN;
  const downloaded = (finals[0]?.messages.at(-1)?.layers ?? []).filter((l) => l.status === 'Pull complete').length;
  const cliWall = cli.exitedAt - cli.startedAt;
  const checks: [string, string, string, boolean][] = [
    ['daemon POST /images/create during the dockql pull', String(posts), '1', posts === 1],
    ['subscribers whose final message is SUCCEEDED', `${finals.length}/${n}`, 'all', finals.length === n && dockql.settled],
    ['subscribers that saw current go backwards', String(backwards.length), '0', backwards.length === 0],
    ['image on the engine after the dockql pull', dockql.imagePresent ? 'yes' : 'no', 'yes', dockql.imagePresent],
    ['layers downloaded (Pull complete): dockql / docker pull', `${downloaded} / ${cli.downloaded}`, `${options.layers} / ${options.layers}`, downloaded === options.layers && cli.downloaded === options.layers],
  ];
  const lines = [
    `pull-progress bench: ${ref}, ${options.layers} layers, ${formatMiB(options.sizeMb * 1024 * 1024)} of random data on ${BASE_IMAGE}`,
    `${n} pullProgress subscribers over ${Math.min(options.connections, n)} WebSocket connections, after ${options.warmup} warm-up pull(s)`,
    `engine: ${engineLine}`,
    '',
    formatTable(['check', 'result', 'expected', ''], checks.map(([c, r, e, ok]) => [c, r, e, ok ? 'ok' : 'FAIL'])),
    '',
    formatTable(
      ['per subscriber', 'min', 'median', 'p99', 'max'],
      [
        ['messages', ...spread(dockql.records.map((r) => r.messages.length), (k) => (Number.isInteger(k) ? String(k) : k.toFixed(1)))],
        ['ms from subscribing to the first message', ...spread(dockql.records.filter((r) => r.messages.length).map((r) => r.messages[0]!.at - r.subscribedAt), formatMs)],
        ["ms from the daemon's last stream line to the final message", ...spread(latencies, formatMs)],
      ],
    ),
    '',
    formatTable(
      ['pull', 'wall ms', 'to daemon request', 'daemon stream', 'after last line', 'stream lines', 'ratio'],
      [
        pullRow('docker pull (CLI)', cli.startedAt, cli.exitedAt, cli.exchange, cliWall, cliWall),
        pullRow('dockql pullImage + subscribers', dockql.startedAt, lastFinal, dockql.exchange, lastFinal - dockql.startedAt, cliWall),
      ],
    ),
    '',
    `daemon requests of the dockql pull: ${foldRequests(dockql.requests)}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);

  const failed = checks.filter(([, , , ok]) => !ok).map(([c, r, e]) => `${c}: ${r}, expected ${e}`);
  if (!dockql.settled) failed.push(`${dockql.records.filter((r) => r.completedAt === undefined && !r.error).length} subscriber(s) still open after ${TRANSFER_TIMEOUT_MS / 1000} s`);
  for (const r of dockql.records.filter((x) => !finals.includes(x)).slice(0, 5)) {
    failed.push(`subscriber ${r.index}: ${r.error ?? `last status ${r.messages.at(-1)?.status ?? '(no message)'}${r.completedAt === undefined ? ', not completed' : ''}`}`);
  }
  for (const r of backwards.slice(0, 5)) failed.push(`subscriber ${r.index}: current went ${r.messages.map((m) => m.current).join(' -> ')}`);
  if (lastLineAt === undefined) failed.push('the timing proxy saw no progress line of the dockql pull');
  if (failed.length && dockql.jobState) failed.push(`pulls: ${dockql.jobState}`);
  return failed;
}

/** Arrange, warm up, pull through dockql, pull with the CLI, report; the teardown undoes all of it. */
async function run(options: Options, teardown: Teardown): Promise<string[]> {
  const engine = await acquireEngineWithRegistry(teardown);
  const host = engine.dockerHost;
  const ref = `${engine.registry}/bench/pull:1`;
  const warmRef = `${engine.registry}/bench/pull-warmup:1`;
  say(`building ${ref}: ${options.layers} layers, ${options.sizeMb} MB of random data`);
  const built = performance.now();
  await buildAndPushImage(host, { ref, bytes: options.sizeMb * 1024 * 1024, layers: options.layers, cleanRegistry: !engine.owned }, teardown);
  if (options.warmup) await pushBaseAs(host, warmRef, !engine.owned, teardown);
  say(`built, pushed and removed locally in ${Math.round(performance.now() - built)} ms`);

  // client -> timing proxy -> counting proxy -> daemon, for dockql and the CLI alike.
  const counting = await startCountingProxy(host);
  teardown.add('close the counting proxy', () => counting.close());
  const timing = await startStreamTimingProxy(counting.dockerHost, isPullRequest);
  teardown.add('close the timing proxy', () => timing.close());
  const url = await startBenchServer(timing.dockerHost, teardown);
  const gql = new GraphqlClient(url);
  teardown.add('close the GraphQL client', () => gql.close());
  const pool = await ProgressSubscribers.connect(url, Math.min(options.connections, options.subscribers));
  teardown.add('close the WebSocket clients', () => pool.dispose());
  const session: Session = { host, proxies: { counting, timing }, gql, pool };
  const version = (await dockerCli(host, ['version', '--format', '{{.Server.Version}} (API {{.Server.APIVersion}})'])).trim();
  const engineLine = `Docker ${version}, ${engine.owned ? 'private' : 'from DOCKER_HOST'} at ${host}`;

  for (let i = 1; i <= options.warmup; i++) {
    say(`warm-up ${i}/${options.warmup}: pulling ${warmRef} (layers already there) with ${options.subscribers} subscribers`);
    const warm = await dockqlPull(warmRef, options.subscribers, session);
    if (!allSucceeded(warm)) throw new Error(`the warm-up pull of ${warmRef} did not reach every subscriber as SUCCEEDED: ${warm.jobState ?? ''}`);
    await removeLocally(host, warmRef);
  }
  say(`pulling ${ref} through dockql with ${options.subscribers} subscribers`);
  const dockql = await dockqlPull(ref, options.subscribers, session);
  await pool.dispose();
  await removeLocally(host, ref);
  say(`pulling ${ref} with docker pull`);
  const cli = await cliPull(ref, session.proxies);
  await removeLocally(host, ref);
  return report(options, engineLine, ref, dockql, cli);
}

// Exit 0 when every check passed, 1 (after cleaning up) on a failed check or an error.
runBench((teardown) => run(parseOptions(process.argv.slice(2)), teardown));
