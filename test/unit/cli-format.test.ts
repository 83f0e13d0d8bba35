/**
 * The CLI's table cells, character for character like the docker CLI's:
 * sizes (go-units, 1000-based), ages, tabwriter layout, ids, COMMAND
 * truncation and quoting, PORTS, and `docker events` lines.
 */
import { humanAge, humanDuration, shortElapsed } from '../../src/cli/format/duration';
import { displayablePorts, type PortLike } from '../../src/cli/format/ports';
import { CONTAINER_HEADER, containerRow, eventLine, eventTime, IMAGE_HEADER, imageCell, imageRows, imagesTableRows, splitRepoTag } from '../../src/cli/format/rows';
import { goFormatG, humanSize } from '../../src/cli/format/size';
import { renderTable } from '../../src/cli/format/table';
import { commandCell, ellipsis, goQuote, truncateId } from '../../src/cli/format/text';
import type { ContainerData, ImageData } from '../../src/cli/types';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const ID = 'sha256:43d419207feb5b2a6bbd1e6b2c6a2b1f6e0b6e5dd1a3f6e8f4f1a2b3c4d5e6f7';

describe('goFormatG (Go %.Ng)', () => {
  it.each([
    [4.26, 3, '4.26'],
    [1, 3, '1'],
    [4.1, 3, '4.1'],
    [123.4, 3, '123'],
    [12.345, 4, '12.35'],
    [0.5, 3, '0.5'],
    [999.95, 3, '1e+03'],
    [0.0000123, 3, '1.23e-05'],
    [0, 3, '0'],
  ])('formats %p with %p digits as %p', (value, digits, expected) => {
    expect(goFormatG(value, digits)).toBe(expected);
  });
});

describe('humanSize (go-units HumanSizeWithPrecision)', () => {
  it.each([
    [0, 3, '0B'],
    [999, 3, '999B'],
    [1000, 3, '1kB'],
    [1_980_000, 3, '1.98MB'],
    [7_800_000, 3, '7.8MB'],
    [123_456_789, 3, '123MB'],
    [1_500_000_000, 3, '1.5GB'],
    [22_030_000, 4, '22.03MB'],
    [7_342_080, 4, '7.342MB'],
    // docker shows the exponent form too when rounding reaches 1000 of a unit.
    [999_950_000, 3, '1e+03MB'],
  ])('prints %p bytes (%p digits) as %p, 1000-based like docker images', (bytes, digits, expected) => {
    expect(humanSize(bytes, digits)).toBe(expected);
  });
});

describe('humanDuration (go-units HumanDuration)', () => {
  it.each([
    [0, 'Less than a second'],
    [999, 'Less than a second'],
    [SECOND, '1 second'],
    [59 * SECOND, '59 seconds'],
    [MINUTE, 'About a minute'],
    [2 * MINUTE - 1, 'About a minute'],
    [2 * MINUTE, '2 minutes'],
    [59 * MINUTE, '59 minutes'],
    [60 * MINUTE, 'About an hour'],
    [89 * MINUTE, 'About an hour'],
    [90 * MINUTE, '2 hours'],
    [47 * HOUR, '47 hours'],
    [48 * HOUR, '2 days'],
    [13 * DAY, '13 days'],
    [14 * DAY, '2 weeks'],
    [59 * DAY, '8 weeks'],
    [60 * DAY, '2 months'],
    [729 * DAY, '24 months'],
    [730 * DAY, '2 years'],
  ])('says %p ms is %p', (ms, expected) => {
    expect(humanDuration(ms)).toBe(expected);
  });

  it('adds " ago" for the CREATED column, and a time in the future (clock skew) is now', () => {
    const now = new Date('2026-01-02T12:00:00Z');
    expect(humanAge('2026-01-02T10:00:00Z', now)).toBe('2 hours ago');
    expect(humanAge('2026-01-02T12:00:05Z', now)).toBe('Less than a second ago');
  });

  it('gives transfer times short', () => {
    expect(shortElapsed(786)).toBe('786ms');
    expect(shortElapsed(1340)).toBe('1.3s');
    expect(shortElapsed(125_000)).toBe('2m5s');
  });
});

