/**
 * Bench: `docker save -o` and `docker load -i` of a large image, through
 * dockql's archive jobs (saveImages, loadImages) and with the docker CLI, on
 * the same engine in the same run.
 *
 *   npx ts-node --transpile-only bench/archive.ts [--layers 4] [--layer-mb 256] [--runs 5] [--quiet-wait 20] [--keep-caches]
 *
 * Builds an image of random data (default 4 x 256 MiB over busybox) and runs
 * the server from the compiled dist/ in its own process, then runs `--runs`
 * interleaved rounds: the saves (CLI to a scratch file, dockql into its
 * archive directory), then the loads (the image removed before each), the
 * order rotated from round to round. Before each case, untimed: dirty pages
 * are written back, the page cache is dropped (when this process may), and the
 * bench waits for the host's CPUs to be quiet. Reports each median, dockql's
 * ratio to the CLI (target: within 10%) with the per-round ratios, the
 * server's CPU time, and the growth of the server's RSS sampled every 50 ms
 * during each operation (target: < 64 MiB, the archive is never buffered).
 * Exits 1 when a check fails (a job not SUCCEEDED, the image id not back after
 * a load).
 */
import 'reflect-metadata';
import { execFile } from 'node:child_process';
import { statfsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs, promisify } from 'node:util';
import { GRAPHQL_PATH } from '../src/server';
import { buildBigImage } from './lib/big-image';
import { GraphqlClient, graphqlData } from './lib/clients';
import { dockerCli } from './lib/docker-cli';
import { acquireEngine } from './lib/engine';
import { waitForQuietHost } from './lib/host-cpu';
import { median } from './lib/measure';
import { TRANSFER_TIMEOUT_MS } from './lib/pushed-image';
import { formatMiB, formatTable } from './lib/report';
import { ensureBuilt, type ServerProcess, startServerProcess } from './lib/server-process';
import { runBench, scratchDir, type Teardown } from './lib/teardown';

const REF = 'dockql-bench/archive:1';
const LABEL = 'dockql.bench=archive';
const ARCHIVE = 'bench.tar';
const RSS_SAMPLE_MS = 50;
const RATIO_TARGET = 1.1;
const RSS_TARGET = 64 * 1024 * 1024;
/**
 * A case starts once the whole host used at most this many CPUs over one
 * second. Between cases nothing of the bench runs, so that is neighbours'
 * work (a build, a test run), which would otherwise slow whichever case it
 * happens to overlap.
 */
const QUIET_BUSY_CORES = 0.5;

interface Options {
  readonly layers: number;
  readonly layerMb: number;
  readonly runs: number;
  /** Longest wait for a quiet host before each case, in ms (0: do not wait). */
  readonly quietWaitMs: number;
  /** Leave the page cache alone (only `sync` before each case). */
  readonly keepCaches: boolean;
}

/** One timed operation: wall time, the server's CPU time and peak RSS growth, and whether the host was quiet when it started. */
interface Sample {
  readonly ms: number;
  readonly serverCpuMs: number;
  readonly rssGrowth: number;
  readonly quietStart: boolean;
}

type CaseName = 'cli-save' | 'dockql-save' | 'cli-load' | 'dockql-load';

/**
 * Writes every dirty page back (untimed, before each case): otherwise the
 * gigabytes the previous case left in the page cache (the daemon's temp copy
 * of a save; a load writes twice the image into the daemon's data root) are
 * written back during the next case and slow it down, whichever it is.
 */
const flushDisks = () => promisify(execFile)('sync');

/**
 * Empties the page cache (after {@link flushDisks}), so that every case reads
 * its input from the disk: the daemon its layers, a load its archive. Without
 * it, whether a case finds its input cached depends on what ran before it.
 * Needs root; returns false when not allowed.
 */
function dropCaches(): boolean {
  try {
    writeFileSync('/proc/sys/vm/drop_caches', '3');
    return true;
  } catch {
    return false;
  }
}

function parseOptions(argv: readonly string[]): Options {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      layers: { type: 'string', default: '4' },
      'layer-mb': { type: 'string', default: '256' },
      runs: { type: 'string', default: '5' },
      'quiet-wait': { type: 'string', default: '20' },
      'keep-caches': { type: 'boolean', default: false },
    },
    strict: true,
  });
  const int = (name: string, value: string, min = 1): number => {
    if (!/^\d+$/.test(value) || Number(value) < min) throw new Error(`--${name}: "${value}" is not an integer >= ${min}`);
    return Number(value);
  };
  return {
    layers: int('layers', values.layers),
    layerMb: int('layer-mb', values['layer-mb']),
    runs: int('runs', values.runs),
    quietWaitMs: int('quiet-wait', values['quiet-wait'], 0) * 1000,
    keepCaches: values['keep-caches'],
  };
}

function say(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

/** Times `fn`, sampling the server's RSS every 50 ms (and once at the end) while it runs, and its CPU time. */
async function timed(server: ServerProcess, quietStart: boolean, fn: () => Promise<void>): Promise<Sample> {
  const base = server.rss();
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, server.rss())), RSS_SAMPLE_MS);
  const cpu = server.cpuMs();
  const start = performance.now();
  try {
    await fn();
  } finally {
    clearInterval(timer);
  }
  const ms = performance.now() - start;
  peak = Math.max(peak, server.rss());
  return { ms, serverCpuMs: server.cpuMs() - cpu, rssGrowth: peak - base, quietStart };
}

