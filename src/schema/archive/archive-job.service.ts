/**
 * Archive jobs: save, export, load, import (one at a time or for the whole
 * host), cancel, list and watch. Everything a client can get wrong (bad name,
 * name taken, unknown ref, container or archive) is checked here before the
 * job starts and thrown as a GraphQL error; the store reserves a write's name
 * at that point. Once the job exists every failure is the job's.
 */
import { randomUUID } from 'node:crypto';
import type { ArchiveHandle } from '../../archive/handle';
import { ArchiveKind, ArchiveOrigin } from '../../archive/meta';
import { checkArchiveName, defaultArchiveName, exportArchiveName, isGzipName } from '../../archive/names';
import type { ArchiveStore, ArchiveWriter } from '../../archive/store';
import { openContainerExport, openImageSave } from '../../docker/archives';
import type { DockerClient } from '../../docker/client';
import type { JobResult, TransferJob, TransferJobs } from '../../streams/transfer-jobs';
import { watch } from '../../streams/watch-job';
import type { ContainerService } from '../container/container.service';
import { BadUserInputError, DockqlError, ErrorCode, NotFoundError } from '../errors';
import type { ImageService } from '../image/image.service';
import { checkImportChanges, checkImportMessage, checkSaveRefs, importTarget, nameSourceRef } from './archive-job.checks';
import { type ArchiveJobFacts, archiveJobSpec, toArchiveJob } from './archive-job.mapper';
import { ArchiveOperation, type ArchiveJob } from './archive-job.type';
import { importArchive, loadArchive, writeArchive } from './archive-job.work';

/** Saves of saveAllImages running at once: the disk is the bottleneck, so few. */
const SAVE_ALL_CONCURRENCY = 2;

/** What the service works with; the job store and archive store outlive requests. */
export interface ArchiveJobDeps {
  readonly docker: DockerClient;
  readonly jobs: TransferJobs;
  readonly store: ArchiveStore;
  readonly images: ImageService;
  readonly containers: ContainerService;
}

/** One image of saveAllImages: its tags and the archive they go to. */
interface SavePlan {
  readonly tags: string[];
  readonly name: string;
}

/** Starts archive jobs for one GraphQL operation; the jobs themselves live in the shared job store. */
export class ArchiveJobService {
  constructor(private readonly deps: ArchiveJobDeps) {}

  /** `docker save -o <name> <refs...>`. @throws BAD_USER_INPUT, NOT_FOUND (a ref), CONFLICT (the name). */
  async save(refs: readonly string[], name: string | null | undefined, overwrite: boolean, wait: boolean): Promise<ArchiveJob> {
    const unique = checkSaveRefs(refs);
    if (name != null) checkWriteName(name);
    let nameSource: string | undefined;
    for (const [i, ref] of unique.entries()) {
      const image = await this.deps.images.find(ref, `refs[${i}]`);
      if (!image) throw new NotFoundError(`no such image: ${ref}`, { argument: `refs[${i}]` });
      nameSource ??= nameSourceRef(ref, image);
    }
    const archiveName = name ?? defaultArchiveName(nameSource!, 'refs');
    const writer = await this.deps.store.createWriter(archiveName, { overwrite, origin: ArchiveOrigin.SAVED, contents: unique });
    return this.finish(this.startSave(writer, unique), wait);
  }

  /** `docker export <ref> > <name>`. @throws BAD_USER_INPUT, NOT_FOUND (the container), CONFLICT (the name). */
  async export(ref: string, name: string | null | undefined, overwrite: boolean, wait: boolean): Promise<ArchiveJob> {
    if (name != null) checkWriteName(name);
    const container = await this.deps.containers.find(ref);
    if (!container) throw new NotFoundError(`no such container: ${ref}`, { argument: 'ref' });
    const archiveName = name ?? exportArchiveName(container.name);
    const writer = await this.deps.store.createWriter(archiveName, { overwrite, origin: ArchiveOrigin.EXPORTED, contents: [container.name, container.id] });
    const job = this.start({ operation: ArchiveOperation.EXPORT, archiveName, refs: [container.name] }, (j) =>
      writeArchive(j, this.deps, writer, (signal) => openContainerExport(this.deps.docker, container.id, signal), "the daemon's export stream"),
    );
    return this.finish(job, wait);
  }

  /** `docker load -i <archive>`. @throws BAD_USER_INPUT (the name), NOT_FOUND (the archive). */
  async load(archive: string, wait: boolean): Promise<ArchiveJob> {
    const handle = await this.deps.store.open(archive, 'archive');
    return this.finish(this.startLoad(handle), wait);
  }

  /** `docker import <archive> <ref>` with `changes`. @throws BAD_USER_INPUT (name, ref, changes, message), NOT_FOUND (the archive). */
  async import(archive: string, ref: string, changes: readonly string[] | null | undefined, message: string | null | undefined, wait: boolean): Promise<ArchiveJob> {
    const target = importTarget(ref);
    const checkedChanges = checkImportChanges(changes);
    const checkedMessage = checkImportMessage(message);
    const handle = await this.deps.store.open(archive, 'archive');
    const job = this.start({ operation: ArchiveOperation.IMPORT, archiveName: handle.info.name, refs: [target.display] }, (j) =>
      importArchive(j, this.deps, handle, { repo: target.repo, tag: target.tag, message: checkedMessage, changes: checkedChanges }),
    );
    this.reading(job, handle);
    return this.finish(job, wait);
  }

