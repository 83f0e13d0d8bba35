/** The archive writer's sink: every byte in order on disk, bounded buffering, writeback started early (one sync at a time), no error lost; and the same with O_DIRECT, where the page cache is skipped. */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { closeSync, constants, fdatasync, fsync, ftruncate, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, write } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { alignedBuffer, alignUp, O_DIRECT, probeDirectWrites, releaseAlignedSlab, takeAlignedSlab } from '../../src/archive/direct-io';
import { FileSink, type SinkIo } from '../../src/archive/file-sink';
import { streamToTemp } from '../../src/archive/write';

/** Scratch space on the project's own (disk) file system, for the O_DIRECT cases. */
const DISK_DIR = path.join(__dirname, '..', '..', 'test-output', 'direct-io');

/** node:fs, with every call counted, and the option to hold calls, cut writes short or fail syncs. */
class CountingIo implements SinkIo {
  writes = 0;
  datasyncs = 0;
  fsyncs = 0;
  /** The length of the last ftruncate, if any. */
  truncatedTo: number | undefined;
  /** Calls waiting to be released (when holding). */
  readonly heldWrites: Array<() => void> = [];
  readonly heldSyncs: Array<() => void> = [];
  maxSyncsInFlight = 0;
  private syncsInFlight = 0;

  constructor(private readonly opts: { holdWrites?: boolean; holdSyncs?: boolean; maxWrite?: number; failDatasync?: boolean; failWrite?: boolean } = {}) {}

  write(fd: number, buffer: Buffer, offset: number, length: number, position: number, cb: (err: NodeJS.ErrnoException | null, bytes: number) => void): void {
    this.writes++;
    const run = () => {
      if (this.opts.failWrite) return cb(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }), 0);
      // A short write: the kernel took only the first `maxWrite` bytes.
      write(fd, buffer, offset, Math.min(length, this.opts.maxWrite ?? length), position, cb);
    };
    if (this.opts.holdWrites) this.heldWrites.push(run);
    else run();
  }

  fdatasync(fd: number, cb: (err: NodeJS.ErrnoException | null) => void): void {
    this.datasyncs++;
    this.maxSyncsInFlight = Math.max(this.maxSyncsInFlight, ++this.syncsInFlight);
    const run = () =>
      fdatasync(fd, (err) => {
        this.syncsInFlight--;
        cb(this.opts.failDatasync ? Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }) : err);
      });
    if (this.opts.holdSyncs) this.heldSyncs.push(run);
    else run();
  }

  fsync(fd: number, cb: (err: NodeJS.ErrnoException | null) => void): void {
    this.fsyncs++;
    fsync(fd, cb);
  }

  ftruncate(fd: number, length: number, cb: (err: NodeJS.ErrnoException | null) => void): void {
    this.truncatedTo = length;
    ftruncate(fd, length, cb);
  }
}

/** Releases held writes one at a time until `done` resolves (each release lets the sink hand over its next slab). */
async function releaseWritesUntil(io: CountingIo, done: Promise<unknown>): Promise<void> {
  let finished = false;
  void done.then(() => (finished = true));
  for (let i = 0; i < 1000 && !finished; i++) {
    io.heldWrites.shift()?.();
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await done;
}

/** Resolves once `cond` holds (file calls complete on the thread pool, not in a fixed number of ticks). */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((resolve) => setTimeout(resolve, 2));
  expect(cond()).toBe(true);
}

