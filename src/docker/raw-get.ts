/**
 * A streaming `GET` to the daemon that reads its socket into one reused
 * buffer, for the multi-GB tar downloads (`docker save`, `docker export`).
 *
 * Why not docker-modem: Node's HTTP client allocates a 64 KiB buffer for
 * every socket read, runs llhttp over it, and emits each chunk of the
 * daemon's chunked body (~32 KiB) as an event through every stream stage.
 * For a 1 GiB save that was about 0.6 s of the main thread's CPU (plus
 * garbage collection), on a 2-core host where the daemon producing the tar
 * needs the other core. Here the socket reads up to {@link READ_BYTES} at a
 * time into one buffer (net's `onread`), the small parser in http-response.ts
 * finds the body in it, and the consumer copies the pieces out synchronously
 * (streams/chunk-source.ts). Everything else (requests with bodies, JSON, TLS,
 * ssh) stays with docker-modem.
 */
import net from 'node:net';
import type { ChunkConsumer, ChunkSource } from '../streams/chunk-source';
import { type HttpResponseError, HttpResponseReader, type ResponseHead } from './http-response';

/** Bytes one socket read may fill: a unix socket rarely holds more. */
export const READ_BYTES = 256 * 1024;

/** Largest error body read from a failed request (the daemon's `{"message": ...}`). */
const MAX_ERROR_BODY = 64 * 1024;

/** Where the daemon listens, for the connections this module makes. */
export type RawTarget = { readonly socketPath: string } | { readonly host: string; readonly port: number };

/** A response whose head is read; its body waits, unread, for {@link body}'s consumer. */
export interface RawResponse {
  readonly head: ResponseHead;
  /** The body; pipe it once (or destroy it). */
  readonly body: ChunkSource;
}

/**
 * Sends `GET <path>` (path with the API version and query, already encoded)
 * on a new connection and resolves once the response head is read. Rejects
 * with the socket's error (ECONNREFUSED...) when the daemon cannot be
 * reached, with {@link HttpResponseError} when the answer is not HTTP, and
 * with an AbortError when `signal` aborts first.
 */
export function rawGet(target: RawTarget, path: string, signal: AbortSignal): Promise<RawResponse> {
  return new RawConnection(target, path, signal).opened;
}

/** Reads the whole (small) body of a response, at most {@link MAX_ERROR_BODY} bytes: the daemon's error answer. */
export async function readErrorBody(response: RawResponse, signal: AbortSignal): Promise<Buffer> {
  const pieces: Buffer[] = [];
  let bytes = 0;
  await response.body.pipeTo(
    {
      take(piece) {
        const kept = Math.min(piece.length, MAX_ERROR_BODY - bytes);
        if (kept > 0) pieces.push(Buffer.from(piece.subarray(0, kept)));
        bytes += kept;
        return piece.length;
      },
      ready: () => Promise.resolve(),
    },
    signal,
  );
  return Buffer.concat(pieces);
}

/** One request on one connection: the socket, the parser, and the consumer once there is one. */
class RawConnection implements ChunkSource {
  readonly chunkSource = true as const;
  readonly opened: Promise<RawResponse>;
  private readonly socket: net.Socket;
  private readonly reader = new HttpResponseReader();
  private consumer: ChunkConsumer | undefined;
  /** Bytes of the reused buffer read but not yet fed (the socket is paused while there are any). */
  private pending: { buf: Buffer; start: number; end: number } | undefined;
  private settleOpen: { resolve: (r: RawResponse) => void; reject: (err: Error) => void } | undefined;
  private settleBody: { resolve: () => void; reject: (err: Error) => void } | undefined;
  /** The first failure; the connection is closed by then. */
  private failure: Error | undefined;
  /** The whole body went to the consumer: nothing can fail any more. */
  private bodyDone = false;
  private ended = false;

