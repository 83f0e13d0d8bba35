import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { ContainerInspectDto } from '../../docker/types';
import { Label } from '../common/label.type';
import { DateTimeScalar } from '../scalars';

/** The daemon's container states (State.Status), upper-cased. */
export enum ContainerState {
  CREATED = 'CREATED',
  RUNNING = 'RUNNING',
  PAUSED = 'PAUSED',
  RESTARTING = 'RESTARTING',
  REMOVING = 'REMOVING',
  EXITED = 'EXITED',
  DEAD = 'DEAD',
}

registerEnumType(ContainerState, {
  name: 'ContainerState',
  description: 'Where a container is in its life (State.Status in `docker inspect`).',
  valuesConfig: {
    CREATED: { description: 'Created (`docker create`) but never started.' },
    RUNNING: { description: 'Its main process runs ("Up ..." in `docker ps`).' },
    PAUSED: { description: 'Frozen by `docker pause`.' },
    RESTARTING: { description: 'Being restarted by its restart policy.' },
    REMOVING: { description: 'Being removed ("Removal In Progress").' },
    EXITED: { description: 'Its main process ended ("Exited (code) ... ago").' },
    DEAD: { description: 'The daemon failed to remove or stop it; only removal helps.' },
  },
});

@ObjectType({ description: 'A published or exposed port (the PORTS column of `docker ps`).' })
export class Port {
  @Field(() => Int, { description: 'Port inside the container.' })
  privatePort!: number;

  @Field(() => Int, { nullable: true, description: 'Port on the host it is published to (-p); null when only exposed.' })
  publicPort?: number;

  @Field({ description: 'Protocol: tcp, udp or sctp.' })
  type!: string;

  @Field({ nullable: true, description: 'Host address it is published on, e.g. 127.0.0.1 or 0.0.0.0.' })
  ip?: string;
}

@ObjectType({ description: 'A volume or bind mount of a container (-v / --mount).' })
export class Mount {
  @Field({ description: 'bind, volume, tmpfs or npipe.' })
  type!: string;

  @Field({ nullable: true, description: 'Host path (bind) or volume data path; null for tmpfs.' })
  source?: string;

  @Field({ description: 'Path inside the container.' })
  destination!: string;

  @Field({ description: 'True when mounted read-only (:ro).' })
  readOnly!: boolean;

  @Field({ nullable: true, description: 'Volume name, for type volume.' })
  name?: string;
}

/** A container. Fields that need `docker inspect` (tty, startedAt...) are resolved lazily. */
@ObjectType({ description: 'A container, as `docker ps -a` lists it and `docker inspect` details it.' })
export class Container {
  @Field(() => ID, { description: 'Full container id (64 hex digits).' })
  id!: string;

  @Field({ description: 'First 12 hex digits of the id (CONTAINER ID in `docker ps`).' })
  shortId!: string;

  @Field({ description: 'Name without the leading slash.' })
  name!: string;

  @Field({ description: 'The image as the container was created from it (name:tag or id), the IMAGE column.' })
  imageRef!: string;

  @Field({ description: 'The command it runs, as `docker ps --no-trunc` shows it.' })
  command!: string;

  @Field(() => DateTimeScalar, { description: 'When it was created.' })
  created!: Date;

  @Field(() => ContainerState, { description: 'Its state.' })
  state!: ContainerState;

  @Field({ description: 'Human status as `docker ps` prints it, e.g. Up 5 minutes.' })
  status!: string;

  @Field(() => [Label], { description: 'Container labels, sorted by key.' })
  labels!: Label[];

  @Field(() => [Port], { description: 'Ports it exposes or publishes.' })
  ports!: Port[];

  @Field(() => [Port], {
    description: 'Ports configured to be published (`-p`, HostConfig.PortBindings), known also before start and on network none, where `ports` stays empty.',
  })
  portBindings!: Port[];

  @Field(() => [Mount], { description: 'Volumes and bind mounts.' })
  mounts!: Mount[];

  /** Image id (sha256:...) behind `image`. */
  imageId!: string;

  /** Set when read by inspect: lazy fields need no second request. */
  inspect?: ContainerInspectDto;
}
