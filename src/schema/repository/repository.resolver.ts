import { Ctx, Query, Resolver } from 'type-graphql';
import type { Context } from '../context';
import { Repository } from '../image/image.type';

/** Local repositories (the REPOSITORY column of `docker images`). */
@Resolver(() => Repository)
export class RepositoryResolver {
  @Query(() => [Repository], { description: 'Local images grouped by repository, like the REPOSITORY column of `docker images`.' })
  repositories(@Ctx() ctx: Context): Promise<Repository[]> {
    return ctx.services.images.repositories();
  }
}
