import { Arg, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../context';
import { Container } from '../container/container.type';
import { Network } from './network.type';

/** Networks: `docker network ls/inspect`. */
@Resolver(() => Network)
export class NetworkResolver {
  @Query(() => [Network], { description: 'Like `docker network ls`: every network, sorted by name (bridge, host and none are the daemon\'s own).' })
  networks(@Ctx() ctx: Context): Promise<Network[]> {
    return ctx.services.networks.list();
  }

  @Query(() => Network, { nullable: true, description: 'One network, like `docker network inspect`; null when it does not exist.' })
  network(@Arg('idOrName', { description: 'Full id, unique id prefix, or name.' }) idOrName: string, @Ctx() ctx: Context): Promise<Network | null> {
    return ctx.services.networks.find(idOrName);
  }

  @FieldResolver(() => [Container], {
    description: 'Containers (any state) connected to it, like `docker ps -a --filter network=<id>`; from one `docker ps -a` per operation, whatever the number of networks.',
  })
  containers(@Root() network: Network, @Ctx() ctx: Context): Promise<Container[]> {
    return ctx.services.networks.containers(network);
  }
}
