/**
 * The daemon's archive calls, as functions over {@link DockerClient}: `docker
 * save` (GET /images/get), `docker load` (POST /images/load), `docker export`
 * (GET /containers/{id}/export) and `docker import` (POST /images/create with
 * fromSrc=-). Everything streams: tars go from the daemon socket to the
 * caller's sink, and from the caller's file to the socket, with backpressure;
 * nothing here holds an archive in memory.
 */
import type { IncomingMessage } from 'node:http';
import { pipeline, type Readable, type Writable } from 'node:stream';
import type Dockerode from 'dockerode';
import type { DockerClient } from './client';
import type { ProgressMessage } from './ndjson';
import { encodePathSegment } from './refs';
import type { ChunkSource } from '../streams/chunk-source';
import { tarEndGuard, tarEndGuardChunks } from './tar-end';

/**
 * A request body as docker-modem takes one: it listens for `error` and pipes
 * the body into the request. A Readable is one; so is the archive store's
 * reused-buffer file body (archive/request-body.ts).
 */
export interface RequestBody {
  on(event: 'error', listener: (err: Error) => void): unknown;
  pipe(destination: Writable): unknown;
}

/** One streaming daemon request: the response body is handed over unread once the daemon answered 200. */
interface StreamRequest {
  readonly method: 'GET' | 'POST';
  /** Path after the API version, segments already encoded. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string | readonly string[]>>;
  /** Request body streamed to the daemon (a tar). */
  readonly body?: RequestBody;
  readonly signal?: AbortSignal;
}

function dialStream(docker: Dockerode, request: StreamRequest): Promise<IncomingMessage> {
  const hasQuery = request.query !== undefined && Object.keys(request.query).length > 0;
  return new Promise((resolve, reject) => {
    docker.modem.dial(
      {
        // docker-modem appends `options._query` as the query string only when the path ends in "?"; arrays repeat the key.
        path: hasQuery ? `${request.path}?` : request.path,
        method: request.method,
        options: hasQuery ? { _query: { ...request.query } } : {},
        isStream: true,
        // With `file`, docker-modem pipes the stream into the request (Content-Type application/tar).
        ...(request.body ? { file: request.body } : {}),
        abortSignal: request.signal,
        // docker-modem fails every status not listed as true, with statusCode set: the client maps it.
        statusCodes: { 200: true },
      } as Parameters<Dockerode['modem']['dial']>[0],
      (err: unknown, stream: unknown) => {
        if (err) reject(err);
        else resolve(stream as IncomingMessage);
      },
    );
  });
}

/**
 * `GET /images/get?names=...` (docker save): one tar holding every named image
 * and its tags. The stream fails instead of ending when the daemon broke off
 * half-way (see tar-end.ts), so a sink never commits a partial archive.
 * Over a unix socket or plain TCP it is a {@link ChunkSource} read through one
 * reused buffer (raw-get.ts: the cheap way for a multi-GB tar); over TLS or
 * ssh, docker-modem's Readable.
 * @param names - refs as the daemon resolves them (name[:tag], id, id prefix).
 */
export function openImageSave(client: DockerClient, names: readonly string[], signal: AbortSignal): Promise<Readable | ChunkSource> {
  return openTarDownload(client, { method: 'GET', path: '/images/get', query: { names }, signal }, "the daemon's save stream");
}

/** `GET /containers/{id}/export` (docker export): the container's root filesystem as a tar, read and guarded like a save. */
export function openContainerExport(client: DockerClient, id: string, signal: AbortSignal): Promise<Readable | ChunkSource> {
  return openTarDownload(client, { method: 'GET', path: `/containers/${encodePathSegment(id)}/export`, signal }, "the daemon's export stream");
}

/** A tar the daemon sends, guarded: the raw download where the endpoint allows, else docker-modem's response. */
async function openTarDownload(client: DockerClient, request: StreamRequest & { signal: AbortSignal }, what: string): Promise<Readable | ChunkSource> {
  const download = await client.openDownload(request.path, request.query ?? {}, request.signal);
  if (download) return tarEndGuardChunks(download, what);
  const res = await client.withDocker((d) => dialStream(d, request));
  return guarded(res, what);
}

/**
 * `POST /images/load?quiet=1` (docker load) with `tar` as the body. Resolves
 * with the daemon's JSON progress stream; read it with readProgressStream,
 * which fails on the error lines the daemon puts there (the answer is 200 even
 * when the load fails). quiet=1, as the CLI sends when not on a terminal: the
 * per-layer bars would only repeat the bytes the caller counts itself.
 */
export function postImageLoad(client: DockerClient, tar: RequestBody, signal: AbortSignal): Promise<IncomingMessage> {
  return client.withDocker((d) => dialStream(d, { method: 'POST', path: '/images/load', query: { quiet: '1' }, body: tar, signal }));
}

/** What `docker import` is told besides the tar. */
export interface ImportOptions {
  /** Repository, e.g. team/app or 127.0.0.1:5000/team/app. */
  readonly repo: string;
  readonly tag: string;
  /** Commit message shown by `docker history`. */
  readonly message?: string;
  /** Dockerfile instructions (validated by the caller), e.g. `CMD ["/bin/sh"]`. */
  readonly changes: readonly string[];
}

/**
 * `POST /images/create?fromSrc=-&repo=&tag=&message=&changes=...` (docker
 * import) with `tar` as the body. Resolves with the daemon's JSON stream; its
 * last `status` is the new image id ({@link importedImageId}).
 */
export function postImageImport(client: DockerClient, tar: RequestBody, options: ImportOptions, signal: AbortSignal): Promise<IncomingMessage> {
  const query: Record<string, string | readonly string[]> = { fromSrc: '-', repo: options.repo, tag: options.tag };
  if (options.message) query.message = options.message;
  if (options.changes.length) query.changes = options.changes;
  return client.withDocker((d) => dialStream(d, { method: 'POST', path: '/images/create', query, body: tar, signal }));
}

/** One image a load reported: by tag ("Loaded image: x:y") or, for untagged images, by id ("Loaded image ID: sha256:..."). */
export type LoadedImage = { readonly ref: string } | { readonly id: string };

const LOADED_ID = /^Loaded image ID: (sha256:[0-9a-f]{64})\s*$/;
const LOADED_REF = /^Loaded image: (\S+)\s*$/;

/** The image a line of the load stream reports as loaded; undefined for other lines. */
export function loadedImage(message: ProgressMessage): LoadedImage | undefined {
  const text = message.stream;
  if (typeof text !== 'string') return undefined;
  const id = LOADED_ID.exec(text);
  if (id) return { id: id[1]! };
  const ref = LOADED_REF.exec(text);
  return ref ? { ref: ref[1]! } : undefined;
}

/** The image id a line of the import stream carries (`{"status":"sha256:..."}`); undefined for other lines. */
export function importedImageId(message: ProgressMessage): string | undefined {
  const status = message.status?.trim();
  return status && /^sha256:[0-9a-f]{64}$/.test(status) ? status : undefined;
}

/**
 * The response through a tar-end guard. pipeline() ties them together both
 * ways: a response cut short (socket destroyed, premature close) fails the
 * guard, and destroying the guard destroys the response, which ends the daemon
 * request.
 */
function guarded(res: IncomingMessage, what: string): Readable {
  const guard = tarEndGuard(what);
  // The error surfaces on `guard`, where the consumer listens; this callback only has to exist.
  pipeline(res, guard, () => undefined);
  return guard;
}
