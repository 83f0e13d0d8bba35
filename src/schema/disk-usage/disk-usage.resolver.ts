import { Ctx, Query, Resolver } from 'type-graphql';
import type { Context } from '../context';
import { DiskUsage } from './disk-usage.type';

/** `docker system df`. */
@Resolver()
export class DiskUsageResolver {
  @Query(() => DiskUsage, {
    description: 'Like `docker system df`: count, in use, size and reclaimable bytes of images, containers, local volumes and build cache. One daemon request, which walks every layer and volume: it can take seconds on large hosts.',
  })
  diskUsage(@Ctx() ctx: Context): Promise<DiskUsage> {
    return ctx.services.diskUsage.usage();
  }
}
