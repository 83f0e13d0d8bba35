import { Arg, Ctx, FieldResolver, Int, Query, Resolver, Root } from 'type-graphql';
import { RegistryAuthInput } from '../common/registry-auth.input';
import type { Context } from '../context';
import { Repository } from '../image/image.type';
import { Registry } from './registry.type';

/** `registry(host)` and its fields: thin delegation to RegistryService. */
@Resolver(() => Registry)
export class RegistryResolver {
  @Query(() => Registry, {
    description:
      "A Docker registry (Distribution v2 API), e.g. 127.0.0.1:5000 or a mirror. dockql contacts only loopback registries, the daemon's insecure registries and mirrors, and hosts listed in DOCKQL_REGISTRIES; any other host is FORBIDDEN.",
  })
  registry(
    @Arg('host', { description: 'host[:port] without scheme, path or user info, e.g. 127.0.0.1:5000 or registry.example.com.' }) host: string,
    @Arg('auth', () => RegistryAuthInput, {
      nullable: true,
      description: 'Credentials for this registry, used for basic auth or to obtain bearer tokens; sent only to it (and its token server). Never echoed.',
    })
    auth: RegistryAuthInput | null,
    @Ctx() ctx: Context,
  ): Promise<Registry> {
    return ctx.services.registries.open(host, auth);
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: 'What the registry answers GET /v2/ with in Docker-Distribution-API-Version (registry/2.0); null when it sends none. Checks that it answers and accepts the credentials.',
  })
  apiVersion(@Root() registry: Registry, @Ctx() ctx: Context): Promise<string | null> {
    return ctx.services.registries.apiVersion(registry);
  }

  @FieldResolver(() => [Repository], { description: "The registry's catalog (GET /v2/_catalog), optionally filtered by a substring; first/after page through it." })
  repositories(
    @Root() registry: Registry,
    @Arg('filter', () => String, { nullable: true, description: 'Only repositories whose path in the registry contains this text (case-sensitive), e.g. "team/".' }) filter: string | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 100, description: 'At most this many repositories (1-1000), in catalog order; null means 100.' })
    first: number | null,
    @Arg('after', () => String, { nullable: true, description: 'Continue after this repository: the last name of the previous page (with or without the host).' }) after: string | null,
    @Ctx() ctx: Context,
  ): Promise<Repository[]> {
    return ctx.services.registries.repositories(registry, { filter, first, after });
  }

  @FieldResolver(() => Repository, { nullable: true, description: 'One repository with its tags (GET /v2/<name>/tags/list); null when the registry does not know it.' })
  repository(
    @Root() registry: Registry,
    @Arg('name', { description: 'Its path in the registry, e.g. team/app; 127.0.0.1:5000/team/app (with this host) works too.' }) name: string,
    @Ctx() ctx: Context,
  ): Promise<Repository | null> {
    return ctx.services.registries.repository(registry, name);
  }
}
