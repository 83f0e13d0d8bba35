/**
 * Reads the daemon's progress streams (pull, push: newline-delimited JSON) and
 * fails loudly (house rule 4). The daemon answers these requests with HTTP 200
 * and reports failure *inside* the stream, so a reader that only watches the
 * HTTP status reports success for pulls that never happened.
 */
import type { Readable } from 'node:stream';
import { type NdjsonReadErrors, readNdjsonLines } from './ndjson-lines';

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
 * listener stays until the stream's 'close', so a late error cannot crash the
 * process (see readNdjsonLines, which does the reading).
 */
export function readProgressStream(
  stream: NodeJS.ReadableStream | Readable,
  onMessage: (m: ProgressMessage) => void,
  options: { signal?: AbortSignal } = {},
): Promise<ProgressOutcome> {
  const { signal } = options;
  const aux: Array<Record<string, unknown>> = [];
  let lines = 0;
  const onLine = (line: string): void => {
    const message = parseProgressLine(line);
    if (message.aux) aux.push(message.aux);
    lines++;
    try {
      onMessage(message);
    } catch (err) {
      throw err instanceof Error ? err : new Error(String(err));
    }
  };
  const errors: NdjsonReadErrors = {
    truncated: (cause) => new ProgressStreamError('truncated', TRUNCATED, { cause }),
    aborted: () => abortError(signal),
    tooLong: () => new ProgressStreamError('malformed', `the daemon sent a malformed progress line: longer than ${MAX_PROGRESS_LINE} characters`),
    notText: () => new ProgressStreamError('malformed', 'the daemon sent a malformed progress line: not text'),
  };
  return readNdjsonLines(stream, onLine, { maxLine: MAX_PROGRESS_LINE, signal, errors }).then(() => ({ lines, aux }));
}

/**
 * One line of a progress stream as a message.
 * @throws ProgressStreamError: `daemon` for an error line, `malformed` for a line that is not a message
 */
function parseProgressLine(line: string): ProgressMessage {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    throw malformed(line);
  }
  const message = asProgressMessage(parsed);
  if (!message) throw malformed(line);
  if (message.error != null || message.errorDetail != null) throw daemonError(message);
  return message;
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

function abortError(signal: AbortSignal | undefined): ProgressStreamError {
  return new ProgressStreamError('aborted', ABORTED, signal?.reason === undefined ? undefined : { cause: signal.reason });
}
