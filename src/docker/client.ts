/**
 * The one place that talks to the Docker Engine API (and the only importer of
 * dockerode). Every call goes through {@link DockerClient.call}, which turns
 * daemon failures into the API's error codes and treats 304 as success.
 * The multi-GB tar downloads are the one exception: {@link DockerClient.openDownload}
 * reads them without dockerode (raw-get.ts) and maps their failures the same way.
 */
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import Dockerode from 'dockerode';
import type { DockerEndpoint } from '../config';
import type { ChunkSource } from '../streams/chunk-source';
import { daemonEndpoint } from './endpoint';
import { toDockqlError } from './errors';
import { rawGet, type RawTarget, readErrorBody } from './raw-get';
import { encodePathSegment } from './refs';
import { type DaemonRequestObserver, type DaemonRequestRecord, observeRequests } from './request-observer';
import type {
  ContainerInspectDto,
  ContainerSummaryDto,
  DaemonFilters,
  DaemonInfoDto,
  DaemonVersionDto,
  ImageHistoryDto,
  ImageInspectDto,
  ImageSearchDto,
  ImageSummaryDto,
} from './types';

/** The newest Engine API version this client speaks; older daemons are talked to in their own version. */
export const CLIENT_MAX_API_VERSION = '1.45';

/** Options for {@link DockerClient}. */
export interface DockerClientOptions {
  /** Shown in DAEMON_UNAVAILABLE messages only when true (development): it can reveal socket paths. */
  readonly revealEndpoint?: boolean;
}

/** Compares dotted API versions ("1.41" < "1.45"). */
export function compareApiVersions(a: string, b: string): number {
  const [a1 = 0, a2 = 0] = a.split('.').map(Number);
  const [b1 = 0, b2 = 0] = b.split('.').map(Number);
  return a1 - b1 || a2 - b2;
}

/** A typed, promise-only wrapper over one daemon connection. */
export class DockerClient {
  private readonly docker: Dockerode;
  private negotiated?: Promise<string>;
  private readonly requestObservers = new Set<DaemonRequestObserver>();

  constructor(
    readonly endpoint: DockerEndpoint,
    private readonly options: DockerClientOptions = {},
  ) {
    this.docker = new Dockerode(toDockerodeOptions(endpoint));
    observeRequests(this.docker, (record) => this.report(record));
  }

  /** Hands one finished daemon request to every observer (docker-modem's calls and the raw downloads alike). */
  private report(record: DaemonRequestRecord): void {
    for (const observer of this.requestObservers) {
      try {
        observer(record);
      } catch {
        // Metrics must never cost a request.
      }
    }
  }

  /** Calls `observer` after every daemon request this client sends (metrics); returns the function that stops it. */
  onRequest(observer: DaemonRequestObserver): () => void {
    this.requestObservers.add(observer);
    return () => this.requestObservers.delete(observer);
  }

  /** A human-readable address for logs (never sent to clients outside development). */
  describe(): string {
    const e = this.endpoint;
    if (e.kind === 'unix') return `unix://${e.socketPath}`;
    return `${e.kind === 'ssh' ? 'ssh' : 'tcp'}://${e.host}:${e.port}`;
  }

  /**
   * The API version in use: the lower of the daemon's and {@link CLIENT_MAX_API_VERSION},
   * as the docker CLI negotiates it. Asked once; asked again after a failure.
   */
  apiVersion(): Promise<string> {
    if (!this.negotiated) {
      this.negotiated = this.raw(() => this.docker.version()).then(
        (v) => {
          const version = compareApiVersions(v.ApiVersion, CLIENT_MAX_API_VERSION) < 0 ? v.ApiVersion : CLIENT_MAX_API_VERSION;
          // docker-modem prefixes every path with its `version` (typed loosely upstream).
          (this.docker.modem as { version?: string }).version = `v${version}`;
          return version;
        },
        (err: unknown) => {
          this.negotiated = undefined;
          throw err;
        },
      );
    }
    return this.negotiated;
  }

  /** `GET /_ping`: resolves when the daemon answers. */
  async ping(): Promise<void> {
    await this.call(() => this.docker.ping());
  }

  /** `GET /version`. */
  version(): Promise<DaemonVersionDto> {
    return this.call(() => this.docker.version());
  }

  /** `GET /info`. */
  info(): Promise<DaemonInfoDto> {
    return this.call(() => this.docker.info() as Promise<DaemonInfoDto>);
  }

  /** `GET /images/json`: top-level images (all layers when `all`). */
  listImages(filters?: DaemonFilters, all = false): Promise<ImageSummaryDto[]> {
    return this.call(() => this.docker.listImages({ all, filters: filters && JSON.stringify(filters) } as Dockerode.ListImagesOptions));
  }

