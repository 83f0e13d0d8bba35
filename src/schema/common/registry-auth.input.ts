import { Field, InputType } from 'type-graphql';

/**
 * Registry credentials for one call (like `docker login` for a single pull or
 * push). They travel to the daemon as X-Registry-Auth and are never logged,
 * stored in job lists or echoed in any response.
 */
@InputType({ description: 'Registry credentials for this one call, as `docker login` would store them. Never logged or echoed.' })
export class RegistryAuthInput {
  @Field({ description: 'User name.' })
  username!: string;

  @Field({ description: 'Password or access token.' })
  password!: string;

  @Field({ nullable: true, description: 'Registry the credentials are for, e.g. 127.0.0.1:5000; default: the registry of the ref.' })
  serverAddress?: string;
}
