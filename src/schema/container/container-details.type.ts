import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeScalar, SafeIntScalar } from '../scalars';

@ObjectType({ description: 'One resource sample of a running container, with the numbers `docker stats` shows.' })
export class ContainerStats {
  @Field(() => DateTimeScalar, { description: 'When the daemon took the sample.' })
  read!: Date;

  @Field(() => Float, {
    description: 'CPU use in percent since the previous sample, computed as the docker CLI does; 100 is one CPU fully busy, so up to onlineCpus × 100. The first sample of a containerStats stream has no previous one and shows the average since the container started.',
  })
  cpuPercent!: number;

  @Field(() => Int, { description: 'CPUs the container may run on.' })
  onlineCpus!: number;

  @Field(() => SafeIntScalar, { description: 'Memory in use, in bytes, without reclaimable page cache (MEM USAGE).' })
  memoryUsageBytes!: number;

  @Field(() => SafeIntScalar, { description: 'Memory limit in bytes (LIMIT): the host\'s memory when the container has no --memory limit.' })
  memoryLimitBytes!: number;

  @Field(() => Float, { description: 'memoryUsageBytes as a percentage of memoryLimitBytes (MEM %).' })
  memoryPercent!: number;

  @Field(() => SafeIntScalar, { description: 'Bytes received over all its network interfaces since it started (NET I/O, first number); 0 with network none.' })
  networkRxBytes!: number;

  @Field(() => SafeIntScalar, { description: 'Bytes sent over all its network interfaces since it started (NET I/O, second number).' })
  networkTxBytes!: number;

  @Field(() => SafeIntScalar, { description: 'Bytes read from block devices since it started (BLOCK I/O, first number).' })
  blockReadBytes!: number;

  @Field(() => SafeIntScalar, { description: 'Bytes written to block devices since it started (BLOCK I/O, second number).' })
  blockWriteBytes!: number;

  @Field(() => Int, { description: 'Processes and threads in the container (PIDS).' })
  pids!: number;
}

@ObjectType({ description: 'The processes of a running container, as `docker top` lists them (the daemon runs `ps` on its host).' })
export class ContainerTop {
  @Field(() => [String], { description: 'Column titles of `ps`, e.g. UID, PID, PPID, C, STIME, TTY, TIME, CMD.' })
  titles!: string[];

  @Field(() => [[String]], { description: 'One row per process, one value per title (PIDs are host PIDs).' })
  processes!: string[][];
}

/** The daemon's health states (State.Health.Status), upper-cased. */
export enum HealthStatus {
  STARTING = 'STARTING',
  HEALTHY = 'HEALTHY',
  UNHEALTHY = 'UNHEALTHY',
}

registerEnumType(HealthStatus, {
  name: 'HealthStatus',
  description: 'Result of a container\'s health check (the "(healthy)" in `docker ps`).',
  valuesConfig: {
    STARTING: { description: 'Within its start period, or no probe has passed or failed enough times yet.' },
    HEALTHY: { description: 'The last probe passed.' },
    UNHEALTHY: { description: 'The probe failed `retries` times in a row.' },
  },
});

@ObjectType({ description: 'One run of a health check probe.' })
export class HealthProbe {
  @Field(() => DateTimeScalar, { description: 'When the probe started.' })
  start!: Date;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When it ended; null while it runs.' })
  end?: Date | null;

  @Field(() => Int, { description: 'Its exit code: 0 passed, 1 failed, other values are errors (e.g. -1 timed out).' })
  exitCode!: number;

  @Field({ description: 'What it printed (the daemon keeps at most 4 KiB).' })
  output!: string;
}

@ObjectType({ description: 'A container\'s health check state (--health-cmd), as `docker inspect` shows under State.Health.' })
export class ContainerHealth {
  @Field(() => HealthStatus, { description: 'Current health.' })
  status!: HealthStatus;

  @Field(() => Int, { description: 'Consecutive failed probes (0 after a passing one).' })
  failingStreak!: number;

  @Field(() => HealthProbe, { nullable: true, description: 'The most recent probe; null before the first one.' })
  lastProbe?: HealthProbe | null;

  @Field(() => [HealthProbe], { description: 'The last probes the daemon keeps (at most 5), oldest first.' })
  probes!: HealthProbe[];
}

@ObjectType({ description: 'A network a container is connected to, with its addresses there (NetworkSettings.Networks in `docker inspect`).' })
export class ContainerNetwork {
  @Field({ description: 'Network name, e.g. bridge, host, none or a user network.' })
  name!: string;

  @Field(() => ID, { nullable: true, description: 'Network id; null when the daemon does not report one.' })
  networkId?: string | null;

  @Field(() => String, { nullable: true, description: 'IPv4 address in this network; null without one (network none, host, or a stopped container).' })
  ipAddress?: string | null;

  @Field(() => Int, { nullable: true, description: 'Prefix length of ipAddress, e.g. 16; null without an address.' })
  ipPrefixLength?: number | null;

  @Field(() => String, { nullable: true, description: 'IPv4 gateway; null without one.' })
  gateway?: string | null;

  @Field(() => String, { nullable: true, description: 'IPv6 address; null without one.' })
  ipv6Address?: string | null;

  @Field(() => String, { nullable: true, description: 'MAC address of its interface in this network; null without one.' })
  macAddress?: string | null;

  @Field(() => [String], { description: 'DNS aliases of the container in this network.' })
  aliases!: string[];
}

@ObjectType({ description: 'What `docker container prune` removed.' })
export class ContainerPruneReport {
  @Field(() => [ID], { description: 'Ids of the containers removed.' })
  deleted!: string[];

  @Field(() => SafeIntScalar, { description: 'Disk space freed, in bytes (their writable layers).' })
  spaceReclaimed!: number;
}
