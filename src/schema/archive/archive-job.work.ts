/**
 * The daemon side of archive jobs: what runs once a job exists. Every failure
 * here ends the job FAILED (or CANCELED) with a message for ops; nothing here
 * throws at a client.
 *
 * Writes stream the daemon's tar into the store's writer (atomic: a write that
 * does not finish leaves neither the archive nor a temp file). Reads stream
 * the pinned file into the daemon request. Both count bytes as they pass, so
 * memory stays flat whatever the archive's size.
 */
import type { Readable } from 'node:stream';
import type { ArchiveHandle } from '../../archive/handle';
import { ArchiveKind } from '../../archive/meta';
import type { FileRequestBody } from '../../archive/request-body';
import type { ArchiveStore, ArchiveWriter } from '../../archive/store';
import { importedImageId, loadedImage, postImageImport, postImageLoad, type ImportOptions } from '../../docker/archives';
import type { DockerClient } from '../../docker/client';
import { type ProgressMessage, ProgressStreamError, readProgressStream } from '../../docker/ndjson';
import { IncompleteTarError } from '../../docker/tar-end';
import type { ChunkSource } from '../../streams/chunk-source';
import type { JobResult, TransferJob } from '../../streams/transfer-jobs';
import { DockqlError } from '../errors';

/** A job failure in this module's words (already written for ops). */
class ArchiveJobError extends Error {
  override readonly name = 'ArchiveJobError';
}

/** What the work needs from the service. */
export interface WorkDeps {
  readonly docker: DockerClient;
  readonly store: ArchiveStore;
}

/**
 * Writes what `open` streams (a save or an export) through `writer`. A job
 * canceled while the file was being committed has its archive deleted again,
 * so that CANCELED always means "no archive".
 * @param what - the stream's name in error messages, e.g. "the daemon's save stream".
 */
export async function writeArchive(job: TransferJob, deps: WorkDeps, writer: ArchiveWriter, open: (signal: AbortSignal) => Promise<Readable | ChunkSource>, what: string): Promise<JobResult> {
  let source: Readable | ChunkSource | undefined;
  try {
    if (job.signal.aborted) throw new ArchiveJobError('canceled before it started');
    source = await open(job.signal);
    const info = await writer.write(source, { signal: job.signal, onProgress: (n) => job.countBytes(n) });
    if (job.signal.aborted) {
      await deps.store.delete(info.name).catch(() => undefined);
      throw new ArchiveJobError('canceled while the archive was being committed; it was removed');
    }
    job.countBytes(info.size, info.size);
    return { archive: info };
  } catch (err) {
    throw brokenStream(err, what, job.bytesDone);
  } finally {
    // Releases the name when write() never ran (open failed, canceled first); a no-op after write().
    writer.cancel();
    // A write that failed before reading (no temp file) would leave the daemon's answer open; a no-op once consumed.
    source?.destroy();
  }
}

/**
 * `docker load` of the pinned file. Images are reported as the daemon names
 * them, so a load that fails half-way lists exactly what the daemon said it
 * loaded (its load is not transactional) and never more.
 */
export async function loadArchive(job: TransferJob, deps: WorkDeps, handle: ArchiveHandle): Promise<JobResult> {
  const { name, kind } = handle.info;
  const loaded = new LoadedImages(deps.docker, job);
  let body: FileRequestBody | undefined;
  try {
    if (kind === ArchiveKind.CONTAINER_EXPORT) throw new ArchiveJobError(`"${name}" is a container export (a root filesystem), not an image archive: import it with importImage instead`);
    if (job.signal.aborted) throw new ArchiveJobError('canceled before it started');
    body = handle.requestBody((n) => job.countBytes(n));
    const response = await postImageLoad(deps.docker, body, job.signal);
    await readProgressStream(response, (m) => loaded.add(m), { signal: job.signal });
    const ids = await loaded.settled();
    if (!ids.length) throw new ArchiveJobError(`the daemon finished loading "${name}" but named no image it loaded`);
    return { imageIds: ids };
  } catch (err) {
    await loaded.settled();
    throw brokenStream(err, `the upload of "${name}" to the daemon`, job.bytesDone);
  } finally {
    body?.destroy();
    await handle.close();
  }
}

/** `docker import` of the pinned file, tagged as `options` say. */
export async function importArchive(job: TransferJob, deps: WorkDeps, handle: ArchiveHandle, options: ImportOptions): Promise<JobResult> {
  const { name, kind } = handle.info;
  let body: FileRequestBody | undefined;
  try {
    if (kind === ArchiveKind.IMAGES) throw new ArchiveJobError(`"${name}" is an image archive (docker save), not a root filesystem: load it with loadImages instead`);
    if (job.signal.aborted) throw new ArchiveJobError('canceled before it started');
    body = handle.requestBody((n) => job.countBytes(n));
    const response = await postImageImport(deps.docker, body, options, job.signal);
    let id: string | undefined;
    await readProgressStream(response, (m) => (id = importedImageId(m) ?? id), { signal: job.signal });
    // The daemon can end a stream "successfully" without the image: believe only the image store.
    const image = id ? await deps.docker.inspectImage(id) : null;
    if (!image) throw new ArchiveJobError(`the daemon ended the import of "${name}" without the new image`);
    return { imageIds: [image.Id] };
  } catch (err) {
    throw brokenStream(err, `the upload of "${name}" to the daemon`, job.bytesDone);
  } finally {
    body?.destroy();
    await handle.close();
  }
}

/**
 * The images a load stream names, resolved to ids in order and reported to the
 * job as they come (a tag is looked up at once, before anything can move it).
 */
class LoadedImages {
  private readonly ids: string[] = [];
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly docker: DockerClient,
    private readonly job: TransferJob,
  ) {}

  add(message: ProgressMessage): void {
    const image = loadedImage(message);
    if (!image) return;
    this.chain = this.chain.then(async () => {
      const id = 'id' in image ? image.id : (await this.docker.inspectImage(image.ref).catch(() => null))?.Id;
      if (!id || this.ids.includes(id)) return;
      this.ids.push(id);
      this.job.report({ imageIds: [...this.ids] });
    });
  }

  /** Every id resolved so far, once the lookups of the lines seen are done. */
  async settled(): Promise<string[]> {
    await this.chain;
    return [...this.ids];
  }
}

/**
 * Errors that already speak for themselves (the daemon's words, the store's,
 * a stream parser's) pass; a bare socket error ("aborted", ECONNRESET) gets
 * the context ops need to read it.
 */
function brokenStream(err: unknown, what: string, bytes: number): unknown {
  if (err instanceof DockqlError || err instanceof ArchiveJobError || err instanceof IncompleteTarError || err instanceof ProgressStreamError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new ArchiveJobError(`${what} broke off after ${bytes} bytes: ${message}`);
}
