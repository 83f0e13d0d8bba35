import { Field, ObjectType } from 'type-graphql';
import type { RegistryClient } from '../../registry/client';

/**
 * A registry as the resolver root: its host, and (never a field) the client
 * that carries this call's credentials. Repositories and tags reuse the
 * `Repository` and `Tag` types of local images (see RegistryService).
 */
@ObjectType({
  description:
    'A Docker registry read by this service through its Distribution v2 API (not through the daemon): http for loopback and for registries the daemon lists as insecure, https otherwise.',
})
export class Registry {
  @Field({ description: 'host[:port] as given, e.g. 127.0.0.1:5000: the prefix of every repository name it lists.' })
  host!: string;

  /** The client every field of this registry asks through; holds the credentials, so it is not a field. */
  client!: RegistryClient;
}
