import { RequiresRole } from '../../auth/roles';
import { Arg, Ctx, FieldResolver, Int, Mutation, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import { type Envelope, unwrap } from '../../streams/envelope';
import type { Context } from '../context';
import { Container } from './container.type';
import { ContainerHealth, ContainerNetwork, ContainerPruneReport, ContainerStats, ContainerTop } from './container-details.type';

/** Container fields beyond `docker ps` (stats, top, health, networks), `docker stats` streaming, and prune. */
@Resolver(() => Container)
export class ContainerDetailsResolver {
  @FieldResolver(() => ContainerStats, {
    nullable: true,
    description:
      'One resource sample, like `docker stats --no-stream`; null unless running. Slow: the daemon answers after about one second (it needs two samples for the CPU %), and it costs one daemon request per container it is asked of (run concurrently for a list).',
  })
  stats(@Root() container: Container, @Ctx() ctx: Context): Promise<ContainerStats | null> {
    return ctx.services.containerDetails.stats(container);
  }

  @FieldResolver(() => ContainerTop, {
    nullable: true,
    description: 'Its processes, like `docker top`; null unless running. One daemon request per container it is asked of (the daemon runs `ps` on its host).',
  })
  top(
    @Root() container: Container,
    @Arg('psArgs', () => String, { nullable: true, defaultValue: '-ef', description: 'Options for `ps`, like `docker top <c> -eo pid,user,args` (letters, digits, spaces and , = _ . : - only; null means -ef).' }) psArgs: string | null,
    @Ctx() ctx: Context,
  ): Promise<ContainerTop | null> {
    return ctx.services.containerDetails.top(container, psArgs);
  }

  @FieldResolver(() => ContainerHealth, { nullable: true, description: 'Its health check state and last probes; null when it has no health check. Shares the one inspect per container of tty, startedAt...' })
  health(@Root() container: Container, @Ctx() ctx: Context): Promise<ContainerHealth | null> {
    return ctx.services.containerDetails.health(container);
  }

  @FieldResolver(() => [ContainerNetwork], {
    description: 'The networks it is connected to and its addresses there (`docker inspect` NetworkSettings.Networks); with network none, one entry `none` without addresses. Shares the one inspect per container of tty, startedAt...',
  })
  networks(@Root() container: Container, @Ctx() ctx: Context): Promise<ContainerNetwork[]> {
    return ctx.services.containerDetails.networks(container);
  }

  @RequiresRole('viewer')
  @Subscription(() => ContainerStats, {
    description:
      'Resource samples of a container, like `docker stats`: one per daemon sample (about one a second), completing when the container stops (at once when it is not running). An unknown container ends with one NOT_FOUND error.',
    subscribe: ({ args, context }: SubscribeResolverData<unknown, { ref: string }, Context>) => context.services.containerDetails.watchStats(args.ref),
  })
  containerStats(@Root() sample: Envelope<ContainerStats>, @Arg('ref', { description: 'The container: full id, unique id prefix, or name.' }) _ref: string): ContainerStats {
    return unwrap(sample);
  }

  @RequiresRole('admin')
  @Mutation(() => ContainerPruneReport, {
    description:
      'Like `docker container prune`: removes stopped (created, exited or dead) containers. Without labels it removes EVERY stopped container on the host; narrow it with labels and olderThanSeconds.',
  })
  pruneContainers(
    @Arg('labels', () => [String], { nullable: true, description: 'Only containers with every one of these labels: "key" or "key=value" (--filter label=...).' }) labels: string[] | null,
    @Arg('olderThanSeconds', () => Int, { nullable: true, description: 'Only containers created at least this many seconds ago (--filter until=<n>s).' }) olderThanSeconds: number | null,
    @Ctx() ctx: Context,
  ): Promise<ContainerPruneReport> {
    return ctx.services.containerDetails.prune(labels, olderThanSeconds);
  }
}
