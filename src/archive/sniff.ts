/**
 * Tells what an archive holds from its tar entries: an image archive (`docker
 * save`) has `manifest.json` at its top, a root filesystem (`docker export`)
 * has `etc/`, `bin/`, `usr/`... there; anything else is UNKNOWN.
 *
 * `docker save` writes `manifest.json` after every layer blob, so reading the
 * first entries is not enough. For a plain `.tar` the walker reads only the
 * 512-byte headers at their offsets and skips the bodies (a 1 GB image
 * archive costs a few dozen small reads). A `.tar.gz` cannot be skipped
 * through: it is gunzipped and parsed as a stream (tar-stream) while its
 * bytes pass by, with backpressure, and the parse stops at the first verdict.
 */
import { type FileHandle, open } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';
import * as tar from 'tar-stream';
import { ArchiveKind, type ArchiveRecord, READ_FLAGS } from './meta';

/** What a scan found. `settled: false` when it gave up early (entry budget) and a full scan should follow. */
export interface Sniffed {
  readonly kind: ArchiveKind;
  readonly contents: readonly string[];
  readonly settled: boolean;
}

/** Top-level entries only a root filesystem has (`.dockerenv` is docker's own marker). */
const ROOTFS_MARKERS = new Set(['bin', 'etc', 'usr', 'sbin', 'lib', '.dockerenv']);
/** Larger manifests are not read (a real one lists images, not megabytes). */
const MANIFEST_MAX = 8 * 1024 * 1024;
/** PAX and GNU long-name bodies larger than this are not read. */
const META_MAX = 1024 * 1024;
/** Gzip input is fed in slices of this size, which bounds what one slice can inflate to. */
const FEED_SLICE = 16 * 1024;

const UNKNOWN: Sniffed = Object.freeze({ kind: ArchiveKind.UNKNOWN, contents: [], settled: true });
const EXPORT: Sniffed = Object.freeze({ kind: ArchiveKind.CONTAINER_EXPORT, contents: [], settled: true });

/** What one entry name says, if anything. */
function classify(name: string): 'manifest' | 'rootfs' | undefined {
  const clean = name.replace(/^(?:\.\/|\/)+/, '');
  if (clean === 'manifest.json') return 'manifest';
  return ROOTFS_MARKERS.has(clean.split('/')[0] ?? '') ? 'rootfs' : undefined;
}

/** IMAGES with the RepoTags of `manifest.json` (none when it is unreadable: the archive still is one). */
export function imagesFromManifest(body: Buffer | undefined): Sniffed {
  const tags = new Set<string>();
  try {
    const manifest: unknown = body ? JSON.parse(body.toString('utf8')) : [];
    for (const entry of Array.isArray(manifest) ? manifest : []) {
      const repoTags: unknown = (entry as { RepoTags?: unknown } | null)?.RepoTags;
      for (const t of Array.isArray(repoTags) ? repoTags : []) if (typeof t === 'string' && t.length <= 512) tags.add(t);
    }
  } catch {
    // A manifest.json that is not JSON: the daemon will say so on load.
  }
  return { kind: ArchiveKind.IMAGES, contents: [...tags].slice(0, 10_000), settled: true };
}

/** The record fields that follow from a scan: RepoTags of an image archive win over what the writer said. */
export function kindAndContents(sniffed: Sniffed, given: readonly string[]): Pick<ArchiveRecord, 'kind' | 'kindSettled' | 'contents'> {
  const contents = sniffed.kind === ArchiveKind.IMAGES && sniffed.contents.length > 0 ? sniffed.contents : given.length > 0 ? given : sniffed.contents;
  return { kind: sniffed.kind, kindSettled: sniffed.settled, contents };
}

function cString(block: Buffer, start: number, end: number): string {
  const nul = block.indexOf(0, start);
  return block.toString('utf8', start, nul >= start && nul < end ? nul : end);
}

