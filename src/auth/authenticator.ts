/** Turns a presented token into a caller, or says why not (never echoing the token). */
import type { PresentedToken } from './credentials';
import { ANONYMOUS_ADMIN, type Principal } from './principal';
import type { TokenStore } from './token-store';

/** The outcome of one authentication. */
export type AuthOutcome = { readonly principal: Principal } | { readonly refused: string };

/** With a token store every caller needs a known token; without one every caller is the anonymous admin. */
export class Authenticator {
  constructor(readonly tokens?: TokenStore) {}

  /** True when tokens are configured (and so required). */
  get required(): boolean {
    return this.tokens !== undefined;
  }

  /** Authenticates one HTTP request or WebSocket connection. */
  authenticate(presented: PresentedToken): AuthOutcome {
    if (!this.tokens) return { principal: ANONYMOUS_ADMIN };
    if (presented.kind === 'none') return { refused: 'a token is required: send Authorization: Bearer <token> (over WebSocket: connectionParams.authorization)' };
    if (presented.kind === 'malformed') return { refused: 'the Authorization value is not "Bearer <token>"' };
    const principal = this.tokens.authenticate(presented.token);
    return principal ? { principal } : { refused: 'unknown or revoked token' };
  }
}
