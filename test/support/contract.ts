/**
 * Compares the emitted schema with the shared API contract using graphql-js:
 * what they share must match exactly (types, nullability, arguments, defaults,
 * enum values); what the contract has and the code does not is "not built yet".
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  buildSchema,
  type GraphQLArgument,
  GraphQLEnumType,
  type GraphQLField,
  type GraphQLInputField,
  GraphQLInputObjectType,
  GraphQLInterfaceType,
  type GraphQLNamedType,
  GraphQLObjectType,
  GraphQLScalarType,
  type GraphQLSchema,
  GraphQLUnionType,
  isNonNullType,
  isSpecifiedScalarType,
} from 'graphql';

/** The contract beside the checkout (../shared/design), or undefined in a user's clone. */
export const CONTRACT_FILE = path.join(__dirname, '..', '..', '..', 'shared', 'design', 'schema-contract.graphql');

/** Loads the contract schema when the file exists. */
export function loadContract(file = CONTRACT_FILE): GraphQLSchema | undefined {
  return existsSync(file) ? buildSchema(readFileSync(file, 'utf8')) : undefined;
}

/** The outcome of a comparison. */
export interface ContractReport {
  /** Things both define differently: each one is a defect. */
  readonly mismatches: string[];
  /** Contract names the code does not define yet. */
  readonly notBuilt: string[];
}

function kindOf(t: GraphQLNamedType): string {
  if (t instanceof GraphQLObjectType) return 'type';
  if (t instanceof GraphQLInputObjectType) return 'input';
  if (t instanceof GraphQLEnumType) return 'enum';
  if (t instanceof GraphQLScalarType) return 'scalar';
  if (t instanceof GraphQLInterfaceType) return 'interface';
  if (t instanceof GraphQLUnionType) return 'union';
  return 'unknown';
}

const isOptional = (a: GraphQLArgument | GraphQLInputField) => !isNonNullType(a.type) || a.defaultValue !== undefined;

function compareArgs(where: string, ours: GraphQLField<unknown, unknown>, theirs: GraphQLField<unknown, unknown>, report: ContractReport): void {
  for (const arg of theirs.args) {
    const mine = ours.args.find((a) => a.name === arg.name);
    if (!mine) {
      report.mismatches.push(`${where}(${arg.name}:) is missing`);
      continue;
    }
    if (String(mine.type) !== String(arg.type)) report.mismatches.push(`${where}(${arg.name}:) is ${String(mine.type)}, contract says ${String(arg.type)}`);
    if (JSON.stringify(mine.defaultValue) !== JSON.stringify(arg.defaultValue)) {
      report.mismatches.push(`${where}(${arg.name}:) defaults to ${JSON.stringify(mine.defaultValue)}, contract says ${JSON.stringify(arg.defaultValue)}`);
    }
  }
  for (const arg of ours.args) {
    if (!theirs.args.some((a) => a.name === arg.name) && !isOptional(arg)) report.mismatches.push(`${where}(${arg.name}:) is an extra required argument`);
  }
}

function compareType(ours: GraphQLNamedType, theirs: GraphQLNamedType, report: ContractReport): void {
  const name = theirs.name;
  if (kindOf(ours) !== kindOf(theirs)) {
    report.mismatches.push(`${name} is a ${kindOf(ours)}, contract says ${kindOf(theirs)}`);
    return;
  }
  if ((theirs instanceof GraphQLObjectType || theirs instanceof GraphQLInterfaceType) && (ours instanceof GraphQLObjectType || ours instanceof GraphQLInterfaceType)) {
    const mine = ours.getFields();
    for (const field of Object.values(theirs.getFields())) {
      const own = mine[field.name];
      if (!own) {
        report.notBuilt.push(`${name}.${field.name}`);
        continue;
      }
      if (String(own.type) !== String(field.type)) report.mismatches.push(`${name}.${field.name} is ${String(own.type)}, contract says ${String(field.type)}`);
      compareArgs(`${name}.${field.name}`, own, field, report);
    }
  } else if (theirs instanceof GraphQLInputObjectType && ours instanceof GraphQLInputObjectType) {
    const mine = ours.getFields();
    for (const field of Object.values(theirs.getFields())) {
      const own = mine[field.name];
      if (!own) report.notBuilt.push(`${name}.${field.name}`);
      else if (String(own.type) !== String(field.type)) report.mismatches.push(`${name}.${field.name} is ${String(own.type)}, contract says ${String(field.type)}`);
      else if (JSON.stringify(own.defaultValue) !== JSON.stringify(field.defaultValue)) {
        report.mismatches.push(`${name}.${field.name} defaults to ${JSON.stringify(own.defaultValue)}, contract says ${JSON.stringify(field.defaultValue)}`);
      }
    }
    for (const field of Object.values(mine)) {
      if (!theirs.getFields()[field.name] && !isOptional(field)) report.mismatches.push(`${name}.${field.name} is an extra required input field`);
    }
  } else if (theirs instanceof GraphQLEnumType && ours instanceof GraphQLEnumType) {
    for (const value of theirs.getValues()) {
      if (!ours.getValue(value.name)) report.mismatches.push(`enum ${name} lacks ${value.name}`);
    }
  }
}

/** Compares `ours` with `contract`. */
export function compareWithContract(ours: GraphQLSchema, contract: GraphQLSchema): ContractReport {
  const report: ContractReport = { mismatches: [], notBuilt: [] };
  for (const theirs of Object.values(contract.getTypeMap())) {
    if (theirs.name.startsWith('__') || isSpecifiedScalarType(theirs)) continue;
    const mine = ours.getType(theirs.name);
    if (!mine) report.notBuilt.push(`${kindOf(theirs)} ${theirs.name}`);
    else compareType(mine, theirs, report);
  }
  return report;
}
