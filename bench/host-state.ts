/**
 * Bench: reading host state (the `docker ps -a` / `docker images` story) through
 * dockql, against the raw Engine API and the docker CLI on the same engine.
 *
 *   npx ts-node --transpile-only bench/host-state.ts [--containers 200] [--runs 30] [--warmup 5]
 *
 * Arranges N stopped containers from three images, starts the real dockql
 * server in-process behind a counting proxy, times every case interleaved and
 * prints medians, p90s, ratios against the raw API and daemon requests per
 * query. Everything it creates is removed at the end. See bench/README.md.
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { type CountingProxy, startCountingProxy } from '../test/support/counting-proxy';
import { EngineApiClient, GraphqlClient, graphqlData } from './lib/clients';
import { dockerCli, mapLimit } from './lib/docker-cli';
import { acquireEngine, type BenchEngine } from './lib/engine';
import { type BenchCase, type CaseResult, measureInterleaved } from './lib/measure';
import { formatMiB, formatTable, requestsTable, resultsTable, summarize, type SummaryRow } from './lib/report';
import { startBenchServer } from './lib/server';
import { runBench, type Teardown } from './lib/teardown';

/** The label on every container this bench creates (and removes). */
const BENCH_LABEL = 'dockql.bench=host-state';
/** The engine's seeded base image (scripts/engine.sh). */
const BASE_IMAGE = 'dockql/busybox:latest';
/** Images committed from the base, so the containers come from three images. */
const DERIVED_IMAGES = ['dockql-bench/host-state:a', 'dockql-bench/host-state:b'];
/** `docker create` calls in flight while arranging. */
const CREATE_CONCURRENCY = 4;
/** The Engine API version a hand-written client pins (the Docker 20.10 daemon speaks 1.41). */
const API = '/v1.41';

/** The GraphQL documents timed. */
const QUERIES = {
  psImage: '{ containers { name state status image { repoTags } } }',
  psList: '{ containers { id name imageRef state status created ports { privatePort } labels { key } } }',
  images: '{ images { id repoTags size created } }',
} as const;

/** Command-line options. */
interface Options {
  readonly containers: number;
  readonly runs: number;
  readonly warmup: number;
}

/** Parses `--containers N --runs N --warmup N`. */
function parseOptions(argv: readonly string[]): Options {
  const { values } = parseArgs({
    args: [...argv],
    options: { containers: { type: 'string', default: '200' }, runs: { type: 'string', default: '30' }, warmup: { type: 'string', default: '5' } },
    strict: true,
    allowPositionals: false,
  });
  const int = (name: string, value: string, min: number): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min) throw new Error(`--${name}: "${value}" is not an integer >= ${min}`);
    return n;
  };
  return { containers: int('containers', values.containers, 1), runs: int('runs', values.runs, 1), warmup: int('warmup', values.warmup, 0) };
}

