/**
 * Turns what the transports throw (fetch and socket errors, WebSocket close
 * events, GraphQL errors, HTTP error bodies) into one-line {@link CliError}s:
 * "cannot reach dockql at URL: connection refused", "the server refused the
 * token (401): ...", "forbidden (403): ...", or the server's own message.
 */
import { CliError, EXIT_FAILED, oneLine } from './errors';

/** A GraphQL error as the server sends it. */
export interface GraphQLErrorLike {
  readonly message: string;
  readonly extensions?: { readonly code?: unknown } & Record<string, unknown>;
}

/** What the CLI knows when it explains a failure. */
export interface FailureContext {
  /** The GraphQL endpoint, as shown to the user. */
  readonly server: string;
  /** Whether a token was sent (a refusal without one says how to give it). */
  readonly tokenGiven: boolean;
}

const SYSTEM_REASONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found (DNS lookup failed)',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EPIPE: 'connection closed while sending',
  UND_ERR_SOCKET: 'connection closed',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
};

/** The system error inside fetch's TypeError, Node's AggregateError (happy eyeballs) or ws's ErrorEvent. */
function systemError(err: unknown, depth = 0): { code: string; message: string } | undefined {
  if (err === null || typeof err !== 'object' || depth > 4) return undefined;
  const e = err as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown; error?: unknown };
  if (typeof e.code === 'string' && (SYSTEM_REASONS[e.code] || /^E[A-Z]+$/.test(e.code) || /CERT|TLS|SSL/.test(e.code))) {
    return { code: e.code, message: typeof e.message === 'string' ? e.message : e.code };
  }
  return (
    systemError(e.cause, depth + 1) ??
    systemError(e.error, depth + 1) ??
    (Array.isArray(e.errors) ? e.errors.map((x) => systemError(x, depth + 1)).find(Boolean) : undefined)
  );
}

/** "cannot reach dockql at URL: <reason>" when `err` is a network failure; undefined otherwise. */
export function networkFailure(err: unknown, context: FailureContext): CliError | undefined {
  const system = systemError(err);
  if (!system) return undefined;
  const reason = SYSTEM_REASONS[system.code] ?? (/CERT|TLS|SSL/.test(system.code) ? `TLS: ${oneLine(system.message)}` : oneLine(system.message));
  return new CliError(`cannot reach dockql at ${context.server}: ${reason}`);
}

function tokenRefused(message: string, context: FailureContext): CliError {
  const hint = context.tokenGiven ? '' : ' (give a token with --token or DOCKQL_TOKEN)';
  return new CliError(`the server refused the token (401): ${oneLine(message)}${hint}`);
}

/** One GraphQL error as a CLI failure: the server's message, with the refusals spelled out. */
export function graphqlFailure(error: GraphQLErrorLike, context: FailureContext): CliError {
  const code = error.extensions?.code;
  if (code === 'UNAUTHENTICATED') return tokenRefused(error.message, context);
  if (code === 'FORBIDDEN') return new CliError(`forbidden (403): ${oneLine(error.message)}`);
  if (code === 'GRAPHQL_VALIDATION_FAILED' || code === 'GRAPHQL_PARSE_FAILED') {
    return new CliError(`the server rejected the request (is it an older dockql?): ${oneLine(error.message)}`);
  }
  return new CliError(oneLine(error.message), EXIT_FAILED, typeof code === 'string' ? code : undefined);
}

/** An HTTP error answer (status and the message from its body, when any) as a CLI failure. */
export function httpFailure(status: number, body: BodyError, context: FailureContext): CliError {
  if (status === 401) return tokenRefused(body.message ?? 'Unauthorized', context);
  if (status === 403) return new CliError(`forbidden (403): ${oneLine(body.message ?? 'Forbidden')}`);
  if (body.message) return new CliError(oneLine(body.message), EXIT_FAILED, body.code);
  return new CliError(`the server at ${context.server} answered HTTP ${status}`);
}

/** What an error body says. */
export interface BodyError {
  readonly code?: string;
  readonly message?: string;
}

/** The code and message of a `{"error": {code, message}}` or `{"errors": [...]}` body; empty when it is neither. */
export function bodyError(text: string): BodyError {
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown }; errors?: Array<{ message?: unknown; extensions?: { code?: unknown } }> };
    const message = body.error?.message ?? body.errors?.[0]?.message;
    const code = body.error?.code ?? body.errors?.[0]?.extensions?.code;
    return { message: typeof message === 'string' ? message : undefined, code: typeof code === 'string' ? code : undefined };
  } catch {
    return {};
  }
}

/**
 * What a graphql-ws client threw: a close event (4401 token refused, 4403
 * forbidden), a socket error, a refused upgrade, or a list of GraphQL errors.
 * @param lastSocketError the last error the socket reported (a close event alone does not say why)
 */
export function socketFailure(err: unknown, lastSocketError: unknown, context: FailureContext): CliError {
  if (err instanceof CliError) return err;
  if (Array.isArray(err) && err.length > 0) return graphqlFailure(err[0] as GraphQLErrorLike, context);
  const close = err as { code?: unknown; reason?: unknown } | null;
  if (close && typeof close.code === 'number') {
    const reason = typeof close.reason === 'string' ? close.reason : '';
    if (close.code === 4401) return tokenRefused(reason || 'Unauthorized', context);
    if (close.code === 4403) return new CliError(`forbidden (403): ${oneLine(reason || 'Forbidden')}`);
    if (close.code === 4408) return new CliError(`the server at ${context.server} stopped answering (no pong to a ping in 10 s)`);
    if (close.code === 4418) return new CliError(`the server at ${context.server} did not acknowledge the WebSocket connection`);
    const cause = lastSocketError ?? undefined;
    if (cause !== undefined) return socketFailure(cause, undefined, context);
    return new CliError(`the server closed the connection (WebSocket code ${close.code}${reason ? `: ${oneLine(reason)}` : ''})`);
  }
  const network = networkFailure(err, context);
  if (network) return network;
  const message = (err as { message?: unknown } | null)?.message;
  const upgrade = typeof message === 'string' ? /Unexpected server response: (\d+)/.exec(message) : null;
  if (upgrade) {
    const status = Number(upgrade[1]);
    if (status === 401 || status === 403) return httpFailure(status, { message: 'the WebSocket upgrade was refused' }, context);
    return new CliError(`the server at ${context.server} does not accept WebSocket connections there (HTTP ${status})`);
  }
  return new CliError(typeof message === 'string' && message ? oneLine(message) : `the WebSocket connection to ${context.server} failed`);
}
