/**
 * Every mutation and subscription declares its role in one place
 * (@RequiresRole): the built schema carries it as a field extension, and the
 * emitted schema/schema.graphql shows it in the field's description.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildSchema as buildSdl, type GraphQLObjectType } from 'graphql';
import { ROLE_EXTENSION, ROLES } from '../../src/auth/roles';
import { buildDockqlSchema } from '../../src/schema/build';

const emitted = buildSdl(readFileSync(path.join(__dirname, '..', '..', 'schema', 'schema.graphql'), 'utf8'));
const rootFields = (type: GraphQLObjectType | null | undefined) => Object.values(type?.getFields() ?? {});

it.each(['Mutation', 'Subscription'] as const)('gives every %s field of the emitted schema a role in its description', (kind) => {
  const fields = rootFields(kind === 'Mutation' ? emitted.getMutationType() : emitted.getSubscriptionType());
  expect(fields.length).toBeGreaterThan(5);
  const missing = fields.filter((f) => !new RegExp(`Role: (${ROLES.join('|')})\\.$`).test(f.description ?? '')).map((f) => f.name);
  expect(missing).toEqual([]);
});

it('enforces the same role the description shows (the field extension the auth checker reads)', async () => {
  const built = await buildDockqlSchema();
  for (const type of [built.getMutationType(), built.getSubscriptionType()]) {
    for (const field of rootFields(type)) {
      const described = /Role: (\w+)\.$/.exec(field.description ?? '')?.[1];
      expect({ field: field.name, role: field.extensions[ROLE_EXTENSION] }).toEqual({ field: field.name, role: described });
    }
  }
});

it('keeps destructive operations admin-only and exec operator-level', async () => {
  const built = await buildDockqlSchema();
  const role = (name: string) => (built.getMutationType()?.getFields()[name] ?? built.getSubscriptionType()?.getFields()[name])?.extensions[ROLE_EXTENSION];
  expect(['pruneImages', 'pruneContainers', 'deleteArchive', 'removeVolume'].map(role)).toEqual(['admin', 'admin', 'admin', 'admin']);
  expect(['execInContainer', 'execOutput', 'pullImage', 'runContainer'].map(role)).toEqual(['operator', 'operator', 'operator', 'operator']);
  expect(['events', 'containerEvents', 'pullProgress', 'containerLogs'].map(role)).toEqual(['viewer', 'viewer', 'viewer', 'viewer']);
});
