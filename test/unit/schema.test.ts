/**
 * The emitted schema: committed file is current, matches the shared contract
 * where they overlap, and documents every type, field, argument and enum value.
 */
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildSchema, type GraphQLSchema, isEnumType, isInputObjectType, isInterfaceType, isObjectType } from 'graphql';
import { buildDockqlSchema } from '../../src/schema/build';
import { printDockqlSchema } from '../../src/schema/print';
import { compareWithContract, CONTRACT_FILE, loadContract } from '../support/contract';

let schema: GraphQLSchema;
beforeAll(async () => {
  schema = await buildDockqlSchema();
});

describe('schema/schema.graphql', () => {
  it('is what the code emits (run `npm run schema:emit` when this fails)', () => {
    const committed = readFileSync(path.join(__dirname, '..', '..', 'schema', 'schema.graphql'), 'utf8');
    expect(committed).toBe(printDockqlSchema(schema));
  });

  it('documents every type, field, argument and enum value for the playground docs pane', () => {
    const undocumented: string[] = [];
    const roots = new Set([schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]);
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || ['String', 'Boolean', 'Int', 'Float', 'ID'].includes(type.name)) continue;
      // Root operation types are the API's entry points; their fields carry the documentation.
      if (!type.description && !roots.has(type as never)) undocumented.push(type.name);
      if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) {
          if (!field.description) undocumented.push(`${type.name}.${field.name}`);
          for (const arg of 'args' in field ? field.args : []) {
            if (!arg.description) undocumented.push(`${type.name}.${field.name}(${arg.name}:)`);
          }
        }
      }
      if (isEnumType(type)) {
        for (const value of type.getValues()) if (!value.description) undocumented.push(`${type.name}.${value.name}`);
      }
    }
    expect(undocumented).toEqual([]);
  });
});

describe('the shared API contract', () => {
  const contract = loadContract();
  const maybe = contract ? it : it.skip;

  maybe(`agrees with ${path.basename(CONTRACT_FILE)} on everything both define`, () => {
    const report = compareWithContract(schema, contract!);
    if (report.notBuilt.length) {
      console.log(`contract names not built yet (${report.notBuilt.length}):\n  ${report.notBuilt.join('\n  ')}`);
    }
    expect(report.mismatches).toEqual([]);
  });
});

describe('compareWithContract', () => {
  const contract = buildSchema(`
    type Query { a(x: Int = 1, y: String): [String!]! b: Int }
    input F { p: String q: Int! }
    enum E { ONE TWO }
  `);

  it('accepts a schema that adds optional things', () => {
    const ours = buildSchema(`
      type Query { a(x: Int = 1, y: String, z: Boolean): [String!]! b: Int c: Int }
      input F { p: String q: Int! r: Int }
      enum E { ONE TWO THREE }
    `);
    expect(compareWithContract(ours, contract)).toEqual({ mismatches: [], notBuilt: [] });
  });

  it('names nullability, argument, default and enum differences, and what is not built', () => {
    const ours = buildSchema(`
      type Query { a(x: Int = 2, z: Int!): [String!] }
      input F { p: String! q: Int! }
      enum E { ONE }
    `);
    const report = compareWithContract(ours, contract);
    expect(report.mismatches).toEqual(
      expect.arrayContaining([
        'Query.a is [String!], contract says [String!]!',
        'Query.a(x:) defaults to 2, contract says 1',
        'Query.a(y:) is missing',
        'Query.a(z:) is an extra required argument',
        'F.p is String!, contract says String',
        'enum E lacks TWO',
      ]),
    );
    expect(report.notBuilt).toEqual(['Query.b']);
  });
});