  /**
   * Every tagged image into its own archive (all its tags, named after the
   * first tag in sorted order by the default rule); dangling images are
   * skipped. Every name is reserved before the first save, so a taken name
   * (without overwrite) fails the whole call before any job starts.
   */
  async saveAll(overwrite: boolean): Promise<ArchiveJob[]> {
    const plans = (await this.deps.docker.listImages())
      .map((image) => (image.RepoTags ?? []).filter((t) => t !== '<none>:<none>').sort())
      .filter((tags) => tags.length > 0)
      .map((tags): SavePlan => ({ tags, name: defaultArchiveName(tags[0]!) }));
    const writers = await this.reserveAll(plans, overwrite);
    const jobs: TransferJob[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < plans.length) {
        const i = next++;
        const job = this.startSave(writers[i]!, plans[i]!.tags);
        jobs[i] = job;
        await job.whenFinished();
      }
    };
    await Promise.all(Array.from({ length: Math.min(SAVE_ALL_CONCURRENCY, plans.length) }, worker));
    return jobs.map(toArchiveJob);
  }

  /**
   * `docker load` of every IMAGES archive in the directory, one after the
   * other; a failure ends that job only. Waits for the background scan first,
   * so files put there by hand have their kind.
   */
  async loadAll(): Promise<ArchiveJob[]> {
    await this.deps.store.idle();
    const jobs: TransferJob[] = [];
    for (const info of await this.deps.store.list()) {
      if (info.kind !== ArchiveKind.IMAGES) continue;
      // Removed (or replaced by something that is not a file) since the listing: not an archive to load any more.
      const handle = await this.deps.store.open(info.name, 'archive').catch(() => undefined);
      if (!handle) continue;
      const job = this.startLoad(handle);
      jobs.push(job);
      await job.whenFinished();
    }
    return jobs.map(toArchiveJob);
  }

  /** Cancels a running job (CANCELED; a write keeps nothing); a finished one is returned as it is. */
  cancel(id: string): ArchiveJob {
    const job = this.find(id);
    job.cancel();
    return toArchiveJob(job);
  }

  /** Running and recently finished archive jobs, newest first. */
  list(): ArchiveJob[] {
    return this.deps.jobs.list('archive').map(toArchiveJob);
  }

  /** The job's state now, then its changes (throttled), ending after its final state. */
  watch(id: string): AsyncIterableIterator<ArchiveJob> {
    const job = this.find(id);
    return watch({ get finished() { return job.finished; }, onChange: (l) => job.onChange(l), whenFinished: () => job.whenFinished(), view: () => toArchiveJob(job) });
  }

  private find(id: string): TransferJob {
    const job = this.deps.jobs.get(id, 'archive');
    if (!job) throw new NotFoundError(`no archive job with id ${JSON.stringify(id.slice(0, 100))} (finished jobs are kept for a limited time)`, { argument: 'id' });
    return job;
  }

  private startSave(writer: ArchiveWriter, refs: readonly string[]): TransferJob {
    return this.start({ operation: ArchiveOperation.SAVE, archiveName: writer.name, refs }, (j) =>
      writeArchive(j, this.deps, writer, (signal) => openImageSave(this.deps.docker, refs, signal), "the daemon's save stream"),
    );
  }

  private startLoad(handle: ArchiveHandle): TransferJob {
    const job = this.start({ operation: ArchiveOperation.LOAD, archiveName: handle.info.name, refs: [] }, (j) => loadArchive(j, this.deps, handle));
    this.reading(job, handle);
    return job;
  }

  /** A read's archive and size are known from the start. */
  private reading(job: TransferJob, handle: ArchiveHandle): void {
    job.countBytes(0, handle.size);
    job.report({ archive: handle.info });
  }

  private start(facts: ArchiveJobFacts, work: (job: TransferJob) => Promise<JobResult>): TransferJob {
    // Archive jobs are never merged: each call is its own job (two writes to one name are already a CONFLICT).
    return this.deps.jobs.run({ kind: 'archive', key: `archive|${randomUUID()}`, ...archiveJobSpec(facts) }, work).job;
  }

  private async finish(job: TransferJob, wait: boolean): Promise<ArchiveJob> {
    if (wait) await job.whenFinished();
    return toArchiveJob(job);
  }

  /** Reserves every plan's name; on any failure releases them all and throws (CONFLICT lists the taken names). */
  private async reserveAll(plans: readonly SavePlan[], overwrite: boolean): Promise<ArchiveWriter[]> {
    const writers: ArchiveWriter[] = [];
    const taken: string[] = [];
    let other: unknown;
    for (const plan of plans) {
      try {
        writers.push(await this.deps.store.createWriter(plan.name, { overwrite, origin: ArchiveOrigin.SAVED, contents: plan.tags }));
      } catch (err) {
        if (err instanceof DockqlError && err.code === ErrorCode.CONFLICT) taken.push(plan.name);
        else other ??= err;
      }
    }
    if (!taken.length && other === undefined) return writers;
    for (const w of writers) w.cancel();
    if (other !== undefined) throw other;
    const shown = taken.length > 20 ? `${taken.slice(0, 20).join(', ')} and ${taken.length - 20} more` : taken.join(', ');
    throw new DockqlError(ErrorCode.CONFLICT, `archives already exist (or are being written) for ${taken.length} image(s): ${shown}; pass overwrite: true to replace them`, { archives: taken.slice(0, 100) });
  }
}

/** A name a save or export may write: the daemon sends a plain tar, so never a .tar.gz name (loads take those). */
function checkWriteName(name: string): void {
  checkArchiveName(name);
  if (isGzipName(name)) throw new BadUserInputError(`name ${JSON.stringify(name)}: a save or export writes a plain tar; give a name ending in .tar`, { argument: 'name' });
}
