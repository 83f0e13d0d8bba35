/** Plain-text reporting: the results table and small formatters. */
import { type CaseResult, mean, median, percentile } from './measure';

/** One printed row of the results table. */
export interface SummaryRow {
  readonly name: string;
  readonly medianMs: number;
  readonly p90Ms: number;
  /** median / baseline median; 1 for a baseline. */
  readonly ratio: number;
  readonly baseline?: string;
  /** Mean daemon requests per call. */
  readonly daemonRequests: number;
}

/** Medians, p90s, ratios against each case's baseline, and daemon requests per call. */
export function summarize(results: readonly CaseResult[]): SummaryRow[] {
  const medians = new Map(results.map((r) => [r.name, median(r.samplesMs)]));
  return results.map((r) => {
    const medianMs = medians.get(r.name)!;
    const baselineMs = r.baseline ? medians.get(r.baseline) : undefined;
    if (r.baseline && baselineMs === undefined) throw new Error(`${r.name}: unknown baseline ${r.baseline}`);
    return {
      name: r.name,
      medianMs,
      p90Ms: percentile(r.samplesMs, 90),
      ratio: baselineMs ? medianMs / baselineMs : 1,
      baseline: r.baseline,
      daemonRequests: mean(r.daemonRequests),
    };
  });
}

/** `n` with 2 decimals, or as an integer when it is one (request counts). */
export function formatCount(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(2);
}

/** Milliseconds with a precision that suits their size. */
export function formatMs(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2);
}

/** Bytes as MiB with one decimal. */
export function formatMiB(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * Columns two spaces apart: the first `leftColumns` left-aligned (names, text),
 * the rest right-aligned (numbers).
 */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[], leftColumns = 1): string {
  const all = [header, ...rows];
  const widths = header.map((_, col) => Math.max(...all.map((row) => (row[col] ?? '').length)));
  const line = (row: readonly string[]): string =>
    row.map((cell, col) => (col < leftColumns ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!))).join('  ').trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/** The results table: case, median, p90, ratio vs baseline, daemon requests per call. */
export function resultsTable(rows: readonly SummaryRow[]): string {
  return formatTable(
    ['case', 'median ms', 'p90 ms', 'ratio', 'vs baseline', 'daemon req/query'],
    rows.map((r) => [
      r.name,
      formatMs(r.medianMs),
      formatMs(r.p90Ms),
      `${r.ratio.toFixed(2)}x`,
      r.baseline ?? '(baseline)',
      formatCount(r.daemonRequests),
    ]),
  );
}

/** Each case's daemon requests of its last call, e.g. `dockql-ps  GET /containers/json?all=1`. */
export function requestsTable(results: readonly CaseResult[]): string {
  return formatTable(
    ['case', 'daemon requests of one call'],
    results.map((r) => [r.name, summarizeRequests(r.lastRequests)]),
    2,
  );
}

/** `GET /a, GET /b x3`: repeated requests folded with a count, in first-seen order. */
function summarizeRequests(requests: readonly string[]): string {
  if (!requests.length) return '(none)';
  const counts = new Map<string, number>();
  for (const r of requests) counts.set(r, (counts.get(r) ?? 0) + 1);
  return [...counts].map(([r, n]) => (n > 1 ? `${r} x${n}` : r)).join(', ');
}