  /** `GET /images/{ref}/json`; null when the daemon has no such image. */
  inspectImage(ref: string): Promise<ImageInspectDto | null> {
    return this.orNull(() => this.docker.getImage(encodePathSegment(ref)).inspect());
  }

  /** `GET /images/{id}/history`, newest layer first. */
  imageHistory(id: string): Promise<ImageHistoryDto[]> {
    return this.call(() => this.docker.getImage(encodePathSegment(id)).history() as Promise<ImageHistoryDto[]>);
  }

  /** `GET /containers/json`: all containers when `all` (like `docker ps -a`). */
  listContainers(filters?: DaemonFilters, all = true): Promise<ContainerSummaryDto[]> {
    return this.call(() => this.docker.listContainers({ all, filters: filters && JSON.stringify(filters) } as Dockerode.ContainerListOptions));
  }

  /** `GET /containers/{ref}/json`; null when the daemon has no such container. */
  inspectContainer(ref: string): Promise<ContainerInspectDto | null> {
    return this.orNull(() => this.docker.getContainer(encodePathSegment(ref)).inspect());
  }

  /**
   * `POST /images/create` (docker pull): resolves with the progress stream once the
   * daemon accepted the request; read it with readProgressStream, which fails on
   * the errors the daemon puts inside the stream.
   */
  pullImage(name: string, tagOrDigest: string, options: { platform?: string; auth?: RegistryCredentials; signal?: AbortSignal } = {}): Promise<NodeJS.ReadableStream> {
    return this.call(
      () =>
        this.docker.createImage(options.auth && toAuthConfig(options.auth), {
          fromImage: name,
          tag: tagOrDigest,
          ...(options.platform ? { platform: options.platform } : {}),
          abortSignal: options.signal,
        }) as Promise<NodeJS.ReadableStream>,
    );
  }

  /** `POST /images/{name}/push` (docker push): the progress stream, as for pulls. */
  pushImage(name: string, tag: string, options: { auth?: RegistryCredentials; signal?: AbortSignal } = {}): Promise<NodeJS.ReadableStream> {
    // The daemon wants an X-Registry-Auth header on every push: "{}" when anonymous.
    const authconfig = options.auth ? toAuthConfig(options.auth) : { base64: 'e30=' };
    return this.call(
      () => this.docker.getImage(encodePathSegment(name)).push({ tag, authconfig, abortSignal: options.signal } as Dockerode.ImagePushOptions) as Promise<NodeJS.ReadableStream>,
    );
  }

  /** `POST /images/{source}/tag` (docker tag). */
  async tagImage(source: string, repo: string, tag: string): Promise<void> {
    await this.call(() => this.docker.getImage(encodePathSegment(source)).tag({ repo, tag }));
  }

  /** `DELETE /images/{ref}` (docker rmi): what was untagged and deleted. */
  removeImage(ref: string, options: { force: boolean; noPrune: boolean }): Promise<Array<{ Untagged?: string; Deleted?: string }>> {
    return this.call(() => this.docker.getImage(encodePathSegment(ref)).remove({ force: options.force, noprune: options.noPrune }) as Promise<Array<{ Untagged?: string; Deleted?: string }>>);
  }

  /** `POST /images/prune` (docker image prune [-a]). */
  pruneImages(all: boolean): Promise<{ ImagesDeleted: Array<{ Untagged?: string; Deleted?: string }> | null; SpaceReclaimed: number }> {
    // dangling=false is how the API says "unused images too" (docker image prune -a).
    const filters = JSON.stringify({ dangling: [all ? 'false' : 'true'] });
    return this.call(() => this.docker.pruneImages({ filters }) as Promise<{ ImagesDeleted: Array<{ Untagged?: string; Deleted?: string }> | null; SpaceReclaimed: number }>);
  }

  /** `GET /images/search` (docker search) through the daemon's configured index; `signal` bounds it. */
  searchImages(term: string, limit: number, signal?: AbortSignal): Promise<ImageSearchDto[]> {
    return this.call(() => this.docker.searchImages({ term, limit, abortSignal: signal }) as Promise<ImageSearchDto[]>);
  }

  /** `POST /containers/{ref}/start`; starting a running container succeeds (the daemon's 304). */
  async startContainer(ref: string): Promise<void> {
    await this.call(() => this.docker.getContainer(encodePathSegment(ref)).start());
  }

  /** `DELETE /containers/{ref}` (like `docker rm [-f] [-v]`). */
  async removeContainer(ref: string, options: { force?: boolean; volumes?: boolean } = {}): Promise<void> {
    await this.call(() => this.docker.getContainer(encodePathSegment(ref)).remove({ force: options.force ?? false, v: options.volumes ?? false }));
  }

