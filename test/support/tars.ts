/**
 * Small tars made in memory with tar-stream, shaped like what docker writes:
 * `docker save` (OCI layout, manifest.json after the blobs) and `docker export`
 * (a root filesystem).
 */
import { createHash, randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import * as tar from 'tar-stream';

/** One tar entry: a file with a body, or a directory. */
export interface TarEntry {
  readonly name: string;
  readonly body?: string | Buffer;
  readonly type?: 'file' | 'directory';
}

/** Packs `entries` into a tar (gzip-compressed with `gzip`). */
export async function makeTar(entries: readonly TarEntry[], options: { gzip?: boolean } = {}): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => chunks.push(c as Buffer));
  const ended = new Promise<void>((resolve, reject) => {
    pack.on('end', () => resolve());
    pack.on('error', reject);
  });
  for (const e of entries) {
    if (e.type === 'directory') {
      pack.entry({ name: e.name, type: 'directory' });
      continue;
    }
    const body = typeof e.body === 'string' ? Buffer.from(e.body) : (e.body ?? Buffer.alloc(0));
    await new Promise<void>((resolve, reject) => pack.entry({ name: e.name, size: body.length }, body, (err) => (err ? reject(err) : resolve())));
  }
  pack.finalize();
  await ended;
  const tarball = Buffer.concat(chunks);
  return options.gzip ? gzipSync(tarball) : tarball;
}

/** A `docker save`-like archive of one image with `repoTags`, its layer `layerBytes` of random data. */
export function imageArchive(repoTags: readonly string[], options: { layerBytes?: number; gzip?: boolean } = {}): Promise<Buffer> {
  const layer = randomBytes(options.layerBytes ?? 4096);
  const layerHex = createHash('sha256').update(layer).digest('hex');
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [`sha256:${layerHex}`] } }));
  const configHex = createHash('sha256').update(config).digest('hex');
  const manifest = [{ Config: `blobs/sha256/${configHex}`, RepoTags: repoTags, Layers: [`blobs/sha256/${layerHex}`] }];
  return makeTar(
    [
      { name: 'blobs/', type: 'directory' },
      { name: 'blobs/sha256/', type: 'directory' },
      { name: `blobs/sha256/${configHex}`, body: config },
      { name: `blobs/sha256/${layerHex}`, body: layer },
      { name: 'index.json', body: '{"schemaVersion":2,"manifests":[]}' },
      // As in docker save: manifest.json comes after every blob.
      { name: 'manifest.json', body: JSON.stringify(manifest) },
      { name: 'oci-layout', body: '{"imageLayoutVersion":"1.0.0"}' },
      { name: 'repositories', body: '{}' },
    ],
    { gzip: options.gzip },
  );
}

/** A `docker export`-like root filesystem. */
export function exportArchive(options: { gzip?: boolean; padBytes?: number } = {}): Promise<Buffer> {
  return makeTar(
    [
      { name: '.dockerenv', body: '' },
      { name: 'bin/', type: 'directory' },
      { name: 'bin/sh', body: randomBytes(options.padBytes ?? 1024) },
      { name: 'etc/', type: 'directory' },
      { name: 'etc/hostname', body: 'web\n' },
      { name: 'marker', body: 'hello\n' },
    ],
    { gzip: options.gzip },
  );
}

/** Hex sha256 of `data`. */
export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
