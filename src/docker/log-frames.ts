/**
 * Reads the daemon's container log streams (`GET /containers/{id}/logs`) into
 * lines. Pure and incremental: chunks may split frames, headers, timestamps,
 * lines and UTF-8 characters anywhere.
 *
 * Without a TTY the daemon multiplexes stdout and stderr into stdcopy frames,
 * decoded by raw-stream.ts's MuxDecoder (the one frame decoder, shared with
 * exec); with a TTY there is one raw stream. What is log-specific lives here:
 * with `timestamps=1` every log message starts with an RFC 3339 time and a space,
 * and a message longer than the log driver's buffer (16 KiB) is stored in parts,
 * each with its own timestamp and a frame of its own: the parts are joined back
 * into one line that keeps the first part's time.
 */
import { completeUtf8Length, MuxDecoder, type OutputStream, RawStreamError } from './raw-stream';

/** Which stream of the container a line was written to. */
export type LogSource = OutputStream;

/** One line of a container's log. */
export interface LogRecord {
  readonly stream: LogSource;
  /** The line without its newline (and without the `\r` a TTY adds). */
  readonly text: string;
  /** When the daemon logged it; undefined when timestamps were not asked for or not parseable. */
  readonly time?: Date;
  /** True when the line was longer than the cap and was cut. */
  readonly truncated: boolean;
}

/** Longest line kept, in bytes (UTF-8); the rest of a longer line is dropped. */
export const MAX_LOG_LINE_BYTES = 64 * 1024;

/** The daemon reported an error inside the stream (a systemerr frame), or the stream is not what it should be. */
export class LogStreamError extends Error {
  override readonly name = 'LogStreamError';

  constructor(
    message: string,
    /** `daemon`: the daemon's own words from a systemerr frame; `malformed`/`truncated`: the stream itself is broken. */
    readonly kind: 'daemon' | 'malformed' | 'truncated',
  ) {
    super(message);
  }
}

/** "2006-01-02T15:04:05.000000000+07:00" is 35 characters; more before a space means no timestamp. */
const MAX_TIMESTAMP_BYTES = 40;
const SPACE = 0x20;
const NEWLINE = 0x0a;
const RFC3339 = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Parses the daemon's RFC 3339 (nano) timestamp; JS dates keep milliseconds.
 * @returns undefined when `text` is not one
 */
