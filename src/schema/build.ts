/** The one list of resolvers, and the schema built from them. */
import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { roleAuthChecker } from '../auth/auth-checker';
import { ROLE_EXTENSION } from '../auth/roles';
import { guardMutations } from '../audit/mutation-guard';
import { createPubSub } from '@graphql-yoga/subscription';
import { buildSchema, type NonEmptyArray } from 'type-graphql';
import { ArchiveResolver } from './archive/archive.resolver';
import { ArchiveJobResolver } from './archive/archive-job.resolver';
import { ContainerResolver } from './container/container.resolver';
import { ContainerDetailsResolver } from './container/container-details.resolver';
import { DiskUsageResolver } from './disk-usage/disk-usage.resolver';
import { ContainerLogsResolver } from './logs/logs.resolver';
import { NetworkResolver } from './network/network.resolver';
import { VolumeResolver } from './volume/volume.resolver';
import { ContainerLifecycleResolver } from './container/container-lifecycle.resolver';
import { ExecResolver } from './container/exec.resolver';
import { ImageOpsResolver } from './image/image-ops.resolver';
import { ImageResolver } from './image/image.resolver';
import { PullResolver } from './pull/pull.resolver';
import { PushResolver } from './pull/push.resolver';
import { RegistryResolver } from './registry/registry.resolver';
import { RepositoryResolver } from './repository/repository.resolver';
import { DateTimeScalar } from './scalars';
import { EventResolver } from './events/event.resolver';
import { SystemResolver } from './system/system.resolver';

/** Every resolver class of the API. Add new domains here. */
export const RESOLVERS: NonEmptyArray<Function> = [
  SystemResolver,
  ImageResolver,
  ImageOpsResolver,
  RepositoryResolver,
  RegistryResolver,
  ContainerResolver,
  ContainerDetailsResolver,
  ContainerLogsResolver,
  VolumeResolver,
  NetworkResolver,
  DiskUsageResolver,
  ContainerLifecycleResolver,
  ExecResolver,
  PullResolver,
  PushResolver,
  ArchiveResolver,
  ArchiveJobResolver,
  EventResolver,
];

let built: Promise<GraphQLSchema> | undefined;

/** Builds (once per process) the executable schema. */
export function buildDockqlSchema(): Promise<GraphQLSchema> {
  built ??= buildSchema({
    resolvers: RESOLVERS,
    authChecker: roleAuthChecker,
    authMode: 'error',
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
    // Inputs are checked by hand before any daemon call (see validate.ts); class-validator is not used.
    validate: false,
    // type-graphql insists on a PubSub once any @Subscription exists, although every
    // subscription here brings its own `subscribe` (job watchers, the shared event stream).
    pubSub: createPubSub(),
  })
    .then(describeRoles)
    // Rate limit and audit line around every mutation field, wrapping type-graphql's role check too.
    .then(guardMutations);
  return built;
}

/**
 * Writes each operation's role into its description, so the playground's docs
 * pane (and schema/schema.graphql) tells ops what a token needs, from the one
 * declaration that also enforces it ({@link RequiresRole}).
 */
function describeRoles(schema: GraphQLSchema): GraphQLSchema {
  for (const type of [schema.getMutationType(), schema.getSubscriptionType()]) {
    for (const field of Object.values(type?.getFields() ?? {})) {
      const role = field.extensions[ROLE_EXTENSION];
      if (typeof role === 'string') field.description = `${field.description ?? ''} Role: ${role}.`.trim();
    }
  }
  return schema;
}
