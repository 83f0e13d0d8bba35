/**
 * The daemon's log stream, read incrementally: stdcopy frames (non-TTY) and a
 * raw stream (TTY), with timestamps, split anywhere across chunks.
 */
import { LogStreamError, LogStreamParser, MAX_LOG_LINE_BYTES, type LogRecord, parseLogTimestamp } from '../../src/docker/log-frames';

const T1 = '2026-11-28T07:35:18.388442561Z';
const T2 = '2026-11-28T07:35:19.000000001Z';

/** One stdcopy frame: stream id, three zero bytes, big-endian size, payload. */
function frame(stream: number, payload: string | Buffer): Buffer {
  const body = Buffer.isBuffer(payload) ? payload : Buffer.from(payload, 'utf8');
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

/** Feeds `data` in chunks of `size` bytes (1 = every byte its own chunk), then ends. */
function parse(data: Buffer, options: { multiplexed: boolean; timestamps: boolean; maxLineBytes?: number }, size = data.length): LogRecord[] {
  const parser = new LogStreamParser(options);
  const out: LogRecord[] = [];
  for (let i = 0; i < data.length; i += size) out.push(...parser.push(data.subarray(i, i + size)));
  out.push(...parser.end());
  return out;
}

const plain = (records: LogRecord[]) => records.map((r) => `${r.stream}:${r.text}`);

describe('non-TTY containers (stdcopy frames)', () => {
  const stream = Buffer.concat([frame(1, `${T1} out one\n`), frame(2, `${T1} err one\n`), frame(1, `${T2} out two\n`)]);

  it.each([1, 3, 7, 8, 9, 1000])('splits stdout from stderr and reads timestamps whatever the chunk size (%i bytes)', (size) => {
    const records = parse(stream, { multiplexed: true, timestamps: true }, size);
    expect(records).toEqual([
      { stream: 'stdout', text: 'out one', truncated: false, time: new Date('2026-11-28T07:35:18.388Z') },
      { stream: 'stderr', text: 'err one', truncated: false, time: new Date('2026-11-28T07:35:18.388Z') },
      { stream: 'stdout', text: 'out two', truncated: false, time: new Date('2026-11-28T07:35:19.000Z') },
    ]);
  });

  it('keeps a line written in several frames as one line with the first part\'s time (the driver\'s 16 KiB parts)', () => {
    const data = Buffer.concat([frame(1, `${T1} first part `), frame(2, `${T1} interleaved\n`), frame(1, `${T2} second part\n`)]);
    const records = parse(data, { multiplexed: true, timestamps: true }, 5);
    expect(records).toEqual([
      expect.objectContaining({ stream: 'stderr', text: 'interleaved' }),
      { stream: 'stdout', text: 'first part second part', truncated: false, time: new Date('2026-11-28T07:35:18.388Z') },
    ]);
  });

  it('keeps UTF-8 characters split across chunks and frames intact', () => {
    const text = 'grüße 🚀 done';
    const bytes = Buffer.from(text, 'utf8');
    const data = Buffer.concat([frame(1, bytes.subarray(0, 4)), frame(1, Buffer.concat([bytes.subarray(4), Buffer.from('\n')]))]);
    expect(plain(parse(data, { multiplexed: true, timestamps: false }, 1))).toEqual([`stdout:${text}`]);
  });

  it('reads lines without timestamps, empty lines, and an unterminated last line', () => {
    const data = Buffer.concat([frame(1, 'a\n\nb\n'), frame(2, 'no newline')]);
    expect(plain(parse(data, { multiplexed: true, timestamps: false }, 2))).toEqual(['stdout:a', 'stdout:', 'stdout:b', 'stderr:no newline']);
  });

  it('treats text that only looks like a timestamp as text', () => {
    const data = Buffer.concat([frame(1, 'not-a-time hello\n'), frame(1, `${'x'.repeat(60)}\n`)]);
    expect(plain(parse(data, { multiplexed: true, timestamps: true }, 4))).toEqual(['stdout:not-a-time hello', `stdout:${'x'.repeat(60)}`]);
  });

  it('caps a long line at the limit without splitting a character, and says it was cut', () => {
    const long = 'é'.repeat(40); // 80 bytes
    const records = parse(frame(1, `${T1} ${long}\nnext\n`), { multiplexed: true, timestamps: true, maxLineBytes: 33 }, 3);
    expect(records[0]).toMatchObject({ text: 'é'.repeat(16), truncated: true });
    expect(records[1]).toMatchObject({ text: 'next', truncated: false });
  });

  it('caps at 64 KiB by default', () => {
    const records = parse(frame(1, `${'a'.repeat(MAX_LOG_LINE_BYTES + 10)}\n`), { multiplexed: true, timestamps: false }, 4096);
    expect(records).toHaveLength(1);
    expect(records[0]!.text.length).toBe(MAX_LOG_LINE_BYTES);
    expect(records[0]!.truncated).toBe(true);
  });

  it('fails with the daemon\'s words on a systemerr frame', () => {
    const data = Buffer.concat([frame(1, 'ok\n'), frame(3, 'error from daemon in stream: boom')]);
    const parser = new LogStreamParser({ multiplexed: true, timestamps: false });
    expect(() => parser.push(data)).toThrow(new LogStreamError('error from daemon in stream: boom', 'daemon'));
  });

  it('fails at once on an error frame too large to be the daemon\'s message, without buffering it', () => {
    const header = Buffer.from([3, 0, 0, 0, 0, 0x10, 0, 0]); // 1 MiB announced
    expect(() => new LogStreamParser({ multiplexed: true, timestamps: false }).push(header)).toThrow(new LogStreamError("the daemon's log stream is malformed: the daemon sent an oversized error frame", 'malformed'));
  });

  it('fails on a malformed header and on a stream cut inside a frame', () => {
    expect(() => new LogStreamParser({ multiplexed: true, timestamps: false }).push(Buffer.from('hello world\n'))).toThrow(/malformed frame header/);
    const cut = new LogStreamParser({ multiplexed: true, timestamps: false });
    cut.push(frame(1, 'abcdef\n').subarray(0, 10));
    expect(() => cut.end()).toThrow(/middle of a frame/);
  });
});

describe('TTY containers (one raw stream)', () => {
  it('reads every line as stdout, drops the terminal\'s \\r and reads each line\'s timestamp', () => {
    const data = Buffer.from(`${T1} one\r\n${T2} two\r\n${T2} last`);
    for (const size of [1, 2, 5, 100]) {
      expect(parse(data, { multiplexed: false, timestamps: true }, size)).toEqual([
        { stream: 'stdout', text: 'one', truncated: false, time: new Date('2026-11-28T07:35:18.388Z') },
        { stream: 'stdout', text: 'two', truncated: false, time: new Date('2026-11-28T07:35:19.000Z') },
        { stream: 'stdout', text: 'last', truncated: false, time: new Date('2026-11-28T07:35:19.000Z') },
      ]);
    }
  });

  it('reads bytes that look like a frame header as text', () => {
    expect(plain(parse(Buffer.from('\u0001\u0000\u0000\u0000x\n'), { multiplexed: false, timestamps: false }))).toEqual(['stdout:\u0001\u0000\u0000\u0000x']);
  });
});

describe('parseLogTimestamp', () => {
  it('reads RFC 3339 with nanoseconds and offsets, and nothing else', () => {
    expect(parseLogTimestamp('2026-11-28T07:35:18.388442561Z')).toEqual(new Date('2026-11-28T07:35:18.388Z'));
    expect(parseLogTimestamp('2026-11-28T08:35:18+01:00')).toEqual(new Date('2026-11-28T07:35:18Z'));
    expect(parseLogTimestamp('2026-11-28 07:35:18Z')).toBeUndefined();
    expect(parseLogTimestamp('1')).toBeUndefined();
  });
});