/** Entry size: octal text, or GNU base-256 for sizes octal cannot hold; -1 when garbled. */
function headerSize(block: Buffer): number {
  if ((block[124]! & 0x80) !== 0) {
    let n = 0;
    for (let i = 125; i < 136; i++) n = n * 256 + block[i]!;
    return Number.isSafeInteger(n) ? n : -1;
  }
  const text = block.toString('latin1', 124, 136).replace(/[\0 ]+$/, '').trim();
  return /^[0-7]+$/.test(text) ? parseInt(text, 8) : text === '' ? 0 : -1;
}

function checksumOk(block: Buffer): boolean {
  const stored = block.toString('latin1', 148, 156).replace(/[\0 ]+$/, '').trim();
  if (!/^[0-7]+$/.test(stored)) return false;
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
  return sum === parseInt(stored, 8);
}

/** PAX records "<len> <key>=<value>\n": only path and size matter here. */
function paxRecords(body: Buffer): { path?: string; size?: number } {
  const out: { path?: string; size?: number } = {};
  let i = 0;
  while (i < body.length) {
    const space = body.indexOf(0x20, i);
    const len = space > i ? parseInt(body.toString('latin1', i, space), 10) : NaN;
    if (!Number.isSafeInteger(len) || len <= 0 || i + len > body.length) break;
    const record = body.toString('utf8', space + 1, i + len - 1);
    const eq = record.indexOf('=');
    const key = record.slice(0, eq);
    const value = record.slice(eq + 1);
    if (key === 'path') out.path = value;
    if (key === 'size' && /^\d+$/.test(value)) out.size = Number(value);
    i += len;
  }
  return out;
}

const padded = (n: number) => Math.ceil(n / 512) * 512;

/**
 * Walks the headers of an uncompressed tar open in `fh` (of `size` bytes),
 * reading bodies only for `manifest.json` and PAX/long-name records.
 * @param maxEntries - give up (settled: false) after this many entries.
 */
export async function walkTar(fh: FileHandle, size: number, maxEntries = Number.POSITIVE_INFINITY): Promise<Sniffed> {
  const block = Buffer.alloc(512);
  const body = async (at: number, length: number, max: number) => {
    if (length > max || at + length > size) return undefined;
    const buf = Buffer.alloc(length);
    const { bytesRead } = await fh.read(buf, 0, length, at);
    return bytesRead === length ? buf : undefined;
  };
  let offset = 0;
  let entries = 0;
  let pax: { path?: string; size?: number } = {};
  let longName: string | undefined;
  while (offset + 512 <= size) {
    if (entries >= maxEntries) return { kind: ArchiveKind.UNKNOWN, contents: [], settled: false };
    const { bytesRead } = await fh.read(block, 0, 512, offset);
    // A short read, the zero end block or a bad checksum ends the walk: what was seen decides.
    if (bytesRead < 512 || block.every((b) => b === 0) || !checksumOk(block)) break;
    const own = headerSize(block);
    if (own < 0) break;
    const data = offset + 512;
    const type = String.fromCharCode(block[156]!);
    offset = data + padded(own);
    if (type === 'x') {
      const b = await body(data, own, META_MAX);
      pax = b ? paxRecords(b) : {};
      continue;
    }
    if (type === 'L') {
      const b = await body(data, own, META_MAX);
      longName = b ? cString(b, 0, b.length) : undefined;
      continue;
    }
    if (type === 'g' || type === 'K') continue;
    const ustar = block.toString('latin1', 257, 263) === 'ustar\0';
    const prefix = ustar ? cString(block, 345, 500) : '';
    const shortName = cString(block, 0, 100);
    const name = pax.path ?? longName ?? (prefix ? `${prefix}/${shortName}` : shortName);
    const entrySize = pax.size ?? own;
    offset = data + padded(entrySize);
    pax = {};
    longName = undefined;
    entries++;
    const verdict = classify(name);
    if (verdict === 'rootfs') return EXPORT;
    if (verdict === 'manifest') return imagesFromManifest(await body(data, entrySize, MANIFEST_MAX));
  }
  return UNKNOWN;
}

