/**
 * The archive directory: safe names, atomic streamed writes, reads, listing
 * with metadata kept in sidecars, and files dropped in by hand (FOUND: kind at
 * once, sha256 in the background, one file at a time).
 *
 * Paths are only ever `<real dir>/<checked name>`; every open uses O_NOFOLLOW
 * and every listing lstat()s, so a symlink in the directory is neither listed,
 * read, overwritten through, nor deleted.
 */
import type { Stats } from 'node:fs';
import { lstat, mkdir, open, readdir, realpath, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Logger } from '../logger';
import type { ChunkSource } from '../streams/chunk-source';
import { probeDirectWrites } from './direct-io';
import { archiveBeingWritten, archiveExists, archiveNotFound, notARegularFile } from './errors';
import { ArchiveHandle } from './handle';
import { ArchiveKind, ArchiveOrigin, type ArchiveInfo, type ArchiveRecord, archiveOfSidecar, describes, makeRecord, publicInfo, READ_FLAGS, readSidecar, sidecarName, TEMP_FILE, tempFileName, writeSidecar } from './meta';
import { checkArchiveName, isArchiveName, isGzipName } from './names';
import { scanInBackground } from './scan';
import { Mutex, WorkQueue } from './serial';
import { kindAndContents, type Sniffed, sniffPlainFile } from './sniff';
import { commitTemp, fsyncDir, type StreamOptions, streamToTemp } from './write';

/** A found plain tar is walked up to this many entries while listing; the background scan does the rest. */
const DISCOVERY_SNIFF_ENTRIES = 2_000;

/** How a write is recorded. */
export interface WriterOptions {
  /** Replace an existing archive of that name (otherwise CONFLICT). */
  readonly overwrite?: boolean;
  readonly origin: ArchiveOrigin.SAVED | ArchiveOrigin.EXPORTED | ArchiveOrigin.UPLOADED;
  /** What the writer knows is inside: the container name/id of an export. For IMAGES, the RepoTags in manifest.json win when there are any. */
  readonly contents?: readonly string[];
}

/** Options of {@link ArchiveStore.write}: the writer's and the stream's. */
export type WriteOptions = WriterOptions & StreamOptions;

/** A name reserved for one write; see {@link ArchiveStore.createWriter}. */
export interface ArchiveWriter {
  readonly name: string;
  /** Streams `source` (a Readable, or a daemon download lending its read buffer) into the archive atomically; at most once. Releases the name when done, failed or aborted. */
  write(source: Readable | ChunkSource, options?: StreamOptions): Promise<ArchiveInfo>;
  /** Releases the name without writing (the job never started). Idempotent; a no-op after write(). */
  cancel(): void;
}

/** The archive directory. Create with {@link ArchiveStore.open}; {@link dispose} on shutdown. */
export class ArchiveStore {
  private readonly index = new Map<string, ArchiveRecord>();
  /** Names reserved by writers: a second writer gets CONFLICT at once. */
  private readonly pending = new Set<string>();
  /** Serializes every change to the directory and the index (not the streaming itself). */
  private readonly mutex = new Mutex();
  private readonly queue: WorkQueue;

  private constructor(
    /** Real path of the archive directory (symlinks resolved once, at start). */
    readonly dir: string,
    private readonly log: Logger,
    /** Writes bypass the page cache (the directory passed the O_DIRECT probe). */
    readonly directIo: boolean,
  ) {
    this.queue = new WorkQueue(
      (name, signal) => scanInBackground({ dir, log, mutex: this.mutex, index: this.index }, name, signal),
      (name, err) => log.warn({ err, archive: name }, 'background scan of an archive failed; its sha256 stays unknown'),
    );
  }

  /**
   * Opens (creating it, mode 0750, when missing) the archive directory: removes
   * temp files a crash left, loads the sidecars, and lists what is there.
   * With `directIo` (the default), writes use `O_DIRECT` when a probe in the
   * directory shows the file system takes it (direct-io.ts).
   */
  static async open(dir: string, options: { log: Logger; directIo?: boolean }): Promise<ArchiveStore> {
    await mkdir(dir, { recursive: true, mode: 0o750 });
    const real = await realpath(dir);
    if (!(await lstat(real)).isDirectory()) throw new Error(`the archive directory ${dir} is not a directory`);
    const log = options.log.child({ component: 'archives' });
    const direct = (options.directIo ?? true) && (await probeDirectWrites(real, tempFileName()));
    if (options.directIo ?? true) log.info({ dir: real, directIo: direct }, direct ? 'archive writes bypass the page cache (O_DIRECT)' : 'the archive directory does not take O_DIRECT: archive writes go through the page cache');
    const store = new ArchiveStore(real, log, direct);
    await store.recover();
    return store;
  }

