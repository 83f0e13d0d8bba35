import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Label } from '../common/label.type';
import { DateTimeScalar } from '../scalars';

/** What kind of object a daemon event is about (moby's events.Type), as a GraphQL enum. */
export enum EventType {
  CONTAINER = 'CONTAINER',
  IMAGE = 'IMAGE',
  VOLUME = 'VOLUME',
  NETWORK = 'NETWORK',
  DAEMON = 'DAEMON',
  PLUGIN = 'PLUGIN',
  SERVICE = 'SERVICE',
  NODE = 'NODE',
  SECRET = 'SECRET',
  CONFIG = 'CONFIG',
  BUILDER = 'BUILDER',
  UNKNOWN = 'UNKNOWN',
}

registerEnumType(EventType, {
  name: 'EventType',
  description: 'What a daemon event is about: the Type column of `docker events`. A type this service does not know yet is UNKNOWN (see rawType), never an error.',
  valuesConfig: {
    CONTAINER: { description: 'A container: create, start, die, stop, kill, destroy, pause, rename, oom, health_status, exec_start...' },
    IMAGE: { description: 'An image: pull, push, tag, untag, delete, import, load, save.' },
    VOLUME: { description: 'A volume: create, mount, unmount, destroy.' },
    NETWORK: { description: 'A network: create, connect, disconnect, remove.' },
    DAEMON: { description: 'The daemon itself (reload), and dockql\'s own notice `reconnected` after the event stream was re-established.' },
    PLUGIN: { description: 'A plugin: install, enable, disable, remove.' },
    SERVICE: { description: 'A swarm service: create, update, remove.' },
    NODE: { description: 'A swarm node: create, update, remove.' },
    SECRET: { description: 'A swarm secret: create, update, remove.' },
    CONFIG: { description: 'A swarm config: create, update, remove.' },
    BUILDER: { description: 'The build cache: prune.' },
    UNKNOWN: { description: 'A type newer than this service; rawType has the daemon\'s word.' },
  },
});

/** A container event as subscribers receive it. */
@ObjectType({ description: 'A container event from the daemon, like a line of `docker events --filter type=container`.' })
export class ContainerEvent {
  @Field({ description: 'What happened: create, start, die, stop, kill, destroy, pause, unpause, restart, rename, oom, health_status: healthy, exec_start: <cmd>... (the daemon\'s words).' })
  action!: string;

  @Field(() => ID, { description: 'Full id of the container.' })
  containerId!: string;

  @Field(() => String, { nullable: true, description: 'Container name (without the leading slash) at the time of the event.' })
  name!: string | null;

  @Field(() => String, { nullable: true, description: 'The image it runs, as it was given at create time (name:tag or id).' })
  image!: string | null;

  @Field(() => DateTimeScalar, { description: 'When the daemon recorded the event (millisecond precision; timeNano has the exact value).' })
  time!: Date;

  @Field({ description: 'When the daemon recorded the event, in nanoseconds since the epoch, as a decimal string (too large for Int). Unique enough to de-duplicate events on the client.' })
  timeNano!: string;

  @Field(() => Int, { nullable: true, description: 'Exit code of the main process, on `die` events (137 after a SIGKILL, 143 after SIGTERM); null on other actions.' })
  exitCode!: number | null;

  @Field(() => [Label], { description: 'Everything the daemon attached, sorted by key: name, image, exitCode, signal, the container\'s labels...' })
  attributes!: Label[];
}

/** Any daemon event as subscribers receive it. */
@ObjectType({ description: 'Any daemon event, like a line of `docker events`.' })
export class DockerEvent {
  @Field(() => EventType, { description: 'What it is about (container, image, volume, network, daemon...).' })
  type!: EventType;

  @Field({ description: 'The daemon\'s word for what the type was, e.g. container; useful when type is UNKNOWN.' })
  rawType!: string;

  @Field({ description: 'What happened, in the daemon\'s words: create, start, die, destroy, pull, tag, connect, mount, reload, reconnected...' })
  action!: string;

  @Field({ description: 'Id of the object: container or network id, the image ref or id, a volume name. "dockql" on the notices dockql makes itself.' })
  actorId!: string;

  @Field(() => [Label], { description: 'Everything the daemon attached, sorted by key (e.g. name, image, container, exitCode, labels). The `reconnected` notice has gapStart, gapEnd (ISO times), reason, attempts and lastEventTime.' })
  attributes!: Label[];

  @Field({ description: 'local for this host\'s objects, swarm for cluster-wide ones.' })
  scope!: string;

  @Field(() => DateTimeScalar, { description: 'When the daemon recorded the event (millisecond precision).' })
  time!: Date;

  @Field({ description: 'When the daemon recorded the event, in nanoseconds since the epoch, as a decimal string.' })
  timeNano!: string;
}
