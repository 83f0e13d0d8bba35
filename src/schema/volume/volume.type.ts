import { Field, Int, ObjectType } from 'type-graphql';
import { Label } from '../common/label.type';
import { DateTimeScalar, SafeIntScalar } from '../scalars';

@ObjectType({ description: 'Disk usage of a volume, as `docker system df -v` shows it.' })
export class VolumeUsage {
  @Field(() => SafeIntScalar, { nullable: true, description: 'Bytes its files take; null when its driver cannot tell.' })
  sizeBytes?: number | null;

  @Field(() => Int, { description: 'Containers (any state) that mount it.' })
  refCount!: number;
}

/** A volume. `usage` and `containers` are resolved lazily. */
@ObjectType({ description: 'A volume, as `docker volume ls` lists it and `docker volume inspect` details it.' })
export class Volume {
  @Field({ description: 'Volume name (64 hex digits for anonymous volumes).' })
  name!: string;

  @Field({ description: 'Volume driver, e.g. local.' })
  driver!: string;

  @Field({ description: 'Where its data lives on the daemon host, e.g. /var/lib/docker/volumes/<name>/_data.' })
  mountpoint!: string;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When it was created; null when the driver does not say.' })
  createdAt?: Date | null;

  @Field(() => [Label], { description: 'Volume labels, sorted by key.' })
  labels!: Label[];

  @Field({ description: 'local (this daemon only) or global (the whole cluster).' })
  scope!: string;

  @Field(() => [Label], { description: 'Driver options (`docker volume create -o`), sorted by key; empty for volumes created here.' })
  options!: Label[];
}
