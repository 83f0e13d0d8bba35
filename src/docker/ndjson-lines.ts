/**
 * The daemon's newline-delimited responses, line by line: the one splitter
 * ({@link NdjsonLines}, also used by stats.ts) and the one reader of a response
 * to its end ({@link readNdjsonLines}), under the progress streams (ndjson.ts)
 * and the event stream (events.ts), which only parse lines and name errors.
 *
 * Every reader gets the same rules: `\n` or `\r\n` ends a line, blank lines are
 * dropped, a line may arrive in any number of chunks (split inside a UTF-8
 * character too), and a line longer than the limit fails, finished or not, so
 * a stream without newlines cannot make memory grow.
 */
import type { Readable } from 'node:stream';
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

  /** @param maxLine longest line accepted, in characters */
  constructor(private readonly maxLine: number) {}

  /**
   * The complete lines `chunk` finishes.
   * @throws LineTooLongError when a line, finished or not, exceeds the limit.
   */
  push(chunk: Buffer | string): string[] {
    return [...this.split(chunk)];
  }

  /**
   * Like {@link push}, one line at a time: a reader that gives up at a line
   * (an error line, a handler that threw) stops iterating, and the rest of the
   * chunk is never looked at, nor a later line's length held against it. The
   * splitter is spent then. The tail is kept only once every line was taken.
   * @throws LineTooLongError when the iteration reaches a line over the limit.
   */
  *split(chunk: Buffer | string): Generator<string, void, undefined> {
    const text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
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
      const taken = this.take(line);
      if (taken !== undefined) yield taken;
    }
    if (start < text.length) {
      const rest = text.slice(start);
      this.pending.push(rest);
      this.pendingLength += rest.length;
      // A line without an end in sight: stop before it eats the process's memory.
      if (this.pendingLength > this.maxLine) throw new LineTooLongError(this.maxLine);
    }
  }

  /**
   * The last line when the stream ended without a newline after it (empty when none).
   * @throws LineTooLongError when that line exceeds the limit.
   */
  end(): string[] {
    const last = this.take(this.pending.join('') + this.decoder.end());
    this.pending = [];
    this.pendingLength = 0;
    return last === undefined ? [] : [last];
  }

  /** The line without its `\r`, or undefined for a blank one. */
  private take(raw: string): string | undefined {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    // Checked before the blank test, like the unfinished tail is: a long run of blanks is no stream either.
    if (line.length > this.maxLine) throw new LineTooLongError(this.maxLine);
    return line.trim() === '' ? undefined : line;
  }
}

/** The errors a reader of {@link readNdjsonLines} reports, in its own words and types. */
export interface NdjsonReadErrors {
  /** The response ended or broke before its clean end (`cause`: the stream's error, if any). */
  truncated(cause?: unknown): Error;
  /** The caller's signal aborted. */
  aborted(): Error;
  /** A line longer than `maxLine`. */
  tooLong(): Error;
  /** A chunk that is neither text nor bytes (an object-mode stream). */
  notText(): Error;
}

/** Options of {@link readNdjsonLines}. */
export interface NdjsonReadOptions {
  /** Longest line accepted, in characters. */
  readonly maxLine: number;
  readonly signal?: AbortSignal;
  readonly errors: NdjsonReadErrors;
}

/**
 * Reads a newline-delimited response to its end, handing `onLine` every line
 * (complete, not blank, without its `\r\n`) in order.
 *
 * Resolves only on a clean end. Rejects with what `onLine` threw (no line after
 * it is looked at), or with one of `options.errors`: a line is too long or not
 * text, the stream stops without a clean end (`truncated`; after an abort it is
 * the abort), or the signal aborts. Never throws synchronously.
 *
 * Its listeners are removed when it settles. On a rejection the stream is
 * destroyed (which cancels the daemon request) and only a no-op 'error'
 * listener stays until the stream's 'close', so a late error cannot crash the process.
 */