/**
 * {@link walkTar} on a file by path (opened O_NOFOLLOW); a file that cannot be
 * read is UNKNOWN and unsettled, for the background scan to retry.
 */
export async function sniffPlainFile(file: string, size: number, maxEntries?: number): Promise<Sniffed> {
  const fh = await open(file, READ_FLAGS).catch(() => undefined);
  if (!fh) return { kind: ArchiveKind.UNKNOWN, contents: [], settled: false };
  try {
    return await walkTar(fh, size, maxEntries);
  } catch {
    return { kind: ArchiveKind.UNKNOWN, contents: [], settled: false };
  } finally {
    await fh.close();
  }
}

/**
 * Scans a gzip-compressed tar fed chunk by chunk ({@link feed}), stopping at
 * the first verdict. Garbage (not gzip, not tar) ends as UNKNOWN, never as an error.
 */
export class GzipTarSniffer {
  private readonly gunzip = createGunzip();
  private readonly extract = tar.extract();
  private verdict: Sniffed | undefined;
  private readonly waiting = new Set<() => void>();
  private resolveResult!: (s: Sniffed) => void;
  private readonly result = new Promise<Sniffed>((resolve) => (this.resolveResult = resolve));

  constructor() {
    this.extract.on('entry', (header, stream, next) => {
      const verdict = this.verdict ? undefined : classify(header.name);
      if (verdict === 'manifest' && header.size <= MANIFEST_MAX) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: unknown) => chunks.push(c as Buffer));
        stream.on('end', () => {
          this.settle(imagesFromManifest(Buffer.concat(chunks)));
          next();
        });
        return;
      }
      if (verdict === 'manifest') this.settle(imagesFromManifest(undefined));
      if (verdict === 'rootfs') this.settle(EXPORT);
      stream.on('end', () => next());
      stream.resume();
    });
    this.extract.on('finish', () => this.settle(UNKNOWN));
    this.extract.on('error', () => this.settle(UNKNOWN));
    this.gunzip.on('error', () => this.settle(UNKNOWN));
    this.gunzip.pipe(this.extract as unknown as NodeJS.WritableStream);
  }

  /** True once the kind is known; later chunks are not looked at. */
  get done(): boolean {
    return this.verdict !== undefined;
  }

  /** Feeds the next compressed bytes; resolves when they have been parsed (that is the backpressure). */
  async feed(chunk: Buffer): Promise<void> {
    for (let i = 0; i < chunk.length && !this.done; i += FEED_SLICE) {
      const slice = chunk.subarray(i, i + FEED_SLICE);
      await new Promise<void>((resolve) => {
        const done = () => {
          this.waiting.delete(done);
          resolve();
        };
        this.waiting.add(done);
        this.gunzip.write(slice, done);
      });
    }
  }

  /** Ends the input and returns the verdict. */
  finish(): Promise<Sniffed> {
    if (!this.done) this.gunzip.end();
    return this.result;
  }

  /** Stops parsing; the verdict so far (UNKNOWN if none) is final. */
  dispose(): void {
    this.settle(UNKNOWN);
  }

  private settle(s: Sniffed): void {
    if (this.verdict) return;
    this.verdict = s;
    this.resolveResult(s);
    this.gunzip.unpipe();
    this.gunzip.destroy();
    this.extract.destroy();
    for (const resume of [...this.waiting]) resume();
  }
}

/** A pass-through that shows every chunk to `sniffer` until it has its verdict. */
export function sniffTap(sniffer: GzipTarSniffer): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (sniffer.done) return callback(null, chunk);
      sniffer.feed(chunk).then(
        () => callback(null, chunk),
        () => callback(null, chunk),
      );
    },
  });
}
