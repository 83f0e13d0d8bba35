/** An archive opened for reading: one version of the file, pinned by its open descriptor. */
import type { ReadStream } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import type { ArchiveInfo } from './meta';
import { BODY_BUFFER_BYTES, FileRequestBody } from './request-body';

/**
 * An open archive. Call {@link stream} or {@link requestBody} once, or
 * {@link close}; either closes the file when it ends or is destroyed.
 */
export class ArchiveHandle {
  private used = false;

  constructor(
    private readonly fh: FileHandle,
    /** The archive as listed; `size` is this open file's, `sha256` null when not known for this exact file. */
    readonly info: ArchiveInfo,
    /** Last modification of this file (HTTP Last-Modified). */
    readonly modifiedAt: Date,
  ) {}

  /** Bytes of this file (the `bytesTotal` of a load). */
  get size(): number {
    return this.info.size;
  }

  /**
   * Reads the file, or bytes `start`..`end` inclusive of it (a download).
   * Once per handle.
   */
  stream(range?: { start: number; end: number }): ReadStream {
    if (this.used) throw new Error(`archive ${this.info.name} is already being read through this handle`);
    this.used = true;
    // Reads of 1 MiB, not the default 64 KiB: a multi-GB download is then a few thousand reads
    // instead of tens of thousands, each a thread-pool round trip.
    return this.fh.createReadStream({ autoClose: true, highWaterMark: BODY_BUFFER_BYTES, ...(range ?? {}) });
  }

  /**
   * The whole file as the body of a daemon request (a load, an import), sent
   * through reused buffers (request-body.ts); `onBytes` gets the bytes sent so
   * far. Once per handle.
   */
  requestBody(onBytes: (sent: number) => void): FileRequestBody {
    if (this.used) throw new Error(`archive ${this.info.name} is already being read through this handle`);
    this.used = true;
    return new FileRequestBody(this.fh, this.info.size, onBytes);
  }

  /** Closes the file without reading it (a 304, an error before streaming). Idempotent; a no-op once streaming. */
  async close(): Promise<void> {
    if (this.used) return;
    this.used = true;
    await this.fh.close().catch(() => undefined);
  }
}
