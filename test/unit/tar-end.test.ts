/** The tar-end guards (stream and chunk source): a daemon tar stream that broke off (or carries the daemon's error line) must fail, never end. */
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { checkTarEnd, IncompleteTarError, tarEndGuard, tarEndGuardChunks } from '../../src/docker/tar-end';
import type { ChunkSource } from '../../src/streams/chunk-source';
import { makeTar } from '../support/tars';

/** Streams `chunks` through a guard into a sink; resolves with the bytes that came out. */
async function through(chunks: Buffer[]): Promise<number> {
  let out = 0;
  await pipeline(
    Readable.from(chunks),
    tarEndGuard("the daemon's save stream"),
    new Writable({
      write(chunk: Buffer, _e, cb) {
        out += chunk.length;
        cb();
      },
    }),
  );
  return out;
}

/** `buf` cut into pieces of `size` bytes. */
const pieces = (buf: Buffer, size: number) => Array.from({ length: Math.ceil(buf.length / size) }, (_, i) => buf.subarray(i * size, (i + 1) * size));

describe('tarEndGuard', () => {
  it('passes a complete tar through unchanged, however it is chunked', async () => {
    const tar = await makeTar([{ name: 'manifest.json', body: '[]' }, { name: 'layer.tar', body: Buffer.alloc(300_000, 7) }]);
    expect(await through([tar])).toBe(tar.length);
    expect(await through(pieces(tar, 1000))).toBe(tar.length);
    expect(await through(pieces(tar, 70_000))).toBe(tar.length);
  });

  it('fails a tar cut short, saying how many bytes came', async () => {
    const tar = await makeTar([{ name: 'layer.tar', body: Buffer.alloc(300_000, 7) }]);
    const cut = tar.subarray(0, 200_000);
    await expect(through(pieces(cut, 4096))).rejects.toThrow(new IncompleteTarError("the daemon's save stream ended after 200000 bytes without the tar end-of-archive marker: the archive is incomplete"));
  });

  it("fails with the daemon's words when it appended its error line to a partial tar (moby's getImagesGet)", async () => {
    const tar = await makeTar([{ name: 'layer.tar', body: Buffer.alloc(100_000, 7) }]);
    const line = Buffer.from('{"errorDetail":{"message":"open /var/lib/docker/overlay2/abc/diff: no such file or directory"},"error":"open /var/lib/docker/overlay2/abc/diff: no such file or directory"}\r\n');
    const body = Buffer.concat([tar.subarray(0, 60_000), line]);
    await expect(through(pieces(body, 8192))).rejects.toThrow(`the daemon's save stream failed after ${body.length} bytes: open /var/lib/docker/overlay2/abc/diff: no such file or directory`);
  });

  it('fails an empty or tiny stream', async () => {
    await expect(through([])).rejects.toThrow(IncompleteTarError);
    await expect(through([Buffer.alloc(512)])).rejects.toThrow(/without the tar end-of-archive marker/);
  });
});

describe('checkTarEnd', () => {
  it('accepts a tail of at least 1024 zero bytes and reads an HTTP error body after a partial tar', () => {
    expect(checkTarEnd(Buffer.concat([Buffer.from('data'), Buffer.alloc(1024)]), 2000, 'x')).toBeUndefined();
    expect(checkTarEnd(Buffer.concat([Buffer.alloc(2000, 1), Buffer.from('{"message":"container gone"}\n')]), 5000, "the daemon's export stream")?.message).toBe(
      "the daemon's export stream failed after 5000 bytes: container gone",
    );
    expect(checkTarEnd(Buffer.concat([Buffer.alloc(2000, 1), Buffer.from('{"errorDetail": broken')]), 9, 'x')?.message).toMatch(/without the tar end-of-archive marker/);
  });
});

/**
 * A ChunkSource lending `chunks` piece by piece from one reused buffer (as the
 * raw download does), to a consumer that takes at most `takeMax` bytes a call.
 * Resolves with the bytes taken.
 */
async function throughChunks(chunks: Buffer[], takeMax: number): Promise<number> {
  const lent = Buffer.alloc(Math.max(1, ...chunks.map((c) => c.length)));
  const source: ChunkSource = {
    chunkSource: true,
    async pipeTo(consumer) {
      for (const chunk of chunks) {
        chunk.copy(lent);
        let at = 0;
        while (at < chunk.length) {
          at += consumer.take(lent.subarray(at, chunk.length));
          if (at < chunk.length) await consumer.ready();
        }
        // The next read overwrites the buffer: a guard that kept views would see garbage.
        lent.fill(0xee);
      }
    },
    destroy: () => undefined,
  };
  let taken = 0;
  let calls = 0;
  await tarEndGuardChunks(source, "the daemon's save stream").pipeTo({
    // Every third call the consumer is full and takes nothing.
    take: (piece) => {
      const n = ++calls % 3 === 0 ? 0 : Math.min(piece.length, takeMax);
      taken += n;
      return n;
    },
    ready: () => Promise.resolve(),
  });
  return taken;
}

describe('tarEndGuardChunks', () => {
  it('passes a complete tar, however it is lent and taken', async () => {
    const tar = await makeTar([{ name: 'manifest.json', body: '[]' }, { name: 'layer.tar', body: Buffer.alloc(300_000, 7) }]);
    expect(await throughChunks([tar], tar.length)).toBe(tar.length);
    expect(await throughChunks(pieces(tar, 1000), 300)).toBe(tar.length);
    expect(await throughChunks(pieces(tar, 70_000), 50_000)).toBe(tar.length);
    // Pieces longer than the kept tail.
    expect(await throughChunks(pieces(tar, 100_000), 100_000)).toBe(tar.length);
  });

  it('fails a tar cut short, and one carrying the daemon error line, like the stream guard', async () => {
    const tar = await makeTar([{ name: 'layer.tar', body: Buffer.alloc(300_000, 7) }]);
    await expect(throughChunks(pieces(tar.subarray(0, 200_000), 4096), 1000)).rejects.toThrow(
      new IncompleteTarError("the daemon's save stream ended after 200000 bytes without the tar end-of-archive marker: the archive is incomplete"),
    );
    const line = Buffer.from('{"errorDetail":{"message":"layer gone"},"error":"layer gone"}\r\n');
    const body = Buffer.concat([tar.subarray(0, 60_000), line]);
    await expect(throughChunks(pieces(body, 8192), 5000)).rejects.toThrow(`the daemon's save stream failed after ${body.length} bytes: layer gone`);
  });

  it('fails an empty stream', async () => {
    await expect(throughChunks([], 10)).rejects.toThrow(IncompleteTarError);
  });
});
