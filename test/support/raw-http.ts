/**
 * HTTP requests with node:http, for what fetch would not send: paths exactly
 * as written (no dot-segment normalization), chunked bodies of a chosen
 * shape, and clients that hang up midway.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';

/** A response read to its end. */
export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** The body parsed as JSON (undefined when it is not JSON). */
  readonly json: unknown;
}

/** Sends one request to `baseUrl` + `path` (the path is sent verbatim). */
export function rawRequest(
  baseUrl: string,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: Buffer | Readable },
): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = httpRequest({ host: url.hostname, port: url.port, method: options.method ?? 'GET', path: options.path, headers: { connection: 'close', ...options.headers } }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        let json: unknown;
        try {
          json = JSON.parse(body.toString('utf8'));
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json });
      });
    });
    // A server that answers early (413, 409) and closes may cut the rest of our body: the answer counts.
    req.on('error', (err) => {
      if (!answered) reject(err);
    });
    const body = options.body;
    if (body === undefined) req.end();
    else if (Buffer.isBuffer(body)) req.end(body);
    else body.pipe(req);
  });
}

/** The `{error: {code}}` of an archive route's error answer. */
export function errorCode(res: RawResponse): unknown {
  return (res.json as { error?: { code?: unknown } } | undefined)?.error?.code;
}
