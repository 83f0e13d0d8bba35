/**
 * Reads the daemon's progress streams (pull, push: newline-delimited JSON) and
 * fails loudly (house rule 4). The daemon answers these requests with HTTP 200
 * and reports failure *inside* the stream, so a reader that only watches the
 * HTTP status reports success for pulls that never happened.
 */
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

/** moby's `jsonmessage.JSONMessage`, as the daemon writes it on progress streams. */
export interface ProgressMessage {
  status?: string;
  id?: string;
  /** The daemon's pre-rendered progress bar (deprecated upstream; never parse it). */
  progress?: string;
  /** Byte counts of the current phase; `{}` on lines without counts. */
  progressDetail?: { current?: number; total?: number };
  /** Deprecated upstream twin of `errorDetail.message`. */
  error?: string;
  errorDetail?: { code?: number; message?: string };
  /** Out-of-band data, e.g. a push's `{ Tag, Digest, Size }`. */
  aux?: Record<string, unknown>;
  stream?: string;
}

/** Why a progress stream failed. */
export type ProgressStreamErrorKind = 'daemon' | 'malformed' | 'truncated' | 'aborted';

/** A progress stream that did not end cleanly; `message` is fit to show to users. */
export class ProgressStreamError extends Error {
  override readonly name = 'ProgressStreamError';

  /** `errorDetail.code` of a daemon error line, when it sent one (e.g. 401). */
  readonly daemonCode?: number;

  constructor(
    readonly kind: ProgressStreamErrorKind,
    message: string,
    options?: { cause?: unknown; daemonCode?: number },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    if (options?.daemonCode !== undefined) this.daemonCode = options.daemonCode;
  }
}

/** How a progress stream ended when it ended cleanly. */
export interface ProgressOutcome {
  /** Messages handed to `onMessage`. */
  lines: number;
  /** Every `aux` object, in stream order (a push's `{ Tag, Digest, Size }`). */
  aux: Array<Record<string, unknown>>;
}

/** Longest line accepted; a daemon line is a few hundred bytes, so more means something is wrong. */
export const MAX_PROGRESS_LINE = 1024 * 1024;

const TRUNCATED = "the daemon's progress stream ended early";
const ABORTED = 'the progress stream was aborted';

/**
 * Reads a progress stream to its end, calling `onMessage` for every JSON line.
 *
 * Resolves only on a clean end. Rejects with a {@link ProgressStreamError} when
 * a line carries `error`/`errorDetail` (kind `daemon`, the daemon's words), a
 * line is not a JSON object or is too long (`malformed`), the stream stops
 * without a clean end (`truncated`), or `signal` aborts (`aborted`). When
 * `onMessage` throws, rejects with what it threw. Never throws synchronously.
 *
 * Its listeners are removed when it settles. On a rejection the stream is
 * destroyed (which cancels the daemon request) and only a no-op 'error'
 * listener stays until the stream's 'close', so a late error cannot crash the process.
 */
