/**
 * HTTP transfer of archives, beside GraphQL (whose mutations take archive names):
 *
 * - `GET|HEAD /archives/<name>`: the file, streamed, with Content-Length,
 *   Content-Type, ETag `"<sha256>"` once known (If-None-Match → 304), and
 *   single byte ranges (206; 416 when unsatisfiable; If-Range) so a broken
 *   download resumes.
 * - `PUT /archives/<name>[?overwrite=true]`: the request body, streamed into
 *   the store atomically; 201 with the archive as JSON; 409 when the name
 *   exists; 413 over DOCKQL_MAX_UPLOAD_BYTES (declared or counted).
 * - `DELETE /archives/<name>`: 204. `GET /archives`: the list as JSON.
 *
 * Errors are `{"error": {"code", "message"}}` with the contract's codes.
 * Names are checked after Express's single percent-decoding, so encoded
 * traversal (`..%2Fx.tar`, `%2e%2e`, double encoding) is a 400 and touches nothing.
 */
import type { IncomingMessage } from 'node:http';
import { PassThrough, pipeline, type Readable } from 'node:stream';
import { type NextFunction, type Request, type Response, Router } from 'express';
import { ARCHIVE_BYTES_LOCAL } from '../audit/archive-audit';
import type { Logger } from '../logger';
import { BadUserInputError, DockqlError, ErrorCode } from '../schema/errors';
import { type ArchiveInfo, ArchiveOrigin } from './meta';
import { ARCHIVES_PATH, archiveMediaType, checkArchiveName } from './names';
import type { ArchiveStore } from './store';
import { continueUpload } from '../transport/expect-continue';
import { ArchiveTooLargeError } from './errors';

/** Settings of the archive routes. */
export interface ArchiveRouteOptions {
  /** Largest upload accepted (DOCKQL_MAX_UPLOAD_BYTES). */
  readonly maxUploadBytes: number;
  readonly log: Logger;
}

/** The archive as JSON: the same fields as the GraphQL `Archive`. */
export function archiveJson(info: ArchiveInfo): Record<string, unknown> {
  return { ...info, contents: [...info.contents], createdAt: info.createdAt.toISOString() };
}

/** The `/archives` routes; mount with `app.use(archiveRouter(store, options))`. */
export function archiveRouter(store: ArchiveStore, options: ArchiveRouteOptions): Router {
  const router = Router();
  const one = `${ARCHIVES_PATH}/:name`;

  router.get(ARCHIVES_PATH, async (_req, res) => {
    res.json({ archives: (await store.list()).map(archiveJson) });
  });
  // PUT/DELETE on the list itself (`/archives/` too, an empty name): our error shape, not Express's HTML 404.
  router.all(ARCHIVES_PATH, (req, res) => {
    res.status(405).set('Allow', 'GET, HEAD');
    res.json(errorBody(ErrorCode.BAD_USER_INPUT, `${req.method} needs an archive name: ${ARCHIVES_PATH}/<name>`));
  });
  router.get(one, (req, res) => download(store, req, res, options.log));
  router.put(one, async (req, res) => {
    const name = checkArchiveName(String(req.params.name));
    const overwrite = parseOverwrite(req.query.overwrite);
    const declared = req.headers['content-length'];
    // Refused before a byte is read; chunked uploads are counted as they stream.
    if (declared !== undefined && Number(declared) > options.maxUploadBytes) throw new ArchiveTooLargeError(options.maxUploadBytes);
    // A taken name is refused before the body, too; only then may a client waiting on Expect: 100-continue send it.
    const writer = await store.createWriter(name, { overwrite, origin: ArchiveOrigin.UPLOADED });
    continueUpload(req, res);
    const info = await writer.write(requestBody(req), { maxBytes: options.maxUploadBytes });
    res.locals[ARCHIVE_BYTES_LOCAL] = info.size;
    res.status(201).location(info.downloadUrl).json(archiveJson(info));
  });
  router.delete(one, async (req, res) => {
    await store.delete(checkArchiveName(String(req.params.name)));
    res.status(204).end();
  });
  router.all(one, (req, res) => {
    res.status(405).set('Allow', 'GET, HEAD, PUT, DELETE');
    res.json(errorBody(ErrorCode.BAD_USER_INPUT, `${req.method} is not allowed on an archive; use GET, HEAD, PUT or DELETE`));
  });
  router.all(`${ARCHIVES_PATH}/*rest`, (_req, res) => {
    res.status(404).json(errorBody(ErrorCode.NOT_FOUND, 'no such route: archives are at /archives/<name>, one plain file name'));
  });
  router.use(ARCHIVES_PATH, (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const { status, code, message } = describe(err, options.log);
    if (req.method === 'PUT') options.log.info({ path: req.originalUrl.slice(0, 300), status, code, reason: message }, 'archive upload refused or failed; nothing was kept');
    // An unread upload body is not worth reading: close the connection after answering.
    if (!req.complete) res.set('Connection', 'close');
    res.status(status).json(errorBody(code, message));
  });
  return router;
}

