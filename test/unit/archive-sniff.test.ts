/** Kind detection on small tars made here with tar-stream, plain (header walk) and gzip (streamed). */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { ArchiveKind } from '../../src/archive/meta';
import { GzipTarSniffer, imagesFromManifest, type Sniffed, walkTar } from '../../src/archive/sniff';
import { exportArchive, imageArchive, makeTar } from '../support/tars';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'dockql-sniff-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Walks the headers of `data` written to a file. */
async function walk(data: Buffer, maxEntries?: number): Promise<Sniffed> {
  const file = path.join(dir, `t-${randomBytes(4).toString('hex')}.tar`);
  writeFileSync(file, data);
  const fh = await open(file, 'r');
  try {
    return await walkTar(fh, data.length, maxEntries);
  } finally {
    await fh.close();
  }
}

/** Feeds gzip `data` to the streaming sniffer in chunks of `chunk` bytes. */
async function sniffGzip(data: Buffer, chunk = 1000): Promise<Sniffed> {
  const sniffer = new GzipTarSniffer();
  for (let i = 0; i < data.length && !sniffer.done; i += chunk) await sniffer.feed(data.subarray(i, i + chunk));
  return sniffer.finish();
}

const IMAGES = (contents: string[]) => ({ kind: ArchiveKind.IMAGES, contents, settled: true });
const EXPORT = { kind: ArchiveKind.CONTAINER_EXPORT, contents: [], settled: true };
const UNKNOWN = { kind: ArchiveKind.UNKNOWN, contents: [], settled: true };

describe('a plain tar (header walk)', () => {
  it('finds manifest.json after the blobs of a docker save, with its RepoTags', async () => {
    expect(await walk(await imageArchive(['centos:7', 'centos:latest'], { layerBytes: 300_000 }))).toEqual(IMAGES(['centos:7', 'centos:latest']));
  });

  it('calls an archive saved by id (no RepoTags) IMAGES with no contents', async () => {
    expect(await walk(await imageArchive([]))).toEqual(IMAGES([]));
  });

  it('calls a root filesystem a CONTAINER_EXPORT', async () => {
    expect(await walk(await exportArchive())).toEqual(EXPORT);
    expect(await walk(await makeTar([{ name: './', type: 'directory' }, { name: './etc/', type: 'directory' }]))).toEqual(EXPORT);
  });

  it('calls other tars, garbage and empty files UNKNOWN', async () => {
    expect(await walk(await makeTar([{ name: 'README.md', body: 'hi' }, { name: 'src/manifest.json', body: '[]' }]))).toEqual(UNKNOWN);
    expect(await walk(randomBytes(5000))).toEqual(UNKNOWN);
    expect(await walk(Buffer.alloc(0))).toEqual(UNKNOWN);
  });

  it('follows PAX long names to the entries after them', async () => {
    const long = `${'d'.repeat(150)}/${'f'.repeat(120)}`;
    const data = await makeTar([{ name: long, body: randomBytes(700) }, { name: 'manifest.json', body: '[{"RepoTags":["a:1"]}]' }]);
    expect(await walk(data)).toEqual(IMAGES(['a:1']));
  });

  it('decides from what it saw when the tar is cut short', async () => {
    const whole = await imageArchive(['a:1'], { layerBytes: 50_000 });
    expect(await walk(whole.subarray(0, 20_000))).toEqual(UNKNOWN);
  });

  it('leaves the kind unsettled past its entry budget', async () => {
    const many = await makeTar(Array.from({ length: 20 }, (_, i) => ({ name: `f${i}`, body: 'x' })));
    expect(await walk(many, 5)).toEqual({ kind: ArchiveKind.UNKNOWN, contents: [], settled: false });
  });
});

describe('a gzip-compressed tar (streamed)', () => {
  it('finds manifest.json of a compressed image archive', async () => {
    expect(await sniffGzip(await imageArchive(['app:2'], { gzip: true, layerBytes: 100_000 }))).toEqual(IMAGES(['app:2']));
  });

  it('stops at the first rootfs marker without reading the rest', async () => {
    const data = await exportArchive({ gzip: true, padBytes: 2_000_000 });
    const sniffer = new GzipTarSniffer();
    let fed = 0;
    for (let i = 0; i < data.length && !sniffer.done; i += 4096) {
      await sniffer.feed(data.subarray(i, i + 4096));
      fed += 4096;
    }
    expect(await sniffer.finish()).toEqual(EXPORT);
    expect(fed).toBeLessThan(data.length / 2);
  });

  it('calls gzip garbage and a gzip of a non-tar UNKNOWN, never throwing', async () => {
    expect(await sniffGzip(randomBytes(10_000))).toEqual(UNKNOWN);
    expect(await sniffGzip(gzipSync(randomBytes(10_000)))).toEqual(UNKNOWN);
  });
});

describe('imagesFromManifest', () => {
  it('collects RepoTags of every image once, and tolerates a broken manifest', () => {
    const body = Buffer.from(JSON.stringify([{ RepoTags: ['a:1', 'b:2'] }, { RepoTags: ['a:1'] }, { RepoTags: null }, null]));
    expect(imagesFromManifest(body).contents).toEqual(['a:1', 'b:2']);
    expect(imagesFromManifest(Buffer.from('{not json'))).toEqual(IMAGES([]));
  });
});