  /** Every archive, sorted by name. Never waits for hashing; picks up files added or removed by hand. */
  async list(): Promise<ArchiveInfo[]> {
    const records = await this.mutex.run(() => this.reconcile());
    return records.map(publicInfo);
  }

  /** One archive, or null when there is no such (regular) file. @throws BAD_USER_INPUT for a bad name. */
  async get(name: string, argument = 'name'): Promise<ArchiveInfo | null> {
    checkArchiveName(name, argument);
    const record = await this.mutex.run(() => this.refresh(name));
    return record ? publicInfo(record) : null;
  }

  /** Like {@link get}, but NOT_FOUND instead of null. */
  async require(name: string, argument = 'name'): Promise<ArchiveInfo> {
    const info = await this.get(name, argument);
    if (!info) throw archiveNotFound(name);
    return info;
  }

  /**
   * Opens an archive for reading (a load, an import, a download). The handle
   * pins this version of the file: a later overwrite or delete does not
   * disturb it. Stream it or close it.
   * @throws BAD_USER_INPUT for a bad name, NOT_FOUND when there is no such regular file.
   */
  async open(name: string, argument = 'name'): Promise<ArchiveHandle> {
    const info = await this.require(name, argument);
    const fh = await open(path.join(this.dir, name), READ_FLAGS).catch(() => {
      throw archiveNotFound(name);
    });
    const stats = await fh.stat();
    if (!stats.isFile()) {
      await fh.close();
      throw archiveNotFound(name);
    }
    const record = this.index.get(name);
    // Replaced since the lookup: size from the open file, hash unknown for it.
    const exact = record !== undefined && describes(record, stats);
    return new ArchiveHandle(fh, exact ? publicInfo(record) : { ...info, size: stats.size, sha256: null }, new Date(stats.mtimeMs));
  }

  /**
   * Reserves `name` for one write, checking now what a job must refuse before
   * it starts: a bad name (BAD_USER_INPUT), an existing archive without
   * `overwrite`, or a write to the same name in progress (CONFLICT). The
   * existence check is repeated atomically when the write completes.
   */
  async createWriter(name: string, options: WriterOptions, argument = 'name'): Promise<ArchiveWriter> {
    checkArchiveName(name, argument);
    if (this.pending.has(name)) throw archiveBeingWritten(name);
    this.pending.add(name);
    try {
      const existing = await lstat(path.join(this.dir, name)).catch(() => undefined);
      if (existing && !options.overwrite) throw archiveExists(name);
      if (existing && !existing.isFile()) throw notARegularFile(name);
    } catch (err) {
      this.pending.delete(name);
      throw err;
    }
    let state: 'reserved' | 'writing' | 'released' = 'reserved';
    return {
      name,
      write: async (source, streamOptions = {}) => {
        if (state !== 'reserved') throw new Error(`the writer of ${name} was already used or canceled`);
        state = 'writing';
        try {
          return await this.writeReserved(name, source, options, streamOptions);
        } finally {
          state = 'released';
          this.pending.delete(name);
        }
      },
      cancel: () => {
        if (state !== 'reserved') return;
        state = 'released';
        this.pending.delete(name);
      },
    };
  }

  /** {@link createWriter} and write in one call. */
  async write(name: string, source: Readable | ChunkSource, options: WriteOptions): Promise<ArchiveInfo> {
    const writer = await this.createWriter(name, options).catch((err: unknown) => {
      source.destroy();
      throw err;
    });
    return writer.write(source, options);
  }

  /** Deletes an archive and its metadata. @throws NOT_FOUND, or CONFLICT while it is being written. */
  async delete(name: string, argument = 'name'): Promise<true> {
    checkArchiveName(name, argument);
    return this.mutex.run(async () => {
      const stats = await lstat(path.join(this.dir, name)).catch(() => undefined);
      // Symlinks and directories are not archives: reported missing, never touched.
      if (!stats?.isFile()) throw archiveNotFound(name);
      if (this.pending.has(name)) throw archiveBeingWritten(name);
      await unlink(path.join(this.dir, name));
      await unlink(path.join(this.dir, sidecarName(name))).catch(() => undefined);
      this.index.delete(name);
      await fsyncDir(this.dir);
      this.log.info({ archive: name }, 'archive deleted');
      return true as const;
    });
  }

  /** Resolves when no background scan is queued or running (tests, shutdown). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** Stops background scans. Writes and reads in flight are their callers' to end. */
  dispose(): Promise<void> {
    return this.queue.dispose();
  }