describe('FileSink', () => {
  let dir: string;
  let file: string;
  let fd: number;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'dockql-sink-'));
    file = path.join(dir, 'out.bin');
    fd = openSync(file, 'wx');
  });
  afterEach(() => {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  });

  /** 40 pieces of 1000 bytes, each filled with its index (pieces straddle the small slabs used here). */
  const pieces = Array.from({ length: 40 }, (_, i) => Buffer.alloc(1000, i));
  const expected = Buffer.concat(pieces);

  it('writes every byte in order, whole slabs at a time, then fsyncs once', async () => {
    const io = new CountingIo();
    const sink = new FileSink(fd, { slabBytes: 4096, io });
    await pipeline(Readable.from(pieces), sink);
    await sink.sync();
    expect(readFileSync(file).equals(expected)).toBe(true);
    expect(sink.bytesWritten).toBe(expected.length);
    expect(io.writes).toBe(Math.ceil(expected.length / 4096));
    expect(io.fsyncs).toBe(1);
  });

  it('starts a background sync every writebackBytes, never a second one while one runs', async () => {
    const io = new CountingIo({ holdSyncs: true });
    const sink = new FileSink(fd, { slabBytes: 1000, writebackBytes: 2000, io });
    const piped = pipeline(Readable.from(pieces), sink);
    // The held sync does not hold up the stream: every byte is written while it waits.
    await until(() => sink.bytesWritten === expected.length);
    expect(io.datasyncs).toBe(1);
    // sync() waits for the one in flight before its fsync.
    const synced = sink.sync();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(io.fsyncs).toBe(0);
    io.heldSyncs.shift()!();
    await piped;
    await synced;
    expect(io.fsyncs).toBe(1);
    expect(io.maxSyncsInFlight).toBe(1);
    expect(readFileSync(file).equals(expected)).toBe(true);
  });

  it('stops taking pieces while every slab is being written (backpressure), and goes on as writes complete', async () => {
    const io = new CountingIo({ holdWrites: true });
    const sink = new FileSink(fd, { slabBytes: 2000, io });
    const piped = pipeline(Readable.from(pieces), sink);
    // Four slabs of 2000 bytes are in flight; nothing more is written until one comes back.
    await until(() => io.heldWrites.length === 4);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(io.writes).toBe(4);
    await releaseWritesUntil(io, piped);
    await sink.sync();
    expect(readFileSync(file).equals(expected)).toBe(true);
  });

  it('as a chunk consumer, takes only what free slabs hold, and is ready again once a write completes', async () => {
    const io = new CountingIo({ holdWrites: true });
    const sink = new FileSink(fd, { slabBytes: 1000, io });
    // Four slabs fill and go to the kernel; the fifth cannot be made.
    expect(sink.take(expected)).toBe(4000);
    expect(io.heldWrites.length).toBe(4);
    let ready = false;
    const becameReady = sink.ready().then(() => (ready = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(ready).toBe(false);
    io.heldWrites.shift()!();
    await becameReady;
    let at = 4000;
    while (at < expected.length) {
      at += sink.take(expected.subarray(at));
      if (at < expected.length) {
        io.heldWrites.shift()?.();
        await sink.ready();
      }
    }
    await releaseWritesUntil(io, sink.flush());
    await sink.sync();
    expect(readFileSync(file).equals(expected)).toBe(true);
  });

  it('as a chunk consumer, takes nothing after a failed write and rejects ready() with its error', async () => {
    const io = new CountingIo({ failWrite: true });
    const sink = new FileSink(fd, { slabBytes: 1000, io });
    // The first slab's write fails at once: nothing more is taken.
    expect(sink.take(expected)).toBe(1000);
    await expect(sink.ready()).rejects.toThrow('ENOSPC');
    expect(sink.take(expected)).toBe(0);
    await sink.idle();
  });

  it('finishes short writes instead of losing their rest', async () => {
    const io = new CountingIo({ maxWrite: 300 });
    const sink = new FileSink(fd, { slabBytes: 4096, io });
    await pipeline(Readable.from(pieces), sink);
    await sink.sync();
    expect(readFileSync(file).equals(expected)).toBe(true);
    expect(io.writes).toBeGreaterThanOrEqual(Math.ceil(expected.length / 300));
  });

  it('fails the stream with a write error (a full disk)', async () => {
    const io = new CountingIo({ failWrite: true });
    const sink = new FileSink(fd, { slabBytes: 1000, io });
    await expect(pipeline(Readable.from(pieces), sink)).rejects.toThrow('ENOSPC');
    await sink.idle();
  });

  it('fails the write with the error of a background sync', async () => {
    const io = new CountingIo({ failDatasync: true });
    const sink = new FileSink(fd, { slabBytes: 1000, writebackBytes: 1000, io });
    const written = pipeline(Readable.from(pieces), sink).then(() => sink.sync());
    await expect(written).rejects.toThrow('EIO');
    expect(io.fsyncs).toBe(0);
  });

  it('lets the calls using the fd finish before a destroyed sink is gone, so that the fd can be closed', async () => {
    const io = new CountingIo({ holdSyncs: true });
    const sink = new FileSink(fd, { slabBytes: 1000, writebackBytes: 1000, io });
    sink.write(Buffer.alloc(2_000));
    await until(() => io.datasyncs === 1);
    let closed = false;
    sink.on('close', () => (closed = true));
    sink.destroy();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(closed).toBe(false);
    io.heldSyncs.shift()!();
    await until(() => closed);
  });
});

