/**
 * Audit lines (and the mutation rate limit) for archive transfers over HTTP:
 * `GET /archives/<name>` (archive.download), `PUT` (archive.upload) and
 * `DELETE` (archive.delete). Mount it at `/archives`, after authentication
 * (it reads `res.locals.principal`) and before the role check, so that
 * refusals get their line too. HEAD and the `GET /archives` list transfer no
 * archive and are not audited.
 *
 * PUT and DELETE spend the caller's mutation budget like any mutation (they
 * change the host's state); GET does not: downloads are reads, and a resumed
 * download is several range requests for one transfer.
 */
import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { ANONYMOUS_ADMIN, type Principal } from '../auth/principal';
import { enforceRateLimit, type RateLimiter } from '../auth/rate-limiter';
import type { Logger } from '../logger';
import { ErrorCode } from '../schema/errors';
import { elapsedMs, outcomeOf, who, writeAudit } from './audit-log';
import { redactArgs } from './redact-args';
import { REQUEST_ID_HEADER, requestIdOf, safeRequestId } from '../transport/request-log';

/** The audited methods and their operation names. */
const OPERATIONS: Readonly<Record<string, string>> = { GET: 'archive.download', PUT: 'archive.upload', DELETE: 'archive.delete' };

/** The error code each refusal status of the archive routes (and of the auth middleware in front) carries. */
const CODE_OF_STATUS: Readonly<Record<number, ErrorCode>> = {
  401: ErrorCode.UNAUTHENTICATED,
  403: ErrorCode.FORBIDDEN,
  404: ErrorCode.NOT_FOUND,
  409: ErrorCode.CONFLICT,
  429: ErrorCode.RATE_LIMITED,
};

/** Where the upload route leaves the stored archive's size for the audit line. */
export const ARCHIVE_BYTES_LOCAL = 'archiveBytes';

/** The audit (and rate limit) middleware of the archive routes. */
export function archiveAudit(options: { readonly log: Logger; readonly rateLimiter: RateLimiter }): RequestHandler {
  return (req, res, next) => {
    const operation = OPERATIONS[req.method];
    const name = /^\/([^/]+)$/.exec(req.path)?.[1];
    if (operation === undefined || name === undefined) return next();
    const startedAt = performance.now();
    const principal = (res.locals.principal as Principal | undefined) ?? ANONYMOUS_ADMIN;
    const base = { kind: 'archive' as const, operation, ...who(principal), args: redactArgs({ name: decodeName(name), overwrite: req.query.overwrite }), requestId: requestIdOf(res) ?? safeRequestId(req.get(REQUEST_ID_HEADER)) ?? randomUUID() };
    res.once('close', () => {
      const finished = res.writableFinished;
      writeAudit(options.log, { ...base, outcome: finished ? outcomeOfStatus(res.statusCode) : 'aborted', ms: elapsedMs(startedAt), status: res.statusCode, bytes: finished ? bytesOf(req, res) : undefined });
    });
    if (req.method !== 'GET') {
      try {
        enforceRateLimit(options.rateLimiter, principal);
      } catch (err) {
        return refuseOverLimit(req, res, err);
      }
    }
    next();
  };
}

function refuseOverLimit(req: Request, res: Response, err: unknown): void {
  const { message, extensions } = err as { message: string; extensions: { retryAfterSeconds: number } };
  // An unread upload body is not worth reading: answer and close.
  if (!req.complete) res.set('Connection', 'close');
  res.status(429).set('Retry-After', String(Math.ceil(extensions.retryAfterSeconds)));
  res.json({ error: { code: outcomeOf(err), message, retryAfterSeconds: extensions.retryAfterSeconds } });
}

function outcomeOfStatus(status: number): string {
  if (status < 400) return 'ok';
  return CODE_OF_STATUS[status] ?? (status >= 500 ? ErrorCode.INTERNAL_SERVER_ERROR : ErrorCode.BAD_USER_INPUT);
}

/** Bytes of archive that crossed: the body of a download, the stored size of an upload. */
function bytesOf(req: Request, res: Response): number | undefined {
  if (req.method === 'PUT') return res.locals[ARCHIVE_BYTES_LOCAL] as number | undefined;
  if (req.method !== 'GET' || (res.statusCode !== 200 && res.statusCode !== 206)) return undefined;
  const length = Number(res.getHeader('content-length'));
  return Number.isFinite(length) ? length : undefined;
}

function decodeName(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
