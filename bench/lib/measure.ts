/**
 * Interleaved timing: every round runs every case once, starting at a different
 * case each round, so drift (GC, caches, a busy neighbour) spreads over all
 * cases instead of landing on whichever ran last.
 */
import { performance } from 'node:perf_hooks';

/** One thing to time. */
export interface BenchCase {
  /** Short row name, e.g. `raw-ps`. */
  readonly name: string;
  /** The case whose median this one's ratio is taken against; none for a baseline. */
  readonly baseline?: string;
  /** One timed call; resolves with what the client received. */
  run(): Promise<string>;
  /** Throws when a result is wrong (runs untimed, after every call). */
  check(output: string): void;
}

/** Daemon request recorder (a counting proxy): read after each call, reset before it. */
export interface RequestRecorder {
  readonly requests: readonly { readonly method: string; readonly path: string }[];
  reset(): void;
}

/** What one case measured. */
export interface CaseResult {
  readonly name: string;
  readonly baseline?: string;
  /** Wall time of each timed call, in milliseconds. */
  readonly samplesMs: number[];
  /** Daemon requests of each timed call. */
  readonly daemonRequests: number[];
  /** `METHOD path` of the daemon requests of the last timed call. */
  lastRequests: string[];
}

/** How many rounds to run. */
export interface MeasureOptions {
  readonly runs: number;
  readonly warmup: number;
  readonly recorder: RequestRecorder;
  /** Called after each round (progress output). */
  readonly onRound?: (round: number, total: number) => void;
}

/** Runs one call of `c`: timed, then checked, with its daemon requests recorded. */
async function runOnce(c: BenchCase, recorder: RequestRecorder): Promise<{ ms: number; requests: string[] }> {
  recorder.reset();
  const start = performance.now();
  const output = await c.run();
  const ms = performance.now() - start;
  // A request line reaches the proxy before its response leaves the daemon, so the list is complete here.
  const requests = recorder.requests.map((r) => `${r.method} ${r.path}`);
  try {
    c.check(output);
  } catch (err) {
    throw new Error(`${c.name}: ${(err as Error).message}`);
  }
  return { ms, requests };
}

/** The cases of round `round`, rotated to start at a different case each round. */
function rotation<T>(items: readonly T[], round: number): T[] {
  const shift = round % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}

/** Runs `warmup` untimed rounds, then `runs` timed rounds of every case, interleaved. */
export async function measureInterleaved(cases: readonly BenchCase[], options: MeasureOptions): Promise<CaseResult[]> {
  const results = new Map<string, CaseResult>(
    cases.map((c) => [c.name, { name: c.name, baseline: c.baseline, samplesMs: [], daemonRequests: [], lastRequests: [] }]),
  );
  const total = options.warmup + options.runs;
  for (let round = 0; round < total; round++) {
    for (const c of rotation(cases, round)) {
      const { ms, requests } = await runOnce(c, options.recorder);
      if (round < options.warmup) continue;
      const result = results.get(c.name)!;
      result.samplesMs.push(ms);
      result.daemonRequests.push(requests.length);
      result.lastRequests = requests;
    }
    options.onRound?.(round + 1, total);
  }
  return [...results.values()];
}

/** The median of `values` (mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The `p`-th percentile (0-100) of `values`, nearest-rank: a value that was actually observed. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

/** The arithmetic mean of `values`. */
export function mean(values: readonly number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}
