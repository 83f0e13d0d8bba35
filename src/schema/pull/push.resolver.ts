import { RequiresRole } from '../../auth/roles';
import { Arg, Ctx, ID, Mutation, Query, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import { RegistryAuthInput } from '../common/registry-auth.input';
import type { Context } from '../context';
import { ImagePush } from './pull.type';

/** Push jobs: start, list, follow. */
@Resolver(() => ImagePush)
export class PushResolver {
  @RequiresRole('operator')
  @Mutation(() => ImagePush, {
    description: 'Like `docker push`: pushes a local image to the registry its name says (e.g. 127.0.0.1:5000/team/app:1). A job like pulls: by default returns when it ends; a failure is status FAILED with the daemon\'s words.',
  })
  pushImage(
    @Arg('ref', { description: 'The local image to push, as registry/repository[:tag]; the tag defaults to latest.' }) ref: string,
    @Arg('auth', () => RegistryAuthInput, { nullable: true, description: 'Credentials for this push only; never stored or echoed.' }) auth: RegistryAuthInput | null,
    @Arg('wait', () => Boolean, { nullable: true, defaultValue: true, description: 'false: return at once with the running job (follow it with pushProgress).' }) wait: boolean | null,
    @Ctx() ctx: Context,
  ): Promise<ImagePush> {
    return ctx.services.pushes.push(ref, auth, wait ?? true);
  }

  @Query(() => [ImagePush], { description: 'Pushes that are running or recently finished, newest first.' })
  pushes(@Ctx() ctx: Context): ImagePush[] {
    return ctx.services.pushes.list();
  }

  @RequiresRole('viewer')
  @Subscription(() => ImagePush, {
    description: 'A snapshot of the push at once, then each change (at most 10 a second), completing after the final state. An unknown id ends with one NOT_FOUND error.',
    subscribe: ({ args, context }: SubscribeResolverData<unknown, { id: string }, Context>) => context.services.pushes.watch(args.id),
  })
  pushProgress(@Root() push: ImagePush, @Arg('id', () => ID, { description: 'The push job id (from pushImage or pushes).' }) _id: string): ImagePush {
    return push;
  }
}
