/**
 * The daemon's multiplexed raw stream (exec and attach without a terminal, and
 * container logs): frames of an 8-byte header `[stream, 0, 0, 0, size (uint32 BE)]`
 * and `size` bytes of payload (moby pkg/stdcopy). {@link MuxDecoder} is the one
 * decoder of that framing in dockql; log-frames.ts builds log lines on top of it.
 * Pure logic, so it is unit-tested byte by byte.
 *
 * Not docker-modem's demuxStream: that one buffers whole frames, and when it meets
 * a header it does not know (such as moby's stream 3, "systemerr", the daemon's own
 * error inside the stream) it silently switches to passing raw bytes through as
 * stdout. Here an error frame, an unknown header or a stream cut mid-frame fails
 * loudly (house rule 4), and payload is handed on as it arrives, so memory stays
 * bounded whatever size a frame header announces.
 */
import { StringDecoder } from 'node:string_decoder';

/** Which output a piece of payload belongs to. */
export type OutputStream = 'stdout' | 'stderr';

/** A piece of one frame's payload, in arrival order. */
export interface OutputPiece {
  readonly stream: OutputStream;
  readonly data: Buffer;
  /**
   * True for the first piece of a frame. A frame is one message of the daemon's
   * (a log line, or one 16 KiB part of a longer one), which the log reader needs;
   * an empty frame yields no piece at all.
   */
  readonly frameStart: boolean;
}

/**
 * Why a raw stream failed: `daemon`, the daemon's own error frame; `malformed`,
 * a header that is not one (or an error frame too large to be one); `truncated`,
 * the stream ended inside a frame.
 */
export type RawStreamErrorKind = 'daemon' | 'malformed' | 'truncated';

/** The stream broke the framing rules or carried the daemon's own error. */
export class RawStreamError extends Error {
  override readonly name = 'RawStreamError';

  constructor(
    message: string,
    readonly kind: RawStreamErrorKind = 'malformed',
    /** `daemon`: the daemon's words (trimmed); `malformed`: the offending header in hex, when it was one. */
    readonly detail = '',
  ) {
    super(message);
  }
}

const HEADER_SIZE = 8;
const STREAM_TYPES: Record<number, OutputStream | 'systemerr' | undefined> = { 0: 'stdout', 1: 'stdout', 2: 'stderr', 3: 'systemerr' };
/** The daemon's own error text is short; more than this is a corrupt stream. */
const SYSTEMERR_MAX = 64 * 1024;

/** Incremental decoder of the multiplexed stream. */
export class MuxDecoder {
  private header = Buffer.alloc(0);
  private stream: OutputStream | 'systemerr' | undefined;
  private remaining = 0;
  /** No payload of the current frame handed on yet. */
  private fresh = false;
  private systemerr: Buffer[] = [];

  /**
   * Decodes a chunk; returns the payload pieces it completes or continues.
   * @throws RawStreamError on the daemon's error frame or a header that is not one
   */
  push(chunk: Buffer): OutputPiece[] {
    const out: OutputPiece[] = [];
    let at = 0;
    while (at < chunk.length) {
      if (this.stream === undefined) {
        const need = HEADER_SIZE - this.header.length;
        this.header = Buffer.concat([this.header, chunk.subarray(at, at + need)]);
        at += Math.min(need, chunk.length - at);
        if (this.header.length < HEADER_SIZE) break;
        this.startFrame();
        continue;
      }
      const take = Math.min(this.remaining, chunk.length - at);
      const data = chunk.subarray(at, at + take);
      at += take;
      this.remaining -= take;
      if (this.stream === 'systemerr') this.systemerr.push(data);
      else if (take > 0) {
        out.push({ stream: this.stream, data, frameStart: this.fresh });
        this.fresh = false;
      }
      if (this.remaining === 0) this.endFrame();
    }
    return out;
  }

  /**
   * The stream ended.
   * @throws RawStreamError (kind `truncated`) when it ended inside a frame
   */
  end(): void {
    if (this.stream !== undefined || this.header.length > 0) {
      throw new RawStreamError('the daemon\'s output stream ended in the middle of a frame', 'truncated');
    }
  }