  constructor(target: RawTarget, path: string, signal: AbortSignal) {
    this.opened = new Promise<RawResponse>((resolve, reject) => (this.settleOpen = { resolve, reject }));
    const buffer = Buffer.allocUnsafe(READ_BYTES);
    const onread = { buffer, callback: (n: number, buf: Uint8Array) => this.onRead(n, buf as Buffer) };
    this.socket = net.connect('socketPath' in target ? { path: target.socketPath, onread } : { host: target.host, port: target.port, onread });
    this.socket.on('connect', () => this.socket.write(`GET ${path} HTTP/1.1\r\nHost: docker\r\nUser-Agent: dockql\r\nConnection: close\r\n\r\n`));
    this.socket.on('end', () => this.onEnd());
    this.socket.on('error', (err) => this.fail(err));
    this.socket.on('close', () => this.fail(new Error('the connection to the daemon closed')));
    if (signal.aborted) this.fail(abortError(signal));
    else signal.addEventListener('abort', () => this.fail(abortError(signal)), { once: true });
  }

  pipeTo(consumer: ChunkConsumer, signal?: AbortSignal): Promise<void> {
    if (this.consumer) return Promise.reject(new Error('a response body can be read only once'));
    this.consumer = consumer;
    const done = new Promise<void>((resolve, reject) => (this.settleBody = { resolve, reject }));
    if (signal?.aborted) this.fail(abortError(signal));
    else signal?.addEventListener('abort', () => this.fail(abortError(signal)), { once: true });
    if (this.failure) this.settleBody?.reject(this.failure);
    else if (this.reader.complete && !this.pending) this.succeed();
    else this.drainPending();
    return done;
  }

  destroy(): void {
    this.fail(new Error('the response body was not read'));
  }

  /** One socket read: returns false to pause the socket while bytes wait for the consumer. */
  private onRead(n: number, buf: Buffer): boolean {
    if (this.failure) return false;
    return this.feed(buf, 0, n);
  }

  /** Feeds buf[start, end); keeps what the consumer did not take and says whether the socket may read on. */
  private feed(buf: Buffer, start: number, end: number): boolean {
    let at: number;
    try {
      at = this.reader.feed(buf, start, end, (piece) => this.deliver(piece));
    } catch (err) {
      this.fail(err as HttpResponseError);
      return false;
    }
    if (this.failure) return false;
    if (this.reader.head && this.settleOpen) {
      const open = this.settleOpen;
      this.settleOpen = undefined;
      open.resolve({ head: this.reader.head, body: this });
    }
    if (at < end) {
      this.pending = { buf, start: at, end };
      return false;
    }
    this.pending = undefined;
    if (this.reader.complete) this.succeed();
    return true;
  }

  /** Hands a body piece to the consumer; without one yet, takes nothing (the head's read waits for pipeTo). */
  private deliver(piece: Buffer): number {
    // After a failure the rest of the read is skipped, not offered to a consumer that gave up.
    if (this.failure) return piece.length;
    if (!this.consumer) return 0;
    try {
      const taken = this.consumer.take(piece);
      if (taken < piece.length) {
        this.consumer.ready().then(
          () => this.drainPending(),
          (err: unknown) => this.fail(err as Error),
        );
      }
      return taken;
    } catch (err) {
      this.fail(err as Error);
      return piece.length;
    }
  }

  /** Feeds what waited for the consumer, then lets the socket read again. */
  private drainPending(): void {
    if (this.failure) return;
    const pending = this.pending;
    if (pending && !this.feed(pending.buf, pending.start, pending.end)) return;
    if (this.ended) return this.onEnd();
    this.socket.resume();
  }

  private onEnd(): void {
    this.ended = true;
    // Bytes still waiting for the consumer are delivered first; drainPending comes back here.
    if (this.pending || this.failure) return;
    try {
      this.reader.finish();
    } catch (err) {
      return this.fail(err as HttpResponseError);
    }
    this.succeed();
  }

  /** The body is complete: resolves pipeTo once there is a consumer (a bodiless answer may complete before). */
  private succeed(): void {
    if (this.failure) return;
    this.bodyDone = true;
    this.socket.destroy();
    const body = this.settleBody;
    this.settleBody = undefined;
    body?.resolve();
  }

  private fail(err: Error): void {
    // After the body is complete, the close that follows (or a late abort) is no failure.
    if (this.failure || this.bodyDone) return;
    this.failure = err;
    this.socket.destroy();
    this.settleOpen?.reject(err);
    this.settleBody?.reject(err);
    this.settleOpen = undefined;
    this.settleBody = undefined;
  }
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : Object.assign(new Error('the operation was aborted'), { name: 'AbortError' });
}