describe('FileSink on an O_DIRECT file', () => {
  let dir: string;
  let file: string;
  let fd: number;
  beforeAll(async () => {
    // A directory on a disk file system: os.tmpdir() may be a tmpfs, which refuses O_DIRECT.
    mkdirSync(DISK_DIR, { recursive: true });
    expect(await probeDirectWrites(DISK_DIR, '.probe-file-sink')).toBe(true);
  });
  beforeEach(() => {
    dir = mkdtempSync(path.join(DISK_DIR, 'sink-'));
    file = path.join(dir, 'out.bin');
    fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | O_DIRECT);
  });
  afterEach(() => {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  });

  /** 300 KiB + 123 bytes of random data in 7 KiB pieces: several whole 64 KiB slabs and a tail that is no multiple of the alignment. */
  const data = randomBytes(300 * 1024 + 123);
  const pieces = Array.from({ length: Math.ceil(data.length / 7168) }, (_, i) => data.subarray(i * 7168, (i + 1) * 7168));

  it('writes every byte in order through aligned slabs, pads the tail and truncates it off before the fsync', async () => {
    const io = new CountingIo();
    const sink = new FileSink(fd, { slabBytes: 64 * 1024, writebackBytes: 64 * 1024, direct: true, io });
    await pipeline(Readable.from(pieces), sink);
    // Before sync: the last slab went out padded to the alignment.
    expect(statSync(file).size).toBe(alignUp(data.length));
    await sink.sync();
    expect(io.truncatedTo).toBe(data.length);
    expect(readFileSync(file).equals(data)).toBe(true);
    expect(sink.bytesWritten).toBe(data.length);
    expect(io.writes).toBe(Math.ceil(data.length / (64 * 1024)));
    // Nothing sits in the page cache, so there is nothing to write back early.
    expect(io.datasyncs).toBe(0);
    expect(io.fsyncs).toBe(1);
  });

  it('gives its aligned slabs back to the pool after sync, for the next write', async () => {
    const sink = new FileSink(fd, { slabBytes: 128 * 1024, direct: true });
    await pipeline(Readable.from(pieces), sink);
    await sink.sync();
    const reused = takeAlignedSlab(128 * 1024)!;
    // The pool hands out one of the sink's slabs: it still holds the bytes the sink copied in.
    expect(data.includes(reused.subarray(0, 4096))).toBe(true);
    releaseAlignedSlab(reused);
  });
});

describe('direct-io', () => {
  it('makes page-aligned buffers only in whole 64 KiB pages', () => {
    expect(alignedBuffer(64 * 1024)!.length).toBe(64 * 1024);
    expect(() => alignedBuffer(4096)).toThrow(RangeError);
    expect([alignUp(0), alignUp(1), alignUp(4096), alignUp(4097)]).toEqual([0, 4096, 4096, 8192]);
  });

  /** Makes every open with O_DIRECT fail as a file system without it does: EINVAL, after creating the file. */
  function refuseDirectOpens(): () => void {
    const refusal = () => Object.assign(new Error('EINVAL: invalid argument, open'), { code: 'EINVAL' });
    const cbOpen = jest.spyOn(fs, 'open').mockImplementation(((file: string, flags: number, mode: number, cb: (err: Error | null, fd?: number) => void) => {
      if (!(flags & O_DIRECT)) return realOpen(file, flags, mode, cb);
      closeSync(openSync(file, flags & ~O_DIRECT, mode));
      cb(refusal());
    }) as typeof fs.open);
    const promiseOpen = jest.spyOn(fsp, 'open').mockImplementation(async (file, flags, mode) => {
      if (typeof flags !== 'number' || !(flags & O_DIRECT)) return realPromiseOpen(file, flags, mode);
      closeSync(openSync(file as string, flags & ~O_DIRECT, mode as number));
      throw refusal();
    });
    return () => {
      cbOpen.mockRestore();
      promiseOpen.mockRestore();
    };
  }
  const realOpen = fs.open;
  const realPromiseOpen = fsp.open;

  it('finds when a file system refuses O_DIRECT, and leaves no probe file behind', async () => {
    mkdirSync(DISK_DIR, { recursive: true });
    const dir = mkdtempSync(path.join(DISK_DIR, 'probe-'));
    const restore = refuseDirectOpens();
    try {
      expect(await probeDirectWrites(dir, '.probe')).toBe(false);
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      restore();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes a temp archive through the page cache when O_DIRECT is refused at open, with the same bytes and hash', async () => {
    mkdirSync(DISK_DIR, { recursive: true });
    const dir = mkdtempSync(path.join(DISK_DIR, 'refused-'));
    const restore = refuseDirectOpens();
    try {
      const data = randomBytes(200_001);
      const temp = await streamToTemp(dir, 'x.tar', Readable.from([data]), { direct: true });
      expect(readFileSync(temp.tempPath).equals(data)).toBe(true);
      expect(temp.sha256).toBe(createHash('sha256').update(data).digest('hex'));
      // Only the temp file: the file the refused open created is gone.
      expect(readdirSync(dir)).toEqual([path.basename(temp.tempPath)]);
    } finally {
      restore();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes a temp archive with O_DIRECT on a disk file system, with the same bytes and hash', async () => {
    mkdirSync(DISK_DIR, { recursive: true });
    const dir = mkdtempSync(path.join(DISK_DIR, 'temp-'));
    try {
      const data = randomBytes(3 * 1024 * 1024 + 5);
      const temp = await streamToTemp(dir, 'x.tar', Readable.from([data.subarray(0, 1_000_000), data.subarray(1_000_000)]), { direct: true });
      expect(temp.size).toBe(data.length);
      expect(readFileSync(temp.tempPath).equals(data)).toBe(true);
      expect(temp.sha256).toBe(createHash('sha256').update(data).digest('hex'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
