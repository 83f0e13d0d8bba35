/** type-graphql's authChecker: compares the caller's role with the field's declared one. */
import type { AuthChecker } from 'type-graphql';
import { DockqlError, ErrorCode } from '../schema/errors';
import type { Principal } from './principal';
import { isRole, roleAtLeast } from './roles';

/**
 * Allows the call when the principal's role is at least the field's; otherwise
 * throws FORBIDDEN naming the field and both roles (never the token).
 */
export const roleAuthChecker: AuthChecker<{ principal: Principal }> = ({ context, info }, roles) => {
  const need = roles.find(isRole);
  if (!need) throw new Error(`${info.parentType.name}.${info.fieldName} declares no known role`);
  const principal = context.principal;
  if (roleAtLeast(principal.role, need)) return true;
  throw new DockqlError(ErrorCode.FORBIDDEN, `${info.fieldName} needs the ${need} role; token "${principal.name}" has ${principal.role}`, { requiredRole: need });
};
