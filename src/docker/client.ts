/**
 * The one place that talks to the Docker Engine API (and the only importer of
 * dockerode). Every call goes through {@link DockerClient.call}, which turns
 * daemon failures into the API's error codes and treats 304 as success.
 */
import https from 'node:https';
import Dockerode from 'dockerode';
import type { DockerEndpoint } from '../config';
import { toDockqlError } from './errors';
import { encodePathSegment } from './refs';
import type {
  ContainerInspectDto,
  ContainerSummaryDto,
  DaemonFilters,
  DaemonInfoDto,
  DaemonVersionDto,
  ImageHistoryDto,
  ImageInspectDto,
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

  constructor(
    readonly endpoint: DockerEndpoint,
    private readonly options: DockerClientOptions = {},
  ) {
    this.docker = new Dockerode(toDockerodeOptions(endpoint));
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

  /** `POST /containers/{ref}/start`; starting a running container succeeds (the daemon's 304). */
  async startContainer(ref: string): Promise<void> {
    await this.call(() => this.docker.getContainer(encodePathSegment(ref)).start());
  }

  /** `DELETE /containers/{ref}` (like `docker rm [-f] [-v]`). */
  async removeContainer(ref: string, options: { force?: boolean; volumes?: boolean } = {}): Promise<void> {
    await this.call(() => this.docker.getContainer(encodePathSegment(ref)).remove({ force: options.force ?? false, v: options.volumes ?? false }));
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
