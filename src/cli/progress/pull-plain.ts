/**
 * A pull's progress for a pipe or a log file (not a terminal): one line per
 * layer each time its status changes, and while a layer moves bytes at most
 * one line a second for it, like `docker pull` without a terminal plus counts.
 */
import type { LayerData, PullData } from '../types';
import { layerPlainLine, pullingLine } from './lines';

/** Statuses in which a layer reports bytes. */
function movesBytes(layer: LayerData): boolean {
  return layer.current !== null;
}

/** Writes plain progress lines from pull snapshots. */
export class PullPlainReporter {
  private readonly seen = new Map<string, { status: string; current: number | null; printedAt: number }>();
  private started = false;

  /**
   * @param write receives each line, without newline
   * @param now the clock (ms), replaceable in tests
   * @param intervalMs least time between two byte lines of one layer
   */
  constructor(
    private readonly write: (line: string) => void,
    private readonly now: () => number = Date.now,
    private readonly intervalMs = 1000,
  ) {}

  /** Takes the next snapshot of the pull. */
  update(pull: PullData): void {
    if (!this.started) {
      this.started = true;
      this.write(pullingLine(pull));
    }
    const at = this.now();
    for (const layer of pull.layers) {
      const before = this.seen.get(layer.id);
      const changed = !before || before.status !== layer.status;
      const moved = before !== undefined && movesBytes(layer) && layer.current !== before.current && at - before.printedAt >= this.intervalMs;
      if (changed || moved) {
        this.write(layerPlainLine(layer));
        this.seen.set(layer.id, { status: layer.status, current: layer.current, printedAt: at });
      }
    }
  }

  /** Nothing to clean up; for symmetry with the terminal display. */
  stop(): void {}
}
