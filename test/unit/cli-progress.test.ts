/** The CLI's progress text: docker-style bars and counts, the plain pull lines for pipes, the sliding rate. */
import { barWidthFor, byteCounts, dockerBar, layerBarLine, layerPlainLine, pullSummaryLines, totalBarLine, transferBarLine } from '../../src/cli/progress/lines';
import { PullPlainReporter } from '../../src/cli/progress/pull-plain';
import { RateMeter } from '../../src/cli/progress/rate';
import type { LayerData, PullData } from '../../src/cli/types';

const layer = (id: string, status: string, current: number | null = null, total: number | null = null): LayerData => ({ id, status, current, total });

function pull(layers: LayerData[], over: Partial<PullData> = {}): PullData {
  return {
    id: 'job1',
    ref: '127.0.0.1:5000/team/app:1',
    pulledRef: '127.0.0.1:5000/team/app:1',
    mirror: null,
    status: 'RUNNING',
    current: 0,
    total: 0,
    message: null,
    error: null,
    digest: null,
    layers,
    image: null,
    startedAt: '2026-01-02T12:00:00.000Z',
    finishedAt: null,
    ...over,
  };
}

describe('docker-style bars and counts', () => {
  it('fills the bar with "=" up to the part done, then ">"', () => {
    expect(dockerBar(0, 100, 10)).toBe('[>          ]');
    expect(dockerBar(50, 100, 10)).toBe('[=====>     ]');
    expect(dockerBar(100, 100, 10)).toBe('[==========>]');
    expect(dockerBar(150, 100, 10)).toBe('[==========>]');
  });

  it('prints counts with 4 digits, the current one right-aligned to 8 like docker', () => {
    expect(byteCounts(4_200_000, 7_342_080)).toBe('   4.2MB/7.342MB');
    expect(byteCounts(98_300, null)).toBe('98.3kB');
  });

  it('draws docker bars on wide terminals, shorter ones on narrow ones, none on tiny ones', () => {
    expect(barWidthFor(120)).toBe(50);
    expect(barWidthFor(80)).toBe(20);
    expect(barWidthFor(40)).toBe(0);
    expect(barWidthFor(undefined)).toBe(20);
  });
});

describe('pull lines on a terminal', () => {
  it('shows a layer with bytes as a bar with counts, and one without as its status', () => {
    expect(layerBarLine(layer('398bd5fad233', 'Downloading', 3_671_040, 7_342_080), 10)).toBe('398bd5fad233: Downloading [=====>     ]  3.671MB/7.342MB');
    expect(layerBarLine(layer('a7dc76e4365f', 'Already exists'), 10)).toBe('a7dc76e4365f: Already exists');
    expect(layerBarLine(layer('a7dc76e4365f', 'Extracting', 1000, null), 10)).toBe('a7dc76e4365f: Extracting 1kB');
  });

  it('shows the total with its rate while bytes are missing, without once all are down', () => {
    expect(totalBarLine({ current: 11_000_000, total: 22_000_000 }, 5_000_000, 10)).toBe('Total: [=====>     ]     11MB/22MB 5MB/s');
    expect(totalBarLine({ current: 22_000_000, total: 22_000_000 }, 5_000_000, 0)).toBe('Total:     22MB/22MB');
    expect(totalBarLine({ current: 0, total: 0 }, 0, 10)).toBe('Total: waiting for layer sizes');
  });

  it('labels byte transfers, with a bar only when the total is known', () => {
    expect(transferBarLine('Saving a.tar', 12_300_000, null, 4_100_000, 10)).toBe('Saving a.tar 12.3MB 4.1MB/s');
    expect(transferBarLine('Loading a.tar', 5, 10, 1000, 10)).toBe('Loading a.tar [=====>     ] 5B/10B 1kB/s');
  });
});

describe('pull summary', () => {
  it('gives the digest, the daemon status line (once), and the image id with bytes and time', () => {
    const done = pull([], {
      status: 'SUCCEEDED',
      current: 22_030_000,
      total: 22_030_000,
      digest: 'sha256:9ac0',
      message: 'Status: Downloaded newer image for 127.0.0.1:5000/team/app:1',
      image: { id: 'sha256:5ded', repoTags: [] },
    });
    expect(pullSummaryLines(done, 1340)).toEqual(['Digest: sha256:9ac0', 'Status: Downloaded newer image for 127.0.0.1:5000/team/app:1', 'Image: sha256:5ded (22.03MB in 1.3s)']);
    expect(pullSummaryLines({ ...done, current: 0, digest: null, message: 'Image is up to date' }, 10)).toEqual(['Status: Image is up to date', 'Image: sha256:5ded']);
  });
});

describe('PullPlainReporter (pull to a pipe)', () => {
  it('prints the ref first, then a line per layer status change, and byte lines at most once a second per layer', () => {
    const lines: string[] = [];
    let now = 0;
    const reporter = new PullPlainReporter((line) => lines.push(line), () => now);
    reporter.update(pull([layer('aaa', 'Already exists'), layer('bbb', 'Waiting')]));
    now = 100;
    reporter.update(pull([layer('aaa', 'Already exists'), layer('bbb', 'Downloading', 100, 1000)]));
    now = 500;
    reporter.update(pull([layer('aaa', 'Already exists'), layer('bbb', 'Downloading', 400, 1000)]));
    now = 1200;
    reporter.update(pull([layer('aaa', 'Already exists'), layer('bbb', 'Downloading', 900, 1000)]));
    now = 1300;
    reporter.update(pull([layer('aaa', 'Already exists'), layer('bbb', 'Pull complete')]));
    expect(lines).toEqual([
      'Pulling 127.0.0.1:5000/team/app:1',
      'aaa: Already exists',
      'bbb: Waiting',
      'bbb: Downloading 100B/1kB',
      'bbb: Downloading 900B/1kB',
      'bbb: Pull complete',
    ]);
  });

  it('names the mirror when pulling through one', () => {
    const lines: string[] = [];
    new PullPlainReporter((line) => lines.push(line)).update(pull([], { ref: 'busybox:1', mirror: 'mirror.local:5000', pulledRef: 'mirror.local:5000/library/busybox:1' }));
    expect(lines).toEqual(['Pulling busybox:1 through mirror.local:5000 (mirror.local:5000/library/busybox:1)']);
  });

  it('prints plain layer lines with counts', () => {
    expect(layerPlainLine(layer('ccc', 'Extracting', 98_300, 7_342_080))).toBe('ccc: Extracting 98.3kB/7.342MB');
  });
});

describe('RateMeter', () => {
  it('measures over the last window, not since the start', () => {
    const meter = new RateMeter(3000);
    expect(meter.rate()).toBe(0);
    meter.add(0, 0);
    meter.add(10_000_000, 1000);
    expect(meter.rate()).toBe(10_000_000);
    // Ten quiet seconds later, the old burst has left the window.
    meter.add(10_000_000, 11_000);
    meter.add(11_000_000, 12_000);
    expect(meter.rate()).toBe(1_000_000);
  });
});