export function readNdjsonLines(stream: NodeJS.ReadableStream | Readable, onLine: (line: string) => void, options: NdjsonReadOptions): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const { signal, errors } = options;
    const splitter = new NdjsonLines(options.maxLine);
    let settled = false;
    let sawClose = false;

    const cleanup = (): void => {
      stream.removeListener('data', onData);
      stream.removeListener('end', onEnd);
      stream.removeListener('error', onError);
      stream.removeListener('close', onClose);
      stream.removeListener('aborted', onAborted);
      signal?.removeEventListener('abort', onAbort);
    };
    const fail = (err: unknown): void => {
      if (settled) return;
      settled = true;
      cleanup();
      // We stop reading; destroying also tells the daemon to stop sending.
      destroyQuietly(stream);
      if (!sawClose) swallowLateErrors(stream);
      reject(err);
    };
    // A cut stream seen after our own abort is the abort, not a truncation.
    const failEarlyEnd = (cause?: unknown): void => fail(signal?.aborted ? errors.aborted() : errors.truncated(cause));

    // Lazily: once a line fails (a daemon error line, a handler that threw) the rest is not even split.
    const consume = (lines: Iterable<string>): void => {
      try {
        for (const line of lines) {
          onLine(line);
          // A handler may have aborted the signal.
          if (settled) return;
        }
      } catch (err) {
        fail(err instanceof LineTooLongError ? errors.tooLong() : err);
      }
    };

    function onData(chunk: unknown): void {
      if (settled) return;
      if (typeof chunk === 'string') consume(splitter.split(chunk));
      else if (chunk instanceof Uint8Array) consume(splitter.split(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)));
      else fail(errors.notText());
    }
    function onEnd(): void {
      if (settled) return;
      // The last line may lack its newline.
      consume(splitter.end());
      if (settled) return;
      // http.IncomingMessage: 'end' with complete === false means the body was cut short.
      if ((stream as { complete?: unknown }).complete === false) return failEarlyEnd();
      settled = true;
      cleanup();
      resolve();
    }
    function onError(err: unknown): void {
      failEarlyEnd(err);
    }
    function onClose(): void {
      // 'close' before 'end': the socket went away mid-stream. Nothing can follow a 'close'.
      sawClose = true;
      failEarlyEnd();
    }
    function onAborted(): void {
      // http.IncomingMessage's own word for a body cut short.
      failEarlyEnd();
    }
    function onAbort(): void {
      fail(errors.aborted());
    }

    try {
      if (signal?.aborted) return fail(errors.aborted());
      const state = stream as { readableEnded?: boolean; destroyed?: boolean };
      // Its 'end' or 'close' already happened, so we would wait forever for them.
      if (state.readableEnded === true || state.destroyed === true) return failEarlyEnd();
      stream.on('data', onData);
      stream.on('end', onEnd);
      stream.on('error', onError);
      stream.on('close', onClose);
      stream.on('aborted', onAborted);
      signal?.addEventListener('abort', onAbort, { once: true });
      // A paused stream stays paused when a 'data' listener is added.
      stream.resume();
    } catch (err) {
      fail(err);
    }
  });
}

/**
 * Keeps a no-op 'error' listener on an abandoned stream until it closes: an
 * error already on its way (a destroy(err) by whoever aborted the request)
 * would otherwise be an unhandled 'error' event and crash the process.
 * node's stream.finished() leaves its listeners behind for the same reason.
 */
function swallowLateErrors(stream: NodeJS.ReadableStream | Readable): void {
  const ignore = (): void => undefined;
  const release = (): void => {
    stream.removeListener('error', ignore);
    stream.removeListener('close', release);
  };
  try {
    stream.on('error', ignore);
    stream.on('close', release);
  } catch {
    // Not an event emitter at all: nothing can be emitted on it either.
  }
}

function destroyQuietly(stream: NodeJS.ReadableStream | Readable): void {
  const destroy = (stream as { destroy?: unknown }).destroy;
  if (typeof destroy !== 'function') return;
  try {
    destroy.call(stream);
  } catch {
    // Best effort: the stream is being abandoned either way.
  }
}
