/**
 * A request id for every HTTP request and one log line when it ends.
 *
 * Hand-written rather than pino-http (which is not a dependency): all it
 * needs is an id, a response header and one line on `close`, and writing it
 * keeps the line's fields exactly ours (method, path without the query
 * string, status, ms, requestId) with no serializers to tame.
 */
import { randomUUID } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import type { Logger } from '../logger';

/** The header a caller may set and every response carries. */
export const REQUEST_ID_HEADER = 'X-Request-Id';

/** Probes and scrapes come every few seconds: their lines are debug, so that info stays readable. */
const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/** A caller's X-Request-Id, kept only when it is short and plain (it goes into logs); else undefined. */
export function safeRequestId(value: string | undefined): string | undefined {
  return value && /^[A-Za-z0-9._:-]{1,128}$/.test(value) ? value : undefined;
}

/** The id {@link requestLog} gave this request. */
export function requestIdOf(res: Response): string | undefined {
  return res.locals.requestId as string | undefined;
}

/**
 * Mount first: sets `res.locals.requestId` (the caller's plain X-Request-Id,
 * else a new UUID), echoes it as `X-Request-Id`, and logs one line when the
 * response ends (`aborted: true` when the client left first).
 */
export function requestLog(log: Logger): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    const requestId = safeRequestId(req.get(REQUEST_ID_HEADER)) ?? randomUUID();
    res.locals.requestId = requestId;
    res.set(REQUEST_ID_HEADER, requestId);
    // Read now: routers rewrite req.url while they run. Query strings can carry names and ids worth keeping out of logs.
    const path = req.originalUrl.split('?')[0]!.slice(0, 300);
    res.once('close', () => {
      const line = { requestId, method: req.method, path, status: res.statusCode, ms: Math.round(performance.now() - started), ...(res.writableFinished ? {} : { aborted: true }) };
      if (QUIET_PATHS.has(path)) log.debug(line, 'http request');
      else log.info(line, 'http request');
    });
    next();
  };
}
