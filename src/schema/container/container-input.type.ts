/**
 * What a container can be created with: an allow-list, never raw daemon JSON.
 * The inputs that reach the host (bind mounts, privileged, capAdd, devices, host
 * or container:<id> namespaces, sysctls, loosening securityOpt) are admin only;
 * `privileged-inputs.ts` is the one place that says which.
 */
import { Field, Float, InputType, Int, registerEnumType } from 'type-graphql';
import { LabelInput } from '../common/label.type';
import { SafeIntScalar } from '../scalars';
import { BindMountInput, DeviceInput, SysctlInput } from './privileged-input.type';

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

  @Field(() => [String], { nullable: true, description: 'Command and arguments (exec form, no shell), replacing the image\'s CMD. Null: the image\'s CMD. The program to run (the first entry, when there is no entrypoint) is at most 4096 bytes.' })
  cmd?: string[] | null;

  @Field(() => [String], { nullable: true, description: '--entrypoint, as a list; [] clears the image\'s entrypoint. Null: the image\'s. Its first entry (the program) is at most 4096 bytes.' })
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
    description: '--network: none, bridge or a network name that exists. host (`--network host`: the host\'s interfaces and ports) and container:<name|id> (`--network container:<id>`: that container\'s network namespace; it must exist) are admin only. Null: the daemon\'s default network.',
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

  @Field(() => [BindMountInput], { nullable: true, description: '`-v /host:/ctr[:ro]`: host paths to mount, sent as typed bind mounts. Admin only (the container reads, or writes, the host\'s files). For data of the container\'s own, use volumes.' })
  binds?: BindMountInput[] | null;

  @Field(() => Boolean, { nullable: true, description: '`--privileged`: every capability, every host device, no seccomp or AppArmor confinement; root on the host. Admin only when true (false asks for nothing).' })
  privileged?: boolean | null;

  @Field(() => [String], { nullable: true, description: '`--cap-add`: Linux capabilities to add, e.g. NET_ADMIN or CAP_NET_ADMIN (any case), or ALL. Admin only.' })
  capAdd?: string[] | null;

  @Field(() => [String], { nullable: true, description: '`--cap-drop`: capabilities to remove, e.g. NET_RAW, or ALL. Operator level: dropping a capability only takes power away.' })
  capDrop?: string[] | null;

  @Field(() => [DeviceInput], { nullable: true, description: '`--device /dev/x:/dev/y:rwm`: host devices the container may use. Admin only.' })
  devices?: DeviceInput[] | null;

  @Field(() => String, { nullable: true, description: '`--pid`: host (`--pid host`: sees, and as root can signal or trace, every process of the host) or container:<name|id> (shares that container\'s processes; it must exist). Admin only. Null: a process namespace of its own.' })
  pidMode?: string | null;

  @Field(() => String, { nullable: true, description: '`--ipc`: none, private or shareable are operator level; host (`--ipc host`: the host\'s shared memory and semaphores) and container:<name|id> (that container\'s; it must exist and be shareable) are admin only. Null: the daemon\'s default.' })
  ipcMode?: string | null;

  @Field(() => [SysctlInput], { nullable: true, description: '`--sysctl name=value`: namespaced kernel parameters of the container. Admin only.' })
  sysctls?: SysctlInput[] | null;

  @Field(() => [String], {
    nullable: true,
    description: '`--security-opt`: seccomp=unconfined, apparmor=unconfined or apparmor=<profile>, label=disable or label=user:|role:|type:|level:<value>, systempaths=unconfined and no-new-privileges:false are admin only (they loosen confinement). no-new-privileges (or no-new-privileges:true) is operator level: it only stops setuid binaries from gaining privileges. A seccomp profile file is not accepted (it is a path on the client, not here).',
  })
  securityOpt?: string[] | null;
}
