import { Field, ID, ObjectType } from 'type-graphql';
import { Label } from '../common/label.type';
import { DateTimeScalar } from '../scalars';

@ObjectType({ description: 'One address pool of a network (IPAM Config in `docker network inspect`).' })
export class NetworkSubnet {
  @Field(() => String, { nullable: true, description: 'Subnet in CIDR form, e.g. 198.51.100.0/24.' })
  subnet?: string | null;

  @Field(() => String, { nullable: true, description: 'Gateway address, e.g. 198.51.100.1.' })
  gateway?: string | null;

  @Field(() => String, { nullable: true, description: 'Sub-range containers get addresses from, in CIDR form; null means the whole subnet.' })
  ipRange?: string | null;
}

/** A network. `containers` is resolved lazily. */
@ObjectType({ description: 'A network, as `docker network ls` lists it and `docker network inspect` details it.' })
export class Network {
  @Field(() => ID, { description: 'Full network id (64 hex digits).' })
  id!: string;

  @Field({ description: 'Network name, e.g. bridge, host, none.' })
  name!: string;

  @Field({ description: 'Driver: bridge, host, null (the none network), overlay, macvlan...' })
  driver!: string;

  @Field({ description: 'local (this daemon), swarm or global.' })
  scope!: string;

  @Field({ description: 'True when containers on it cannot reach outside networks (--internal).' })
  internal!: boolean;

  @Field({ description: 'True when standalone containers may join it (--attachable, for swarm networks).' })
  attachable!: boolean;

  @Field({ description: 'True for the swarm routing-mesh network.' })
  ingress!: boolean;

  @Field({ description: 'True when IPv6 is enabled on it.' })
  ipv6Enabled!: boolean;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When it was created; null when the daemon does not say.' })
  created?: Date | null;

  @Field(() => [Label], { description: 'Network labels, sorted by key.' })
  labels!: Label[];

  @Field(() => [NetworkSubnet], { description: 'Its address pools; empty for host and none.' })
  subnets!: NetworkSubnet[];
}