/** The cases of one round, the starting one rotated per round so drift spreads evenly. */
function rotate<T>(items: readonly T[], round: number): T[] {
  const shift = round % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}

async function run(options: Options, teardown: Teardown): Promise<string[]> {
  const gib = (options.layers * options.layerMb) / 1024;
  const free = (() => {
    const s = statfsSync(os.tmpdir());
    return s.bavail * s.bsize;
  })();
  // The image, two archives, and the daemon's copy while it loads.
  const needed = 5 * gib * 1024 ** 3;
  if (free < needed) throw new Error(`${os.tmpdir()} has ${formatMiB(free)} free; this run needs about ${formatMiB(needed)}`);

  // First: a build that fails should not cost an image build.
  await ensureBuilt(say);
  const engine = await acquireEngine(teardown);
  const host = engine.dockerHost;
  const version = (await dockerCli(host, ['version', '--format', '{{.Server.Version}} (API {{.Server.APIVersion}})'])).trim();
  say(`building ${REF}: ${options.layers} layers x ${options.layerMb} MiB of random data`);
  const built = performance.now();
  const imageId = await buildBigImage(host, { ref: REF, layers: options.layers, layerMb: options.layerMb, label: LABEL }, teardown);
  say(`built in ${Math.round(performance.now() - built)} ms`);

  const server = await startServerProcess(host, scratchDir(teardown, 'dockql-bench-archives-'), teardown);
  say(`dockql serves at ${server.url} (node dist/main.js, pid ${server.pid})`);
  const gql = new GraphqlClient(`${server.url}${GRAPHQL_PATH}`);
  teardown.add('close the GraphQL client', () => gql.close());
  const cliTar = path.join(scratchDir(teardown, 'dockql-bench-cli-'), 'cli.tar');
  const failures: string[] = [];
  let archiveBytes = 0;

  const imageBack = async (what: string) => {
    const id = (await dockerCli(host, ['image', 'inspect', '--format', '{{.Id}}', REF]).catch(() => '')).trim();
    if (id !== imageId) failures.push(`${what}: ${REF} is ${id || 'missing'}, expected ${imageId}`);
  };
  const dockqlJob = async (mutation: string, field: string) => {
    const data = graphqlData(await gql.post(mutation))[field] as { status: string; error: string | null; archive: { size: number } | null; images: Array<{ id: string }> };
    if (data.status !== 'SUCCEEDED') failures.push(`${field}: ${data.status}: ${data.error}`);
    return data;
  };
  const cases: Record<CaseName, () => Promise<void>> = {
    // Like for like: this CLI writes `-o` to a temp file, fsyncs and renames it (strace shows it), as dockql does.
    'cli-save': async () => void (await dockerCli(host, ['save', '-o', cliTar, REF], TRANSFER_TIMEOUT_MS)),
    'dockql-save': async () => {
      const job = await dockqlJob(`mutation { saveImages(refs: ["${REF}"], name: "${ARCHIVE}", overwrite: true) { status error archive { size } images { id } } }`, 'saveImages');
      archiveBytes = job.archive?.size ?? 0;
    },
    'cli-load': async () => void (await dockerCli(host, ['load', '-i', cliTar], TRANSFER_TIMEOUT_MS)),
    'dockql-load': async () => {
      const job = await dockqlJob(`mutation { loadImages(archive: "${ARCHIVE}") { status error archive { size } images { id } } }`, 'loadImages');
      if (job.images[0]?.id !== imageId) failures.push(`loadImages reported ${JSON.stringify(job.images)}, expected ${imageId}`);
    },
  };
  const samples = new Map<CaseName, Sample[]>(Object.keys(cases).map((c) => [c as CaseName, []]));

  // Warm-up, untimed: the first archive job of the process pays for JIT and first executions, which is not streaming cost.
  say('warm-up: saveImages and loadImages of the base image');
  await dockqlJob('mutation { saveImages(refs: ["dockql/busybox:latest"], name: "warmup.tar") { status error archive { size } images { id } } }', 'saveImages');
  await dockqlJob('mutation { loadImages(archive: "warmup.tar") { status error archive { size } images { id } } }', 'loadImages');

  let cachesDropped = !options.keepCaches;
  /** Untimed, before each case: dirty pages written back, the page cache dropped, a quiet host. */
  const settle = async (): Promise<boolean> => {
    await flushDisks();
    if (cachesDropped && !dropCaches()) {
      cachesDropped = false;
      say('cannot write /proc/sys/vm/drop_caches (not root?): only syncing before each case');
    }
    if (options.quietWaitMs === 0) return true;
    const wait = await waitForQuietHost({ maxBusyCores: QUIET_BUSY_CORES, windowMs: 1000, timeoutMs: options.quietWaitMs });
    if (!wait.quiet) say(`the host stayed busy (${wait.busyCores.toFixed(1)} CPUs in use by others) for ${Math.round(wait.waitedMs / 1000)} s: going on`);
    return wait.quiet;
  };
  const measure = async (name: CaseName, round: number) => {
    const quiet = await settle();
    say(`round ${round + 1}/${options.runs}: ${name}`);
    samples.get(name)!.push(await timed(server, quiet, cases[name]));
  };
  for (let round = 0; round < options.runs; round++) {
    for (const name of rotate<CaseName>(['cli-save', 'dockql-save'], round)) await measure(name, round);
    for (const name of rotate<CaseName>(['cli-load', 'dockql-load'], round)) {
      await dockerCli(host, ['rmi', REF]);
      await measure(name, round);
      await imageBack(name);
    }
  }
  if (archiveBytes < options.layers * options.layerMb * 1024 * 1024) failures.push(`the saved archive has ${archiveBytes} bytes, less than the image's random data`);
  process.stdout.write(report(options, { version, owned: engine.owned, cachesDropped }, gib, archiveBytes, samples, failures));
  return failures;
}

