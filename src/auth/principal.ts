/** Who is calling: the token's name and role, or the anonymous admin of a server without tokens. */
import type { Role } from './roles';

/** The caller of one request or WebSocket connection. */
export interface Principal {
  /** The token's name from the tokens file (goes into audit lines); `anonymous` without tokens. */
  readonly name: string;
  readonly role: Role;
  /** sha256 of the token, when there is one: revoking it finds the caller's open sockets. */
  readonly tokenSha256?: string;
}

/** Every caller of a server without a tokens file: it serves loopback only (or DOCKQL_INSECURE=1), so this is the local user. */
export const ANONYMOUS_ADMIN: Principal = Object.freeze({ name: 'anonymous', role: 'admin' });
