/**
 * The one raw-request helper of src/docker/: calls dockerode has no method for
 * (or whose dockerode method buffers or mis-resolves) go through {@link dial},
 * as a declarative request: method, path, query, JSON body and the status codes
 * that mean success, like docker-modem's own tables.
 *
 * Run it inside DockerClient.withDocker: any status not in `ok` fails with
 * `statusCode` set and the daemon's words, which withDocker maps like every
 * other call (src/docker/errors.ts; 304 is success there).
 *
 * Three ways to receive the answer:
 * - the parsed JSON body (the default; `undefined` when empty);
 * - `stream`: the response itself, to read incrementally. dockerode buffers
 *   some long answers whole (`logs` without `follow`), which would let a
 *   10,000-line log grow without bound in memory;
 * - `hijack`: the upgraded raw socket (exec start, attach).
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
  /** Resolve with the response stream once the status is in `ok`, instead of its parsed body. */
  readonly stream?: boolean;
  /** Upgrade the connection (exec start, attach): resolves with the raw socket. */
  readonly hijack?: boolean;
  /** Cancels the request, and a `stream` response once open (it is destroyed). */
  readonly signal?: AbortSignal;
}

/**
 * Sends one request; resolves with the parsed JSON body (undefined when empty),
 * the response stream for `stream`, or the upgraded socket for `hijack`.
 */
export function dial<T = void>(docker: Dockerode, request: DialRequest): Promise<T> {
  const query = Object.fromEntries(Object.entries(request.query ?? {}).filter(([, v]) => v !== undefined));
  const hasQuery = Object.keys(query).length > 0;
  // docker-modem appends options as the query string only when the path ends in "?", and
  // sends `_body` (or else the whole options object) as a POST body: name both explicitly.
  const options: Record<string, unknown> = {};
  if (hasQuery) options._query = query;
  options._body = request.body ?? {};
  // docker-modem fails every status not listed as true, with statusCode set: the client maps it.
  const statusCodes = Object.fromEntries(request.ok.map((code) => [code, true]));
  const raw = request.stream === true || request.hijack === true;
  return new Promise<T>((resolve, reject) => {
    docker.modem.dial(
      {
        path: hasQuery ? `${request.path}?` : request.path,
        method: request.method,
        options,
        statusCodes,
        ...(raw ? { isStream: true } : {}),
        ...(request.hijack ? { hijack: true } : {}),
        // At the top level, where docker-modem hands it to the HTTP request (inside `options` it is dropped).
        ...(request.signal ? { abortSignal: request.signal } : {}),
      } as Parameters<Dockerode['modem']['dial']>[0],
      (err: unknown, data: unknown) => {
        if (err) return reject(err);
        // An empty body comes back as an empty Buffer.
        if (!raw && Buffer.isBuffer(data) && data.length === 0) return resolve(undefined as T);
        resolve(data as T);
      },
    );
  });
}
