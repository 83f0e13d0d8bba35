/**
 * An archive file as the body of a daemon request (`docker load`,
 * `docker import`), sent through a few buffers that are used again and again.
 *
 * Why: a stream over the file makes a new 1 MiB buffer for every read. A 1 GiB
 * load is then 1 GiB of short-lived external memory, and V8 runs full
 * collections to account for it (about 0.2 s of the main thread per GiB here,
 * on a 2-core host where `dockerd` needs the CPU to unpack the layers). Here
 * each buffer is read into again once the request's write callback says the
 * socket has handed its bytes to the kernel.
 *
 * docker-modem takes a request body as a stream: it listens for `error` and
 * calls `pipe(request)`. This class offers exactly that and nothing more.
 */
import { EventEmitter } from 'node:events';
import type { FileHandle } from 'node:fs/promises';
import type { Writable } from 'node:stream';

/** Bytes read and written at a time: few syscalls and HTTP chunk frames. */
export const BODY_BUFFER_BYTES = 1024 * 1024;

/** Buffers in use at most: one being read while others wait in the socket. */
const BUFFERS = 4;

/** The part of the file API the body uses (a FileHandle; tests may hand a fake). */
export type BodyFile = Pick<FileHandle, 'read' | 'close'>;

/** One file, sent once; see the module comment. Closes the file when done, failed or destroyed. */
export class FileRequestBody extends EventEmitter {
  /** Bytes handed to the request so far. */
  bytesSent = 0;
  private destroyed = false;
  private piped = false;

  constructor(
    private readonly file: BodyFile,
    /** Bytes to send: the file's size when it was opened. */
    private readonly size: number,
    private readonly onBytes: (sent: number) => void = () => undefined,
  ) {
    super();
  }

  /** Starts sending into `request` (once); an `error` event reports a failed read. Returns `request`, as a stream's pipe does. */
  pipe<T extends Writable>(request: T): T {
    if (this.piped) throw new Error('a request body is sent once');
    this.piped = true;
    this.send(request).then(
      () => this.closeFile(),
      (err: unknown) => {
        void this.closeFile();
        if (!this.destroyed) this.emit('error', err);
      },
    );
    return request;
  }

  /** Stops sending (a canceled job) and closes the file. Idempotent. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.wake?.();
    if (!this.piped) void this.closeFile();
  }

  private wake: (() => void) | undefined;
  private fileClosed = false;

  private async send(request: Writable): Promise<void> {
    const free: Buffer[] = [];
    let made = 0;
    let requestClosed = false;
    const onClose = () => {
      requestClosed = true;
      this.wake?.();
    };
    request.once('close', onClose);
    /** Resolves on the next buffer coming back, a drain, the request closing, or destroy(). */
    const nextEvent = () => new Promise<void>((resolve) => (this.wake = resolve));
    try {
      let position = 0;
      while (position < this.size) {
        if (this.destroyed || requestClosed) return;
        let buffer = free.pop();
        if (!buffer && made < BUFFERS) {
          made++;
          buffer = Buffer.allocUnsafeSlow(BODY_BUFFER_BYTES);
        }
        if (!buffer) {
          await nextEvent();
          continue;
        }
        const { bytesRead } = await this.file.read(buffer, 0, Math.min(buffer.length, this.size - position), position);
        if (bytesRead === 0) throw new Error(`the archive ended after ${position} of its ${this.size} bytes`);
        if (this.destroyed || requestClosed) return;
        position += bytesRead;
        const used = buffer;
        // The callback runs once the socket no longer needs the bytes: only then is the buffer read into again.
        const more = request.write(bytesRead === used.length ? used : used.subarray(0, bytesRead), () => {
          free.push(used);
          this.wake?.();
        });
        this.bytesSent = position;
        this.onBytes(position);
        if (!more) {
          const drained = () => this.wake?.();
          request.once('drain', drained);
          await nextEvent();
          request.off('drain', drained);
        }
      }
      if (!this.destroyed && !requestClosed) request.end();
    } finally {
      request.off('close', onClose);
      this.wake = undefined;
    }
  }

  private async closeFile(): Promise<void> {
    if (this.fileClosed) return;
    this.fileClosed = true;
    await this.file.close().catch(() => undefined);
  }
}
