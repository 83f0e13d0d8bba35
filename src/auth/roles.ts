/**
 * The three roles of the API, ordered: each one can do everything the one
 * before it can. Every mutation and subscription names the least role it needs
 * with {@link RequiresRole}, the one place the rule lives.
 */
import { Authorized, Extensions } from 'type-graphql';

/** What a token may do (README, Security). */
export type Role = 'viewer' | 'operator' | 'admin';

/** Every role, least first. */
export const ROLES: readonly Role[] = ['viewer', 'operator', 'admin'];

/** True when `have` includes everything `need` may do. */
export function roleAtLeast(have: Role, need: Role): boolean {
  return ROLES.indexOf(have) >= ROLES.indexOf(need);
}

/** True for the three role names. */
export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** The schema-field extension that carries a field's role (read by the schema builder and the role tests). */
export const ROLE_EXTENSION = 'requiresRole';

/**
 * Declares the least role a mutation or subscription needs: type-graphql's
 * `@Authorized` enforces it (for subscriptions, when subscribing), and a field
 * extension exposes it so the schema builder can write it into the field's
 * description and a test can prove no operation lacks one.
 */
export function RequiresRole(role: Role): MethodDecorator {
  return (target, key, descriptor) => {
    Authorized(role)(target, key, descriptor);
    Extensions({ [ROLE_EXTENSION]: role })(target, key, descriptor);
  };
}
