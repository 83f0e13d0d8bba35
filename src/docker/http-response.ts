/**
 * An HTTP/1.1 response reader for one request on a connection of its own
 * (docker/raw-get.ts): the status line and headers, then the body, handed
 * out as views of the caller's read buffers, with no copy and no allocation
 * per piece. It reads a chunked body, a Content-Length body, or a body that
 * runs until the connection closes. Strict about framing: anything else is a
 * {@link HttpResponseError}, never a guess.
 */

/** Largest status line plus headers accepted. */
const MAX_HEAD_BYTES = 64 * 1024;
/** Largest chunk-size line (hex digits and extensions) or trailer line accepted. */
const MAX_LINE_BYTES = 8 * 1024;

/** The response could not be read as HTTP/1.1: the connection carries something else, or broke mid-message. */
export class HttpResponseError extends Error {
  override readonly name = 'HttpResponseError';
}

/** Status and headers of a response. */
export interface ResponseHead {
  readonly status: number;
  /** Header values by lower-case name; repeated headers joined with ", ". */
  readonly headers: ReadonlyMap<string, string>;
}

/** Takes the leading bytes of a body piece it can (the piece is valid only during the call) and returns how many. */
export type BodyDelivery = (piece: Buffer) => number;

type State = 'head' | 'size' | 'data' | 'data-end' | 'trailers' | 'body' | 'done';

/** Reads one response from bytes fed in order; see {@link feed}. */
export class HttpResponseReader {
  /** Set once the status line and headers are read. */
  head: ResponseHead | undefined;
  private state: State = 'head';
  private headPieces: Buffer[] = [];
  private headBytes = 0;
  /** Chunked: bytes left in this chunk. Content-Length: bytes left in the body. Until close: Infinity. */
  private remaining = 0;
  private chunked = false;
  /** A line (chunk size, trailer) split across reads. */
  private line = '';
  /** Bytes of the CRLF after a chunk's data seen so far. */
  private crlfSeen = 0;

  /** True once the whole body is read (for a body that runs until close: never before {@link finish}). */
  get complete(): boolean {
    return this.state === 'done';
  }

  /**
   * Reads `buf[start, end)`. Body pieces go to `deliver`. Returns where
   * reading stopped: `end`, or earlier when `deliver` took less than it was
   * given (feed again from there once the consumer is ready).
   * @throws HttpResponseError on a malformed response.
   */
  feed(buf: Buffer, start: number, end: number, deliver: BodyDelivery): number {
    let i = start;
    while (i < end) {
      switch (this.state) {
        case 'head':
          i = this.readHead(buf, i, end);
          break;
        case 'size': {
          const lineEnd = this.readLine(buf, i, end);
          if (lineEnd < 0) return end;
          i = lineEnd;
          this.startChunk(this.takeLine());
          break;
        }
        case 'data':
        case 'body': {
          const n = Math.min(this.remaining, end - i);
          const taken = n > 0 ? deliver(buf.subarray(i, i + n)) : 0;
          i += taken;
          this.remaining -= taken;
          if (taken < n) return i;
          if (this.remaining === 0) this.state = this.chunked ? 'data-end' : 'done';
          break;
        }
        case 'data-end':
          i = this.readChunkEnd(buf, i, end);
          break;
        case 'trailers': {
          const lineEnd = this.readLine(buf, i, end);
          if (lineEnd < 0) return end;
          i = lineEnd;
          // An empty line ends the trailers, and the message.
          if (this.takeLine() === '') this.state = 'done';
          break;
        }
        case 'done':
          // Nothing may follow on a connection we asked to close; what does is ignored.
          return end;
      }
    }
    return i;
  }

  /**
   * The connection ended: the end of a body that runs until close; for the
   * others, an error unless the message was complete.
   * @throws HttpResponseError when the response was cut short.
   */
  finish(): void {
    if (this.state === 'body' && this.remaining === Infinity) {
      this.state = 'done';
      return;
    }
    if (this.state !== 'done') throw new HttpResponseError(this.head ? 'the connection closed before the end of the response body' : 'the connection closed before a complete response head');
  }

