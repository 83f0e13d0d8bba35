/**
 * Splits a byte stream of newline-delimited text into lines, the way
 * ndjson.ts does for progress streams, for the daemon's endless streams
 * (`/events`) that have no natural end to wait for. Pure: no I/O.
 */
import { StringDecoder } from 'node:string_decoder';

/** A line (or the unfinished tail) grew past the limit: something is wrong with the stream. */
export class LineTooLongError extends Error {
  override readonly name = 'LineTooLongError';

  constructor(readonly limit: number) {
    super(`a line longer than ${limit} characters`);
  }
}

/**
 * Incremental splitter: feed it chunks in order, get back the complete lines
 * (without `\n` or a trailing `\r`, blank lines dropped). Multi-byte UTF-8
 * characters split across chunks are decoded correctly.
 */
export class NdjsonLines {
  private readonly decoder = new StringDecoder('utf8');
  // The unfinished last line, kept as parts so that a long line arriving in many chunks costs O(n).
  private pending: string[] = [];
  private pendingLength = 0;

  constructor(private readonly maxLine: number) {}

  /**
   * The complete lines `chunk` finishes.
   * @throws LineTooLongError when a line, finished or not, exceeds the limit.
   */
  push(chunk: Buffer | string): string[] {
    const text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    const lines: string[] = [];
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      let line = text.slice(start, nl);
      if (this.pendingLength > 0) {
        this.pending.push(line);
        line = this.pending.join('');
        this.pending = [];
        this.pendingLength = 0;
      }
      start = nl + 1;
      this.take(line, lines);
    }
    if (start < text.length) {
      const rest = text.slice(start);
      this.pending.push(rest);
      this.pendingLength += rest.length;
      // A line without an end in sight: stop before it eats the process's memory.
      if (this.pendingLength > this.maxLine) throw new LineTooLongError(this.maxLine);
    }
    return lines;
  }

  /** The last line when the stream ended without a newline after it (empty when none). */
  end(): string[] {
    const lines: string[] = [];
    this.take(this.pending.join('') + this.decoder.end(), lines);
    this.pending = [];
    this.pendingLength = 0;
    return lines;
  }

  private take(raw: string, into: string[]): void {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.length > this.maxLine) throw new LineTooLongError(this.maxLine);
    if (line.trim() !== '') into.push(line);
  }
}
