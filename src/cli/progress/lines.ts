/** The text of progress displays, as pure functions: docker-style bars, byte counts, pull layer lines. */
import { shortElapsed } from '../format/duration';
import { humanSize } from '../format/size';
import type { LayerData, PullData } from '../types';

/**
 * docker's progress bar (pkg/jsonmessage): `[====>     ]`, `width` cells of
 * "=" for the part done, then ">" and spaces.
 */
export function dockerBar(current: number, total: number, width = 50): string {
  const done = total > 0 ? Math.min(width, Math.max(0, Math.floor((current / total) * width))) : 0;
  return `[${'='.repeat(done)}>${' '.repeat(width - done)}]`;
}

/** "  4.2MB/7.34MB" as docker prints it (current right-aligned to 8, 4 digits). */
export function byteCounts(current: number, total: number | null): string {
  const done = humanSize(current, 4).padStart(8);
  return total ? `${done}/${humanSize(total, 4)}` : done.trimStart();
}

/** "5.2MB/s" */
export function rateText(bytesPerSecond: number): string {
  return `${humanSize(bytesPerSecond, 3)}/s`;
}

/** How wide a bar fits a terminal of `columns`: docker's 50 on wide ones, half on narrow ones, none below 60. */
export function barWidthFor(columns: number | undefined): number {
  const cols = columns ?? 80;
  if (cols >= 110) return 50;
  if (cols >= 60) return 20;
  return 0;
}

/** A layer's line on a terminal: "a3ed95caeb02: Downloading [=====>   ] 4.2MB/7.34MB". */
export function layerBarLine(layer: LayerData, barWidth: number): string {
  const head = `${layer.id}: ${layer.status}`;
  if (layer.current === null) return head;
  if (!layer.total) return `${head} ${byteCounts(layer.current, null)}`;
  const bar = barWidth > 0 ? ` ${dockerBar(layer.current, layer.total, barWidth)}` : '';
  return `${head}${bar} ${byteCounts(layer.current, layer.total)}`;
}

/** The total line under the layers: bytes of every layer, and the current rate. */
export function totalBarLine(pull: Pick<PullData, 'current' | 'total'>, bytesPerSecond: number, barWidth: number): string {
  if (pull.total === 0) return 'Total: waiting for layer sizes';
  const bar = barWidth > 0 ? ` ${dockerBar(pull.current, pull.total, barWidth)}` : '';
  // Once every byte is down (extraction goes on), a decaying rate says nothing.
  const rate = pull.current < pull.total ? ` ${rateText(bytesPerSecond)}` : '';
  return `Total:${bar} ${byteCounts(pull.current, pull.total)}${rate}`;
}

/** A layer's plain line for a non-terminal: "a3ed95caeb02: Downloading 4.2MB/7.34MB". */
export function layerPlainLine(layer: LayerData): string {
  const head = `${layer.id}: ${layer.status}`;
  return layer.current === null ? head : `${head} ${byteCounts(layer.current, layer.total).trimStart()}`;
}

/** The first line of a pull. */
export function pullingLine(pull: Pick<PullData, 'ref' | 'pulledRef' | 'mirror'>): string {
  return pull.mirror ? `Pulling ${pull.ref} through ${pull.mirror} (${pull.pulledRef})` : `Pulling ${pull.ref}`;
}

/** The lines after a pull succeeded: digest, the daemon's status, then the image id (and bytes and time). */
export function pullSummaryLines(pull: PullData, elapsedMs: number): string[] {
  const lines: string[] = [];
  if (pull.digest) lines.push(`Digest: ${pull.digest}`);
  // The daemon's line already reads "Status: Downloaded newer image for ...".
  if (pull.message) lines.push(/^Status: /.test(pull.message) ? pull.message : `Status: ${pull.message}`);
  const transfer = pull.current > 0 ? ` (${humanSize(pull.current, 4)} in ${shortElapsed(elapsedMs)})` : '';
  lines.push(`Image: ${pull.image?.id ?? '(removed since the pull)'}${transfer}`);
  return lines;
}

/** A byte transfer's line on a terminal: label, bar when the total is known, bytes and rate. */
export function transferBarLine(label: string, done: number, total: number | null, bytesPerSecond: number, barWidth: number): string {
  const bar = total && barWidth > 0 ? ` ${dockerBar(done, total, barWidth)}` : '';
  return `${label}${bar} ${byteCounts(done, total).trimStart()} ${rateText(bytesPerSecond)}`;
}