export function parseLogTimestamp(text: string): Date | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const date = new Date(`${m[1]}${(m[2] ?? '').slice(0, 4)}${m[3]}`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** The line being assembled on one stream. */
class LineAssembler {
  private parts: Buffer[] = [];
  private bytes = 0;
  private truncated = false;
  private time: Date | undefined;
  /** Whether anything (text or a timestamp) belongs to the current line yet. */
  private open = false;
  /** Bytes at a message start that may still turn out to be a timestamp. */
  private stamp: Buffer | undefined;
  /** The pending stamp starts a continuation part: its time is not the line's. */
  private stampContinues = false;

  constructor(
    private readonly stream: LogSource,
    private readonly timestamps: boolean,
    private readonly maxLineBytes: number,
  ) {}

  /**
   * A new log message starts (a frame, or a line of a raw stream): with timestamps
   * on, its first bytes are a time and a space.
   */
  messageStart(): void {
    if (!this.timestamps) return;
    // A previous message that ended inside its would-be timestamp: those bytes were text.
    if (this.stamp?.length) this.append(this.stamp);
    this.stampContinues = this.open;
    this.stamp = Buffer.alloc(0);
  }

  /** Feeds payload bytes; completed lines go to `out`. */
  write(data: Buffer, out: LogRecord[], rawStream: boolean): void {
    let rest = data;
    while (rest.length) {
      if (this.stamp) {
        rest = this.takeStamp(rest);
        continue;
      }
      const nl = rest.indexOf(NEWLINE);
      if (nl < 0) {
        this.append(rest);
        return;
      }
      this.append(rest.subarray(0, nl));
      out.push(this.finish());
      rest = rest.subarray(nl + 1);
      // In a raw (TTY) stream every line is a message; in frames a message is a frame.
      if (rawStream) this.messageStart();
    }
  }

  /** Emits an unterminated last line, if any. */
  flush(out: LogRecord[]): void {
    if (this.stamp?.length) {
      const pending = this.stamp;
      this.stamp = undefined;
      this.append(pending);
    }
    this.stamp = undefined;
    if (this.open) out.push(this.finish());
  }

  /** Moves bytes into the pending stamp until its space shows whether it is a timestamp. */
  private takeStamp(data: Buffer): Buffer {
    const pending = this.stamp!;
    const room = MAX_TIMESTAMP_BYTES + 1 - pending.length;
    const window = data.subarray(0, room);
    const space = window.indexOf(SPACE);
    const newline = window.indexOf(NEWLINE);
    if (space >= 0 && (newline < 0 || space < newline)) {
      const candidate = Buffer.concat([pending, window.subarray(0, space)]);
      this.stamp = undefined;
      const time = parseLogTimestamp(candidate.toString('latin1'));
      if (time) {
        if (!this.stampContinues) this.time = time;
        this.open = true;
        return data.subarray(space + 1);
      }
      this.append(candidate);
      return data.subarray(space);
    }
    if (newline >= 0 || pending.length + window.length > MAX_TIMESTAMP_BYTES) {
      // No timestamp here after all: everything taken so far is text.
      this.stamp = undefined;
      this.append(pending);
      return data;
    }
    this.stamp = Buffer.concat([pending, window]);
    return data.subarray(window.length);
  }

  private append(data: Buffer): void {
    this.open = true;
    if (this.truncated || data.length === 0) return;
    const room = this.maxLineBytes - this.bytes;
    if (data.length > room) {
      this.parts.push(data.subarray(0, room));
      this.bytes += room;
      this.truncated = true;
      return;
    }
    this.parts.push(data);
    this.bytes += data.length;
  }

  private finish(): LogRecord {
    let bytes: Buffer = Buffer.concat(this.parts, this.bytes);
    // Cut at the cap: a character the cap splits is dropped rather than garbled.
    if (this.truncated) bytes = bytes.subarray(0, completeUtf8Length(bytes));
    else if (bytes.length && bytes[bytes.length - 1] === 0x0d) bytes = bytes.subarray(0, -1);
    const record: LogRecord = { stream: this.stream, text: bytes.toString('utf8'), truncated: this.truncated, ...(this.time ? { time: this.time } : {}) };
    this.parts = [];
    this.bytes = 0;
    this.truncated = false;
    this.time = undefined;
    this.open = false;
    return record;
  }
}

/** Options of a {@link LogStreamParser}. */
export interface LogStreamOptions {
  /** True for a container without a TTY: the stream is in stdcopy frames. */
  readonly multiplexed: boolean;
  /** True when the request had `timestamps=1`. */
  readonly timestamps: boolean;
  /** Cap per line in bytes (default {@link MAX_LOG_LINE_BYTES}). */
  readonly maxLineBytes?: number;
}

/** Incremental parser of one log response: `push` every chunk, then `end`. */
export class LogStreamParser {
  private readonly stdout: LineAssembler;
  private readonly stderr: LineAssembler;
  /** The stdcopy frames of a container without a TTY; undefined for a raw (TTY) stream. */
  private readonly frames: MuxDecoder | undefined;

  constructor(options: LogStreamOptions) {
    const max = options.maxLineBytes ?? MAX_LOG_LINE_BYTES;
    this.stdout = new LineAssembler('stdout', options.timestamps, max);
    this.stderr = new LineAssembler('stderr', options.timestamps, max);
    if (options.multiplexed) this.frames = new MuxDecoder();
    else this.stdout.messageStart();
  }

  /**
   * The lines completed by this chunk.
   * @throws LogStreamError on a systemerr frame (the daemon's words) or an impossible header
   */
  push(chunk: Buffer): LogRecord[] {
    const out: LogRecord[] = [];
    const frames = this.frames;
    if (!frames) {
      this.stdout.write(chunk, out, true);
      return out;
    }
    for (const piece of this.decode(() => frames.push(chunk))) {
      // stdin frames (only seen on attach) come as stdout.
      const assembler = piece.stream === 'stderr' ? this.stderr : this.stdout;
      // Each frame is one message of the log driver, with its own timestamp.
      if (piece.frameStart) assembler.messageStart();
      assembler.write(piece.data, out, false);
    }
    return out;
  }

  /**
   * The unterminated last lines, at the end of the response.
   * @throws LogStreamError when the response stopped inside a frame
   */
  end(): LogRecord[] {
    const frames = this.frames;
    if (frames) this.decode(() => frames.end());
    const out: LogRecord[] = [];
    this.stdout.flush(out);
    this.stderr.flush(out);
    return out;
  }

  /** Runs a step of the frame decoder, telling its failures in the log stream's words. */
  private decode<T>(step: () => T): T {
    try {
      return step();
    } catch (err) {
      if (!(err instanceof RawStreamError)) throw err;
      switch (err.kind) {
        case 'daemon':
          throw new LogStreamError(err.detail || 'the daemon reported an error in the log stream', 'daemon');
        case 'truncated':
          throw new LogStreamError("the daemon's log stream ended in the middle of a frame", 'truncated');
        default:
          throw new LogStreamError(
            err.detail ? `the daemon's log stream has a malformed frame header (${err.detail})` : `the daemon's log stream is malformed: ${err.message}`,
            'malformed',
          );
      }
    }
  }
}