  /**
   * For the other modules of src/docker/ (containers, exec, events...), which add
   * their calls as functions over this client: runs `fn` with the dockerode
   * instance in the negotiated API version, mapping failures like every method
   * here (304 is success). Nothing outside src/docker/ may call it.
   */
  withDocker<T>(fn: (docker: Dockerode) => Promise<T>): Promise<T> {
    return this.call(() => fn(this.docker));
  }

  /**
   * For the tar downloads of src/docker/ (save, export): `GET path?query` on
   * a connection of its own, read through one reused buffer (raw-get.ts), in
   * the negotiated API version. Resolves with the body of a 200 answer; any
   * other answer fails like every call here. Undefined for a daemon reached
   * over TLS or ssh: use {@link withDocker} then.
   * @param path - after the API version, segments already encoded, e.g. `/images/get`.
   */
  async openDownload(path: string, query: Readonly<Record<string, string | readonly string[]>>, signal: AbortSignal): Promise<ChunkSource | undefined> {
    const target = rawTarget(this.endpoint);
    if (!target) return undefined;
    const version = await this.apiVersion();
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) for (const v of typeof value === 'string' ? [value] : value) search.append(key, v);
    const endpoint = daemonEndpoint('GET', path);
    const started = performance.now();
    const observe = (status: string) => this.report({ endpoint, status, seconds: (performance.now() - started) / 1000 });
    const response = await rawGet(target, `/v${version}${path}?${search.toString()}`, signal).catch((err: unknown) => {
      observe('error');
      throw toDockqlError(err, this.options.revealEndpoint ? this.describe() : undefined) ?? err;
    });
    observe(String(response.head.status));
    if (response.head.status === 200) return response.body;
    const text = (await readErrorBody(response, signal)).toString('utf8');
    let json: unknown = text;
    try {
      json = JSON.parse(text);
    } catch {
      // Not JSON: the daemon's words are the text itself.
    }
    throw toDockqlError({ statusCode: response.head.status, json }) ?? new Error(`the daemon answered ${response.head.status}`);
  }

  /** Like {@link withDocker}, but a 404 answers null (inspect-style reads). */
  withDockerOrNull<T>(fn: (docker: Dockerode) => Promise<T>): Promise<T | null> {
    return this.orNull(() => fn(this.docker));
  }

  /** Runs a daemon call in the negotiated API version, mapping its failure to the API's errors. */
  private async call<T>(fn: () => Promise<T>): Promise<T> {
    await this.apiVersion();
    return this.raw(fn);
  }

  private async raw<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      // 304 is how the daemon says "already in that state"; the docker CLI treats it as success.
      if ((err as { statusCode?: number }).statusCode === 304) return undefined as T;
      throw toDockqlError(err, this.options.revealEndpoint ? this.describe() : undefined) ?? err;
    }
  }

  private async orNull<T>(fn: () => Promise<T>): Promise<T | null> {
    try {
      return await this.call(fn);
    } catch (err) {
      if ((err as { code?: string }).code === 'NOT_FOUND' || (err as { extensions?: { code?: string } }).extensions?.code === 'NOT_FOUND') return null;
      throw err;
    }
  }
}

/** Credentials for one registry call (sent as X-Registry-Auth, never logged). */
export interface RegistryCredentials {
  readonly username: string;
  readonly password: string;
  readonly serverAddress?: string;
}

function toAuthConfig(auth: RegistryCredentials): Dockerode.AuthConfig {
  return { username: auth.username, password: auth.password, serveraddress: auth.serverAddress ?? '' };
}

/** Where raw-get.ts connects: a unix socket or plain TCP; undefined for TLS and ssh. */
function rawTarget(e: DockerEndpoint): RawTarget | undefined {
  if (e.kind === 'unix') return { socketPath: e.socketPath };
  if (e.kind === 'tcp' && !e.tls) return { host: e.host, port: e.port };
  return undefined;
}

function toDockerodeOptions(e: DockerEndpoint): Dockerode.DockerOptions {
  switch (e.kind) {
    case 'unix':
      return { socketPath: e.socketPath };
    case 'ssh':
      return { protocol: 'ssh', host: e.host, port: e.port, username: e.username } as Dockerode.DockerOptions;
    case 'tcp':
      if (!e.tls) return { protocol: 'http', host: e.host, port: e.port };
      // Like the docker CLI: DOCKER_CERT_PATH without DOCKER_TLS_VERIFY means TLS without verifying the daemon.
      return {
        protocol: 'https',
        host: e.host,
        port: e.port,
        ca: e.tls.ca,
        cert: e.tls.cert,
        key: e.tls.key,
        agent: new https.Agent({ ca: e.tls.ca, cert: e.tls.cert, key: e.tls.key, rejectUnauthorized: e.tls.verify, keepAlive: true }),
      } as Dockerode.DockerOptions;
  }
}
