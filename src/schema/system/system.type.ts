import { Field, Int, ObjectType } from 'type-graphql';
import { SafeIntScalar } from '../scalars';

@ObjectType({ description: 'This service as a Docker API client (the "Client" half of `docker version`).' })
export class ClientVersion {
  @Field({ description: 'Client name: always "dockql".' })
  name!: string;

  @Field({ description: "dockql's own version." })
  version!: string;

  @Field({ description: 'Engine API version in use: the lower of what the daemon and dockql support (negotiated like the docker CLI does).' })
  apiVersion!: string;
}

@ObjectType({ description: 'The Docker daemon (the "Server" half of `docker version`).' })
export class ServerVersion {
  @Field({ description: 'Docker Engine version, e.g. 20.10.24.' })
  version!: string;

  @Field({ description: 'Newest Engine API version the daemon speaks, e.g. 1.41.' })
  apiVersion!: string;

  @Field({ description: 'Oldest Engine API version the daemon accepts.' })
  minApiVersion!: string;

  @Field({ description: 'Operating system of the daemon, e.g. linux.' })
  os!: string;

  @Field({ description: 'CPU architecture of the daemon, e.g. amd64.' })
  arch!: string;

  @Field({ description: 'Kernel version of the daemon host.' })
  kernelVersion!: string;

  @Field({ description: 'Go version the daemon was built with.' })
  goVersion!: string;

  @Field({ description: 'Git commit the daemon was built from.' })
  gitCommit!: string;

  @Field({ nullable: true, description: 'When the daemon was built, as the daemon reports it.' })
  buildTime?: string;

  @Field({ description: 'True when the daemon runs with experimental features on.' })
  experimental!: boolean;
}

@ObjectType({ description: 'Like `docker version`: this service as the client, and the daemon as the server.' })
export class VersionReport {
  @Field(() => ClientVersion, { description: 'dockql as the API client.' })
  client!: ClientVersion;

  @Field(() => ServerVersion, { description: 'The Docker daemon.' })
  server!: ServerVersion;
}

@ObjectType({ description: 'Like `docker info`: daemon-wide facts and the daemon.json settings ops care about.' })
export class DaemonInfo {
  @Field({ nullable: true, description: "The daemon's unique ID." })
  id?: string;

  @Field({ description: 'Host name of the daemon host.' })
  name!: string;

  @Field({ description: 'Docker Engine version (Server Version).' })
  serverVersion!: string;

  @Field(() => Int, { description: 'Containers in every state.' })
  containers!: number;

  @Field(() => Int, { description: 'Running containers.' })
  containersRunning!: number;

  @Field(() => Int, { description: 'Paused containers.' })
  containersPaused!: number;

  @Field(() => Int, { description: 'Stopped (created, exited or dead) containers.' })
  containersStopped!: number;

  @Field(() => Int, { description: 'Images, counting every layer image the daemon keeps.' })
  images!: number;

  @Field({ description: 'Storage driver, e.g. overlay2.' })
  storageDriver!: string;

  @Field({ description: 'Cgroup driver: cgroupfs or systemd.' })
  cgroupDriver!: string;

  @Field({ description: 'Cgroup version: 1 or 2.' })
  cgroupVersion!: string;

  @Field({ description: 'Default logging driver, e.g. json-file.' })
  loggingDriver!: string;

  @Field({ description: 'Operating system of the daemon host, e.g. Debian GNU/Linux 12 (bookworm).' })
  operatingSystem!: string;

  @Field({ description: 'Kernel version of the daemon host.' })
  kernelVersion!: string;

  @Field({ description: 'CPU architecture, e.g. x86_64.' })
  architecture!: string;

  @Field(() => Int, { description: 'CPUs the daemon sees.' })
  cpus!: number;

  @Field(() => SafeIntScalar, { description: 'Total memory in bytes.' })
  memoryBytes!: number;

  @Field({ description: "Docker's data directory (data-root), e.g. /var/lib/docker." })
  dockerRootDir!: string;

  @Field(() => [String], { description: 'registry-mirrors from daemon.json: where Docker Hub pulls go first.' })
  registryMirrors!: string[];

  @Field(() => [String], {
    description: 'insecure-registries from daemon.json (CIDRs and host:port), plus registries the daemon marks insecure; docker.io excluded.',
  })
  insecureRegistries!: string[];

  @Field({ nullable: true, description: 'HTTP_PROXY the daemon uses for pulls; null when unset.' })
  httpProxy?: string;

  @Field({ nullable: true, description: 'HTTPS_PROXY the daemon uses for pulls; null when unset.' })
  httpsProxy?: string;

  @Field({ nullable: true, description: 'NO_PROXY the daemon uses; null when unset.' })
  noProxy?: string;

  @Field({ nullable: true, description: "The daemon host's clock (SystemTime), useful to spot clock skew." })
  systemTime?: string;

  @Field({ description: 'live-restore: containers keep running while the daemon restarts.' })
  liveRestoreEnabled!: boolean;

  @Field(() => [String], { description: 'Security options, e.g. name=seccomp,profile=default.' })
  securityOptions!: string[];

  @Field({ nullable: true, description: 'Default container runtime, e.g. runc.' })
  defaultRuntime?: string;

  @Field({ nullable: true, description: 'Index used by `docker search` and logins, e.g. https://index.docker.io/v1/.' })
  indexServerAddress?: string;
}
