/** An archive opened for reading: one version of the file, pinned by its open descriptor. */
import type { ReadStream } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { COALESCE_BYTES } from '../streams/coalesce';
import type { ArchiveInfo } from './meta';

/** An open archive. Call {@link stream} once, or {@link close}; a stream closes the file when it ends or is destroyed. */
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
   * Reads the file, or bytes `start`..`end` inclusive of it. `stream.bytesRead`
   * counts what was read so far (progress of a load). Once per handle.
   */
  stream(range?: { start: number; end: number }): ReadStream {
    if (this.used) throw new Error(`archive ${this.info.name} is already being read through this handle`);
    this.used = true;
    // Reads of 1 MiB, not the default 64 KiB: a multi-GB load is then a few thousand reads instead of
    // tens of thousands, each a thread-pool round trip, and arrives at the daemon request already in
    // the pieces the job's coalescer would otherwise copy them into (coalesce.ts).
    return this.fh.createReadStream({ autoClose: true, highWaterMark: COALESCE_BYTES, ...(range ?? {}) });
  }

  /** Closes the file without reading it (a 304, an error before streaming). Idempotent; a no-op once streaming. */
  async close(): Promise<void> {
    if (this.used) return;
    this.used = true;
    await this.fh.close().catch(() => undefined);
  }
}