  private startFrame(): void {
    const type = this.header[0]!;
    const kind = STREAM_TYPES[type];
    if (kind === undefined || this.header[1] !== 0 || this.header[2] !== 0 || this.header[3] !== 0) {
      const hex = this.header.toString('hex');
      throw new RawStreamError(`the daemon's output stream has an unknown frame header (${hex})`, 'malformed', hex);
    }
    this.stream = kind;
    this.remaining = this.header.readUInt32BE(4);
    this.fresh = true;
    this.header = Buffer.alloc(0);
    if (kind === 'systemerr' && this.remaining > SYSTEMERR_MAX) throw new RawStreamError('the daemon sent an oversized error frame', 'malformed');
    if (this.remaining === 0) this.endFrame();
  }

  private endFrame(): void {
    if (this.stream === 'systemerr') {
      const text = Buffer.concat(this.systemerr).toString('utf8').trim();
      this.systemerr = [];
      throw new RawStreamError(`error from daemon in stream: ${text}`, 'daemon', text);
    }
    this.stream = undefined;
  }
}

/** Keeps the first `limit` bytes of an output and notes whether more came. */
export class CappedOutput {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  /** True once bytes beyond the limit arrived (they are dropped). */
  truncated = false;

  constructor(readonly limit: number) {}

  push(data: Buffer): void {
    const room = this.limit - this.kept;
    if (data.length > room) this.truncated = true;
    if (room <= 0) return;
    const part = data.length > room ? data.subarray(0, room) : data;
    this.chunks.push(part);
    this.kept += part.length;
  }

  /** The kept bytes as UTF-8; when cut, a character split by the cut is dropped rather than garbled. */
  text(): string {
    const all = Buffer.concat(this.chunks);
    return this.truncated ? all.subarray(0, completeUtf8Length(all)).toString('utf8') : all.toString('utf8');
  }
}

/** Length of the longest prefix that does not end inside a UTF-8 multi-byte sequence. */
export function completeUtf8Length(buf: Buffer): number {
  // Walk back over at most 3 continuation bytes to the lead byte of the last character.
  let i = buf.length - 1;
  let continuation = 0;
  while (i >= 0 && continuation < 3 && (buf[i]! & 0xc0) === 0x80) {
    i--;
    continuation++;
  }
  if (i < 0) return buf.length;
  const lead = buf[i]!;
  const size = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return size > continuation + 1 ? i : buf.length;
}

/**
 * Splits one output into lines: text without the "\n" (and a "\r" before it).
 * A line longer than `maxLineLength` characters comes in pieces of that length,
 * so a command that never prints a newline cannot make memory grow.
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';

  constructor(private readonly maxLineLength = 64 * 1024) {}

  /** The complete lines (and full-length pieces) this chunk finishes. */
  push(data: Buffer): string[] {
    return this.take(this.decoder.write(data));
  }

  /** The output ended: the last line when it had no newline. */
  end(): string[] {
    const lines = this.take(this.decoder.end());
    if (this.pending !== '') lines.push(this.pending);
    this.pending = '';
    return lines;
  }

  private take(text: string): string[] {
    const lines: string[] = [];
    const all = this.pending + text;
    let start = 0;
    for (let nl = all.indexOf('\n'); nl >= 0; nl = all.indexOf('\n', start)) {
      const end = nl > start && all.charCodeAt(nl - 1) === 0x0d ? nl - 1 : nl;
      this.pieces(all.slice(start, end), lines, true);
      start = nl + 1;
    }
    this.pending = this.pieces(all.slice(start), lines, false);
    return lines;
  }

  /** Appends `line` in pieces of at most maxLineLength; returns the unfinished tail when not `whole`. */
  private pieces(line: string, into: string[], whole: boolean): string {
    let rest = line;
    while (rest.length > this.maxLineLength) {
      // Never cut between the two halves of a surrogate pair (an emoji, say).
      const high = rest.charCodeAt(this.maxLineLength - 1);
      const at = high >= 0xd800 && high <= 0xdbff ? this.maxLineLength - 1 : this.maxLineLength;
      into.push(rest.slice(0, at));
      rest = rest.slice(at);
    }
    if (!whole) return rest;
    into.push(rest);
    return '';
  }
}
