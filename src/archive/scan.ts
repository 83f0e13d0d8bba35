/**
 * The background scan of one archive: its sha256 (files found in the
 * directory) and, where a listing could not afford it, its kind (gzip files,
 * very large plain tars). Runs on the store's one-at-a-time queue, reads the
 * file once, and records the result only if the file did not change meanwhile.
 */
import { createHash } from 'node:crypto';
import { lstat, open } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Logger } from '../logger';
import { type ArchiveRecord, describes, makeRecord, READ_FLAGS, writeSidecar } from './meta';
import { isGzipName } from './names';
import type { Mutex } from './serial';
import { GzipTarSniffer, kindAndContents, type Sniffed, sniffTap, walkTar } from './sniff';

/** What the scan needs of the store. */
export interface ScanContext {
  readonly dir: string;
  readonly log: Logger;
  readonly mutex: Mutex;
  readonly index: Map<string, ArchiveRecord>;
}

/** Hashes and/or sniffs archive `name` if its record still lacks that; aborts with `signal`. */
export async function scanInBackground(ctx: ScanContext, name: string, signal: AbortSignal): Promise<void> {
  const record = ctx.index.get(name);
  if (!record || (record.sha256 !== null && record.kindSettled)) return;
  const file = path.join(ctx.dir, name);
  const fh = await open(file, READ_FLAGS).catch(() => undefined);
  if (!fh) return;
  let sha256 = record.sha256;
  let sniffed: Sniffed | undefined;
  const started = Date.now();
  const gzip = !record.kindSettled && isGzipName(name) ? new GzipTarSniffer() : undefined;
  let streaming = false;
  try {
    const before = await fh.stat();
    if (!before.isFile() || !describes(record, before)) return;
    if (!record.kindSettled && !gzip) sniffed = await walkTar(fh, before.size);
    if (sha256 === null || gzip) {
      const hash = createHash('sha256');
      const sink = new Writable({
        write(chunk: Buffer, _encoding, callback) {
          hash.update(chunk);
          callback();
        },
      });
      // autoClose: the stream owns the handle from here (a FileHandle with an open stream cannot be closed).
      const source = fh.createReadStream({ autoClose: true });
      streaming = true;
      await (gzip ? pipeline(source, sniffTap(gzip), sink, { signal }) : pipeline(source, sink, { signal }));
      if (gzip) sniffed = await gzip.finish();
      sha256 ??= hash.digest('hex');
    }
    // The file must be the one we read, still under that name: copies in progress change size or mtime.
    const after = await lstat(file).catch(() => undefined);
    if (!after?.isFile() || after.ino !== before.ino || !describes(record, after)) return;
  } finally {
    gzip?.dispose();
    if (!streaming) await fh.close().catch(() => undefined);
  }
  await ctx.mutex.run(async () => {
    // Replaced, rewritten or deleted meanwhile: that version gets its own scan.
    if (ctx.index.get(name) !== record) return;
    const found = sniffed ? kindAndContents({ ...sniffed, settled: true }, record.contents) : { kind: record.kind, kindSettled: true, contents: record.contents };
    const next = makeRecord({ ...record, ...found, sha256 });
    ctx.index.set(name, next);
    await writeSidecar(ctx.dir, next).catch((err: unknown) => ctx.log.warn({ err, archive: name }, 'could not write archive metadata'));
  });
  ctx.log.info({ archive: name, sha256, kind: sniffed?.kind, ms: Date.now() - started }, 'archive scanned in the background');
}