  private async writeReserved(name: string, source: Readable | ChunkSource, options: WriterOptions, streamOptions: StreamOptions): Promise<ArchiveInfo> {
    const temp = await streamToTemp(this.dir, name, source, { ...streamOptions, direct: this.directIo });
    const record = await this.mutex.run(async () => {
      await commitTemp(this.dir, temp.tempPath, name, options.overwrite ?? false);
      const stats = await lstat(path.join(this.dir, name));
      const r = makeRecord({
        name,
        ...kindAndContents(temp.sniffed, options.contents ?? []),
        origin: options.origin,
        size: stats.size,
        mtimeMs: stats.mtimeMs,
        sha256: temp.sha256,
        createdAt: new Date(),
      });
      this.index.set(name, r);
      await this.persist(r);
      return r;
    });
    if (!record.kindSettled) this.queue.add(name);
    this.log.info({ archive: name, origin: record.origin, kind: record.kind, size: record.size }, 'archive written');
    return publicInfo(record);
  }

  /** Start-up: crash leftovers out, sidecars in, then a first listing. */
  private async recover(): Promise<void> {
    await this.mutex.run(async () => {
      for (const file of await readdir(this.dir)) {
        if (TEMP_FILE.test(file)) {
          await unlink(path.join(this.dir, file)).catch(() => undefined);
          this.log.info({ file }, 'removed a temp file left by an interrupted write');
          continue;
        }
        const name = archiveOfSidecar(file);
        if (name === undefined || !isArchiveName(name)) continue;
        const stats = await lstat(path.join(this.dir, name)).catch(() => undefined);
        if (!stats?.isFile()) {
          await unlink(path.join(this.dir, file)).catch(() => undefined);
          continue;
        }
        const record = await readSidecar(this.dir, name);
        if (record && describes(record, stats)) this.index.set(name, record);
      }
      await this.reconcile();
    });
  }

  /** Brings the index in line with the directory (under the mutex); returns it sorted by name. */
  private async reconcile(): Promise<ArchiveRecord[]> {
    await mkdir(this.dir, { recursive: true, mode: 0o750 });
    const present = new Set<string>();
    for (const name of (await readdir(this.dir)).filter(isArchiveName)) {
      if (await this.refresh(name)) present.add(name);
    }
    for (const name of [...this.index.keys()]) if (!present.has(name)) await this.forget(name);
    return [...this.index.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** The current record of `name` (under the mutex), discovering or forgetting it as the directory says. */
  private async refresh(name: string): Promise<ArchiveRecord | undefined> {
    const stats = await lstat(path.join(this.dir, name)).catch(() => undefined);
    if (!stats?.isFile()) {
      await this.forget(name);
      return undefined;
    }
    const known = this.index.get(name);
    if (known && describes(known, stats)) return known;
    return this.discover(name, stats);
  }

  /** A file the store did not write (or that changed under it): FOUND, kind from content, hash queued. */
  private async discover(name: string, stats: Stats): Promise<ArchiveRecord> {
    const saved = await readSidecar(this.dir, name);
    let record = saved && describes(saved, stats) ? saved : undefined;
    if (!record) {
      const sniffed = await this.quickSniff(name, stats);
      record = makeRecord({
        name,
        ...kindAndContents(sniffed, []),
        origin: ArchiveOrigin.FOUND,
        size: stats.size,
        mtimeMs: stats.mtimeMs,
        sha256: null,
        // From mtimeMs, not stats.mtime: a Date made by fs belongs to another realm under jest, and scalars check instanceof.
        createdAt: new Date(stats.mtimeMs),
      });
      await this.persist(record);
      this.log.info({ archive: name, kind: record.kind, size: record.size }, 'found an archive put into the directory by hand');
    }
    this.index.set(name, record);
    if (record.sha256 === null || !record.kindSettled) this.queue.add(name);
    return record;
  }

  /** The kind a listing can afford: a bounded header walk for plain tars; gzip waits for the background scan. */
  private quickSniff(name: string, stats: Stats): Promise<Sniffed> {
    if (isGzipName(name)) return Promise.resolve({ kind: ArchiveKind.UNKNOWN, contents: [], settled: false });
    return sniffPlainFile(path.join(this.dir, name), stats.size, DISCOVERY_SNIFF_ENTRIES);
  }

  private async forget(name: string): Promise<void> {
    if (!this.index.delete(name)) return;
    await unlink(path.join(this.dir, sidecarName(name))).catch(() => undefined);
  }

  private async persist(record: ArchiveRecord): Promise<void> {
    // Without its sidecar an archive still lists (as FOUND after a restart), so this is not fatal.
    await writeSidecar(this.dir, record).catch((err: unknown) => this.log.warn({ err, archive: record.name }, 'could not write archive metadata'));
  }
}
