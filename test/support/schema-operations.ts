/**
 * Operations generated from the schema itself, so that tests over "every
 * mutation" or "every string argument" cover fields added later without
 * anyone remembering to list them.
 */
import {
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLSchema,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isInterfaceType,
  isUnionType,
  isScalarType,
} from 'graphql';
import { ROLE_EXTENSION, type Role } from '../../src/auth/roles';

/** One root field, ready to send. */
export interface RootOperation {
  readonly kind: 'mutation' | 'subscription';
  readonly field: string;
  readonly role: Role;
  /** A complete document with every required argument filled with a harmless placeholder. */
  readonly query: string;
}

/**
 * Literals a test chooses instead of the generic placeholders: `given(owner, name)`
 * where owner is an input type's name (`ContainerInput`, `image`) or a root
 * field's name for its arguments (`execInContainer`, `ref`). A field given a
 * literal is sent even when it is optional.
 */
export type GivenLiterals = (owner: string, name: string) => string | undefined;

const NOTHING_GIVEN: GivenLiterals = () => undefined;

/** A placeholder literal for a value of `type` (required fields of inputs filled, optional ones left out unless `given`). */
export function placeholder(type: GraphQLInputType, depth = 0, given: GivenLiterals = NOTHING_GIVEN): string {
  if (isNonNullType(type)) return placeholder(type.ofType, depth, given);
  if (isListType(type)) return `[${placeholder(type.ofType, depth, given)}]`;
  if (isEnumType(type)) return type.getValues()[0].name;
  if (isInputObjectType(type)) {
    if (depth > 5) return '{}';
    const parts = Object.values(type.getFields()).map((f) => {
      const literal = given(type.name, f.name) ?? (isNonNullType(f.type) && f.defaultValue === undefined ? placeholder(f.type, depth + 1, given) : undefined);
      return literal === undefined ? undefined : `${f.name}: ${literal}`;
    });
    return `{ ${parts.filter((p) => p !== undefined).join(', ')} }`;
  }
  if (isScalarType(type)) {
    switch (type.name) {
      case 'Int':
      case 'Float':
      case 'SafeInt':
        return '1';
      case 'Boolean':
        return 'false';
      case 'DateTime':
        return '"2026-01-01T00:00:00Z"';
      default:
        return '"dockql-placeholder"';
    }
  }
  throw new Error(`no placeholder for ${String(type)}`);
}

/** `__typename` for composite results (enough to be a valid selection), nothing for scalars. */
export function minimalSelection(field: GraphQLField<unknown, unknown>): string {
  const named = getNamedType(field.type);
  return isObjectType(named) || isInterfaceType(named) || isUnionType(named) ? ' { __typename }' : '';
}

/** The argument list of `field` with every required argument (and `wait: false` where offered, so nothing blocks). */
export function requiredArguments(field: GraphQLField<unknown, unknown>, override: (arg: GraphQLArgument) => string | undefined = () => undefined): string {
  const parts = field.args
    .map((arg) => {
      const given = override(arg);
      if (given !== undefined) return `${arg.name}: ${given}`;
      if (arg.name === 'wait') return 'wait: false';
      return isNonNullType(arg.type) && arg.defaultValue === undefined ? `${arg.name}: ${placeholder(arg.type)}` : undefined;
    })
    .filter((p): p is string => p !== undefined);
  return parts.length ? `(${parts.join(', ')})` : '';
}

/** Every mutation and subscription of `schema`, with its declared role. */
export function rootOperations(schema: GraphQLSchema): RootOperation[] {
  const out: RootOperation[] = [];
  for (const [kind, type] of [['mutation', schema.getMutationType()], ['subscription', schema.getSubscriptionType()]] as const) {
    for (const field of Object.values(type?.getFields() ?? {})) {
      const role = field.extensions[ROLE_EXTENSION] as Role | undefined;
      if (!role) throw new Error(`${kind} ${field.name} declares no role`);
      out.push({ kind, field: field.name, role, query: `${kind} { ${field.name}${requiredArguments(field)}${minimalSelection(field)} }` });
    }
  }
  return out;
}

