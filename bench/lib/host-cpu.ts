/**
 * How busy the host's CPUs are, from /proc/stat (Linux). A bench that shares
 * a small machine with builds and test runs waits for a quiet moment before
 * each timed case, so that a neighbour's burst does not land on one case only.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';

/** The aggregate `cpu` line of /proc/stat: total and idle (idle + iowait) jiffies. */
function cpuTimes(): { total: number; idle: number } {
  const fields = /^cpu\s+(.*)$/m.exec(readFileSync('/proc/stat', 'utf8'))![1]!.trim().split(/\s+/).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already in user).
  const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
  return { total, idle: fields[3]! + fields[4]! };
}

/** CPUs' worth of work the whole host did over the next `windowMs` (0 to the number of CPUs). */
export async function hostBusyCores(windowMs: number): Promise<number> {
  const a = cpuTimes();
  await new Promise((resolve) => setTimeout(resolve, windowMs));
  const b = cpuTimes();
  const total = b.total - a.total;
  return total > 0 ? ((total - (b.idle - a.idle)) / total) * os.cpus().length : 0;
}

/** What {@link waitForQuietHost} saw. */
export interface QuietWait {
  /** True when a window at or under the limit came before the timeout. */
  readonly quiet: boolean;
  readonly waitedMs: number;
  /** Busy CPUs in the last window measured. */
  readonly busyCores: number;
}

/**
 * Waits until the host was at most `maxBusyCores` busy over one `windowMs`
 * window, or `timeoutMs` has passed (then goes on and says so).
 */
export async function waitForQuietHost(options: { maxBusyCores: number; windowMs: number; timeoutMs: number }): Promise<QuietWait> {
  const start = Date.now();
  for (;;) {
    const busyCores = await hostBusyCores(options.windowMs);
    const waitedMs = Date.now() - start;
    if (busyCores <= options.maxBusyCores) return { quiet: true, waitedMs, busyCores };
    if (waitedMs >= options.timeoutMs) return { quiet: false, waitedMs, busyCores };
  }
}
