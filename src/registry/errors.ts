/**
 * Maps what a registry (or its auth server) answers, or fails to answer, to
 * the API's error codes: on the HTTP status and the Distribution error codes,
 * keeping the registry's own words (`errors[].message`), never credentials.
 */
import { DockqlError, ErrorCode } from '../schema/errors';

/** One entry of a Distribution error body: `{"errors": [{"code", "message", "detail"}]}`. */
export interface DistributionError {
  readonly code: string;
  readonly message: string;
}

const MESSAGE_MAX = 500;

/** The `errors` of a Distribution error body; [] when the body is not one. */
export function distributionErrors(body: string): DistributionError[] {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return [];
  }
  const errors = (json as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(errors)) return [];
  return errors
    .filter((e): e is Record<string, unknown> => !!e && typeof e === 'object')
    .map((e) => ({ code: typeof e.code === 'string' ? e.code : '', message: typeof e.message === 'string' ? e.message : '' }));
}

/** Removes every secret from text shown to a client, strips control characters and bounds the length. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret) out = out.split(secret).join('[redacted]');
  out = out.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return out.length > MESSAGE_MAX ? `${out.slice(0, MESSAGE_MAX)}…` : out;
}

/** What the registry said, for a message: its errors' messages, else a trimmed body, else the status text. */
function registryWords(status: number, body: string, errors: readonly DistributionError[]): string {
  const words = errors.map((e) => e.message || e.code).filter(Boolean);
  if (words.length) return words.join('; ');
  const text = body.trim();
  return text && !text.startsWith('<') ? text : `HTTP ${status}`;
}

/** A failed response, as the client saw it. */
export interface FailedResponse {
  readonly host: string;
  /** What was asked, e.g. "GET /v2/_catalog" (no query: it may carry names only, but stays short). */
  readonly what: string;
  readonly status: number;
  readonly body: string;
  /** True when the response carried Docker-Distribution-API-Version. */
  readonly isRegistry: boolean;
  /** The credentials, tokens and Authorization values in play, removed from any text shown. */
  readonly secrets: readonly string[];
  /** The request carried credentials (or a token bought with them). */
  readonly authenticated: boolean;
  /** The challenge's `error` parameter, e.g. insufficient_scope. */
  readonly challengeError?: string;
}

/**
 * The error for a registry's failure answer: 401 UNAUTHENTICATED (FORBIDDEN when
 * credentials were accepted but lack the scope), 403 FORBIDDEN, 404 NOT_FOUND
 * (REGISTRY_ERROR when the server is not a Distribution v2 registry at all),
 * 429 RATE_LIMITED, anything else REGISTRY_ERROR.
 */
export function registryFailure(r: FailedResponse): DockqlError {
  const errors = distributionErrors(r.body);
  const words = scrub(registryWords(r.status, r.body, errors), r.secrets);
  const detail = { registry: r.host, status: r.status, registryCodes: errors.map((e) => e.code).filter(Boolean) };
  const prefix = `registry ${r.host} answered ${r.status} to ${r.what}`;
  if (r.status === 401) {
    if (r.authenticated && r.challengeError === 'insufficient_scope') {
      return new DockqlError(ErrorCode.FORBIDDEN, `${prefix}: the credentials were accepted but do not grant this access: ${words}`, detail);
    }
    const hint = r.authenticated ? 'the credentials were refused' : 'it needs credentials (pass auth)';
    return new DockqlError(ErrorCode.UNAUTHENTICATED, `${prefix}: ${hint}: ${words}`, detail);
  }
  if (r.status === 403) return new DockqlError(ErrorCode.FORBIDDEN, `${prefix}: access denied: ${words}`, detail);
  if (r.status >= 300 && r.status < 400) {
    return new DockqlError(ErrorCode.REGISTRY_ERROR, `${prefix}: a redirect, which is not followed (is the host or port right?)`, detail);
  }
  if (r.status === 404) {
    if (!r.isRegistry && errors.length === 0) {
      return new DockqlError(
        ErrorCode.REGISTRY_ERROR,
        `${prefix} without a Docker-Distribution-API-Version header: is it a Distribution v2 registry? ${words}`,
        detail,
      );
    }
    return new DockqlError(ErrorCode.NOT_FOUND, `${prefix}: ${words}`, detail);
  }
  if (r.status === 429) return new DockqlError(ErrorCode.RATE_LIMITED, `${prefix}: too many requests: ${words}`, detail);
  return new DockqlError(ErrorCode.REGISTRY_ERROR, `${prefix}: ${words}`, detail);
}

/**
 * The error for a token server's refusal: 401 UNAUTHENTICATED, 403 FORBIDDEN,
 * 429 RATE_LIMITED, anything else REGISTRY_ERROR. `withheld`: credentials were
 * given but not sent, because the realm is plain http on another host.
 */
export function tokenServerFailure(r: FailedResponse & { readonly who: string }, withheld: boolean): DockqlError {
  const errors = distributionErrors(r.body);
  const words = scrub(registryWords(r.status, r.body, errors), r.secrets);
  const detail = { registry: r.host, status: r.status, registryCodes: errors.map((e) => e.code).filter(Boolean) };
  const why = withheld ? ' (credentials are sent only to an https realm, to the registry host itself or to loopback)' : '';
  const prefix = `${r.who} answered ${r.status} to ${r.what}${why}`;
  if (r.status === 401) {
    const hint = r.authenticated ? 'the credentials were refused' : 'it needs credentials (pass auth)';
    return new DockqlError(ErrorCode.UNAUTHENTICATED, `${prefix}: ${hint}: ${words}`, detail);
  }
  if (r.status === 403) return new DockqlError(ErrorCode.FORBIDDEN, `${prefix}: access denied: ${words}`, detail);
  if (r.status === 429) return new DockqlError(ErrorCode.RATE_LIMITED, `${prefix}: too many requests: ${words}`, detail);
  return new DockqlError(ErrorCode.REGISTRY_ERROR, `${prefix}: ${words}`, detail);
}

/** The code of a fetch failure: undici puts the socket error under `cause` (sometimes nested). */
function networkCode(err: unknown): string | undefined {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string') return e.code;
  }
  return undefined;
}

/**
 * The error for a request that got no answer: TIMEOUT when our bound ran out,
 * REGISTRY_UNAVAILABLE when the connection failed (refused, reset, DNS, TLS).
 * `who` is "registry 127.0.0.1:5000" or "auth server 127.0.0.1:5001".
 */
export function unansweredFailure(who: string, what: string, err: unknown, timeoutMs: number): DockqlError {
  const name = (err as { name?: unknown } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new DockqlError(ErrorCode.TIMEOUT, `${who} did not answer ${what} within ${timeoutMs} ms`, { timeoutMs });
  }
  // Refused, reset, DNS, TLS: whatever the socket said, nothing usable answers there.
  const code = networkCode(err);
  const reason = code ?? (err instanceof Error && err.message !== 'fetch failed' ? err.message : 'connection failed');
  return new DockqlError(ErrorCode.REGISTRY_UNAVAILABLE, `cannot reach ${who} for ${what}: ${reason}`, code ? { reason: code } : {});
}