/** One String or ID position in a root field's arguments: an argument, or a field of an input object below one (list items included). */
export interface StringSlot {
  readonly field: GraphQLField<unknown, unknown>;
  /** Argument name, then input field names; `[]` steps into a list's items, e.g. `['input', 'binds', '[]', 'hostPath']`. */
  readonly path: readonly string[];
  /** The scalar at the slot. */
  readonly scalar: 'String' | 'ID';
  /** The input type (or, for an argument, the root field) holding the slot, and the slot's own name: `LabelInput`, `value`. */
  readonly owner: string;
  readonly name: string;
}

/** `createContainer(input.binds[].hostPath)`: how a slot is named in test output. */
export function slotLabel(slot: StringSlot): string {
  return `${slot.field.name}(${slot.path.join('.').replace(/\.\[\]/g, '[]')})`;
}

/** Every String/ID slot of `field`'s arguments, walking input objects (each input type once per path, so recursive inputs end). */
export function stringSlots(field: GraphQLField<unknown, unknown>): StringSlot[] {
  const out: StringSlot[] = [];
  const visit = (type: GraphQLInputType, path: string[], owner: string, seen: ReadonlySet<string>): void => {
    if (isNonNullType(type)) return visit(type.ofType, path, owner, seen);
    if (isListType(type)) return visit(type.ofType, [...path, '[]'], owner, seen);
    if (isScalarType(type) && (type.name === 'String' || type.name === 'ID')) {
      out.push({ field, path, scalar: type.name, owner, name: path.filter((p) => p !== '[]').at(-1)! });
      return;
    }
    if (isInputObjectType(type) && !seen.has(type.name)) {
      for (const f of Object.values(type.getFields())) visit(f.type, [...path, f.name], type.name, new Set([...seen, type.name]));
    }
  };
  for (const arg of field.args) visit(arg.type, [arg.name], field.name, new Set());
  return out;
}

/**
 * A complete mutation (or subscription) document for `slot` whose value is the
 * variable `$v` (declared `String!` or `ID!`), with every other argument and input
 * field required or `given` filled in. Where the slot is a list item, `$v` comes
 * first and the list's given items (e.g. an owner label) follow it.
 */
export function slotDocument(kind: 'mutation' | 'subscription', slot: StringSlot, given: GivenLiterals = NOTHING_GIVEN): string {
  const { field } = slot;
  const args = field.args
    .map((arg) => {
      const literal =
        arg.name === slot.path[0]
          ? literalAt(arg.type, slot.path.slice(1), given, given(field.name, arg.name))
          : (given(field.name, arg.name) ?? (isNonNullType(arg.type) && arg.defaultValue === undefined ? placeholder(arg.type, 0, given) : undefined));
      return literal === undefined ? undefined : `${arg.name}: ${literal}`;
    })
    .filter((p): p is string => p !== undefined);
  return `${kind}($v: ${slot.scalar}!) { ${field.name}(${args.join(', ')})${minimalSelection(field)} }`;
}

/** The literal for `type` with `$v` at `path` below it; `siblings` is the given literal of the list the path steps into, if any. */
function literalAt(type: GraphQLInputType, path: readonly string[], given: GivenLiterals, siblings?: string): string {
  if (isNonNullType(type)) return literalAt(type.ofType, path, given, siblings);
  if (path.length === 0) return '$v';
  if (isListType(type) && path[0] === '[]') {
    const item = literalAt(type.ofType, path.slice(1), given);
    const others = siblings?.startsWith('[') ? siblings.slice(1, -1).trim() : '';
    return `[${[item, others].filter(Boolean).join(', ')}]`;
  }
  if (isInputObjectType(type)) {
    const [name, ...rest] = path;
    const parts = Object.values(type.getFields()).map((f) => {
      if (f.name === name) return `${f.name}: ${literalAt(f.type, rest, given, given(type.name, f.name))}`;
      const literal = given(type.name, f.name) ?? (isNonNullType(f.type) && f.defaultValue === undefined ? placeholder(f.type, 1, given) : undefined);
      return literal === undefined ? undefined : `${f.name}: ${literal}`;
    });
    return `{ ${parts.filter((p) => p !== undefined).join(', ')} }`;
  }
  throw new Error(`cannot reach ${path.join('.')} in ${String(type)}`);
}
