/**
 * How the playground's token field turns into credentials. Pure string logic
 * (no DOM, no React) so that unit tests cover it and the server's tsc build,
 * which also compiles this directory's .ts files, needs no browser types.
 *
 * The fetcher passes the same headers object to both transports: HTTP sends it
 * as request headers, and @graphiql/toolkit's graphql-ws client sends it as
 * `connectionParams` (it opens a new client per subscription, so a changed token
 * applies to the next run). One lower-case `authorization` key therefore gives
 * `Authorization: Bearer <token>` over HTTP and `connectionParams.authorization`
 * over WebSocket, which is where the server looks (src/auth/credentials.ts).
 */

/** The Authorization value for a token as typed, or undefined when the field is empty. */
export function bearerValue(typed: string): string | undefined {
  // People paste what they copied from a curl line: "Bearer abc" or "Authorization: Bearer abc".
  const token = typed
    .trim()
    .replace(/^authorization\s*:\s*/i, '')
    .replace(/^bearer(?:\s+|$)/i, '')
    .trim();
  return token === '' ? undefined : `Bearer ${token}`;
}

/**
 * `headers` with the token field's value as its only Authorization entry.
 * Any Authorization key from the Headers editor (in whatever case) is dropped:
 * two keys differing in case would reach the server as one comma-joined,
 * malformed header over HTTP, and as an ambiguous pair over WebSocket.
 * Without a value the headers pass through untouched, so a token typed into the
 * Headers editor still works.
 */
export function withAuthorization(
  headers: Readonly<Record<string, unknown>> | undefined,
  authorization: string | undefined,
): Record<string, unknown> | undefined {
  if (authorization === undefined) return headers && { ...headers };
  const rest = Object.fromEntries(Object.entries(headers ?? {}).filter(([key]) => key.toLowerCase() !== 'authorization'));
  return { ...rest, authorization };
}