  private readHead(buf: Buffer, start: number, end: number): number {
    const piece = buf.subarray(start, end);
    const before = this.headBytes;
    this.headPieces.push(Buffer.from(piece));
    this.headBytes += piece.length;
    const text = Buffer.concat(this.headPieces);
    // Searching from 3 bytes before this piece finds a terminator split across reads.
    const at = text.indexOf('\r\n\r\n', Math.max(0, before - 3));
    if (at < 0) {
      if (this.headBytes > MAX_HEAD_BYTES) throw new HttpResponseError(`the response head is over ${MAX_HEAD_BYTES} bytes`);
      return end;
    }
    this.headPieces = [];
    this.headBytes = 0;
    const head = parseHead(text.toString('latin1', 0, at));
    // 1xx answers are interim: the real response follows.
    if (head.status >= 100 && head.status < 200) return start + (at + 4 - before);
    this.head = head;
    this.startBody(head);
    return start + (at + 4 - before);
  }

  private startBody(head: ResponseHead): void {
    const te = head.headers.get('transfer-encoding');
    const length = head.headers.get('content-length');
    if (te !== undefined) {
      if (te.trim().toLowerCase() !== 'chunked') throw new HttpResponseError(`unsupported Transfer-Encoding "${te}"`);
      this.chunked = true;
      this.state = 'size';
    } else if (head.status === 204 || head.status === 304) {
      this.state = 'done';
    } else if (length !== undefined) {
      if (!/^\d{1,15}$/.test(length.trim())) throw new HttpResponseError(`bad Content-Length "${length}"`);
      this.remaining = Number(length.trim());
      this.state = this.remaining === 0 ? 'done' : 'body';
    } else {
      this.remaining = Infinity;
      this.state = 'body';
    }
  }

  /** A chunk-size line: hex digits, then optional `;extensions`. */
  private startChunk(line: string): void {
    const size = /^([0-9A-Fa-f]{1,12})[ \t]*(?:;.*)?$/.exec(line);
    if (!size) throw new HttpResponseError(`bad chunk size line "${line.slice(0, 40)}"`);
    this.remaining = Number.parseInt(size[1]!, 16);
    this.state = this.remaining === 0 ? 'trailers' : 'data';
  }

  /** The CRLF after a chunk's data, possibly split across reads. */
  private readChunkEnd(buf: Buffer, start: number, end: number): number {
    let i = start;
    while (i < end && this.crlfSeen < 2) {
      if (buf[i] !== (this.crlfSeen === 0 ? 0x0d : 0x0a)) throw new HttpResponseError('a chunk is not followed by CRLF');
      this.crlfSeen++;
      i++;
    }
    if (this.crlfSeen === 2) {
      this.crlfSeen = 0;
      this.state = 'size';
    }
    return i;
  }

  /** Adds buf[start, LF] to the pending line; returns the offset after the LF, or -1 when the line goes on in the next read. */
  private readLine(buf: Buffer, start: number, end: number): number {
    const lf = buf.indexOf(0x0a, start);
    const stop = lf < 0 || lf >= end ? end : lf;
    this.line += buf.toString('latin1', start, stop);
    if (this.line.length > MAX_LINE_BYTES) throw new HttpResponseError(`a line of the chunked body is over ${MAX_LINE_BYTES} bytes`);
    return stop === end ? -1 : stop + 1;
  }

  /** The pending line without its CR, and a fresh one started. */
  private takeLine(): string {
    const line = this.line.endsWith('\r') ? this.line.slice(0, -1) : this.line;
    this.line = '';
    return line;
  }
}

/** Status line and header lines (no final blank line). */
function parseHead(text: string): ResponseHead {
  const lines = text.split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(lines[0] ?? '');
  if (!status) throw new HttpResponseError(`not an HTTP/1.x status line: "${(lines[0] ?? '').slice(0, 40)}"`);
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new HttpResponseError(`bad header line "${line.slice(0, 40)}"`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const seen = headers.get(name);
    headers.set(name, seen === undefined ? value : `${seen}, ${value}`);
  }
  return { status: Number(status[1]), headers };
}