/** What the report says about the setup. */
interface Setup {
  readonly version: string;
  readonly owned: boolean;
  readonly cachesDropped: boolean;
}

function report(options: Options, setup: Setup, gib: number, archiveBytes: number, samples: Map<CaseName, Sample[]>, failures: string[]): string {
  const all = (c: CaseName) => samples.get(c)!;
  const med = (c: CaseName) => median(all(c).map((s) => s.ms));
  const peak = (c: CaseName) => Math.max(...all(c).map((s) => s.rssGrowth));
  const row = (op: string, label: string, c: CaseName, baseline: CaseName) => [
    op,
    label,
    (med(c) / 1000).toFixed(2),
    all(c)
      .map((s) => (s.ms / 1000).toFixed(2))
      .join(', '),
    `${(med(c) / med(baseline)).toFixed(2)}x`,
    (archiveBytes / 1024 / 1024 / (med(c) / 1000)).toFixed(0),
    (median(all(c).map((s) => s.serverCpuMs)) / 1000).toFixed(2),
    formatMiB(peak(c)) + (c.startsWith('cli') ? ' (server idle)' : ''),
  ];
  const table = formatTable(
    ['op', 'case', 'median s', 'runs s', 'ratio', 'MiB/s', 'server CPU s', 'server peak RSS growth'],
    [
      row('save', 'docker save -o (CLI)', 'cli-save', 'cli-save'),
      row('save', 'dockql saveImages', 'dockql-save', 'cli-save'),
      row('load', 'docker load -i (CLI)', 'cli-load', 'cli-load'),
      row('load', 'dockql loadImages', 'dockql-load', 'cli-load'),
    ],
    2,
  );
  // Each round's dockql sample over the same round's CLI sample: a drift that spans a round cancels out.
  const perRound = (c: CaseName, base: CaseName) => all(c).map((s, i) => s.ms / all(base)[i]!.ms);
  const verdict = (c: CaseName, base: CaseName) => {
    const ratio = med(c) / med(base);
    const rounds = perRound(c, base);
    return `${ratio.toFixed(2)}x ${ratio <= RATIO_TARGET ? 'ok' : 'MISSED'} (per round ${rounds.map((r) => r.toFixed(2)).join(', ')}; median ${median(rounds).toFixed(2)}x)`;
  };
  const rss = Math.max(peak('dockql-save'), peak('dockql-load'));
  const everySample = [...samples.values()].flat();
  const busyStarts = everySample.filter((s) => !s.quietStart).length;
  const settling = [
    'sync',
    setup.cachesDropped ? 'page cache dropped' : 'page cache kept (not root, or --keep-caches)',
    options.quietWaitMs === 0 ? 'no wait for a quiet host' : `quiet host (<= ${QUIET_BUSY_CORES} CPUs busy for 1 s, waiting up to ${options.quietWaitMs / 1000} s): ${everySample.length - busyStarts} of ${everySample.length} cases started quiet`,
  ];
  return [
    `Docker ${setup.version}, ${setup.owned ? 'private engine' : 'engine from DOCKER_HOST'}; ${REF}: ${options.layers} x ${options.layerMb} MiB of random data (${gib.toFixed(2)} GiB), archive ${formatMiB(archiveBytes)}; ${options.runs} interleaved runs each; ${os.cpus().length} CPUs`,
    `server: node dist/main.js in its own process; before each case: ${settling.join('; ')}`,
    '',
    table,
    '',
    `target dockql within 10% of the CLI: save ${verdict('dockql-save', 'cli-save')}; load ${verdict('dockql-load', 'cli-load')}`,
    `target server RSS growth < 64 MiB: ${formatMiB(rss)} ${rss < RSS_TARGET ? 'ok' : 'MISSED'}`,
    `checks: ${failures.length ? `${failures.length} FAILED` : 'every job SUCCEEDED and every load brought back the same image id'}`,
    '',
  ].join('\n');
}

// Exit 0 when every check passed, 1 (after cleaning up) on a failed check or an error.
runBench((teardown) => run(parseOptions(process.argv.slice(2)), teardown));
