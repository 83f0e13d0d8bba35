/**
 * The writing end of an archive write: a Writable over an open file
 * descriptor, built for multi-GB streams on a small machine.
 *
 * - **Few allocations.** The daemon's socket delivers a save in pieces of
 *   ~20 KiB. The sink copies them into a few 1 MiB slabs it makes once and
 *   reuses, and writes whole slabs (one syscall a MiB). The pieces are then
 *   garbage right away and die young. Gathering them into a fresh 1 MiB buffer
 *   each time instead doubled the ArrayBuffer bytes V8 has to account for and
 *   collect, the cost that dominated a save's CPU (see gc-tuning.ts).
 * - **Writeback while writing.** An archive must be fsynced before it gets its
 *   name. Left to the end, that fsync writes back the whole file at once
 *   (~0.7 s per GiB there), after the daemon has finished, time the docker CLI
 *   (which never fsyncs) does not spend. So every {@link WRITEBACK_BYTES}
 *   written, the sink starts an `fdatasync` on the libuv thread pool without
 *   waiting for it (at most one in flight), and {@link FileSink.sync} only has
 *   the tail left. The early syncs are a speed-up, never the guarantee:
 *   `sync()` always ends with a full fsync, and any error fails the write.
 * - **Or no page cache at all.** On a file opened with `O_DIRECT`
 *   (`direct: true`, see direct-io.ts) the slabs are page-aligned, whole slabs
 *   go straight to the disk, the last one is padded to the alignment, and
 *   `sync()` truncates the padding off before its fsync. There is nothing to
 *   write back then, so no background syncs run.
 */
import { fdatasync, fsync, ftruncate, write } from 'node:fs';
import { Writable } from 'node:stream';
import type { ChunkConsumer } from '../streams/chunk-source';
import { alignUp, releaseAlignedSlab, takeAlignedSlab } from './direct-io';

/** Bytes written between two background `fdatasync`s: few journal commits, and a tail that flushes quickly. */
export const WRITEBACK_BYTES = 64 * 1024 * 1024;

/** One write syscall's worth: large enough to amortize it, small enough to keep memory flat. */
export const SLAB_BYTES = 1024 * 1024;

/** Slabs a sink owns at most: one filling while the others are written (the backpressure bound). */
const SLABS = 4;

/** The file calls the sink makes (node:fs by default; tests count, hold or fail them). */
export interface SinkIo {
  write(fd: number, buffer: Buffer, offset: number, length: number, position: number, callback: (err: NodeJS.ErrnoException | null, bytes: number) => void): void;
  fdatasync(fd: number, callback: (err: NodeJS.ErrnoException | null) => void): void;
  fsync(fd: number, callback: (err: NodeJS.ErrnoException | null) => void): void;
  ftruncate(fd: number, length: number, callback: (err: NodeJS.ErrnoException | null) => void): void;
}

const nodeIo: SinkIo = { write, fdatasync, fsync, ftruncate };

/** Options of a {@link FileSink}. */
export interface FileSinkOptions {
  /** Bytes between background `fdatasync`s; default {@link WRITEBACK_BYTES}. */
  readonly writebackBytes?: number;
  /** Bytes of one slab; default {@link SLAB_BYTES}. With `direct`, a multiple of 64 KiB. */
  readonly slabBytes?: number;
  /** The fd was opened with `O_DIRECT`: aligned slabs, padded tail, no background syncs. */
  readonly direct?: boolean;
  readonly io?: SinkIo;
}

/**
 * Writes everything piped into it to `fd` from offset 0. It never closes
 * `fd`: the owner calls {@link sync} once the stream has finished, and
 * {@link idle} before closing it after a failure.
 */
export class FileSink extends Writable implements ChunkConsumer {
  /** Bytes the kernel has accepted so far (with `direct`, the last slab's padding included until {@link sync}). */
  bytesWritten = 0;
  /** Bytes of the stream copied into slabs: the file's length once every slab is written. */
  private bytesTaken = 0;
  /** Slabs made so far (made as needed: a small upload never gets all of them). */
  private slabsMade = 0;
  private readonly free: Buffer[] = [];
  private slab: Buffer | undefined;
  private filled = 0;
  /** File offset of the next slab handed to {@link writeCurrent}. */
  private position = 0;
  private writesInFlight = 0;
  /** A `_write` waiting for a slab to come back. */
  private waitingForSlab: (() => void) | undefined;
  private readonly drained = new Set<() => void>();
  private unsynced = 0;
  private syncInFlight: Promise<void> | undefined;
  /** The first failed write or background sync: the stream fails with it. */
  private failure: Error | undefined;
  private readonly writebackBytes: number;
  private readonly slabBytes: number;
  private readonly direct: boolean;
  private readonly io: SinkIo;

  constructor(
    private readonly fd: number,
    options: FileSinkOptions = {},
  ) {
    super({ decodeStrings: true });
    this.writebackBytes = options.writebackBytes ?? WRITEBACK_BYTES;
    this.slabBytes = options.slabBytes ?? SLAB_BYTES;
    this.direct = options.direct ?? false;
    this.io = options.io ?? nodeIo;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    let offset = 0;
    const copyRest = (): void => {
      this.waitingForSlab = undefined;
      offset += this.take(offset === 0 ? chunk : chunk.subarray(offset));
      if (this.failure) return callback(this.failure);
      // Every slab is being written: the rest waits (and the stream with it) until one comes back.
      if (offset < chunk.length) return void (this.waitingForSlab = copyRest);
      callback();
    };
    copyRest();
  }

  override _final(callback: (error?: Error | null) => void): void {
    void this.flush().then(() => callback(this.failure));
  }

