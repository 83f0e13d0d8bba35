/** Transfer rate over a sliding window, so the rate shown follows the last seconds, not the average since the start. */

/** Bytes per second from (time, bytes done) samples of the last `windowMs`. */
export class RateMeter {
  private readonly samples: Array<{ readonly at: number; readonly bytes: number }> = [];

  constructor(private readonly windowMs = 3000) {}

  /** Records that `bytes` were done at time `at` (ms). */
  add(bytes: number, at: number): void {
    this.samples.push({ at, bytes });
    // Two samples are kept however old, so a stalled transfer still has a rate (falling towards 0).
    while (this.samples.length > 2 && this.samples[0]!.at < at - this.windowMs) this.samples.shift();
  }

  /** Bytes per second between the oldest and newest sample kept; 0 until two samples differ in time. */
  rate(): number {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (!first || !last || last.at <= first.at) return 0;
    return Math.max(0, ((last.bytes - first.bytes) * 1000) / (last.at - first.at));
  }
}
