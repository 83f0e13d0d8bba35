/** Volumes (`docker volume ls/inspect/create/rm`): local driver only for creation. */
import type { DockerClient } from './client';
import { encodePathSegment } from './refs';
import type { DaemonFilters } from './types';

/** A volume as `GET /volumes` and `GET /volumes/{name}` return it. */
export interface VolumeDto {
  Name: string;
  Driver: string;
  Mountpoint: string;
  /** RFC 3339; absent for drivers that do not keep it. */
  CreatedAt?: string;
  Labels: Record<string, string> | null;
  Scope: 'local' | 'global' | string;
  Options?: Record<string, string> | null;
  /** Only in `GET /system/df`: size in bytes and containers using it (-1 when the driver cannot tell). */
  UsageData?: { Size: number; RefCount: number } | null;
}

/** `GET /volumes` (`docker volume ls`), optionally filtered (dangling, label, name). */
export async function listVolumes(client: DockerClient, filters?: DaemonFilters): Promise<VolumeDto[]> {
  const res = await client.withDocker((d) => d.listVolumes(filters ? { filters: JSON.stringify(filters) } as never : undefined) as Promise<{ Volumes: VolumeDto[] | null }>);
  return res.Volumes ?? [];
}

/** `GET /volumes/{name}`; null when there is no such volume. */
export function inspectVolume(client: DockerClient, name: string): Promise<VolumeDto | null> {
  return client.withDockerOrNull((d) => d.getVolume(encodePathSegment(name)).inspect() as Promise<VolumeDto>);
}

/**
 * `POST /volumes/create` with the local driver and no driver options (`docker volume create --label ...`).
 * Like the CLI, an existing volume of that name is answered as it is.
 */
export async function createVolume(client: DockerClient, name: string, labels: Record<string, string>): Promise<VolumeDto> {
  // dockerode resolves createVolume with a handle, not the daemon's answer: read it back.
  await client.withDocker((d) => d.createVolume({ Name: name, Driver: 'local', DriverOpts: {}, Labels: labels }));
  const created = await inspectVolume(client, name);
  if (!created) throw new Error(`the daemon created volume ${JSON.stringify(name)} but cannot find it`);
  return created;
}

/**
 * `DELETE /volumes/{name}` (`docker volume rm [-f]`).
 * @throws NOT_FOUND for an unknown volume, CONFLICT while a container uses it
 */
export async function removeVolume(client: DockerClient, name: string, force: boolean): Promise<void> {
  await client.withDocker((d) => d.getVolume(encodePathSegment(name)).remove({ force }));
}