describe('renderTable (docker tabwriter: minwidth 10, padding 3)', () => {
  it('lays out the empty docker images and docker ps headers exactly as docker prints them', () => {
    expect(renderTable(IMAGE_HEADER, [])).toEqual(['REPOSITORY   TAG       IMAGE ID   CREATED   SIZE']);
    expect(renderTable(CONTAINER_HEADER, [])).toEqual(['CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES']);
  });

  it('widens a column to its widest cell plus 3 and leaves the last column unpadded', () => {
    const lines = renderTable(IMAGE_HEADER, [['dockql/busybox', 'latest', '43d419207feb', '9 seconds ago', '1.98MB']]);
    expect(lines).toEqual([
      'REPOSITORY       TAG       IMAGE ID       CREATED         SIZE',
      'dockql/busybox   latest    43d419207feb   9 seconds ago   1.98MB',
    ]);
  });

  it('counts characters, not bytes, as Go counts runes', () => {
    const [, row] = renderTable(['A', 'B'], [['…ü', 'x']]);
    expect(row).toBe('…ü        x');
  });
});

describe('ids and commands', () => {
  it('truncates ids to 12 hex digits without the sha256: prefix', () => {
    expect(truncateId(ID)).toBe('43d419207feb');
    expect(truncateId('78353fa1ec271d684e390d85223bc6b64ea33f31abe97cff954ed1dfd426b70b')).toBe('78353fa1ec27');
  });

  it('ellipsizes like docker: up to 20 characters unchanged, longer ones cut to 19 and "…"', () => {
    expect(ellipsis('12345678901234567890', 20)).toBe('12345678901234567890');
    expect(ellipsis('123456789012345678901', 20)).toBe('1234567890123456789…');
    expect(ellipsis('abc', 1)).toBe('a');
    expect(ellipsis('abc', 0)).toBe('');
  });

  it('quotes the COMMAND cell with Go escapes, after truncating', () => {
    expect(commandCell('sleep 3000')).toBe('"sleep 3000"');
    // As docker ps printed it for this container.
    expect(commandCell(`sh -c 'echo "hello world this is a long command"; sleep 1'`)).toBe(`"sh -c 'echo \\"hello …"`);
    expect(commandCell('a very long command line that goes on', false)).toBe('"a very long command line that goes on"');
    expect(goQuote('a\tb\\c\u0001')).toBe('"a\\tb\\\\c\\x01"');
  });

  it('shows an image id as 12 digits and drops a digest in the IMAGE column', () => {
    expect(imageCell(ID)).toBe('43d419207feb');
    expect(imageCell('busybox:1.36@sha256:abcd')).toBe('busybox:1.36');
    expect(imageCell('127.0.0.1:5000/team/app:1')).toBe('127.0.0.1:5000/team/app:1');
  });
});

describe('displayablePorts (docker ps PORTS)', () => {
  const p = (privatePort: number, type: string, ip?: string, publicPort?: number): PortLike => ({ privatePort, type, ip: ip ?? null, publicPort: publicPort ?? null });
  it.each<[PortLike[], string]>([
    [[], ''],
    [[p(9988, 'tcp')], '9988/tcp'],
    [[p(9988, 'tcp', '0.0.0.0')], '0.0.0.0:0->9988/tcp'],
    [[p(9988, 'tcp', '4.3.2.1', 8899)], '4.3.2.1:8899->9988/tcp'],
    [[p(9988, 'tcp', '4.3.2.1', 9988)], '4.3.2.1:9988->9988/tcp'],
    [[p(9988, 'udp'), p(9988, 'udp')], '9988/udp, 9988/udp'],
    [[p(9999, 'udp', '1.2.3.4', 9999), p(9998, 'udp', '1.2.3.4', 9998)], '1.2.3.4:9998-9999->9998-9999/udp'],
    [[p(9998, 'udp'), p(9999, 'udp')], '9998-9999/udp'],
    [[p(6677, 'tcp', '1.2.3.4', 7766), p(9988, 'udp', undefined, 8899)], '9988/udp, 1.2.3.4:7766->6677/tcp'],
    [[p(80, 'tcp', '::', 8080)], '[::]:8080->80/tcp'],
    [
      [p(9988, 'udp', '1.2.3.4', 8899), p(9988, 'tcp', '1.2.3.4', 8899), p(2233, 'tcp', '4.3.2.1', 3322)],
      '4.3.2.1:3322->2233/tcp, 1.2.3.4:8899->9988/tcp, 1.2.3.4:8899->9988/udp',
    ],
  ])('prints %j as %p', (ports, expected) => {
    expect(displayablePorts(ports)).toBe(expected);
  });
});

