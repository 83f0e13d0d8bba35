/** Reading the daemon's /events stream: parsing, exact timeNano, and how a stream ends (line splitting: ndjson-lines.test.ts). */
import { PassThrough } from 'node:stream';
import { type DaemonEventDto, EventStreamError, formatDaemonTimestamp, MAX_EVENT_LINE, parseDaemonEvent, readEventStream } from '../../src/docker/events';

/** A line exactly as the Docker 20.10 daemon writes it (recorded). */
const DIE =
  '{"status":"die","id":"a5b4836697e5547062f3339c1121b211aaa0c7ed491b021a443cfb1ed3b9b0d8","from":"dockql/busybox:latest","Type":"container","Action":"die","Actor":{"ID":"a5b4836697e5547062f3339c1121b211aaa0c7ed491b021a443cfb1ed3b9b0d8","Attributes":{"a":"b","exitCode":"0","image":"dockql/busybox:latest","name":"evtest"}},"scope":"local","time":1795851351,"timeNano":1795851351924704063}';
const CONNECT =
  '{"Type":"network","Action":"connect","Actor":{"ID":"4b8546d56de85218e8e603e33efe03786334d0a9fef0084983cc76fe02759bb4","Attributes":{"container":"a5b4836697e5547062f3339c1121b211aaa0c7ed491b021a443cfb1ed3b9b0d8","name":"none","type":"null"}},"scope":"local","time":1795851351,"timeNano":1795851351705460670}';

function collect(stream: NodeJS.ReadableStream, signal?: AbortSignal) {
  const events: DaemonEventDto[] = [];
  const done = readEventStream(stream, (e) => events.push(e), { signal });
  return { events, done };
}

describe('parseDaemonEvent', () => {
  it('reads a container event, keeping timeNano exact (it is beyond 2^53)', () => {
    const e = parseDaemonEvent(DIE);
    expect(e).toEqual({
      Type: 'container',
      Action: 'die',
      Actor: { ID: 'a5b4836697e5547062f3339c1121b211aaa0c7ed491b021a443cfb1ed3b9b0d8', Attributes: { a: 'b', exitCode: '0', image: 'dockql/busybox:latest', name: 'evtest' } },
      scope: 'local',
      time: 1795851351,
      timeNano: 1795851351924704063n,
    });
    // What JSON.parse alone would have made of it:
    expect(BigInt(JSON.parse(DIE).timeNano)).not.toBe(1795851351924704063n);
  });

  it('reads events without status/id (networks, volumes)', () => {
    expect(parseDaemonEvent(CONNECT)).toMatchObject({ Type: 'network', Action: 'connect', Actor: { Attributes: { container: expect.stringMatching(/^a5b4/) } } });
  });

  it('does not take a timeNano that sits inside an attribute value', () => {
    const line = '{"Type":"container","Action":"x","Actor":{"ID":"i","Attributes":{"k":"\\"timeNano\\":1,"}},"time":1700000000,"timeNano":1700000000000000123}';
    expect(parseDaemonEvent(line).timeNano).toBe(1700000000000000123n);
  });

  it('falls back to the seconds when timeNano is missing, and reads the pre-1.22 shape', () => {
    const e = parseDaemonEvent('{"status":"start","id":"abc","from":"img","time":1700000000}');
    expect(e).toMatchObject({ Type: 'container', Action: 'start', Actor: { ID: 'abc', Attributes: {} }, scope: 'local', timeNano: 1700000000000000000n });
  });

  it('keeps an unknown type as the daemon wrote it', () => {
    expect(parseDaemonEvent('{"Type":"teleporter","Action":"beam","Actor":{"ID":"t"},"time":1,"timeNano":1000000001}').Type).toBe('teleporter');
  });

  it.each([
    ['not JSON', 'hello'],
    ['an array', '[1,2]'],
    ['no action', '{"Type":"container","time":1}'],
    ['no time at all', '{"Type":"container","Action":"start"}'],
  ])('refuses %s as malformed', (_what, line) => {
    expect(() => parseDaemonEvent(line)).toThrow(EventStreamError);
  });
});

describe('formatDaemonTimestamp', () => {
  it('writes seconds.nanoseconds with nine digits', () => {
    expect(formatDaemonTimestamp(1795851351000000007n)).toBe('1795851351.000000007');
    expect(formatDaemonTimestamp(1795851351924704063n)).toBe('1795851351.924704063');
  });
});

describe('readEventStream', () => {
  it('delivers every event in order and resolves when the daemon ends the stream cleanly', async () => {
    const s = new PassThrough();
    const { events, done } = collect(s);
    s.write(`${CONNECT}\n${DIE.slice(0, 50)}`);
    s.write(`${DIE.slice(50)}\n`);
    s.end();
    await expect(done).resolves.toBeUndefined();
    expect(events.map((e) => e.Action)).toEqual(['connect', 'die']);
  });

  it('rejects as malformed on a garbage line, after delivering the good ones, and destroys the stream', async () => {
    const s = new PassThrough();
    const { events, done } = collect(s);
    s.write(`${DIE}\nnot json\n${DIE}\n`);
    await expect(done).rejects.toMatchObject({ kind: 'malformed' });
    expect(events).toHaveLength(1);
    expect(s.destroyed).toBe(true);
  });

  it('rejects as truncated when the connection drops', async () => {
    const s = new PassThrough();
    const { done } = collect(s);
    s.write(`${DIE}\n`);
    s.destroy();
    await expect(done).rejects.toMatchObject({ kind: 'truncated' });
  });

  it('rejects as aborted when the signal fires, and leaves no listener behind', async () => {
    const s = new PassThrough();
    const controller = new AbortController();
    const { done } = collect(s, controller.signal);
    controller.abort();
    await expect(done).rejects.toMatchObject({ kind: 'aborted' });
    expect(s.listenerCount('data')).toBe(0);
  });

  it('rejects a line longer than the limit without buffering it all', async () => {
    const s = new PassThrough();
    const { done } = collect(s);
    s.write('x'.repeat(MAX_EVENT_LINE + 1));
    await expect(done).rejects.toMatchObject({ kind: 'malformed' });
  });

  it('passes on what the event handler throws', async () => {
    const s = new PassThrough();
    const done = readEventStream(s, () => {
      throw new Error('handler broke');
    });
    s.write(`${DIE}\n`);
    await expect(done).rejects.toThrow('handler broke');
  });
});
