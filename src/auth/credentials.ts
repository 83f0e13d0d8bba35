/** Where a caller's token travels: `Authorization: Bearer <token>` over HTTP, `connectionParams.authorization` over WebSocket. */

/** A token as presented: missing, malformed (a header that is not a Bearer token), or the token itself. */
export type PresentedToken = { readonly kind: 'none' } | { readonly kind: 'malformed' } | { readonly kind: 'token'; readonly token: string };

/** Tokens longer than this are refused unhashed: nothing real is that long. */
const MAX_TOKEN_LENGTH = 512;

/**
 * Reads an Authorization value: `Bearer <token>` (scheme in any case), one
 * token of printable ASCII without spaces. No cookies and no query strings:
 * a token must never ride along on a request the browser makes by itself.
 */
export function readBearer(value: unknown): PresentedToken {
  if (value === undefined || value === null || value === '') return { kind: 'none' };
  if (typeof value !== 'string') return { kind: 'malformed' };
  const m = /^Bearer +([\x21-\x7e]+) *$/i.exec(value);
  if (!m || m[1].length > MAX_TOKEN_LENGTH) return { kind: 'malformed' };
  return { kind: 'token', token: m[1] };
}

/**
 * The token of a WebSocket: `connectionParams.authorization` (any case of the
 * key, as GraphiQL sends its Headers editor's `Authorization`), else the
 * upgrade request's Authorization header (non-browser clients).
 */
export function readWebSocketToken(connectionParams: Readonly<Record<string, unknown>> | undefined, upgradeAuthorization: string | undefined): PresentedToken {
  const key = Object.keys(connectionParams ?? {}).find((k) => k.toLowerCase() === 'authorization');
  const fromParams = key === undefined ? undefined : connectionParams?.[key];
  return readBearer(fromParams ?? upgradeAuthorization);
}
