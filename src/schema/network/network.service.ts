/** Networks: list and inspect (create and remove are out of scope), plus the containers on each. */
import type { DockerClient } from '../../docker/client';
import { inspectNetwork, listNetworks, type NetworkDto } from '../../docker/networks';
import { toLabels } from '../common/label.type';
import { containerFromSummary } from '../container/container.mapper';
import type { Container } from '../container/container.type';
import type { Loaders } from '../loaders';
import { checkText } from '../validate';
import type { Network } from './network.type';

/** Network ids, id prefixes and names: the characters `docker network create` names use in practice. */
const NETWORK_REF = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/** The daemon's network JSON as the schema's Network. */
export function toNetwork(n: NetworkDto): Network {
  const created = n.Created ? new Date(n.Created) : null;
  return {
    id: n.Id,
    name: n.Name,
    driver: n.Driver,
    scope: n.Scope,
    internal: Boolean(n.Internal),
    attachable: Boolean(n.Attachable),
    ingress: Boolean(n.Ingress),
    ipv6Enabled: Boolean(n.EnableIPv6),
    created: created && !Number.isNaN(created.getTime()) ? created : null,
    labels: toLabels(n.Labels),
    subnets: (n.IPAM?.Config ?? []).map((c) => ({ subnet: c.Subnet || null, gateway: c.Gateway || null, ipRange: c.IPRange || null })),
  };
}

export class NetworkService {
  constructor(
    private readonly docker: DockerClient,
    private readonly loaders: Loaders,
  ) {}

  /** Like `docker network ls`, sorted by name. */
  async list(): Promise<Network[]> {
    return (await listNetworks(this.docker)).map(toNetwork).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** One network by full id, unique id prefix or name; null when there is none. */
  async find(idOrName: string): Promise<Network | null> {
    const dto = await inspectNetwork(this.docker, checkText('idOrName', idOrName, NETWORK_REF, 255));
    return dto && toNetwork(dto);
  }

  /** Containers (any state) connected to it, like `docker ps -a --filter network=<id>`, from the operation's one `docker ps -a`. */
  async containers(network: Network): Promise<Container[]> {
    const rows = await this.loaders.containerList();
    return rows
      .filter((c) => Object.values(c.NetworkSettings?.Networks ?? {}).some((n) => n.NetworkID === network.id))
      .map(containerFromSummary);
  }
}
