import { RequiresRole } from '../../auth/roles';
import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, FieldResolver, ID, Info, Mutation, Query, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import type { Context } from '../context';
import { Image } from '../image/image.type';
import { ArchiveJob } from './archive-job.type';

const NAME = 'File name in the archive directory: letters, digits, ".", "_" and "-", ending in .tar; no directories.';
const OVERWRITE = 'true: replace an archive of that name (atomically: readers of the old file are not disturbed). Otherwise an existing name is CONFLICT.';
const WAIT = 'false: return at once with the running job (follow it with archiveProgress). An explicit null means the default.';
const ARCHIVE = 'File name of an archive in the archive directory, e.g. centos_7.tar (upload one with PUT /archives/<name>).';

/**
 * Archive jobs: `docker save/load/export/import` into and out of the archive
 * directory, one at a time or for the whole host, with progress. An explicit
 * null for an argument with a default means the default.
 */
@Resolver(() => ArchiveJob)
export class ArchiveJobResolver {
  @RequiresRole('operator')
  @Mutation(() => ArchiveJob, {
    description:
      'Like `docker save -o <name> <refs...>`, into the archive directory: every ref (and, for a ref without a tag, every tag of that repository) in one tar. The job\'s archive is the result. An unknown ref is NOT_FOUND, a taken name CONFLICT, both before any job starts; a save that fails or is canceled half-way leaves no file.',
  })
  saveImages(
    @Arg('refs', () => [String], { description: 'Images to save: name[:tag], name@digest, a full id or a unique id prefix, e.g. ["centos:7", "busybox:1.36"].' }) refs: string[],
    @Arg('name', () => String, { nullable: true, description: `${NAME} Default: made from the first ref, readable and collision-free (centos:7 -> centos_7.tar, team/app:1 -> team__app_1.tar).` }) name: string | null,
    @Arg('overwrite', () => Boolean, { nullable: true, defaultValue: false, description: OVERWRITE }) overwrite: boolean | null,
    @Arg('wait', () => Boolean, { nullable: true, defaultValue: true, description: WAIT }) wait: boolean | null,
    @Ctx() ctx: Context,
  ): Promise<ArchiveJob> {
    return ctx.services.archiveJobs.save(refs, name, overwrite ?? false, wait ?? true);
  }

  @RequiresRole('operator')
  @Mutation(() => ArchiveJob, {
    description:
      'Like `docker load -i <archive>`. The job\'s images are the result. A file that is not an image archive, or a load the daemon reports as failed, ends the job FAILED with the daemon\'s words; the daemon\'s load is not transactional, so `images` then lists exactly what it reported as loaded.',
  })
  loadImages(
    @Arg('archive', { description: `${ARCHIVE} .tar.gz archives load too.` }) archive: string,
    @Arg('wait', () => Boolean, { nullable: true, defaultValue: true, description: WAIT }) wait: boolean | null,
    @Ctx() ctx: Context,
  ): Promise<ArchiveJob> {
    return ctx.services.archiveJobs.load(archive, wait ?? true);
  }

  @RequiresRole('operator')
  @Mutation(() => ArchiveJob, {
    description: 'Like `docker export <container> > <name>`, into the archive directory: the container\'s root filesystem (without volumes). The job\'s archive is the result. Import it with importImage.',
  })
  exportContainer(
    @Arg('ref', { description: 'The container: full id, unique id prefix, or name.' }) ref: string,
    @Arg('name', () => String, { nullable: true, description: `${NAME} Default: <container name>.tar, as ops write \`docker export web > web.tar\`.` }) name: string | null,
    @Arg('overwrite', () => Boolean, { nullable: true, defaultValue: false, description: OVERWRITE }) overwrite: boolean | null,
    @Arg('wait', () => Boolean, { nullable: true, defaultValue: true, description: WAIT }) wait: boolean | null,
    @Ctx() ctx: Context,
  ): Promise<ArchiveJob> {
    return ctx.services.archiveJobs.export(ref, name, overwrite ?? false, wait ?? true);
  }

