/** Networks (`docker network ls/inspect`); creating and removing them is out of scope. */
import type { DockerClient } from './client';
import { encodePathSegment } from './refs';

/** A network as `GET /networks` and `GET /networks/{id}` return it (the list leaves Containers empty). */
export interface NetworkDto {
  Name: string;
  Id: string;
  Created?: string;
  Scope: string;
  Driver: string;
  EnableIPv6?: boolean;
  Internal?: boolean;
  Attachable?: boolean;
  Ingress?: boolean;
  IPAM?: { Driver?: string; Config?: Array<{ Subnet?: string; Gateway?: string; IPRange?: string }> | null } | null;
  Options?: Record<string, string> | null;
  Labels?: Record<string, string> | null;
}

/** `GET /networks` (`docker network ls`). */
export function listNetworks(client: DockerClient): Promise<NetworkDto[]> {
  return client.withDocker((d) => d.listNetworks() as Promise<NetworkDto[]>);
}

/** `GET /networks/{idOrName}` (full id, unique id prefix or name); null when there is none. */
export function inspectNetwork(client: DockerClient, idOrName: string): Promise<NetworkDto | null> {
  return client.withDockerOrNull((d) => d.getNetwork(encodePathSegment(idOrName)).inspect() as Promise<NetworkDto>);
}
