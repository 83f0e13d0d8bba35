/**
 * `Expect: 100-continue` for archive uploads. curl sends it with every upload
 * over 1 MiB and waits for "100 Continue" before it sends the body. Node
 * answers 100 at once by default, before any route has looked at the
 * request, so a multi-GB upload that is then refused (413 over the limit,
 * 409 for a taken name, 401, 403, 429) is streamed anyway, and the client
 * often sees a reset connection instead of the answer. Here an archive upload
 * gets its 100 only from its route, once every check passed
 * ({@link continueUpload}); a refusal is answered while the body is still
 * unsent. Every other request gets its 100 at once, as before.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { ARCHIVES_PATH } from '../archive/names';

/** True for `PUT /archives/<something>`, the one request whose body may be gigabytes. */
function isArchiveUpload(req: IncomingMessage): boolean {
  return req.method === 'PUT' && (req.url ?? '').startsWith(`${ARCHIVES_PATH}/`);
}

/** Takes over Node's automatic "100 Continue" on `server` (see the module comment). */
export function deferContinueForUploads(server: Server): void {
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    if (!isArchiveUpload(req)) res.writeContinue();
    // With a checkContinue listener Node does not emit 'request' itself.
    server.emit('request', req, res);
  });
}

/** Tells a client that waits on `Expect: 100-continue` to send its body now; a no-op for other requests. */
export function continueUpload(req: IncomingMessage, res: ServerResponse): void {
  if (/^\s*100-continue\s*$/i.test(req.headers.expect ?? '')) res.writeContinue();
}
