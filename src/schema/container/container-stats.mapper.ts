/**
 * A daemon stats sample as `docker stats` shows it: the formulas of the docker
 * CLI (cli/command/container/stats_helpers.go), so the numbers agree with it.
 * Pure logic.
 */
import type { StatsDto } from '../../docker/stats';
import type { ContainerStats } from './container-details.type';

/** Counters beyond 2^53-1 (e.g. cgroup v1's "unlimited" 2^63) are clamped so SafeInt can carry them. */
function safe(n: number | undefined): number {
  return Math.min(Math.max(0, n ?? 0), Number.MAX_SAFE_INTEGER);
}

/**
 * CPU % as the CLI computes it on Linux: the container's CPU time over the
 * host's between this sample and the previous one, times the online CPUs.
 * 100 % is one CPU fully busy. 0 when either delta is not positive.
 */
export function cpuPercent(sample: StatsDto): number {
  const cpu = sample.cpu_stats;
  const pre = sample.precpu_stats;
  const cpuDelta = (cpu?.cpu_usage?.total_usage ?? 0) - (pre?.cpu_usage?.total_usage ?? 0);
  const systemDelta = (cpu?.system_cpu_usage ?? 0) - (pre?.system_cpu_usage ?? 0);
  const online = cpu?.online_cpus || cpu?.cpu_usage?.percpu_usage?.length || 0;
  if (systemDelta > 0 && cpuDelta > 0) return (cpuDelta / systemDelta) * online * 100;
  return 0;
}

/**
 * Memory in use as the CLI shows it: usage minus the inactive page cache
 * (cgroup v1 `total_inactive_file`, v2 `inactive_file`), which the kernel can reclaim.
 */
export function memoryUsage(sample: StatsDto): number {
  const mem = sample.memory_stats;
  const usage = mem?.usage ?? 0;
  const stats = mem?.stats ?? {};
  const v1 = stats.total_inactive_file;
  if (v1 !== undefined && v1 < usage) return usage - v1;
  const v2 = stats.inactive_file;
  if (v2 !== undefined && v2 < usage) return usage - v2;
  return usage;
}

/** Bytes read and written on block devices (the BLOCK I/O column), from io_service_bytes_recursive. */
export function blockIo(sample: StatsDto): { read: number; write: number } {
  let read = 0;
  let write = 0;
  for (const entry of sample.blkio_stats?.io_service_bytes_recursive ?? []) {
    // cgroup v1 says "Read"/"Write", v2 "read"/"write"; other ops (Sync, Total...) are not I/O directions.
    const op = entry.op?.charAt(0).toLowerCase();
    if (op === 'r') read += entry.value ?? 0;
    else if (op === 'w') write += entry.value ?? 0;
  }
  return { read, write };
}

/** Bytes received and sent over every network interface (the NET I/O column). */
export function networkIo(sample: StatsDto): { rx: number; tx: number } {
  let rx = 0;
  let tx = 0;
  for (const n of Object.values(sample.networks ?? {})) {
    rx += n.rx_bytes ?? 0;
    tx += n.tx_bytes ?? 0;
  }
  return { rx, tx };
}

/** One sample as the schema's ContainerStats. */
export function toContainerStats(sample: StatsDto): ContainerStats {
  const memory = memoryUsage(sample);
  const limit = sample.memory_stats?.limit ?? 0;
  const block = blockIo(sample);
  const net = networkIo(sample);
  return {
    read: new Date(sample.read),
    cpuPercent: cpuPercent(sample),
    onlineCpus: sample.cpu_stats?.online_cpus || sample.cpu_stats?.cpu_usage?.percpu_usage?.length || 0,
    memoryUsageBytes: safe(memory),
    memoryLimitBytes: safe(limit),
    memoryPercent: limit > 0 ? (memory / limit) * 100 : 0,
    networkRxBytes: safe(net.rx),
    networkTxBytes: safe(net.tx),
    blockReadBytes: safe(block.read),
    blockWriteBytes: safe(block.write),
    pids: sample.pids_stats?.current ?? 0,
  };
}
