/**
 * The atomic half of a write: stream into a hidden temp file in the archive
 * directory (sha256 and byte count on the way, backpressure throughout, so
 * memory stays flat whatever the size), fsync, then give it its final name
 * without clobbering (hard link) or with (rename), and fsync the directory.
 * Where the file system allows, the temp file is written with `O_DIRECT`
 * (direct-io.ts), so there is no page cache to write back; elsewhere its
 * writeback starts while it is written (file-sink.ts). Either way the fsync
 * only waits for the tail.
 */
import { createHash } from 'node:crypto';
import { close, constants, open as openFd } from 'node:fs';
import { link, lstat, open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { type ChunkSource, isChunkSource } from '../streams/chunk-source';
import { O_DIRECT } from './direct-io';
import { archiveExists, ArchiveTooLargeError, storageError } from './errors';
import { FileSink } from './file-sink';
import { tempFileName } from './meta';
import { isGzipName } from './names';
import { GzipTarSniffer, sniffPlainFile, type Sniffed, sniffTap } from './sniff';

/** A plain tar written here is walked up to this many entries before the kind is left to the background scan. */
const WRITE_SNIFF_ENTRIES = 100_000;

/** Options for one streamed write. */
export interface StreamOptions {
  /** Called with the bytes written so far, after each chunk (cheap; throttle in the caller). */
  readonly onProgress?: (bytesWritten: number) => void;
  /** Aborting it stops the write; nothing is kept. */
  readonly signal?: AbortSignal;
  /** More bytes than this fail the write with {@link ArchiveTooLargeError}; nothing is kept. */
  readonly maxBytes?: number;
  /** Write with `O_DIRECT` (the store sets it when its directory passed the probe in direct-io.ts). */
  readonly direct?: boolean;
}

/** A complete, fsynced temp file waiting for its final name. */
export interface TempArchive {
  readonly tempPath: string;
  readonly size: number;
  readonly sha256: string;
  readonly sniffed: Sniffed;
}

/**
 * Counts, limits, hashes and reports the bytes of one write, in order. The
 * hash runs here, on the main thread: a hashing worker was tried, and the
 * copies into shared memory it needs cost more CPU than it saved.
 */
class Meter {
  bytes = 0;
  private readonly hash = createHash('sha256');

  constructor(private readonly options: StreamOptions) {}

  /** @throws ArchiveTooLargeError past `maxBytes`. */
  count(piece: Buffer): void {
    this.bytes += piece.length;
    if (this.options.maxBytes !== undefined && this.bytes > this.options.maxBytes) throw new ArchiveTooLargeError(this.options.maxBytes);
    this.hash.update(piece);
    try {
      this.options.onProgress?.(this.bytes);
    } catch {
      // A progress listener's bug must not break the write.
    }
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}

/**
 * Streams `source` into a new temp file in `dir`, hashing and sniffing on the
 * way. On any failure (source error, abort, limit, disk) the temp file is
 * removed and the error is thrown. A {@link ChunkSource} (a daemon download)
 * is copied straight from its read buffer into the sink's slabs, with no
 * stream stage in between; it must be a plain tar (no gzip name).
 * @param name - the final name (decides gzip handling).
 */
export async function streamToTemp(dir: string, name: string, source: Readable | ChunkSource, options: StreamOptions = {}): Promise<TempArchive> {
  const gzip = isGzipName(name) ? new GzipTarSniffer() : undefined;
  if (gzip && isChunkSource(source)) throw new Error('a chunk source writes plain tars, not .tar.gz archives');
  const temp = await openTemp(dir, options.direct ?? false);
  const tempPath = temp.path;
  let fd: number | undefined = temp.fd;
  const meter = new Meter(options);
  const sink = new FileSink(fd, { direct: temp.direct });
  let ok = false;
  try {
    const signal = options.signal;
    if (isChunkSource(source)) await copyChunks(source, sink, meter, signal);
    else await pipeline(source, meterStage(meter), ...(gzip ? [sniffTap(gzip)] : []), sink, { signal });
    // Every byte on disk before the file can get its name (the sink has been writing back all along).
    await sink.sync();
    await promisify(close)(fd);
    fd = undefined;
    const sniffed = gzip ? await gzip.finish() : await sniffPlainFile(tempPath, meter.bytes, WRITE_SNIFF_ENTRIES);
    ok = true;
    return { tempPath, size: meter.bytes, sha256: meter.digest(), sniffed };
  } catch (err) {
    throw storageError(err);
  } finally {
    gzip?.dispose();
    if (!ok) sink.destroy();
    // A background sync may still use the fd after a failure: never close it under one.
    await sink.idle();
    if (fd !== undefined) await promisify(close)(fd).catch(() => undefined);
    if (!ok) await unlink(tempPath).catch(() => undefined);
  }
}

/** The meter as a pass-through stream stage. */
function meterStage(meter: Meter): Transform {
  return new Transform({
    transform(chunk: Buffer | string, _encoding, callback) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      try {
        meter.count(buf);
      } catch (err) {
        return callback(err as Error);
      }
      callback(null, buf);
    },
  });
}

/** Feeds `source` into `sink` piece by piece, metering what the sink takes, then writes the last slab. */
async function copyChunks(source: ChunkSource, sink: FileSink, meter: Meter, signal: AbortSignal | undefined): Promise<void> {
  await source.pipeTo(
    {
      take(piece) {
        const taken = sink.take(piece);
        if (taken > 0) meter.count(taken === piece.length ? piece : piece.subarray(0, taken));
        return taken;
      },
      ready: () => sink.ready(),
    },
    signal,
  );
  await sink.flush();
}

/**
 * Creates a new temp file in `dir`, with `O_DIRECT` when `direct` and the
 * file system still takes it (the directory may have been remounted since the
 * store's probe: then it is a page-cache write, not a failure).
 * O_EXCL | O_NOFOLLOW: never write through something that appeared under the
 * temp name. A plain fd, not a FileHandle: a FileHandle stream that does not
 * close its handle keeps close() waiting forever.
 */
async function openTemp(dir: string, direct: boolean): Promise<{ path: string; fd: number; direct: boolean }> {
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
  const tempPath = path.join(dir, tempFileName());
  try {
    return { path: tempPath, fd: await promisify(openFd)(tempPath, direct ? flags | O_DIRECT : flags, 0o640), direct };
  } catch (err) {
    if (!direct || (err as NodeJS.ErrnoException).code !== 'EINVAL') throw storageError(err);
    // Refused O_DIRECT, possibly after creating the file: that name is ours (random, O_EXCL) to remove.
    await unlink(tempPath).catch(() => undefined);
    return openTemp(dir, false);
  }
}

/**
 * Gives the temp file its final name. Without `overwrite` a hard link is made,
 * which fails when the name exists however it got there (no clobbering, no
 * race); on file systems without hard links it falls back to check-then-rename,
 * where a file created by hand in between would be replaced. With `overwrite`,
 * rename replaces atomically: readers of the old file keep reading it.
 * The temp file is gone afterwards, whatever the outcome.
 * @throws DockqlError CONFLICT when the name exists and `overwrite` is false.
 */
export async function commitTemp(dir: string, tempPath: string, name: string, overwrite: boolean): Promise<void> {
  const finalPath = path.join(dir, name);
  try {
    if (overwrite) {
      await rename(tempPath, finalPath);
    } else {
      try {
        await link(tempPath, finalPath);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') throw archiveExists(name);
        if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EMLINK'].includes(code ?? '')) throw err;
        if (await lstat(finalPath).then(() => true, () => false)) throw archiveExists(name);
        await rename(tempPath, finalPath);
      }
    }
  } finally {
    await unlink(tempPath).catch(() => undefined);
  }
  await fsyncDir(dir);
}

/** Makes renames and unlinks in `dir` durable. */
export async function fsyncDir(dir: string): Promise<void> {
  const d = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}
