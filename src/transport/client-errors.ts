/**
 * Requests Node's HTTP parser refuses before any route runs: a request line
 * and headers over its 16 KiB limit (a 100 KB archive name in a URL), or bytes
 * that are not HTTP. Node would answer a bare status line with no body; here
 * the answer carries the same JSON error shape as every other HTTP error of
 * the service, `{"error": {"code": "BAD_USER_INPUT", "message": ...}}` (TIMEOUT
 * for a request that did not arrive in time, 408), so
 * that a client (or ops reading curl's output) sees what was wrong.
 */
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { ErrorCode } from '../schema/errors';

/** The HTTP status, error code and message for a refusal (llhttp's `HPE_*` codes, Node's request timeout). */
function refusal(code: string | undefined): { status: string; code: ErrorCode; message: string } {
  if (code === 'HPE_HEADER_OVERFLOW') {
    return { status: '431 Request Header Fields Too Large', code: ErrorCode.BAD_USER_INPUT, message: 'the request line and headers are over 16 KiB (a name that long is not valid anywhere in this API)' };
  }
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return { status: '408 Request Timeout', code: ErrorCode.TIMEOUT, message: 'the request did not arrive in time' };
  return { status: '400 Bad Request', code: ErrorCode.BAD_USER_INPUT, message: 'the request is not valid HTTP/1.1' };
}

/** Answers parser refusals on `server` with a JSON error, then closes the connection. */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // A peer that reset or already left gets nothing; a half-written answer would only fail.
    if (err.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
    const { status, code, message } = refusal(err.code);
    const body = JSON.stringify({ error: { code, message } });
    socket.end(`HTTP/1.1 ${status}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  });
}
