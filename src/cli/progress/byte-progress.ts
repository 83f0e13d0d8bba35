/**
 * Progress of a byte transfer (save, load, download, upload): a cli-progress
 * bar on a terminal, or a plain line every few seconds elsewhere. It writes to
 * stderr so that stdout keeps only results (and data, for `download -o -`).
 */
import { SingleBar } from 'cli-progress';
import { barWidthFor, byteCounts, rateText, transferBarLine } from './lines';
import { RateMeter } from './rate';

/** A progress display. */
export interface ByteProgress {
  /** Bytes done so far, and the total when known. */
  update(done: number, total: number | null): void;
  /** Draws the last state (terminal) and releases the terminal. */
  stop(): void;
}

/** Least time between two plain lines. */
const PLAIN_INTERVAL_MS = 2000;

/**
 * A display labelled `label` ("Saving centos_7.tar") on `stream`.
 * @param now the clock (ms), replaceable in tests
 */
export function byteProgress(label: string, stream: NodeJS.WriteStream, now: () => number = Date.now): ByteProgress {
  const rate = new RateMeter();
  if (!stream.isTTY) {
    let printedAt = now();
    return {
      update(done, total) {
        const at = now();
        rate.add(done, at);
        if (at - printedAt < PLAIN_INTERVAL_MS) return;
        printedAt = at;
        stream.write(`${label}: ${byteCounts(done, total).trimStart()} (${rateText(rate.rate())})\n`);
      },
      stop() {},
    };
  }
  const width = barWidthFor(stream.columns);
  const bar = new SingleBar({ stream, format: (_o, _p, payload: { line: string }) => payload.line, hideCursor: true, fps: 10, clearOnComplete: false });
  bar.start(1, 0, { line: transferBarLine(label, 0, null, 0, width) });
  let stopped = false;
  return {
    update(done, total) {
      if (stopped) return;
      rate.add(done, now());
      bar.update(0, { line: transferBarLine(label, done, total, rate.rate(), width) });
    },
    stop() {
      if (stopped) return;
      stopped = true;
      bar.stop();
    },
  };
}
