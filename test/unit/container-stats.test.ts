/**
 * `docker stats` arithmetic (the docker CLI's formulas) and the daemon's
 * newline-delimited stats stream.
 */
import { StatsDecoder, type StatsDto } from '../../src/docker/stats';
import { blockIo, cpuPercent, memoryUsage, networkIo, toContainerStats } from '../../src/schema/container/container-stats.mapper';

/** A sample recorded from the test engine (cgroup v1), trimmed to what is read. */
const SAMPLE: StatsDto = {
  read: '2026-11-28T07:34:24.132396121Z',
  preread: '2026-11-28T07:34:23.127911225Z',
  pids_stats: { current: 2 },
  blkio_stats: {
    io_service_bytes_recursive: [
      { op: 'Read', value: 4096 },
      { op: 'Write', value: 8192 },
      { op: 'Sync', value: 12288 },
      { op: 'Total', value: 12288 },
      { op: 'Read', value: 100 },
    ],
  },
  cpu_stats: { cpu_usage: { total_usage: 111228215, percpu_usage: [45150132, 66078083] }, system_cpu_usage: 5514500000000, online_cpus: 2 },
  precpu_stats: { cpu_usage: { total_usage: 95024605 }, system_cpu_usage: 5512510000000, online_cpus: 2 },
  memory_stats: { usage: 679936, limit: 25276510208, stats: { total_inactive_file: 40960, inactive_file: 4096, cache: 0 } },
};

describe('CPU %, as `docker stats` computes it', () => {
  it('is the container\'s share of host CPU time between samples, times the online CPUs', () => {
    // (111228215 - 95024605) / (5514500000000 - 5512510000000) * 2 * 100
    expect(cpuPercent(SAMPLE)).toBeCloseTo((16203610 / 1990000000) * 2 * 100, 10);
  });

  it('counts the per-CPU list when online_cpus is missing (older kernels)', () => {
    const sample = { ...SAMPLE, cpu_stats: { ...SAMPLE.cpu_stats, online_cpus: 0 } };
    expect(cpuPercent(sample)).toBeCloseTo(cpuPercent(SAMPLE), 10);
  });

  it('is 0 when the container or the host used no CPU time in between', () => {
    expect(cpuPercent({ ...SAMPLE, precpu_stats: SAMPLE.cpu_stats })).toBe(0);
    expect(cpuPercent({ ...SAMPLE, precpu_stats: { ...SAMPLE.precpu_stats, system_cpu_usage: 6e12 } })).toBe(0);
  });

  it('without a previous sample (the first of a stream) is the average since the container started, like the CLI', () => {
    const first = { ...SAMPLE, precpu_stats: { cpu_usage: { total_usage: 0 } } };
    expect(cpuPercent(first)).toBeCloseTo((111228215 / 5514500000000) * 2 * 100, 10);
  });
});

describe('memory, as `docker stats` shows it', () => {
  it('leaves out the inactive page cache: total_inactive_file on cgroup v1, inactive_file on v2', () => {
    expect(memoryUsage(SAMPLE)).toBe(679936 - 40960);
    expect(memoryUsage({ ...SAMPLE, memory_stats: { usage: 1000, stats: { inactive_file: 300 } } })).toBe(700);
    expect(memoryUsage({ ...SAMPLE, memory_stats: { usage: 1000, stats: { inactive_file: 3000 } } })).toBe(1000);
    expect(memoryUsage({ ...SAMPLE, memory_stats: {} })).toBe(0);
  });
});

describe('I/O counters', () => {
  it('adds block reads and writes in either case (cgroup v1 "Read", v2 "read"), ignoring other ops', () => {
    expect(blockIo(SAMPLE)).toEqual({ read: 4196, write: 8192 });
    expect(blockIo({ ...SAMPLE, blkio_stats: { io_service_bytes_recursive: [{ op: 'read', value: 1 }, { op: 'write', value: 2 }] } })).toEqual({ read: 1, write: 2 });
    expect(blockIo({ ...SAMPLE, blkio_stats: { io_service_bytes_recursive: null } })).toEqual({ read: 0, write: 0 });
  });

  it('adds every interface\'s bytes, and is 0 without networks (network none)', () => {
    expect(networkIo({ ...SAMPLE, networks: { eth0: { rx_bytes: 10, tx_bytes: 20 }, eth1: { rx_bytes: 1, tx_bytes: 2 } } })).toEqual({ rx: 11, tx: 22 });
    expect(networkIo(SAMPLE)).toEqual({ rx: 0, tx: 0 });
  });
});

describe('toContainerStats', () => {
  it('maps a sample, clamping counters SafeInt cannot carry', () => {
    const stats = toContainerStats({ ...SAMPLE, memory_stats: { ...SAMPLE.memory_stats, limit: 9223372036854771712 } });
    expect(stats).toMatchObject({
      read: new Date('2026-11-28T07:34:24.132Z'),
      onlineCpus: 2,
      memoryUsageBytes: 638976,
      memoryLimitBytes: Number.MAX_SAFE_INTEGER,
      networkRxBytes: 0,
      blockReadBytes: 4196,
      blockWriteBytes: 8192,
      pids: 2,
    });
    expect(stats.memoryPercent).toBeCloseTo((638976 / 9223372036854771712) * 100, 15);
  });
});

describe('StatsDecoder', () => {
  const line = (s: object) => `${JSON.stringify(s)}\n`;

  it('reads samples split anywhere across chunks', () => {
    const data = Buffer.from(line(SAMPLE) + line({ ...SAMPLE, read: '2026-11-28T07:34:25Z' }));
    const decoder = new StatsDecoder();
    const got: StatsDto[] = [];
    for (let i = 0; i < data.length; i += 7) got.push(...decoder.push(data.subarray(i, i + 7)).items);
    got.push(...decoder.end());
    expect(got.map((s) => s.read)).toEqual([SAMPLE.read, '2026-11-28T07:34:25Z']);
  });

  it('says done at the first empty sample: the container stopped', () => {
    const decoder = new StatsDecoder();
    const out = decoder.push(Buffer.from(line(SAMPLE) + line({ read: '0001-01-01T00:00:00Z', name: '/x' }) + line(SAMPLE)));
    expect(out.items).toHaveLength(1);
    expect(out.done).toBe(true);
  });

  it('fails on a line that is not a JSON object', () => {
    expect(() => new StatsDecoder().push(Buffer.from('nope\n'))).toThrow(/not JSON/);
    expect(() => new StatsDecoder().push(Buffer.from('[1]\n'))).toThrow(/not a JSON object/);
  });
});
