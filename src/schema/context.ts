/**
 * The per-operation context shared by HTTP and WebSocket: one factory, so both
 * transports see the same services and the same limits.
 */
import { randomUUID } from 'node:crypto';
import type { DockerClient } from '../docker/client';
import type { Logger } from '../logger';
import { TokenCache } from '../registry/auth';
import { ContainerService } from './container/container.service';
import { ImageOpsService } from './image/image-ops.service';
import { ImageService } from './image/image.service';
import { createLoaders } from './loaders';
import { PullService } from './pull/pull.service';
import { PushService } from './pull/push.service';
import { RegistryService } from './registry/registry.service';
import { SystemService } from './system/system.service';
import type { TransferJobs } from '../streams/transfer-jobs';

/** Services a resolver delegates to; built per operation around per-operation loaders. */
export type Services = {
  readonly system: SystemService;
  readonly images: ImageService;
  readonly containers: ContainerService;
  readonly imageOps: ImageOpsService;
  readonly pulls: PullService;
  readonly pushes: PushService;
  readonly registries: RegistryService;
};

/** What every resolver receives. Declared with `type` because graphql-ws requires a Record-compatible context. */
export type Context = {
  readonly requestId: string;
  readonly log: Logger;
  readonly services: Services;
};

/** Long-lived dependencies the factory closes over. */
export type ContextDeps = {
  readonly docker: DockerClient;
  readonly log: Logger;
  /** Pull and push jobs, shared by every operation of the process. */
  readonly jobs: TransferJobs;
  readonly searchTimeoutMs: number;
};

/** Builds a fresh context for one GraphQL operation. */
export type ContextFactory = (init?: { requestId?: string }) => Context;

/** The one context factory both transports use. */
export function createContextFactory(deps: ContextDeps): ContextFactory {
  // Registry bearer tokens outlive operations: each is reused for its lifetime.
  const registryTokens = new TokenCache();
  return (init = {}) => {
    const requestId = init.requestId ?? randomUUID();
    const loaders = createLoaders(deps.docker);
    const images = new ImageService(deps.docker, loaders);
    return {
      requestId,
      log: deps.log.child({ requestId }),
      services: {
        system: new SystemService(deps.docker),
        images,
        containers: new ContainerService(deps.docker, loaders),
        imageOps: new ImageOpsService(deps.docker, images, deps.searchTimeoutMs),
        pulls: new PullService(deps.docker, deps.jobs),
        pushes: new PushService(deps.docker, deps.jobs, images),
        registries: new RegistryService({ docker: deps.docker, images, tokens: registryTokens }),
      },
    };
  };
}
