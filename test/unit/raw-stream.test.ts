/**
 * The daemon's multiplexed exec stream: frames split anywhere, the daemon's own
 * error frame, corrupt and cut streams; the 1 MiB caps; line splitting.
 */
import { CappedOutput, completeUtf8Length, LineSplitter, MuxDecoder, RawStreamError } from '../../src/docker/raw-stream';

/** One frame as the daemon writes it. */
function frame(type: number, payload: string | Buffer): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(data.length, 4);
  return Buffer.concat([header, data]);
}

/** Decodes `wire` fed in chunks of `size` bytes; returns the text per stream. */
function decode(wire: Buffer, size: number): { stdout: string; stderr: string } {
  const d = new MuxDecoder();
  const out = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  for (let i = 0; i < wire.length; i += size) for (const p of d.push(wire.subarray(i, i + size))) out[p.stream].push(p.data);
  d.end();
  return { stdout: Buffer.concat(out.stdout).toString(), stderr: Buffer.concat(out.stderr).toString() };
}

describe('MuxDecoder', () => {
  const wire = Buffer.concat([frame(1, 'out one\n'), frame(2, 'err one\n'), frame(1, ''), frame(1, 'out two\n'), frame(2, 'ünïcødé\n')]);

  it.each([1, 2, 3, 7, 8, 9, 64, wire.length])('separates stdout from stderr whatever the chunking (%i bytes)', (size) => {
    expect(decode(wire, size)).toEqual({ stdout: 'out one\nout two\n', stderr: 'err one\nünïcødé\n' });
  });

  it('hands payload on as it arrives instead of buffering a whole frame', () => {
    const d = new MuxDecoder();
    const big = frame(1, Buffer.alloc(1000, 'a'));
    expect(d.push(big.subarray(0, 108)).map((p) => p.data.length)).toEqual([100]);
    expect(d.push(big.subarray(108)).map((p) => p.data.length)).toEqual([900]);
    d.end();
  });

  it('reads stream 0 (stdin echoed) as stdout, as the docker CLI does', () => {
    expect(decode(frame(0, 'x'), 4)).toEqual({ stdout: 'x', stderr: '' });
  });

  it('fails with the daemon\'s words on its error frame (stream 3)', () => {
    const d = new MuxDecoder();
    expect(() => d.push(Buffer.concat([frame(1, 'ok'), frame(3, 'exec failed: boom\n')]))).toThrow(new RawStreamError('error from daemon in stream: exec failed: boom'));
  });

  it('fails on an unknown header rather than passing garbage through as stdout', () => {
    expect(() => new MuxDecoder().push(Buffer.from('HTTP/1.1 500 oops\r\n'))).toThrow(RawStreamError);
    expect(() => new MuxDecoder().push(Buffer.from([1, 1, 0, 0, 0, 0, 0, 1, 65]))).toThrow(/unknown frame header/);
  });

  it('marks the first piece of every frame (a log message starts there) and skips empty frames', () => {
    const d = new MuxDecoder();
    const wire = Buffer.concat([frame(1, 'abcdef'), frame(2, ''), frame(2, 'gh')]);
    const pieces = [...d.push(wire.subarray(0, 11)), ...d.push(wire.subarray(11))];
    expect(pieces.map((p) => [p.stream, p.data.toString(), p.frameStart])).toEqual([
      ['stdout', 'abc', true],
      ['stdout', 'def', false],
      ['stderr', 'gh', true],
    ]);
  });

  it('tells why it failed: the daemon\'s words, a bad header, a cut stream, an oversized error frame', () => {
    const kindOf = (f: () => void) => {
      try {
        f();
      } catch (err) {
        return [(err as RawStreamError).kind, (err as RawStreamError).detail];
      }
      return undefined;
    };
    expect(kindOf(() => new MuxDecoder().push(frame(3, ' boom \n')))).toEqual(['daemon', 'boom']);
    expect(kindOf(() => new MuxDecoder().push(Buffer.from([7, 0, 0, 0, 0, 0, 0, 1])))).toEqual(['malformed', '0700000000000001']);
    expect(kindOf(() => new MuxDecoder().push(Buffer.from([3, 0, 0, 0, 0, 1, 0, 1])))).toEqual(['malformed', '']);
    const cut = new MuxDecoder();
    cut.push(frame(1, 'abc').subarray(0, 3));
    expect(kindOf(() => cut.end())).toEqual(['truncated', '']);
  });

  it('fails when the stream ends inside a header or a payload', () => {
    const inHeader = new MuxDecoder();
    inHeader.push(frame(1, 'abc').subarray(0, 5));
    expect(() => inHeader.end()).toThrow(/middle of a frame/);
    const inPayload = new MuxDecoder();
    inPayload.push(frame(1, 'abc').subarray(0, 9));
    expect(() => inPayload.end()).toThrow(/middle of a frame/);
  });
});

