/** The archive writer's sink: every byte in order on disk, bounded buffering, writeback started early (one sync at a time), and no error lost. */
import { closeSync, fdatasync, fsync, mkdtempSync, openSync, readFileSync, rmSync, write } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FileSink, type SinkIo } from '../../src/archive/file-sink';

/** node:fs, with every call counted, and the option to hold calls, cut writes short or fail syncs. */
class CountingIo implements SinkIo {
  writes = 0;
  datasyncs = 0;
  fsyncs = 0;
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
    for (let i = 0; i < 1000 && sink.bytesWritten < expected.length; i++) {
      io.heldWrites.shift()?.();
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await piped;
    await sink.sync();
    expect(readFileSync(file).equals(expected)).toBe(true);
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
