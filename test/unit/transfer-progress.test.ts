import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ProgressMessage } from '../../src/docker/ndjson';
import { TransferProgress, TransferProgressKind, TransferSnapshot } from '../../src/streams/transfer-progress';

// Recorded from the Docker 20.10.24 daemon (API 1.41) against a loopback registry; see test/fixtures/progress/README.md.
const FIXTURES = path.join(__dirname, '..', 'fixtures', 'progress');
const PUSHED_1 = 'sha256:346760960f6479e6e226cad8fd0c53ba91833bb451b02b16af82c9bc23df4873';
const PUSHED_2 = 'sha256:47f273274357653d617fae601013ab5d678fcddbd7e1cd182aa69dfef3a44dc3';

/** The JSON lines of a recorded stream, without error lines (the stream reader stops at those). */
function recorded(name: string): ProgressMessage[] {
  return readFileSync(path.join(FIXTURES, name), 'utf8')
    .split('\r\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as ProgressMessage)
    .filter((m) => m.error === undefined);
}

interface Step {
  snap: TransferSnapshot;
  changed: boolean;
}

/** Feeds every line; returns the snapshot after each (the first is the empty start). */
function steps(kind: TransferProgressKind, lines: ProgressMessage[]): Step[] {
  const p = new TransferProgress(kind);
  return [{ snap: p.snapshot(), changed: false }, ...lines.map((line) => ({ changed: p.apply(line), snap: p.snapshot() }))];
}

function play(kind: TransferProgressKind, lines: ProgressMessage[]): TransferSnapshot[] {
  return steps(kind, lines).map((s) => s.snap);
}

const last = (snaps: TransferSnapshot[]): TransferSnapshot => snaps[snaps.length - 1]!;
const layer = (s: TransferSnapshot, id: string) => s.layers.find((l) => l.id === id);

describe.each<[string, TransferProgressKind]>([
  ['pull-fresh.ndjson', 'pull'],
  ['pull-existing.ndjson', 'pull'],
  ['pull-uptodate.ndjson', 'pull'],
  ['pull-alltags.ndjson', 'pull'],
  ['pull-blobgone.ndjson', 'pull'],
  ['push-fresh.ndjson', 'push'],
  ['push-existing.ndjson', 'push'],
  ['push-mounted.ndjson', 'push'],
])('TransferProgress invariants over %s', (name, kind) => {
  const all = steps(kind, recorded(name));
  const pairs = all.slice(1).map((after, i) => [all[i]!, after] as const);

  it('never lets the job\'s current go backwards or past total, nor total shrink', () => {
    for (const [before, after] of pairs) {
      expect(after.snap.current).toBeGreaterThanOrEqual(before.snap.current);
      expect(after.snap.total).toBeGreaterThanOrEqual(before.snap.total);
      expect(after.snap.current).toBeLessThanOrEqual(after.snap.total);
    }
  });

  it('says it changed exactly when the snapshot did', () => {
    for (const [before, after] of pairs) expect(after.changed).toBe(JSON.stringify(after.snap) !== JSON.stringify(before.snap));
  });

  it('ends with every transfer byte counted', () => {
    const end = last(all.map((s) => s.snap));
    if (name !== 'pull-blobgone.ndjson') expect(end.current).toBe(end.total);
  });
});

describe('TransferProgress: a recorded pull of four new layers', () => {
  const lines = recorded('pull-fresh.ndjson');
  const snaps = play('pull', lines);
  // The compressed blob sizes, as the daemon's Downloading lines announce them.
  const sizes = { a0d4837e503d: 1069107, b1d51f4d535c: 4001421, '79748456bdb2': 6002029, d8a803469e77: 3001122 };
  const sum = Object.values(sizes).reduce((a, b) => a + b, 0);

  it('lists the layers in the order the daemon first named them, ending Pull complete', () => {
    expect(last(snaps).layers).toEqual(Object.keys(sizes).map((id) => ({ id, status: 'Pull complete' })));
  });

  it('ends with every download byte counted, digest and final status', () => {
    expect(last(snaps)).toMatchObject({
      current: sum,
      total: sum,
      digest: PUSHED_1,
      message: expect.stringMatching(/^Status: Downloaded newer image for 127\.0\.0\.1:\d+\/x\/y:1$/),
    });
  });

  it('treats "latest: Pulling from" style lines as overall status, not as a layer', () => {
    expect(snaps[1]).toEqual({ layers: [], current: 0, total: 0, message: 'Pulling from x/y' });
  });

  it('shows the phase\'s own bytes per layer: they restart at 0 when Extracting begins', () => {
    const i = lines.findIndex((m) => m.id === 'a0d4837e503d' && m.status === 'Extracting');
    expect(layer(snaps[i]!, 'a0d4837e503d')).toEqual({ id: 'a0d4837e503d', status: 'Download complete' });
    expect(layer(snaps[i + 1]!, 'a0d4837e503d')).toEqual({ id: 'a0d4837e503d', status: 'Extracting', current: 32768, total: 1069107 });
    // The job's download bytes did not move back when the layer's bar did.
    expect(snaps[i + 1]!.current).toBeGreaterThanOrEqual(snaps[i]!.current);
  });

  it('counts a layer past its download in full though the daemon never sent its last Downloading line', () => {
    // Over loopback the daemon coalesces updates: 79748456bdb2 was last seen at 69213 of 6002029 bytes.
    const i = lines.findIndex((m) => m.id === '79748456bdb2' && m.status === 'Verifying Checksum');
    const gained = snaps[i + 1]!.current - snaps[i]!.current;
    expect(gained).toBe(6002029 - 69213);
  });

  it('has no byte counts on lines whose progressDetail is {}', () => {
    const i = lines.findIndex((m) => m.id === 'd8a803469e77' && m.status === 'Waiting');
    expect(layer(snaps[i + 1]!, 'd8a803469e77')).toEqual({ id: 'd8a803469e77', status: 'Waiting' });
  });
});

describe('TransferProgress: recorded pulls with layers already there', () => {
  it('counts "Already exists" layers as done with 0 bytes', () => {
    const s = last(play('pull', recorded('pull-existing.ndjson')));
    expect(s.layers.map((l) => l.status)).toEqual(['Already exists', 'Already exists', 'Already exists', 'Already exists', 'Pull complete']);
    expect(s).toMatchObject({ current: 2000816, total: 2000816, digest: PUSHED_2 });
  });

  it('reports an up-to-date image with no layers at all', () => {
    const s = last(play('pull', recorded('pull-uptodate.ndjson')));
    expect(s).toEqual({
      layers: [],
      current: 0,
      total: 0,
      digest: PUSHED_2,
      message: expect.stringMatching(/^Status: Image is up to date for 127\.0\.0\.1:\d+\/x\/y:2$/),
    });
  });

  it('keeps a pull of all tags whole: later tags\' ids and "Already exists" do not undo finished layers', () => {
    const s = last(play('pull', recorded('pull-alltags.ndjson')));
    expect(s.layers).toHaveLength(5);
    expect(s.layers.every((l) => l.status === 'Already exists' || l.status === 'Pull complete')).toBe(true);
    expect(s.current).toBe(s.total);
    expect(s.total).toBe(1069107 + 4001421 + 6002029 + 3001122 + 2000816);
    expect(s.digest).toBe(PUSHED_1);
  });

  it('keeps what it had when the stream stopped at an error', () => {
    const s = last(play('pull', recorded('pull-blobgone.ndjson')));
    expect(layer(s, 'e3834f86dec9')).toEqual({ id: 'e3834f86dec9', status: 'Downloading' });
    expect(s).toMatchObject({ current: 0, total: 0, message: 'Pulling from x/y' });
  });
});

describe('TransferProgress: recorded pushes', () => {
  it('counts upload bytes, clamped when the daemon counts more than the layer size', () => {
    const snaps = play('push', recorded('push-fresh.ndjson'));
    const s = last(snaps);
    expect(s.layers).toEqual(['706615efd1f6', '9076a9a359de', '143a8091ccb2', 'd504c3c436ff'].map((id) => ({ id, status: 'Pushed' })));
    const sum = 3000000 + 6000000 + 4000000 + 1984230;
    expect(s).toMatchObject({ current: sum, total: sum, digest: PUSHED_1, message: `1: digest: ${PUSHED_1} size: 1161` });
    // The daemon reported 2129920 of 1984230 bytes for d504c3c436ff; the layer shows that, the job does not exceed.
    expect(snaps.some((x) => x.layers.some((l) => l.id === 'd504c3c436ff' && l.current === 2129920 && l.total === 1984230))).toBe(true);
    expect(snaps[1]).toEqual({ layers: [], current: 0, total: 0, message: 'The push refers to repository [127.0.0.1:39577/x/y]' });
  });

  it('counts "Layer already exists" as done with 0 bytes', () => {
    const s = last(play('push', recorded('push-existing.ndjson')));
    expect(s.layers.filter((l) => l.status === 'Layer already exists')).toHaveLength(4);
    expect(layer(s, 'bf77bd4e23e3')?.status).toBe('Pushed');
    expect(s).toMatchObject({ current: 2000000, total: 2000000, digest: PUSHED_2 });
  });

  it('counts "Mounted from" as done and takes the digest from the aux line', () => {
    const lines = recorded('push-mounted.ndjson');
    const s = last(play('push', lines.filter((m) => !m.status?.includes(': digest: '))));
    expect(s.layers.every((l) => l.status === 'Mounted from x/y')).toBe(true);
    expect(s).toMatchObject({ current: 0, total: 0, digest: PUSHED_2 });
  });
});

describe('TransferProgress: rules the recordings do not show', () => {
  const bytes = (current?: number, total?: number) => ({ progressDetail: { ...(current === undefined ? {} : { current }), ...(total === undefined ? {} : { total }) } });

  it('returns false for lines that change nothing', () => {
    const p = new TransferProgress('pull');
    expect(p.apply({})).toBe(false);
    expect(p.apply({ stream: 'build output\n' })).toBe(false);
    expect(p.apply({ status: 'Waiting', id: 'aaa', ...bytes() })).toBe(true);
    expect(p.apply({ status: 'Waiting', id: 'aaa', ...bytes() })).toBe(false);
    expect(p.apply({ status: 'Downloading', id: 'aaa', ...bytes(10, 100) })).toBe(true);
    expect(p.apply({ status: 'Downloading', id: 'aaa', ...bytes(10, 100) })).toBe(false);
  });

  it('takes the download size from Extracting when the daemon skipped Downloading', () => {
    const p = new TransferProgress('pull');
    p.apply({ status: 'Pulling fs layer', id: 'aaa', ...bytes() });
    p.apply({ status: 'Download complete', id: 'aaa', ...bytes() });
    expect(p.snapshot()).toMatchObject({ current: 0, total: 0 });
    p.apply({ status: 'Extracting', id: 'aaa', ...bytes(10, 500) });
    expect(p.snapshot()).toMatchObject({ current: 500, total: 500 });
  });

  it('counts a download of unknown size by the bytes seen', () => {
    const p = new TransferProgress('pull');
    p.apply({ status: 'Downloading', id: 'aaa', ...bytes(300) });
    expect(p.snapshot()).toMatchObject({ current: 300, total: 300, layers: [{ id: 'aaa', status: 'Downloading', current: 300 }] });
    p.apply({ status: 'Download complete', id: 'aaa', ...bytes() });
    expect(p.snapshot()).toMatchObject({ current: 300, total: 300 });
  });

  it('never goes backwards when a resumed download restarts its counts', () => {
    const p = new TransferProgress('pull');
    p.apply({ status: 'Downloading', id: 'aaa', ...bytes(600, 1000) });
    p.apply({ status: 'Retrying in 5 seconds', id: 'aaa', ...bytes() });
    p.apply({ status: 'Downloading', id: 'aaa', ...bytes(50, 400) });
    expect(p.snapshot()).toMatchObject({ current: 600, total: 1000, layers: [{ id: 'aaa', status: 'Downloading', current: 50, total: 400 }] });
  });

  it('treats an id-bearing message without progressDetail (a WARNING) as overall status', () => {
    const p = new TransferProgress('pull');
    p.apply({ status: 'Pulling from library/busybox', id: 'latest' });
    p.apply({ status: 'registry does not conform; falling back', id: 'WARNING' });
    p.apply({ status: 'Pull complete', id: 'bbb' });
    const s = p.snapshot();
    expect(s.message).toBe('registry does not conform; falling back');
    expect(s.layers).toEqual([{ id: 'bbb', status: 'Pull complete' }]);
  });

  it('ignores negative or non-finite byte counts', () => {
    const p = new TransferProgress('pull');
    p.apply({ status: 'Downloading', id: 'aaa', ...bytes(-5, Number.NaN) });
    expect(p.snapshot()).toEqual({ layers: [{ id: 'aaa', status: 'Downloading' }], current: 0, total: 0 });
  });

  it('hands out copies: changing a snapshot changes nothing inside', () => {
    const p = new TransferProgress('push');
    p.apply({ status: 'Pushing', id: 'aaa', ...bytes(1, 2) });
    const s = p.snapshot();
    s.layers[0]!.status = 'mine';
    s.layers.push({ id: 'x', status: 'y' });
    expect(p.snapshot().layers).toEqual([{ id: 'aaa', status: 'Pushing', current: 1, total: 2 }]);
  });
});