describe('image rows', () => {
  const now = new Date('2026-01-02T12:00:00Z');
  const image = (over: Partial<ImageData>): ImageData => ({
    id: ID,
    shortId: '43d419207feb',
    repoTags: [],
    repoDigests: [],
    created: '2026-01-02T10:00:00Z',
    size: 1_980_000,
    dangling: false,
    labels: [],
    ...over,
  });

  it('splits a ref at the tag after the last slash (a registry port is not a tag)', () => {
    expect(splitRepoTag('127.0.0.1:5000/team/app:1')).toEqual({ repository: '127.0.0.1:5000/team/app', tag: '1' });
    expect(splitRepoTag('127.0.0.1:5000/team/app@sha256:ab')).toEqual({ repository: '127.0.0.1:5000/team/app', tag: '<none>' });
  });

  it('gives one row per tag, <none> for a repository known by digest only, and <none> <none> for an untagged image', () => {
    expect(imageRows(image({ repoTags: ['busybox:latest', 'busybox:1.36'] }), now)).toEqual([
      ['busybox', 'latest', '43d419207feb', '2 hours ago', '1.98MB'],
      ['busybox', '1.36', '43d419207feb', '2 hours ago', '1.98MB'],
    ]);
    expect(imageRows(image({ repoDigests: ['busybox@sha256:ab'] }), now)).toEqual([['busybox', '<none>', '43d419207feb', '2 hours ago', '1.98MB']]);
    expect(imageRows(image({ dangling: true }), now)).toEqual([['<none>', '<none>', '43d419207feb', '2 hours ago', '1.98MB']]);
    expect(imageRows(image({ repoTags: ['a:1'] }), now, false)[0]![2]).toBe(ID);
  });

  it('lists the newest image first', () => {
    const rows = imagesTableRows([image({ repoTags: ['old:1'], created: '2026-01-01T00:00:00Z' }), image({ repoTags: ['new:1'] })], now);
    expect(rows.map((r) => r[0])).toEqual(['new', 'old']);
  });
});

describe('container rows', () => {
  it('fills the docker ps columns', () => {
    const container: ContainerData = {
      id: '469a99991483aaaabbbbccccddddeeeeffff0000111122223333444455556666',
      shortId: '469a99991483',
      name: 'sleepy',
      imageRef: 'dockql/busybox',
      command: 'sleep 3000',
      created: '2026-01-02T11:59:57Z',
      state: 'RUNNING',
      status: 'Up 2 seconds',
      ports: [{ ip: '127.0.0.1', privatePort: 80, publicPort: 8080, type: 'tcp' }],
      labels: [],
    };
    expect(containerRow(container, new Date('2026-01-02T12:00:00Z'))).toEqual([
      '469a99991483',
      'dockql/busybox',
      '"sleep 3000"',
      '3 seconds ago',
      'Up 2 seconds',
      '127.0.0.1:8080->80/tcp',
      'sleepy',
    ]);
  });
});

describe('event lines (docker events)', () => {
  const event = {
    time: '2026-11-28T10:36:36.676Z',
    timeNano: '1795862196676467624',
    type: 'CONTAINER',
    rawType: 'container',
    action: 'die',
    actorId: '7835',
    scope: 'local',
    attributes: [
      { key: 'name', value: 'busy' },
      { key: 'exitCode', value: '0' },
    ],
  };

  it('prints the nanosecond time with nine digits and the offset, type, action, id, then attributes sorted by key', () => {
    expect(eventLine(event, 0)).toBe('2026-11-28T10:36:36.676467624Z container die 7835 (exitCode=0, name=busy)');
  });

  it('writes local time with its offset, as docker does', () => {
    expect(eventTime(event.timeNano, event.time, -60)).toBe('2026-11-28T11:36:36.676467624+01:00');
    expect(eventTime(event.timeNano, event.time, 330)).toBe('2026-11-28T05:06:36.676467624-05:30');
  });

  it('falls back to the millisecond time and leaves out empty attributes', () => {
    expect(eventLine({ ...event, timeNano: '', attributes: [] }, 0)).toBe('2026-11-28T10:36:36.676000000Z container die 7835');
  });
});
