/**
 * What a container can be created with: an allow-list, never raw daemon JSON.
 * Privileged mode, host bind mounts, devices, capabilities, host pid/ipc and
 * `container:<id>` networking have no field here, so they cannot be asked for.
 */
import { Field, Float, InputType, Int, registerEnumType } from 'type-graphql';
import { LabelInput } from '../common/label.type';
import { SafeIntScalar } from '../scalars';

/** Restart policies (`docker run --restart`). */
export enum RestartPolicyName {
  NO = 'NO',
  ALWAYS = 'ALWAYS',
  ON_FAILURE = 'ON_FAILURE',
  UNLESS_STOPPED = 'UNLESS_STOPPED',
}

registerEnumType(RestartPolicyName, {
  name: 'RestartPolicyName',
  description: 'When the daemon restarts a container whose main process ended (`docker run --restart`).',
  valuesConfig: {
    NO: { description: 'Never (the default).' },
    ALWAYS: { description: 'Always, also when the daemon starts again; a manual stop holds until the daemon restarts.' },
    ON_FAILURE: { description: 'Only after a non-zero exit, at most maximumRetryCount times (0: no limit).' },
    UNLESS_STOPPED: { description: 'Always, except after a manual stop (which survives daemon restarts).' },
  },
});

/** Protocols a port can be published for. */
export enum PortProtocol {
  TCP = 'TCP',
  UDP = 'UDP',
  SCTP = 'SCTP',
}

registerEnumType(PortProtocol, {
  name: 'PortProtocol',
  description: 'Transport protocol of a published port (the /tcp, /udp or /sctp of `-p 53:53/udp`).',
  valuesConfig: {
    TCP: { description: 'TCP (the default).' },
    UDP: { description: 'UDP.' },
    SCTP: { description: 'SCTP.' },
  },
});

@InputType({ description: 'A restart policy, like `--restart on-failure:5`.' })
export class RestartPolicyInput {
  @Field(() => RestartPolicyName, { description: 'When to restart.' })
  name!: RestartPolicyName;

  @Field(() => Int, { nullable: true, description: 'ON_FAILURE only: give up after this many restarts (0 or null: no limit; at most 1000).' })
  maximumRetryCount?: number | null;
}

@InputType({ description: 'A named volume to mount, like `-v name:/path[:ro]`. Host paths are not accepted; the volume is created with the local driver when missing.' })
export class VolumeMountInput {
  @Field({ description: 'Volume name ([a-zA-Z0-9][a-zA-Z0-9_.-]+, no "/": never a host path).' })
  name!: string;

  @Field({ description: 'Absolute path inside the container, e.g. /var/lib/data.' })
  destination!: string;

  @Field(() => Boolean, { nullable: true, defaultValue: false, description: 'Mount read-only (:ro).' })
  readOnly?: boolean | null;
}

@InputType({ description: 'A published port, like `-p [hostIp:][hostPort:]containerPort[/protocol]`.' })
export class PortPublishInput {
  @Field(() => Int, { description: 'Port inside the container (1-65535).' })
  containerPort!: number;

  @Field(() => Int, { nullable: true, description: 'Port on the host (1-65535); null lets the daemon pick a free one.' })
  hostPort?: number | null;

  @Field(() => String, {
    nullable: true,
    defaultValue: '127.0.0.1',
    description: 'Host address to listen on, an IPv4 or IPv6 literal. Defaults to 127.0.0.1 (loopback only), unlike the docker CLI (all interfaces): pass 0.0.0.0 to expose the port to the network on purpose.',
  })
  hostIp?: string | null;

  @Field(() => PortProtocol, { nullable: true, defaultValue: PortProtocol.TCP, description: 'Protocol (default TCP).' })
  protocol?: PortProtocol | null;
}

@InputType({ description: 'What `docker create`/`docker run -d` takes, as an allow-list: every field is checked before the daemon is asked.' })
export class ContainerInput {
  @Field({ description: 'Image ref (name[:tag], name@digest, id or unique id prefix). It must be on this host: the image is never pulled (pull it first with pullImage); missing is NOT_FOUND.' })
  image!: string;

  @Field(() => String, { nullable: true, description: '--name: [a-zA-Z0-9][a-zA-Z0-9_.-]+ (the daemon\'s rule). Taken is CONFLICT. Default: a generated name.' })
  name?: string | null;

  @Field(() => [String], { nullable: true, description: 'Command and arguments (exec form, no shell), replacing the image\'s CMD. Null: the image\'s CMD.' })
  cmd?: string[] | null;

  @Field(() => [String], { nullable: true, description: '--entrypoint, as a list; [] clears the image\'s entrypoint. Null: the image\'s.' })
  entrypoint?: string[] | null;

  @Field(() => [String], { nullable: true, description: '-e: KEY=value entries (a bare KEY is refused: this service\'s environment is not yours).' })
  env?: string[] | null;

  @Field(() => String, { nullable: true, description: '-w: absolute working directory inside the container.' })
  workingDir?: string | null;

  @Field(() => String, { nullable: true, description: '-u: user[:group], names or numeric ids.' })
  user?: string | null;

  @Field(() => Boolean, { nullable: true, defaultValue: false, description: '-t: allocate a terminal.' })
  tty?: boolean | null;

  @Field(() => Boolean, { nullable: true, defaultValue: false, description: '-i: keep stdin open.' })
  openStdin?: boolean | null;

  @Field(() => [LabelInput], { nullable: true, description: '--label key=value (keys unique).' })
  labels?: LabelInput[] | null;

  @Field(() => String, {
    nullable: true,
    description: '--network: none, bridge, host or a network name that exists. `container:<id>` is not accepted; host is accepted for now (it will become admin-only with roles). Null: the daemon\'s default network.',
  })
  networkMode?: string | null;

  @Field(() => RestartPolicyInput, { nullable: true, description: '--restart. Not together with autoRemove.' })
  restartPolicy?: RestartPolicyInput | null;

  @Field(() => Boolean, { nullable: true, defaultValue: false, description: '--rm: the daemon removes the container when its main process ends.' })
  autoRemove?: boolean | null;

  @Field(() => SafeIntScalar, { nullable: true, description: '--memory in bytes (at least 6 MiB, the daemon\'s minimum).' })
  memoryBytes?: number | null;

  @Field(() => Float, { nullable: true, description: '--cpus: CPUs it may use, e.g. 0.5 (0.01 to the host\'s CPU count; the daemon checks the upper bound).' })
  cpus?: number | null;

  @Field(() => [VolumeMountInput], { nullable: true, description: 'Named volumes to mount (no host paths, no driver options).' })
  volumes?: VolumeMountInput[] | null;

  @Field(() => [PortPublishInput], { nullable: true, description: '-p: ports to publish (with networkMode host the daemon ignores them).' })
  ports?: PortPublishInput[] | null;
}
