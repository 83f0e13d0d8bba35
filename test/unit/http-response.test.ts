/** The HTTP/1.1 response reader of the raw tar downloads: every framing, split anywhere, with a consumer that pauses anywhere. */
import fc from 'fast-check';
import { HttpResponseError, HttpResponseReader } from '../../src/docker/http-response';

/** A chunked encoding of `body` in chunks of the given sizes (the rest in one last chunk), with optional extensions and trailers. */
function chunked(body: Buffer, sizes: number[], extras: { ext?: boolean; trailers?: boolean } = {}): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (const size of [...sizes, body.length]) {
    const n = Math.min(size, body.length - at);
    if (n <= 0) continue;
    parts.push(Buffer.from(`${n.toString(16)}${extras.ext ? ';name=value' : ''}\r\n`), body.subarray(at, at + n), Buffer.from('\r\n'));
    at += n;
  }
  parts.push(Buffer.from(`0\r\n${extras.trailers ? 'X-Trailer: yes\r\n' : ''}\r\n`));
  return Buffer.concat(parts);
}

const HEAD_CHUNKED = 'HTTP/1.1 200 OK\r\nContent-Type: application/x-tar\r\nTransfer-Encoding: chunked\r\n\r\n';

/**
 * Feeds `wire` split at `cuts`, delivering to a consumer that takes at most
 * `takes[i]` bytes on its i-th call (cycling; 0 means "full, call me again").
 * Returns the body it took and the reader.
 */
function read(wire: Buffer, cuts: number[], takes: number[] = [Infinity], close = true): { body: Buffer; reader: HttpResponseReader } {
  const reader = new HttpResponseReader();
  const taken: Buffer[] = [];
  let call = 0;
  const deliver = (piece: Buffer) => {
    const n = Math.min(piece.length, takes[call++ % takes.length]!);
    // The piece is only lent: copy, as a real consumer must.
    taken.push(Buffer.from(piece.subarray(0, n)));
    return n;
  };
  const bounds = [...new Set([0, ...cuts.map((c) => Math.min(c, wire.length)), wire.length])].sort((a, b) => a - b);
  for (let k = 0; k + 1 < bounds.length; k++) {
    // Each read lands in a fresh buffer region that is overwritten afterwards, as the socket's reused buffer is.
    const buf = Buffer.from(wire.subarray(bounds[k], bounds[k + 1]));
    let at = 0;
    for (let spins = 0; at < buf.length; spins++) {
      at = reader.feed(buf, at, buf.length, deliver);
      if (spins > wire.length + 10) throw new Error('the reader makes no progress');
    }
    buf.fill(0xee);
  }
  if (close) reader.finish();
  return { body: Buffer.concat(taken), reader };
}

describe('HttpResponseReader', () => {
  it('reads a chunked body split at any points, for a consumer that pauses anywhere (property)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 3000 }),
        fc.array(fc.integer({ min: 1, max: 700 }), { maxLength: 8 }),
        fc.array(fc.nat({ max: 4000 }), { maxLength: 12 }),
        fc.array(fc.nat({ max: 900 }), { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        fc.boolean(),
        (bytes, sizes, cuts, takes, ext, trailers) => {
          const body = Buffer.from(bytes);
          // Never a consumer that takes nothing forever: every other call takes at least one byte.
          const fairTakes = takes.flatMap((t) => [t, Math.max(1, t)]);
          const wire = Buffer.concat([Buffer.from(HEAD_CHUNKED), chunked(body, sizes, { ext, trailers })]);
          const { body: got, reader } = read(wire, cuts, fairTakes);
          expect(reader.head?.status).toBe(200);
          expect(reader.head?.headers.get('content-type')).toBe('application/x-tar');
          expect(reader.complete).toBe(true);
          expect(got.equals(body)).toBe(true);
        },
      ),
      { seed: 20261128, numRuns: 400 },
    );
  });

  it('reads a Content-Length body and ignores what follows it', () => {
    const wire = Buffer.from('HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 29\r\n\r\n{"message":"No such image: x"}extra');
    const { body, reader } = read(wire, [5, 40, 90]);
    expect(reader.head?.status).toBe(404);
    expect(body.toString()).toBe('{"message":"No such image: x"');
    expect(reader.complete).toBe(true);
  });

  it('reads a body without length or chunking until the connection closes', () => {
    const wire = Buffer.from('HTTP/1.1 200 OK\r\n\r\nall of it');
    const { body, reader } = read(wire, [3, 20], [Infinity], false);
    expect(reader.complete).toBe(false);
    reader.finish();
    expect(body.toString()).toBe('all of it');
    expect(reader.complete).toBe(true);
  });

  it('skips interim 1xx answers and joins repeated headers', () => {
    const wire = Buffer.from('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nX-A: 1\r\nX-A: 2\r\nContent-Length: 2\r\n\r\nok');
    const { body, reader } = read(wire, [10, 30]);
    expect(reader.head?.status).toBe(200);
    expect(reader.head?.headers.get('x-a')).toBe('1, 2');
    expect(body.toString()).toBe('ok');
  });

  it.each<[string, string, string]>([
    ['a body cut short', `${HEAD_CHUNKED}a\r\n12345`, 'before the end of the response body'],
    ['a response without its last chunk', `${HEAD_CHUNKED}3\r\nabc\r\n`, 'before the end of the response body'],
    ['a Content-Length body cut short', 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc', 'before the end of the response body'],
    ['no complete head', 'HTTP/1.1 200 OK\r\nContent-Le', 'before a complete response head'],
  ])('fails %s when the connection closes', (_name, text, message) => {
    expect(() => read(Buffer.from(text), [7])).toThrow(message);
  });

  it.each<[string, string, string]>([
    ['not HTTP', 'SSH-2.0-OpenSSH_9.2\r\n\r\n', 'not an HTTP/1.x status line'],
    ['a bad chunk size', `${HEAD_CHUNKED}zz\r\n`, 'bad chunk size line'],
    ['a chunk without its CRLF', `${HEAD_CHUNKED}3\r\nabcX\r\n0\r\n\r\n`, 'not followed by CRLF'],
    ['an unknown transfer coding', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n', 'unsupported Transfer-Encoding'],
    ['a bad Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n', 'bad Content-Length'],
    ['a header line without a colon', 'HTTP/1.1 200 OK\r\nnonsense\r\n\r\n', 'bad header line'],
    ['an endless chunk-size line', `${HEAD_CHUNKED}${'1'.repeat(9000)}`, 'over 8192 bytes'],
    ['an endless head', `HTTP/1.1 200 OK\r\n${'X-Pad: y\r\n'.repeat(7000)}`, 'over 65536 bytes'],
  ])('refuses %s', (_name, text, message) => {
    const reader = new HttpResponseReader();
    const buf = Buffer.from(text);
    expect(() => reader.feed(buf, 0, buf.length, (p) => p.length)).toThrow(HttpResponseError);
    expect(() => new HttpResponseReader().feed(buf, 0, buf.length, (p) => p.length)).toThrow(message);
  });
});
