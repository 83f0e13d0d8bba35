/**
 * The per-operation services of container details, logs, volumes, networks and
 * disk usage, built around the operation's loaders. Kept apart from
 * context.ts so that it only has to spread them in.
 */
import type { DockerClient } from '../docker/client';
import { ContainerDetailsService } from './container/container-details.service';
import { ContainerService } from './container/container.service';
import { DiskUsageService } from './disk-usage/disk-usage.service';
import type { Loaders } from './loaders';
import { LogsService } from './logs/logs.service';
import { NetworkService } from './network/network.service';
import { VolumeService } from './volume/volume.service';

/** Services for what ops look at around containers. */
export type HostServices = {
  readonly logs: LogsService;
  readonly containerDetails: ContainerDetailsService;
  readonly volumes: VolumeService;
  readonly networks: NetworkService;
  readonly diskUsage: DiskUsageService;
};

/** Builds them for one operation; `loaders` must be the operation's own, so reads are shared with the other services. */
export function createHostServices(docker: DockerClient, loaders: Loaders): HostServices {
  // Same loaders as the context's ContainerService: ref lookups and inspects are still made once per operation.
  const containers = new ContainerService(docker, loaders);
  // One `system df` per operation serves diskUsage and every Volume.usage.
  const diskUsage = new DiskUsageService(docker);
  return {
    logs: new LogsService(docker, containers),
    containerDetails: new ContainerDetailsService(docker, containers),
    volumes: new VolumeService(docker, loaders, diskUsage),
    networks: new NetworkService(docker, loaders),
    diskUsage,
  };
}
