import { RequiresRole } from '../../auth/roles';
import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../context';
import { Archive } from './archive.type';

/** The archive directory: list, look up, delete. Files move over HTTP (GET/PUT /archives/<name>). */
@Resolver(() => Archive)
export class ArchiveResolver {
  @Query(() => [Archive], { description: 'Archives in the service\'s archive directory (DOCKQL_ARCHIVE_DIR), sorted by name, including files put there by hand (origin FOUND). Never waits for hashing.' })
  archives(@Ctx() ctx: Context): Promise<Archive[]> {
    return ctx.services.archives.list();
  }

  @Query(() => Archive, { nullable: true, description: 'One archive by file name; null when there is none.' })
  archive(@Arg('name', { description: 'File name in the archive directory, e.g. centos_7.tar.' }) name: string, @Ctx() ctx: Context): Promise<Archive | null> {
    return ctx.services.archives.get(name);
  }

  @RequiresRole('admin')
  @Mutation(() => Boolean, { description: 'Deletes an archive file (and its metadata) from the archive directory; true when deleted. An unknown name is NOT_FOUND; an archive being written is CONFLICT.' })
  deleteArchive(@Arg('name', { description: 'File name in the archive directory, e.g. centos_7.tar.' }) name: string, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.archives.delete(name);
  }
}