describe('CappedOutput', () => {
  it('keeps everything under the cap', () => {
    const c = new CappedOutput(10);
    c.push(Buffer.from('hello '));
    c.push(Buffer.from('you'));
    expect([c.text(), c.truncated]).toEqual(['hello you', false]);
  });

  it('keeps exactly the cap and marks the rest as dropped', () => {
    const c = new CappedOutput(1024 * 1024);
    for (let i = 0; i < 20; i++) c.push(Buffer.alloc(64 * 1024, 'x'));
    expect(c.text()).toHaveLength(1024 * 1024);
    expect(c.truncated).toBe(true);
  });

  it('is not truncated when the output is exactly the cap', () => {
    const c = new CappedOutput(4);
    c.push(Buffer.from('abcd'));
    expect([c.text(), c.truncated]).toEqual(['abcd', false]);
  });

  it('drops a character the cut would split instead of garbling it', () => {
    const c = new CappedOutput(5);
    c.push(Buffer.from('abcd€')); // € is 3 bytes: only one of them fits
    expect([c.text(), c.truncated]).toEqual(['abcd', true]);
  });

  it.each([
    ['ascii', Buffer.from('abc'), 3],
    ['complete 2-byte', Buffer.from('aé'), 3],
    ['cut 2-byte', Buffer.from('aé').subarray(0, 2), 1],
    ['cut 4-byte after 3', Buffer.from('a😀').subarray(0, 4), 1],
    ['complete 4-byte', Buffer.from('a😀'), 5],
    ['lone continuation bytes', Buffer.from([0x80, 0x80, 0x80, 0x80]), 4],
  ])('completeUtf8Length: %s', (_name, buf, want) => {
    expect(completeUtf8Length(buf)).toBe(want);
  });
});

describe('LineSplitter', () => {
  it('splits on newlines across chunks, drops \\r\\n endings, and flushes the last line at the end', () => {
    const s = new LineSplitter();
    expect(s.push(Buffer.from('one\r'))).toEqual([]);
    expect(s.push(Buffer.from('\ntw'))).toEqual(['one']);
    expect(s.push(Buffer.from('o\n\nthr'))).toEqual(['two', '']);
    expect(s.end()).toEqual(['thr']);
  });

  it('keeps a multi-byte character split between chunks whole', () => {
    const s = new LineSplitter();
    const bytes = Buffer.from('é\n');
    expect(s.push(bytes.subarray(0, 1))).toEqual([]);
    expect(s.push(bytes.subarray(1))).toEqual(['é']);
  });

  it('cuts a line without newline into pieces so memory stays bounded, never inside a surrogate pair', () => {
    const s = new LineSplitter(4);
    expect(s.push(Buffer.from('abcdefghij'))).toEqual(['abcd', 'efgh']);
    expect(s.push(Buffer.from('\n'))).toEqual(['ij']);
    expect(s.push(Buffer.from('abc😀xyz\n'))).toEqual(['abc', '😀xy', 'z']);
    expect(s.end()).toEqual([]);
  });
});