  /**
   * The sink as a {@link ChunkConsumer}, for a source that lends pieces of a
   * reused buffer (nothing may be piped in then): copies as much of `piece`
   * as free slabs hold, starting the write of every slab it fills, and
   * returns the bytes taken. Fewer than `piece.length` (0 after a failure):
   * wait for {@link ready}.
   */
  take(piece: Buffer): number {
    let offset = 0;
    while (offset < piece.length && !this.failure) {
      if (!this.slab) {
        this.slab = this.free.pop() ?? this.makeSlab();
        this.filled = 0;
        if (!this.slab) break;
      }
      const copied = piece.copy(this.slab, this.filled, offset);
      offset += copied;
      this.filled += copied;
      this.bytesTaken += copied;
      if (this.filled === this.slab.length) this.writeCurrent();
    }
    return offset;
  }

  /** Resolves once {@link take} can copy again (a slab is free); rejects with the write's failure. */
  ready(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.slab || this.free.length > 0 || this.slabsMade < SLABS) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waitingForSlab = () => {
        this.waitingForSlab = undefined;
        if (this.failure) reject(this.failure);
        else resolve();
      };
    });
  }

  /** Starts the write of the last, partly filled slab and resolves (never rejects) when every slab is written. */
  flush(): Promise<void> {
    if (this.slab && this.filled > 0) this.writeCurrent();
    return this.allWritten();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // A piece waiting for a slab is dropped, not written after the owner may have closed the fd;
    // the calls already using the fd finish first.
    this.waitingForSlab = undefined;
    void this.idle().then(() => {
      this.releaseSlabs();
      callback(error);
    });
  }

  /**
   * Waits for the background sync in flight, then fsyncs the file: resolves
   * once every byte written is durable. With `direct`, first truncates the
   * last slab's padding off. Call after the stream has finished.
   */
  async sync(): Promise<void> {
    await this.idle();
    this.releaseSlabs();
    if (this.failure) throw this.failure;
    if (this.direct) {
      await new Promise<void>((resolve, reject) => this.io.ftruncate(this.fd, this.bytesTaken, (err) => (err ? reject(err) : resolve())));
      this.bytesWritten = this.bytesTaken;
    }
    await new Promise<void>((resolve, reject) => this.io.fsync(this.fd, (err) => (err ? reject(err) : resolve())));
  }

  /** Resolves (never rejects) when no write or background sync is using the fd. */
  async idle(): Promise<void> {
    await this.allWritten();
    while (this.syncInFlight) await this.syncInFlight;
  }

  /** A new slab while fewer than {@link SLABS} exist; undefined when all are in use (or none could be made: see `failure`). */
  private makeSlab(): Buffer | undefined {
    if (this.slabsMade === SLABS) return undefined;
    // Not zero-filled: every byte written is first copied in.
    const slab = this.direct ? takeAlignedSlab(this.slabBytes) : Buffer.allocUnsafeSlow(this.slabBytes);
    if (!slab) {
      this.failure ??= new Error('no memory for an aligned direct-I/O buffer');
      return undefined;
    }
    this.slabsMade++;
    return slab;
  }

  /** Aligned slabs go back to the process's pool once no write uses them (plain ones are left to the GC). */
  private releaseSlabs(): void {
    if (!this.direct) return;
    for (const slab of this.free.splice(0)) releaseAlignedSlab(slab);
  }

  /** Resolves when no slab is being written. */
  private allWritten(): Promise<void> {
    if (this.writesInFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.drained.add(resolve));
  }

  /**
   * Hands the filled part of the current slab to the kernel at its place in
   * the file. Only the last slab of a stream is ever partly filled; with
   * `direct` it is padded with zeros to the alignment (sync truncates them off).
   */
  private writeCurrent(): void {
    const slab = this.slab!;
    const filled = this.filled;
    const length = this.direct ? alignUp(filled) : filled;
    if (length > filled) slab.fill(0, filled, length);
    const position = this.position;
    this.slab = undefined;
    this.filled = 0;
    this.position += length;
    this.writesInFlight++;
    this.writeAt(slab, 0, length, position);
  }

  /** Writes slab[from, to) at `position`, looping over short writes (a disk nearly full, a signal). */
  private writeAt(slab: Buffer, from: number, to: number, position: number): void {
    this.io.write(this.fd, slab, from, to - from, position, (err, written) => {
      if (err || written === 0) {
        // A write that moved nothing would loop forever; ENOSPC and the like come as err.
        this.failure ??= err ?? new Error('the file system accepted no bytes');
        return this.slabDone(slab);
      }
      this.bytesWritten += written;
      this.unsynced += written;
      if (from + written < to) return this.writeAt(slab, from + written, to, position + written);
      this.slabDone(slab);
    });
  }

  /** A slab's write ended (written or failed): it can be filled again, and whoever waited for it goes on. */
  private slabDone(slab: Buffer): void {
    this.writesInFlight--;
    this.free.push(slab);
    this.startWriteback();
    this.waitingForSlab?.();
    if (this.writesInFlight === 0) {
      for (const resolve of [...this.drained]) resolve();
      this.drained.clear();
    }
  }

  /** Starts a background fdatasync once enough is written and none is running. */
  private startWriteback(): void {
    if (this.direct || this.syncInFlight || this.unsynced < this.writebackBytes || this.failure) return;
    this.unsynced = 0;
    this.syncInFlight = new Promise<void>((resolve) =>
      this.io.fdatasync(this.fd, (err) => {
        if (err) this.failure ??= err;
        this.syncInFlight = undefined;
        resolve();
      }),
    );
  }
}