  @RequiresRole('operator')
  @Mutation(() => ArchiveJob, {
    description:
      'Like `docker import <archive> <ref>`: a root filesystem (e.g. from exportContainer) becomes a one-layer image tagged ref, with no CMD unless changes give one. The job\'s images are the result.',
  })
  importImage(
    @Arg('archive', { description: `${ARCHIVE} It must hold a root filesystem, not an image archive (load those with loadImages).` }) archive: string,
    @Arg('ref', { description: 'What to tag the new image: name[:tag] (tag defaults to latest), e.g. team/app:1.' }) ref: string,
    @Arg('changes', () => [String], {
      nullable: true,
      description: 'Dockerfile instructions applied to the image, one per entry, like `docker import --change`: CMD, ENTRYPOINT, ENV, EXPOSE, HEALTHCHECK, LABEL, ONBUILD, USER, VOLUME or WORKDIR, e.g. CMD ["/bin/sh"]. Others are BAD_USER_INPUT.',
    })
    changes: string[] | null,
    @Arg('message', () => String, { nullable: true, description: 'Commit message for the image, shown by `docker history` (like `docker import --message`).' }) message: string | null,
    @Arg('wait', () => Boolean, { nullable: true, defaultValue: true, description: WAIT }) wait: boolean | null,
    @Ctx() ctx: Context,
  ): Promise<ArchiveJob> {
    return ctx.services.archiveJobs.import(archive, ref, changes, message, wait ?? true);
  }

  @RequiresRole('operator')
  @Mutation(() => [ArchiveJob], {
    description:
      'Save every tagged image, one archive per image holding all its tags, named after its first tag (sorted) by the default rule; dangling images are skipped (the ops script \'export all images\'). Returns when all are done; a failed save fails that job only. Without overwrite, any name already taken is one CONFLICT before anything is saved.',
  })
  saveAllImages(
    @Arg('overwrite', () => Boolean, { nullable: true, defaultValue: false, description: 'true: replace archives of the same names. Otherwise existing names are CONFLICT (listed in the error) and nothing is saved.' })
    overwrite: boolean | null,
    @Ctx() ctx: Context,
  ): Promise<ArchiveJob[]> {
    return ctx.services.archiveJobs.saveAll(overwrite ?? false);
  }

  @RequiresRole('operator')
  @Mutation(() => [ArchiveJob], {
    description:
      'Load every IMAGES archive in the archive directory, one after the other (the ops script \'import all images\'): one job each, failures reported per job without stopping; returns when all are done. Files put there by hand are classified first.',
  })
  loadAllArchives(@Ctx() ctx: Context): Promise<ArchiveJob[]> {
    return ctx.services.archiveJobs.loadAll();
  }

  @RequiresRole('operator')
  @Mutation(() => ArchiveJob, { description: 'Cancel a running archive job (status CANCELED): the daemon request is aborted, and a save or export keeps no file. A finished job is returned unchanged.' })
  cancelArchiveJob(@Arg('id', () => ID, { description: 'The archive job id.' }) id: string, @Ctx() ctx: Context): ArchiveJob {
    return ctx.services.archiveJobs.cancel(id);
  }

  @Query(() => [ArchiveJob], { description: 'Archive jobs that are running or recently finished (kept DOCKQL_JOB_RETENTION seconds, at most DOCKQL_JOB_HISTORY), newest first.' })
  archiveJobs(@Ctx() ctx: Context): ArchiveJob[] {
    return ctx.services.archiveJobs.list();
  }

  @RequiresRole('viewer')
  @Subscription(() => ArchiveJob, {
    description: 'A snapshot of the archive job at once, then each change in bytes written or read (at most 10 a second), completing after the final state. An unknown id ends with one NOT_FOUND error.',
    subscribe: ({ args, context }: SubscribeResolverData<unknown, { id: string }, Context>) => context.services.archiveJobs.watch(args.id),
  })
  archiveProgress(@Root() job: ArchiveJob, @Arg('id', () => ID, { description: 'The archive job id (from a mutation with wait: false, or archiveJobs).' }) _id: string): ArchiveJob {
    return job;
  }

  @FieldResolver(() => [Image], { description: 'Images loaded or imported (LOAD, IMPORT), as the daemon reported them; for a failed load, only what it reported before failing. Images removed since are left out.' })
  async images(@Root() job: ArchiveJob, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo): Promise<Image[]> {
    // A subscription's loaders live as long as it does: read each image afresh so that tags loaded later show.
    const read = info.operation.operation === 'subscription' ? (id: string) => ctx.services.images.fresh(id) : (id: string) => ctx.services.images.byId(id);
    const images = await Promise.all(job.imageIds.map(read));
    return images.filter((i): i is Image => i !== null);
  }
}
