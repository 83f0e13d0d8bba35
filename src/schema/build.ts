/** The one list of resolvers, and the schema built from them. */
import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { buildSchema, type NonEmptyArray } from 'type-graphql';
import { ContainerResolver } from './container/container.resolver';
import { ImageResolver } from './image/image.resolver';
import { RepositoryResolver } from './repository/repository.resolver';
import { DateTimeScalar } from './scalars';
import { SystemResolver } from './system/system.resolver';

/** Every resolver class of the API. Add new domains here. */
export const RESOLVERS: NonEmptyArray<Function> = [SystemResolver, ImageResolver, RepositoryResolver, ContainerResolver];

let built: Promise<GraphQLSchema> | undefined;

/** Builds (once per process) the executable schema. */
export function buildDockqlSchema(): Promise<GraphQLSchema> {
  built ??= buildSchema({
    resolvers: RESOLVERS,
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
    // Inputs are checked by hand before any daemon call (see validate.ts); class-validator is not used.
    validate: false,
  });
  return built;
}