/** Progress goes to stderr so stdout holds only the report. */
function say(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

/** Commits {@link DERIVED_IMAGES} from the base image; the teardown removes them. */
async function seedImages(host: string, teardown: Teardown): Promise<void> {
  await dockerCli(host, ['image', 'inspect', '--format', '{{.Id}}', BASE_IMAGE]).catch(() => {
    throw new Error(`${BASE_IMAGE} is missing on ${host}; scripts/engine.sh start seeds it`);
  });
  teardown.add('remove the bench images', () => dockerCli(host, ['rmi', ...DERIVED_IMAGES]).catch(() => undefined));
  for (const [i, tag] of DERIVED_IMAGES.entries()) {
    const seed = `dockql-bench-seed-${process.pid}-${i}`;
    teardown.add(`remove ${seed}`, () => dockerCli(host, ['rm', '-f', seed]).catch(() => undefined));
    await dockerCli(host, ['run', '--name', seed, '--network', 'none', BASE_IMAGE, 'sh', '-c', `echo ${i} > /seed-${i}`]);
    await dockerCli(host, ['commit', seed, tag]);
    await dockerCli(host, ['rm', seed]);
  }
}

/** Removes every container carrying {@link BENCH_LABEL}, a batch at a time. */
async function removeBenchContainers(host: string): Promise<void> {
  const ids = (await dockerCli(host, ['ps', '-aq', '--filter', `label=${BENCH_LABEL}`])).split(/\s+/).filter(Boolean);
  const batches = Array.from({ length: Math.ceil(ids.length / 25) }, (_, i) => ids.slice(i * 25, i * 25 + 25));
  await mapLimit(batches, CREATE_CONCURRENCY, (batch) => dockerCli(host, ['rm', '-f', ...batch]));
  say(`removed ${ids.length} bench container(s)`);
}

/** Creates `count` stopped containers from the base and derived images, round robin. */
async function createContainers(host: string, count: number, teardown: Teardown): Promise<void> {
  teardown.add('remove the bench containers', () => removeBenchContainers(host));
  const images = [BASE_IMAGE, ...DERIVED_IMAGES];
  const started = Date.now();
  await mapLimit(Array.from({ length: count }, (_, i) => images[i % images.length]!), CREATE_CONCURRENCY, (image) =>
    dockerCli(host, ['create', '--network', 'none', '--label', BENCH_LABEL, image, 'true']),
  );
  say(`created ${count} containers from ${images.length} images in ${Date.now() - started} ms`);
}


/** Throws unless `value` is an array with at least `min` items. */
function expectList(value: unknown, min: number, what: string): void {
  if (!Array.isArray(value)) throw new Error(`${what} is not a list`);
  if (value.length < min) throw new Error(`${what} has ${value.length} items, expected at least ${min}`);
}

/** The timed cases, each with the raw-API case it is compared to. */
function buildCases(raw: EngineApiClient, gql: GraphqlClient, proxyHost: string, containers: number): BenchCase[] {
  const rawList = (min: number, what: string) => (out: string) => expectList(JSON.parse(out), min, what);
  const gqlList = (field: string, min: number) => (out: string) => expectList(graphqlData(out)[field], min, `data.${field}`);
  return [
    { name: 'raw-ps', run: () => raw.get(`${API}/containers/json?all=1`), check: rawList(containers, 'containers/json') },
    {
      name: 'raw-ps+images',
      // A hand-written client that needs image tags asks for both lists at once.
      run: async () => (await Promise.all([raw.get(`${API}/containers/json?all=1`), raw.get(`${API}/images/json`)])).join('\n'),
      check: (out) => expectList(JSON.parse(out.split('\n')[0]!), containers, 'containers/json'),
    },
    { name: 'dockql-ps-image', baseline: 'raw-ps+images', run: () => gql.post(QUERIES.psImage), check: gqlList('containers', containers) },
    { name: 'dockql-ps-list', baseline: 'raw-ps', run: () => gql.post(QUERIES.psList), check: gqlList('containers', containers) },
    {
      name: 'cli-ps-json',
      baseline: 'raw-ps',
      // `{{json .}}` includes .Size, so the CLI asks the daemon for sizes (size=1): see the requests table.
      run: () => dockerCli(proxyHost, ['ps', '-a', '--no-trunc', '--format', '{{json .}}']),
      check: (out) => expectList(out.trim().split('\n'), containers, 'docker ps lines'),
    },
    {
      name: 'cli-ps',
      baseline: 'raw-ps',
      // Plain `docker ps -a`: what ops types, without the size computation.
      run: () => dockerCli(proxyHost, ['ps', '-a', '--no-trunc']),
      check: (out) => expectList(out.trim().split('\n').slice(1), containers, 'docker ps rows'),
    },
    { name: 'raw-images', run: () => raw.get(`${API}/images/json`), check: rawList(3, 'images/json') },
    { name: 'dockql-images', baseline: 'raw-images', run: () => gql.post(QUERIES.images), check: gqlList('images', 3) },
  ];
}

/** dockql's container-list medians as a multiple of each docker CLI row's median (the ops baseline). */
function cliComparison(rows: readonly SummaryRow[]): string {
  const cli = rows.filter((r) => r.name.startsWith('cli-'));
  const dockql = rows.filter((r) => r.name.startsWith('dockql-ps'));
  return formatTable(
    ['dockql time / CLI time', ...cli.map((c) => c.name)],
    dockql.map((d) => [d.name, ...cli.map((c) => `${(d.medianMs / c.medianMs).toFixed(2)}x`)]),
  );
}

/** Everything printed on stdout. */
interface Report {
  readonly engine: string;
  readonly options: Options;
  readonly counts: { containers: number; images: number };
  readonly results: readonly CaseResult[];
  readonly rssBefore: number;
  readonly rssAfter: number;
}

/** Prints the report as plain text on stdout. */
function printReport(r: Report): void {
  const rows = summarize(r.results);
  const lines = [
    `host-state bench: ${r.options.runs} runs per case after ${r.options.warmup} warm-up rounds, interleaved`,
    `engine: ${r.engine}; ${r.counts.containers} containers (${r.options.containers} from the bench), ${r.counts.images} images`,
    '',
    resultsTable(rows),
    '',
    cliComparison(rows),
    '',
    requestsTable(r.results),
    '',
    `server RSS (the bench process hosts it): ${formatMiB(r.rssBefore)} before, ${formatMiB(r.rssAfter)} after (${r.rssAfter >= r.rssBefore ? '+' : '-'}${formatMiB(Math.abs(r.rssAfter - r.rssBefore))})`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** `Docker 20.10.24 (API 1.41) at unix:///...` */
async function describeEngine(raw: EngineApiClient, engine: BenchEngine): Promise<string> {
  const version = JSON.parse(await raw.get(`${API}/version`)) as { Version?: string; ApiVersion?: string };
  return `Docker ${version.Version ?? '?'} (API ${version.ApiVersion ?? '?'}), ${engine.owned ? 'private' : 'from DOCKER_HOST'} at ${engine.dockerHost}`;
}

/** Arrange, serve, measure, report; the teardown undoes all of it. */
async function run(options: Options, teardown: Teardown): Promise<void> {
  const engine = await acquireEngine(teardown);
  await seedImages(engine.dockerHost, teardown);
  await createContainers(engine.dockerHost, options.containers, teardown);

  // Every client goes through the same proxy, so its hop costs all rows alike.
  const proxy: CountingProxy = await startCountingProxy(engine.dockerHost);
  teardown.add('close the counting proxy', () => proxy.close());
  const graphqlUrl = await startBenchServer(proxy.dockerHost, teardown);
  const raw = new EngineApiClient(proxy.dockerHost.replace(/^unix:\/\//, ''));
  const gql = new GraphqlClient(graphqlUrl);
  teardown.add('close the bench clients', () => {
    raw.close();
    gql.close();
  });

  const counts = {
    containers: (JSON.parse(await raw.get(`${API}/containers/json?all=1`)) as unknown[]).length,
    images: (JSON.parse(await raw.get(`${API}/images/json`)) as unknown[]).length,
  };
  const engineLine = await describeEngine(raw, engine);
  const cases = buildCases(raw, gql, proxy.dockerHost, options.containers);
  const rssBefore = process.memoryUsage().rss;
  say(`measuring ${cases.length} cases: ${options.warmup} warm-up + ${options.runs} timed rounds`);
  const results = await measureInterleaved(cases, {
    runs: options.runs,
    warmup: options.warmup,
    recorder: proxy,
    onRound: (round, total) => round % 10 === 0 && say(`round ${round}/${total}`),
  });
  const rssAfter = process.memoryUsage().rss;
  printReport({ engine: engineLine, options, counts, results, rssBefore, rssAfter });
}

// Exit 0 on success, 1 (after cleaning up) on any error; this bench has no pass/fail checks of its own.
runBench(async (teardown) => {
  await run(parseOptions(process.argv.slice(2)), teardown);
  return [];
});