export function readProgressStream(
  stream: NodeJS.ReadableStream | Readable,
  onMessage: (m: ProgressMessage) => void,
  options: { signal?: AbortSignal } = {},
): Promise<ProgressOutcome> {
  return new Promise<ProgressOutcome>((resolve, reject) => {
    const { signal } = options;
    const decoder = new StringDecoder('utf8');
    const aux: Array<Record<string, unknown>> = [];
    // The unfinished last line, kept as parts so a long line arriving in many chunks costs O(n).
    let pending: string[] = [];
    let pendingLength = 0;
    let lines = 0;
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
      // We stop reading; destroying also tells the daemon to stop the transfer.
      destroyQuietly(stream);
      if (!sawClose) swallowLateErrors(stream);
      reject(err);
    };
    const succeed = (): void => {
      if (settled) return;
      settled = true;
      cleanup();
      resolve({ lines, aux });
    };
    // A cut stream seen after our own abort is the abort, not a truncation.
    const failEarlyEnd = (cause?: unknown): void =>
      fail(signal?.aborted ? abortError(signal) : new ProgressStreamError('truncated', TRUNCATED, { cause }));

    const handleLine = (raw: string): void => {
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (line.trim() === '') return;
      if (line.length > MAX_PROGRESS_LINE) return fail(tooLong());
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        return fail(malformed(line));
      }
      const message = asProgressMessage(parsed);
      if (!message) return fail(malformed(line));
      if (message.error != null || message.errorDetail != null) return fail(daemonError(message));
      if (message.aux) aux.push(message.aux);
      lines++;
      try {
        onMessage(message);
      } catch (err) {
        fail(err instanceof Error ? err : new Error(String(err)));
      }
    };

    const consume = (text: string): void => {
      let start = 0;
      for (let nl = text.indexOf('\n'); nl !== -1 && !settled; nl = text.indexOf('\n', start)) {
        let line = text.slice(start, nl);
        if (pendingLength > 0) {
          pending.push(line);
          line = pending.join('');
          pending = [];
          pendingLength = 0;
        }
        start = nl + 1;
        handleLine(line);
      }
      if (settled || start >= text.length) return;
      const rest = text.slice(start);
      pending.push(rest);
      pendingLength += rest.length;
      // A line without an end in sight: stop before it eats the process's memory.
      if (pendingLength > MAX_PROGRESS_LINE) fail(tooLong());
    };

    function onData(chunk: unknown): void {
      if (settled) return;
      if (typeof chunk === 'string') consume(chunk);
      else if (chunk instanceof Uint8Array) consume(decoder.write(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)));
      else fail(new ProgressStreamError('malformed', 'the daemon sent a malformed progress line: not text'));
    }
    function onEnd(): void {
      if (settled) return;
      // The last line may lack its newline.
      consume(decoder.end() + '\n');
      if (settled) return;
      // http.IncomingMessage: 'end' with complete === false means the body was cut short.
      if ((stream as { complete?: unknown }).complete === false) return failEarlyEnd();
      succeed();
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
      fail(abortError(signal));
    }

    try {
      if (signal?.aborted) return fail(abortError(signal));
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

/** The parsed line as a ProgressMessage, or undefined when its shape is not one. */
function asProgressMessage(value: unknown): ProgressMessage | undefined {
  if (!isPlainObject(value)) return undefined;
  for (const key of ['status', 'id', 'progress', 'stream'] as const) {
    if (value[key] !== undefined && typeof value[key] !== 'string') return undefined;
  }
  const detail = value.progressDetail;
  if (detail !== undefined) {
    if (!isPlainObject(detail)) return undefined;
    for (const key of ['current', 'total'] as const) {
      if (detail[key] !== undefined && !Number.isFinite(detail[key])) return undefined;
    }
  }
  const errorDetail = value.errorDetail;
  if (errorDetail != null && !isPlainObject(errorDetail)) return undefined;
  if (value.aux !== undefined && !isPlainObject(value.aux)) {
    // Not ours to read (BuildKit traces are base64 strings), so not a reason to fail a pull.
    delete value.aux;
  }
  return value as ProgressMessage;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function daemonError(m: ProgressMessage): ProgressStreamError {
  const detail = m.errorDetail;
  const message =
    (typeof detail?.message === 'string' && detail.message) ||
    (typeof m.error === 'string' && m.error) ||
    'the daemon reported an error without a message';
  const code = typeof detail?.code === 'number' ? detail.code : undefined;
  return new ProgressStreamError('daemon', message, code === undefined ? undefined : { daemonCode: code });
}

function malformed(line: string): ProgressStreamError {
  // JSON-escaped so control characters or a terminal escape in the line cannot reach logs raw.
  const excerpt = JSON.stringify(line.slice(0, 100)) + (line.length > 100 ? '…' : '');
  return new ProgressStreamError('malformed', `the daemon sent a malformed progress line: ${excerpt}`);
}

function tooLong(): ProgressStreamError {
  return new ProgressStreamError('malformed', `the daemon sent a malformed progress line: longer than ${MAX_PROGRESS_LINE} characters`);
}

function abortError(signal: AbortSignal | undefined): ProgressStreamError {
  return new ProgressStreamError('aborted', ABORTED, signal?.reason === undefined ? undefined : { cause: signal.reason });
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
