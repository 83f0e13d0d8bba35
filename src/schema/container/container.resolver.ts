import { Arg, Ctx, FieldResolver, Int, Query, Resolver, Root } from 'type-graphql';
import { parseDaemonTime } from '../../docker/ps-status';
import type { Context } from '../context';
import { Image } from '../image/image.type';
import { DateTimeScalar } from '../scalars';
import { ContainerFilter } from './container.input';
import { Container } from './container.type';

/** Container queries and the Container fields that need more than `docker ps`. */
@Resolver(() => Container)
export class ContainerResolver {
  @Query(() => [Container], { description: 'Like `docker ps -a`: every container unless filter.states narrows it; newest first.' })
  containers(
    @Arg('filter', () => ContainerFilter, { nullable: true, description: 'Narrow the list, like `docker ps --filter`.' }) filter: ContainerFilter | null,
    @Ctx() ctx: Context,
  ): Promise<Container[]> {
    return ctx.services.containers.list(filter);
  }

  @Query(() => Container, { nullable: true, description: 'One container by ref; null when it does not exist.' })
  container(
    @Arg('ref', { description: 'Full id, unique id prefix, or name.' }) ref: string,
    @Ctx() ctx: Context,
  ): Promise<Container | null> {
    return ctx.services.containers.find(ref);
  }

  @FieldResolver(() => Image, { nullable: true, description: 'The image it was created from; null when that image was removed.' })
  image(@Root() container: Container, @Ctx() ctx: Context): Promise<Image | null> {
    return ctx.services.images.byId(container.imageId);
  }

  @FieldResolver(() => Int, { nullable: true, description: 'Exit code of its main process once it exited; null while created or running.' })
  exitCode(@Root() container: Container, @Ctx() ctx: Context): Promise<number | null> {
    return ctx.services.containers.exitCode(container);
  }

  @FieldResolver(() => DateTimeScalar, { nullable: true, description: 'When its main process last started; null if never started.' })
  async startedAt(@Root() container: Container, @Ctx() ctx: Context): Promise<Date | null> {
    return parseDaemonTime((await ctx.services.containers.details(container))?.State?.StartedAt);
  }

  @FieldResolver(() => DateTimeScalar, { nullable: true, description: 'When its main process last ended; null if it has not ended.' })
  async finishedAt(@Root() container: Container, @Ctx() ctx: Context): Promise<Date | null> {
    return parseDaemonTime((await ctx.services.containers.details(container))?.State?.FinishedAt);
  }

  @FieldResolver(() => Boolean, { description: 'Allocated a terminal (-t).' })
  async tty(@Root() container: Container, @Ctx() ctx: Context): Promise<boolean> {
    return Boolean((await ctx.services.containers.details(container))?.Config?.Tty);
  }

  @FieldResolver(() => Boolean, { description: 'Keeps stdin open (-i).' })
  async openStdin(@Root() container: Container, @Ctx() ctx: Context): Promise<boolean> {
    return Boolean((await ctx.services.containers.details(container))?.Config?.OpenStdin);
  }
}
