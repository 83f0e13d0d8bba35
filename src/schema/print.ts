/** The canonical SDL text of the schema, as committed in schema/schema.graphql. */
import { type GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';

const HEADER = '# Emitted from the code by `npm run schema:emit`: do not edit by hand.\n\n';

/** Sorted (stable diffs whatever the decorator order), with a header saying where it comes from. */
export function printDockqlSchema(schema: GraphQLSchema): string {
  return `${HEADER}${printSchema(lexicographicSortSchema(schema))}\n`;
}
