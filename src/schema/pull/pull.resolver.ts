import { RequiresRole } from '../../auth/roles';
import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import { RegistryAuthInput } from '../common/registry-auth.input';
import type { Context } from '../context';
import { Image } from '../image/image.type';
import { ImagePull } from './pull.type';

/** Pull jobs: start, cancel, list, follow. */
@Resolver(() => ImagePull)
export class PullResolver {
  @RequiresRole('operator')
  @Mutation(() => ImagePull, {
    description:
      'Like `docker pull`: starts a pull job and returns at once (wait: false) or when it ends (wait: true). Identical pulls running at the same time (same ref, platform, mirror and credentials) share one job. With mirror, pulls <mirror>/<ref> and tags it as <ref> too, as ops do with a domestic mirror. A bad ref is an error; once the job exists, its failure is status FAILED with the daemon\'s words in `error`.',
  })
  pullImage(
    @Arg('ref', { description: 'What to pull: name[:tag] or name@digest, e.g. busybox:1.36 or 127.0.0.1:5000/team/app:1. The tag defaults to latest.' }) ref: string,
    @Arg('mirror', () => String, { nullable: true, description: 'A Docker Hub mirror, host[:port][/prefix]: with a prefix it pulls <mirror>/<ref>; a bare host gets the Docker Hub path (official images under library/). Only for Docker Hub refs. Its host must be loopback, one of the daemon\'s insecure registries or mirrors, or listed in DOCKQL_REGISTRIES (else FORBIDDEN).' }) mirror: string | null,
    @Arg('platform', () => String, { nullable: true, description: 'os[/arch[/variant]], like `docker pull --platform`, e.g. linux/arm64. Default: the daemon\'s own.' }) platform: string | null,
    @Arg('auth', () => RegistryAuthInput, { nullable: true, description: 'Credentials for this pull only; never stored or echoed.' }) auth: RegistryAuthInput | null,
    @Arg('wait', () => Boolean, { nullable: true, defaultValue: false, description: 'true: return when the pull has ended (SUCCEEDED, FAILED or CANCELED).' }) wait: boolean | null,
    @Ctx() ctx: Context,
  ): Promise<ImagePull> {
    // An explicit null means the default, as for every argument with a default here.
    return ctx.services.pulls.pull({ ref, mirror, platform, auth, wait: wait ?? false });
  }

  @RequiresRole('operator')
  @Mutation(() => ImagePull, { description: 'Cancel a running pull (its status becomes CANCELED; the daemon request is aborted). A finished pull is returned unchanged.' })
  cancelPull(@Arg('id', () => ID, { description: 'The pull job id.' }) id: string, @Ctx() ctx: Context): ImagePull {
    return ctx.services.pulls.cancel(id);
  }

  @Query(() => [ImagePull], { description: 'Pulls that are running or recently finished (kept DOCKQL_JOB_RETENTION seconds, at most DOCKQL_JOB_HISTORY), newest first.' })
  pulls(@Ctx() ctx: Context): ImagePull[] {
    return ctx.services.pulls.list();
  }

  @RequiresRole('viewer')
  @Subscription(() => ImagePull, {
    description: 'A snapshot of the pull at once, then each change (at most 10 a second), completing after the final state. An unknown id ends with one NOT_FOUND error.',
    subscribe: ({ args, context }: SubscribeResolverData<unknown, { id: string }, Context>) => context.services.pulls.watch(args.id),
  })
  pullProgress(@Root() pull: ImagePull, @Arg('id', () => ID, { description: 'The pull job id (from pullImage or pulls).' }) _id: string): ImagePull {
    return pull;
  }

  @FieldResolver(() => Image, { nullable: true, description: 'The pulled image once it succeeded; null before, or when it was removed since.' })
  image(@Root() pull: ImagePull, @Ctx() ctx: Context): Promise<Image | null> | null {
    return pull.imageId ? ctx.services.images.byId(pull.imageId) : null;
  }
}
