/**
 * The per-operation context shared by HTTP and WebSocket: one factory, so both
 * transports see the same services and the same limits.
 */
import { randomUUID } from 'node:crypto';
import { ANONYMOUS_ADMIN, type Principal } from '../auth/principal';
import type { RateLimiter } from '../auth/rate-limiter';
import type { DockerClient } from '../docker/client';
import type { Logger } from '../logger';
import { TokenCache } from '../registry/auth';
import type { ArchiveStore } from '../archive/store';
import { ArchiveService } from './archive/archive.service';
import { ArchiveJobService } from './archive/archive-job.service';
import { ContainerService } from './container/container.service';
import { ContainerLifecycleService } from './container/container-lifecycle.service';
import { ExecService } from './container/exec.service';
import { ImageOpsService } from './image/image-ops.service';
import { ImageService } from './image/image.service';
import { createHostServices, type HostServices } from './host-services';
import { createLoaders } from './loaders';
import { PullService } from './pull/pull.service';
import { PushService } from './pull/push.service';
import { RegistryGuard } from './registry/registry-guard.service';
import { RegistryService } from './registry/registry.service';
import { SystemService, toDaemonInfo } from './system/system.service';
import { EventService } from './events/event.service';
import type { DaemonEventHub } from '../streams/daemon-events';
import type { TransferJobs } from '../streams/transfer-jobs';

/** Services a resolver delegates to; built per operation around per-operation loaders. */
export type Services = HostServices & {
  readonly system: SystemService;
  readonly images: ImageService;
  readonly containers: ContainerService;
  readonly containerLifecycle: ContainerLifecycleService;
  readonly exec: ExecService;
  readonly imageOps: ImageOpsService;
  readonly pulls: PullService;
  readonly pushes: PushService;
  readonly registries: RegistryService;
  readonly archives: ArchiveService;
  readonly archiveJobs: ArchiveJobService;
  readonly events: EventService;
};

/** What every resolver receives. Declared with `type` because graphql-ws requires a Record-compatible context. */
export type Context = {
  readonly requestId: string;
  /** Who is calling (roles are checked against it); the anonymous admin when no tokens are configured. */
  readonly principal: Principal;
  readonly log: Logger;
  /** The process's per-token mutation budget (spent by src/audit/mutation-guard.ts). */
  readonly rateLimiter: RateLimiter;
  readonly services: Services;
};

/** Long-lived dependencies the factory closes over. */
export type ContextDeps = {
  readonly docker: DockerClient;
  readonly log: Logger;
  /** Pull and push jobs, shared by every operation of the process. */
  readonly jobs: TransferJobs;
  readonly searchTimeoutMs: number;
  /** The archive directory, shared by every operation (and by archive jobs). */
  readonly archives: ArchiveStore;
  /** Save/load/export/import jobs, shared by every operation of the process (a store of their own: their history does not evict pulls'). */
  readonly archiveJobs: TransferJobs;
  /** The process's one shared daemon event stream. */
  readonly eventHub: DaemonEventHub;
  /** Per-token mutation rate limit, shared by HTTP, WebSocket and the archive routes. */
  readonly rateLimiter: RateLimiter;
  /** DOCKQL_REGISTRIES: registry hosts (host or host:port) dockql may contact besides loopback and the daemon's own lists. */
  readonly allowedRegistries: readonly string[];
};

/** Builds a fresh context for one GraphQL operation. */
export type ContextFactory = (init?: { requestId?: string; principal?: Principal }) => Context;

/** The one context factory both transports use. */
export function createContextFactory(deps: ContextDeps): ContextFactory {
  // Registry bearer tokens outlive operations: each is reused for its lifetime.
  const registryTokens = new TokenCache();
  // The SSRF guard caches the daemon's registry lists across operations.
  // It also hands the same `docker info` answer's RegistryConfig to the registry client (http or https).
  const registryGuard = new RegistryGuard({
    allowed: deps.allowedRegistries,
    daemonLists: async () => {
      const info = await deps.docker.info();
      return { ...toDaemonInfo(info), registryConfig: info.RegistryConfig ?? undefined };
    },
  });
  return (init = {}) => {
    const requestId = init.requestId ?? randomUUID();
    const loaders = createLoaders(deps.docker);
    const images = new ImageService(deps.docker, loaders);
    const containers = new ContainerService(deps.docker, loaders);
    const principal = init.principal ?? ANONYMOUS_ADMIN;
    return {
      requestId,
      principal,
      log: deps.log.child({ requestId, token: principal.name }),
      rateLimiter: deps.rateLimiter,
      services: {
        ...createHostServices(deps.docker, loaders),
        system: new SystemService(deps.docker),
        images,
        containers,
        containerLifecycle: new ContainerLifecycleService(deps.docker, loaders, containers),
        exec: new ExecService(deps.docker),
        imageOps: new ImageOpsService(deps.docker, images, deps.searchTimeoutMs),
        pulls: new PullService(deps.docker, deps.jobs, registryGuard),
        pushes: new PushService(deps.docker, deps.jobs, images),
        registries: new RegistryService({ docker: deps.docker, images, tokens: registryTokens, guard: registryGuard }),
        archives: new ArchiveService(deps.archives),
        archiveJobs: new ArchiveJobService({ docker: deps.docker, jobs: deps.archiveJobs, store: deps.archives, images, containers }),
        events: new EventService(deps.eventHub),
      },
    };
  };
}
