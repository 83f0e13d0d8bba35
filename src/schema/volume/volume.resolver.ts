import { RequiresRole } from '../../auth/roles';
import { Arg, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { LabelInput } from '../common/label.type';
import type { Context } from '../context';
import { Container } from '../container/container.type';
import { VolumeFilter } from './volume.input';
import { Volume, VolumeUsage } from './volume.type';

/** Volumes: `docker volume ls/inspect/create/rm`. */
@Resolver(() => Volume)
export class VolumeResolver {
  @Query(() => [Volume], { description: 'Like `docker volume ls`: every volume unless filter narrows it, sorted by name.' })
  volumes(
    @Arg('filter', () => VolumeFilter, { nullable: true, description: 'Narrow the list, like `docker volume ls --filter`.' }) filter: VolumeFilter | null,
    @Ctx() ctx: Context,
  ): Promise<Volume[]> {
    return ctx.services.volumes.list(filter);
  }

  @Query(() => Volume, { nullable: true, description: 'One volume by name, like `docker volume inspect`; null when it does not exist.' })
  volume(@Arg('name', { description: 'Volume name.' }) name: string, @Ctx() ctx: Context): Promise<Volume | null> {
    return ctx.services.volumes.find(name);
  }

  @RequiresRole('operator')
  @Mutation(() => Volume, {
    description: 'Like `docker volume create --label k=v <name>` with the local driver and no driver options. As with the CLI, when the volume exists it is returned as it is (its labels unchanged).',
  })
  createVolume(
    @Arg('name', { description: 'Volume name: [a-zA-Z0-9][a-zA-Z0-9_.-]+ (at least two characters, at most 255).' }) name: string,
    @Arg('labels', () => [LabelInput], { nullable: true, description: 'Labels to set (keys without whitespace or "=", at most 100).' }) labels: LabelInput[] | null,
    @Ctx() ctx: Context,
  ): Promise<Volume> {
    return ctx.services.volumes.create(name, labels);
  }

  @RequiresRole('admin')
  @Mutation(() => String, { description: 'Like `docker volume rm`: returns the removed volume\'s name. NOT_FOUND when it does not exist, CONFLICT while a container (even a stopped one) uses it.' })
  removeVolume(
    @Arg('name', { description: 'Volume name.' }) name: string,
    @Arg('force', () => Boolean, { nullable: true, defaultValue: false, description: 'Like `docker volume rm -f`: also remove it from its driver\'s records when the driver fails to (never removes a volume in use).' }) force: boolean | null,
    @Ctx() ctx: Context,
  ): Promise<string> {
    return ctx.services.volumes.remove(name, force ?? false);
  }

  @FieldResolver(() => VolumeUsage, {
    nullable: true,
    description: 'Its size and how many containers use it, from `docker system df -v`: one daemon request per operation shared by every volume, but the daemon walks every volume\'s files, so it can take seconds on large hosts. Null when the daemon does not report it.',
  })
  usage(@Root() volume: Volume, @Ctx() ctx: Context): Promise<VolumeUsage | null> {
    return ctx.services.volumes.usage(volume);
  }

  @FieldResolver(() => [Container], { description: 'Containers (any state) that mount it; from one `docker ps -a` per operation, whatever the number of volumes.' })
  containers(@Root() volume: Volume, @Ctx() ctx: Context): Promise<Container[]> {
    return ctx.services.volumes.containers(volume);
  }
}
