/**
 * Raw daemon requests for the modules of src/docker/ (run them inside
 * DockerClient.withDocker, which maps failures on statusCode): a method, a
 * path, an optional query and JSON body, and the status codes that mean
 * success. Anything else fails with `statusCode` set and the daemon's words.
 *
 * NOTE (containers-details session): this file was accidentally overwritten
 * moments after its author created it; this is a reconstruction from its call
 * sites in containers.ts and exec.ts. Its author may replace it with the original.
 */
import type Dockerode from 'dockerode';

/** One daemon request. */
export interface DialRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'HEAD';
  /** The path after the API version, e.g. `/containers/abc/stop` (segments already encoded). */
  readonly path: string;
  /** Query parameters; undefined values are left out. */
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  /** JSON body (POST/PUT). */
  readonly body?: unknown;
  /** Status codes that mean success (e.g. [204], [200, 201]). */
  readonly ok: readonly number[];
  /** Upgrade the connection (exec start, attach): resolves with the raw socket. */
  readonly hijack?: boolean;
}

/**
 * Sends one request; resolves with the parsed JSON body (undefined when empty),
 * or the upgraded socket for `hijack`.
 */
export function dial<T = void>(docker: Dockerode, request: DialRequest): Promise<T> {
  const query = Object.fromEntries(Object.entries(request.query ?? {}).filter(([, v]) => v !== undefined));
  const hasQuery = Object.keys(query).length > 0;
  // docker-modem appends options as the query string only when the path ends in "?", and
  // sends `_body` (or else the whole options object) as a POST body: name both explicitly.
  const options: Record<string, unknown> = {};
  if (hasQuery) options._query = query;
  options._body = request.body ?? {};
  const statusCodes = Object.fromEntries(request.ok.map((code) => [code, true]));
  return new Promise<T>((resolve, reject) => {
    docker.modem.dial(
      {
        path: hasQuery ? `${request.path}?` : request.path,
        method: request.method,
        options,
        statusCodes,
        ...(request.hijack ? { hijack: true, isStream: true } : {}),
      } as Parameters<Dockerode['modem']['dial']>[0],
      (err: unknown, data: unknown) => {
        if (err) return reject(err);
        // An empty body comes back as an empty Buffer.
        if (!request.hijack && Buffer.isBuffer(data) && data.length === 0) return resolve(undefined as T);
        resolve(data as T);
      },
    );
  });
}
