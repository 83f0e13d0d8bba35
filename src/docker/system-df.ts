/** Disk housekeeping: `docker system df` and `docker container prune`. */
import type { DockerClient } from './client';
import type { ContainerSummaryDto, DaemonFilters, ImageSummaryDto } from './types';
import type { VolumeDto } from './volumes';

/** One build cache record of `GET /system/df`. */
export interface BuildCacheDto {
  ID: string;
  Size: number;
  InUse: boolean;
  Shared: boolean;
}

/** `GET /system/df`: everything with its size (the daemon walks every layer and volume, so it can take seconds). */
export interface SystemDfDto {
  LayersSize?: number;
  Images: Array<ImageSummaryDto & { SharedSize?: number; Size: number }> | null;
  Containers: Array<ContainerSummaryDto & { SizeRw?: number }> | null;
  Volumes: VolumeDto[] | null;
  BuildCache?: BuildCacheDto[] | null;
}

/** `GET /system/df`. */
export function systemDf(client: DockerClient): Promise<SystemDfDto> {
  return client.withDocker((d) => d.df() as Promise<SystemDfDto>);
}

/** What `POST /containers/prune` answers. */
export interface ContainerPruneDto {
  ContainersDeleted: string[] | null;
  SpaceReclaimed: number;
}

/** `POST /containers/prune` (`docker container prune --filter ...`): removes stopped containers matching `filters`. */
export function pruneContainers(client: DockerClient, filters: DaemonFilters): Promise<ContainerPruneDto> {
  return client.withDocker((d) => d.pruneContainers({ filters: JSON.stringify(filters) }) as Promise<ContainerPruneDto>);
}
