/**
 * Express middleware in front of every route that carries host data: Origin
 * and Host checks first (cross-site requests, DNS rebinding), then the token,
 * then the role a route needs. Refusals answer in the shape of the route they
 * guard: GraphQL errors on /graphql, `{"error": {code, message}}` elsewhere.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Authenticator } from '../auth/authenticator';
import { readBearer } from '../auth/credentials';
import { hostIsLocal, originAllowed } from '../auth/origin';
import type { Principal } from '../auth/principal';
import { type Role, roleAtLeast } from '../auth/roles';
import type { Logger } from '../logger';
import { ErrorCode } from '../schema/errors';

/** How a refusal is written: as a GraphQL response or as the archive routes' error object. */
export type ErrorStyle = 'graphql' | 'json';

/** Writes one refusal. */
export function refuse(res: Response, style: ErrorStyle, status: number, code: ErrorCode | string, message: string): void {
  if (status === 401) res.set('WWW-Authenticate', 'Bearer');
  res.status(status).json(style === 'graphql' ? { errors: [{ message, extensions: { code } }] } : { error: { code, message } });
}

/** Settings of {@link requestOriginGuard}. */
export interface OriginGuardOptions {
  readonly allowedOrigins: readonly string[];
  /** When set (no tokens, not insecure), Host must name loopback or this bind address. */
  readonly localOnlyBindHost?: string;
}

/** True when a request (or upgrade) with these headers may proceed; otherwise the reason. */
export function checkRequestOrigin(headers: { origin?: string; host?: string }, options: OriginGuardOptions): string | undefined {
  if (!originAllowed(headers.origin, headers.host, options.allowedOrigins)) {
    return `cross-origin request refused: Origin ${JSON.stringify(String(headers.origin).slice(0, 200))} is neither this server nor listed in DOCKQL_ALLOWED_ORIGINS`;
  }
  if (options.localOnlyBindHost !== undefined && !hostIsLocal(headers.host, options.localOnlyBindHost)) {
    return 'request refused: without DOCKQL_TOKENS_FILE this server answers only to loopback host names (localhost, 127.0.0.1, ::1)';
  }
  return undefined;
}

/** Refuses cross-site browser requests and, without tokens, foreign Host names (403). */
export function requestOriginGuard(options: OriginGuardOptions, style: (req: Request) => ErrorStyle): RequestHandler {
  return (req, res, next) => {
    const reason = checkRequestOrigin({ origin: req.headers.origin, host: req.headers.host }, options);
    if (reason === undefined) return next();
    refuse(res, style(req), 403, ErrorCode.FORBIDDEN, reason);
  };
}

/** The caller of this request, set by {@link authenticate}. */
export function principalOf(res: Response): Principal {
  const principal = res.locals.principal as Principal | undefined;
  if (!principal) throw new Error('authenticate() must run before principalOf()');
  return principal;
}

/** Sets `res.locals.principal` from the Bearer token, or answers 401 UNAUTHENTICATED (and logs the refusal at warn when given a logger). */
export function authenticate(authenticator: Authenticator, style: ErrorStyle, log?: Logger): RequestHandler {
  return (req, res, next) => {
    const outcome = authenticator.authenticate(readBearer(req.headers.authorization));
    if ('refused' in outcome) {
      log?.warn({ auth: { transport: 'http', method: req.method, path: req.path.slice(0, 200), remote: req.socket.remoteAddress, reason: outcome.refused } }, 'authentication refused');
      return refuse(res, style, 401, ErrorCode.UNAUTHENTICATED, outcome.refused);
    }
    res.locals.principal = outcome.principal;
    next();
  };
}

/** Lets the request through when its caller has at least `role` (after {@link authenticate}), else 403 FORBIDDEN. */
export function requireRole(role: Role | ((req: Request) => Role), style: ErrorStyle): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const need = typeof role === 'function' ? role(req) : role;
    const principal = principalOf(res);
    if (roleAtLeast(principal.role, need)) return next();
    refuse(res, style, 403, ErrorCode.FORBIDDEN, `${req.method} ${req.path.slice(0, 200)} needs the ${need} role; token "${principal.name}" has ${principal.role}`);
  };
}
