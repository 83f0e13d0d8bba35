import { Ctx, Query, Resolver } from 'type-graphql';
import type { Context } from '../context';
import { DaemonInfo, VersionReport } from './system.type';

/** `version` and `info`: thin delegation to {@link SystemService}. */
@Resolver()
export class SystemResolver {
  @Query(() => VersionReport, { description: 'Like `docker version`: this service as the client, and the daemon as the server.' })
  version(@Ctx() ctx: Context): Promise<VersionReport> {
    return ctx.services.system.version();
  }

  @Query(() => DaemonInfo, { description: 'Like `docker info`, including the daemon.json settings ops care about.' })
  info(@Ctx() ctx: Context): Promise<DaemonInfo> {
    return ctx.services.system.info();
  }
}
