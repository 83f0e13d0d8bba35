/**
 * A pull's progress on a terminal: one live bar per layer and a total with
 * bytes and rate, redrawn in place by cli-progress's MultiBar (which owns the
 * cursor movement, redraw throttling and cursor hiding).
 */
import { MultiBar, type SingleBar } from 'cli-progress';
import type { PullData } from '../types';
import { barWidthFor, layerBarLine, pullingLine, totalBarLine } from './lines';
import { RateMeter } from './rate';

/** Draws pull snapshots as bars on `stream` (a TTY). */
export class PullBarsReporter {
  private readonly multibar: MultiBar;
  private readonly bars = new Map<string, SingleBar>();
  private total?: SingleBar;
  private readonly rate = new RateMeter();
  private readonly barWidth: number;
  private stopped = false;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly now: () => number = Date.now,
  ) {
    this.barWidth = barWidthFor(stream.columns);
    // Each line is computed here; cli-progress only places it (its format returns the payload's line).
    this.multibar = new MultiBar({ stream, format: (_options, _params, payload: { line: string }) => payload.line, hideCursor: true, fps: 10, clearOnComplete: false });
  }

  /** Takes the next snapshot of the pull. */
  update(pull: PullData): void {
    if (this.stopped) return;
    if (!this.total) {
      this.stream.write(`${pullingLine(pull)}\n`);
      this.total = this.multibar.create(1, 0, { line: '' });
    }
    this.rate.add(pull.current, this.now());
    this.total.update(0, { line: totalBarLine(pull, this.rate.rate(), this.barWidth) });
    for (const layer of pull.layers) {
      const line = layerBarLine(layer, this.barWidth);
      const bar = this.bars.get(layer.id);
      if (bar) bar.update(0, { line });
      else this.bars.set(layer.id, this.multibar.create(1, 0, { line }));
    }
  }

  /** Draws the last state and gives the terminal back (cursor shown again). */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.multibar.stop();
  }
}
