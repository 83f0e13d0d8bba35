/** An archive as a daemon request body: every byte in order, through at most four reused buffers, stopping cleanly. */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { BODY_BUFFER_BYTES, FileRequestBody } from '../../src/archive/request-body';

/** A request stand-in whose writes complete a macrotask later (as a socket's do), recording what it got. */
class SlowRequest extends Writable {
  readonly hash = createHash('sha256');
  bytes = 0;
  readonly arrayBuffers = new Set<ArrayBufferLike>();
  ended = false;

  constructor() {
    super({ highWaterMark: 1 });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.arrayBuffers.add(chunk.buffer);
    // Hash now: the body may reuse the buffer once the callback ran.
    this.hash.update(chunk);
    this.bytes += chunk.length;
    setImmediate(callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.ended = true;
    callback();
  }
}

describe('FileRequestBody', () => {
  let dir: string;
  let file: string;
  const data = randomBytes(5 * BODY_BUFFER_BYTES + 12_345);
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'dockql-body-'));
    file = path.join(dir, 'a.tar');
    writeFileSync(file, data);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** The file handle, with a flag telling whether it was closed. */
  async function opened(): Promise<{ fh: FileHandle; closed: () => boolean }> {
    const fh = await open(file, 'r');
    let closed = false;
    const close = fh.close.bind(fh);
    fh.close = async () => {
      closed = true;
      return close();
    };
    return { fh, closed: () => closed };
  }

  it('sends every byte in order through at most four buffers, reports progress, ends the request and closes the file', async () => {
    const { fh, closed } = await opened();
    const progress: number[] = [];
    const request = new SlowRequest();
    new FileRequestBody(fh, data.length, (n) => progress.push(n)).pipe(request);
    await new Promise((resolve) => request.on('finish', resolve));
    expect(request.bytes).toBe(data.length);
    expect(request.hash.digest('hex')).toBe(createHash('sha256').update(data).digest('hex'));
    expect(request.arrayBuffers.size).toBeLessThanOrEqual(4);
    expect(progress.at(-1)).toBe(data.length);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    for (let i = 0; i < 50 && !closed(); i++) await new Promise((resolve) => setTimeout(resolve, 2));
    expect(closed()).toBe(true);
  });

  it('stops when destroyed (a canceled job): the request is not ended, the file is closed', async () => {
    const { fh, closed } = await opened();
    const request = new SlowRequest();
    const body = new FileRequestBody(fh, data.length);
    body.pipe(request);
    await new Promise((resolve) => setTimeout(resolve, 5));
    body.destroy();
    for (let i = 0; i < 50 && !closed(); i++) await new Promise((resolve) => setTimeout(resolve, 2));
    expect(closed()).toBe(true);
    expect(request.ended).toBe(false);
    expect(request.bytes).toBeLessThan(data.length);
  });

  it('stops when the request closes under it (the daemon hung up)', async () => {
    const { fh, closed } = await opened();
    const request = new SlowRequest();
    new FileRequestBody(fh, data.length).pipe(request);
    await new Promise((resolve) => setTimeout(resolve, 5));
    request.destroy();
    for (let i = 0; i < 50 && !closed(); i++) await new Promise((resolve) => setTimeout(resolve, 2));
    expect(closed()).toBe(true);
    expect(request.bytes).toBeLessThan(data.length);
  });

  it('fails with an error event when the file is shorter than it was when opened', async () => {
    const { fh } = await opened();
    const body = new FileRequestBody(fh, data.length + 10);
    const failed = new Promise<Error>((resolve) => body.on('error', resolve));
    body.pipe(new SlowRequest());
    expect((await failed).message).toBe(`the archive ended after ${data.length} of its ${data.length + 10} bytes`);
  });
});
