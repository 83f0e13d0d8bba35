import { Field, Int, ObjectType } from 'type-graphql';
import { SafeIntScalar } from '../scalars';

@ObjectType({ description: 'One row of `docker system df`: how many there are, how many are in use, and their disk space.' })
export class DiskUsageSummary {
  @Field(() => Int, { description: 'How many there are (TOTAL).' })
  totalCount!: number;

  @Field(() => Int, { description: 'How many are in use (ACTIVE): images with containers, running/paused/restarting containers, volumes mounted by a container, build cache records in use.' })
  active!: number;

  @Field(() => SafeIntScalar, { description: 'Disk space they take, in bytes (SIZE); image layers shared by several images count once.' })
  sizeBytes!: number;

  @Field(() => SafeIntScalar, { description: 'Bytes a prune would free (RECLAIMABLE): what nothing in use needs.' })
  reclaimableBytes!: number;
}

@ObjectType({ description: 'Like `docker system df`: disk space used by images, containers, local volumes and the build cache.' })
export class DiskUsage {
  @Field(() => DiskUsageSummary, { description: 'Images (sizes of their layers).' })
  images!: DiskUsageSummary;

  @Field(() => DiskUsageSummary, { description: 'Containers (sizes of their writable layers).' })
  containers!: DiskUsageSummary;

  @Field(() => DiskUsageSummary, { description: 'Local volumes (sizes of their files; volumes whose driver cannot tell count as 0).' })
  volumes!: DiskUsageSummary;

  @Field(() => DiskUsageSummary, { description: 'The build cache (BuildKit).' })
  buildCache!: DiskUsageSummary;
}
