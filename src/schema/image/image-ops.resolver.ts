import { RequiresRole } from '../../auth/roles';
import { Arg, Ctx, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../context';
import { ImageDeleteItem, ImageSearchResult, PruneReport } from './image-ops.type';
import { Image } from './image.type';

/** Changing local images, and searching the index. */
@Resolver()
export class ImageOpsResolver {
  @RequiresRole('operator')
  @Mutation(() => Image, { description: 'Like `docker tag SOURCE TARGET`: returns the image with its new tag.' })
  tagImage(
    @Arg('source', { description: 'The image to tag: name[:tag], id or unique id prefix.' }) source: string,
    @Arg('target', { description: 'The new name, repository[:tag] (tag defaults to latest), e.g. 127.0.0.1:5000/team/app:1.' }) target: string,
    @Ctx() ctx: Context,
  ): Promise<Image> {
    return ctx.services.imageOps.tag(source, target);
  }

  @RequiresRole('operator')
  @Mutation(() => [ImageDeleteItem], {
    description: 'Like `docker rmi`. Returns what was untagged and deleted. By name it removes that tag (and the image with its last tag); by id it removes the image, which the daemon refuses (CONFLICT) while several repositories or a container use it, unless force.',
  })
  removeImage(
    @Arg('ref', { description: 'name[:tag], id or unique id prefix.' }) ref: string,
    @Arg('force', () => Boolean, { nullable: true, defaultValue: false, description: 'Like `docker rmi -f`: remove even when tagged in several repositories or used by a stopped container.' }) force: boolean | null,
    @Arg('noPrune', () => Boolean, { nullable: true, defaultValue: false, description: 'Like `docker rmi --no-prune`: keep untagged parent layers.' }) noPrune: boolean | null,
    @Ctx() ctx: Context,
  ): Promise<ImageDeleteItem[]> {
    return ctx.services.imageOps.remove(ref, force ?? false, noPrune ?? false);
  }

  @RequiresRole('admin')
  @Mutation(() => PruneReport, { description: 'Like `docker image prune`: removes dangling images; with all: true (`-a`), every image no container uses.' })
  pruneImages(
    @Arg('all', () => Boolean, { nullable: true, defaultValue: false, description: 'Also remove tagged images that no container uses (`docker image prune -a`).' }) all: boolean | null,
    @Ctx() ctx: Context,
  ): Promise<PruneReport> {
    return ctx.services.imageOps.prune(all ?? false);
  }

  @Query(() => [ImageSearchResult], { description: 'Like `docker search`: asks the daemon\'s configured index (Docker Hub unless configured otherwise). Bounded by DOCKQL_SEARCH_TIMEOUT (then TIMEOUT).' })
  searchImages(
    @Arg('term', { description: 'Search term, e.g. nginx.' }) term: string,
    @Arg('limit', () => Int, { nullable: true, defaultValue: 25, description: 'At most this many results (1-100).' }) limit: number | null,
    @Ctx() ctx: Context,
  ): Promise<ImageSearchResult[]> {
    return ctx.services.imageOps.search(term, limit ?? 25);
  }
}