async function download(store: ArchiveStore, req: Request, res: Response, log: Logger): Promise<void> {
  const name = checkArchiveName(String(req.params.name));
  const handle = await store.open(name);
  let streaming = false;
  try {
    const { size, sha256 } = handle.info;
    res.set({
      'Content-Type': archiveMediaType(name),
      'Accept-Ranges': 'bytes',
      'Last-Modified': handle.modifiedAt.toUTCString(),
      // Names can be overwritten: caches must revalidate (cheap with the ETag).
      'Cache-Control': 'no-cache',
      'Content-Disposition': `attachment; filename="${name}"`,
      'X-Content-Type-Options': 'nosniff',
    });
    if (sha256) res.set('ETag', `"${sha256}"`);
    if (notModified(req, sha256, handle.modifiedAt)) {
      res.status(304).end();
      return;
    }
    let range: { start: number; end: number } | undefined;
    if (req.headers.range && ifRangeHolds(req.get('If-Range'), sha256, handle.modifiedAt)) {
      const ranges = req.range(size, { combine: true });
      if (ranges === -1) {
        res.status(416).set('Content-Range', `bytes */${size}`);
        res.json(errorBody(ErrorCode.BAD_USER_INPUT, `range not satisfiable: the archive has ${size} bytes`));
        return;
      }
      // A malformed header or several ranges get the whole file, as RFC 9110 allows.
      const only = Array.isArray(ranges) && ranges.type === 'bytes' && ranges.length === 1 ? ranges[0] : undefined;
      if (only) {
        range = { start: only.start, end: only.end };
        res.status(206).set('Content-Range', `bytes ${only.start}-${only.end}/${size}`);
      }
    }
    res.set('Content-Length', String(range ? range.end - range.start + 1 : size));
    if (req.method === 'HEAD' || size === 0) {
      res.end();
      return;
    }
    streaming = true;
    pipeline(handle.stream(range), res, (err) => {
      if (err) log.debug({ err, archive: name }, 'archive download ended early');
    });
  } finally {
    if (!streaming) await handle.close();
  }
}

/**
 * RFC 9110 §13.2.2: If-None-Match decides when present (weak comparison, `*`),
 * else If-Modified-Since. Unlike `req.fresh`, a request's `Cache-Control:
 * no-cache` does not disable it: that directive is for caches, and fetch()
 * adds it to every conditional request.
 */
function notModified(req: Request, sha256: string | null, modifiedAt: Date): boolean {
  const ifNoneMatch = req.get('If-None-Match');
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch.trim() === '*') return true;
    return sha256 !== null && ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === `"${sha256}"`);
  }
  const since = Date.parse(req.get('If-Modified-Since') ?? '');
  return !Number.isNaN(since) && Math.floor(modifiedAt.getTime() / 1000) <= Math.floor(since / 1000);
}

/** If-Range: the range applies only while the client's validator still names this file. */
function ifRangeHolds(ifRange: string | undefined, sha256: string | null, modifiedAt: Date): boolean {
  if (ifRange === undefined) return true;
  if (ifRange.includes('"')) return sha256 !== null && ifRange.trim() === `"${sha256}"`;
  const date = Date.parse(ifRange);
  return !Number.isNaN(date) && Math.floor(date / 1000) === Math.floor(modifiedAt.getTime() / 1000);
}

/** `?overwrite`, `?overwrite=true|1` → true; absent, `false`, `0` → false; anything else is a 400. */
function parseOverwrite(value: unknown): boolean {
  if (value === undefined || value === 'false' || value === '0') return false;
  if (value === '' || value === 'true' || value === '1') return true;
  throw new BadUserInputError('overwrite must be true or false', { argument: 'overwrite' });
}

/**
 * The request body as a stream the store may destroy on failure without
 * destroying the socket (which must still carry the 413 or 409); a client
 * that hangs up mid-upload fails it.
 */
function requestBody(req: IncomingMessage): Readable {
  const body = new PassThrough();
  req.pipe(body);
  const hungUp = () => {
    if (!req.complete) body.destroy(new UploadAbortedError());
  };
  req.once('aborted', hungUp);
  req.once('error', hungUp);
  req.once('close', hungUp);
  return body;
}

/** The client hung up mid-upload: nothing is kept, and nobody is left to answer. */
class UploadAbortedError extends BadUserInputError {
  constructor() {
    super('the client closed the connection before the upload was complete');
  }
}

function errorBody(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}

const STATUS: Partial<Record<string, number>> = {
  [ErrorCode.BAD_USER_INPUT]: 400,
  [ErrorCode.NOT_FOUND]: 404,
  [ErrorCode.CONFLICT]: 409,
  // The store's only public internal error is a full disk.
  [ErrorCode.INTERNAL_SERVER_ERROR]: 507,
};

/** Status, code and a client-safe message; anything unexpected is logged and masked. */
function describe(err: unknown, log: Logger): { status: number; code: string; message: string } {
  if (err instanceof ArchiveTooLargeError) return { status: 413, code: err.code, message: err.message };
  if (err instanceof DockqlError) return { status: STATUS[err.code] ?? 500, code: err.code, message: err.message };
  // Express's own 400: a parameter that is not valid percent-encoding.
  if ((err as { status?: unknown } | null)?.status === 400) {
    return { status: 400, code: ErrorCode.BAD_USER_INPUT, message: 'the archive name in the URL is not valid percent-encoding' };
  }
  log.error({ err }, 'unexpected error on an archive route');
  return { status: 500, code: ErrorCode.INTERNAL_SERVER_ERROR, message: 'Internal server error' };
}
