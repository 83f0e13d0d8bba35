/**
 * The per-operation context shared by HTTP and WebSocket: one factory, so both
 * transports see the same services and the same limits.
 */
import { randomUUID } from 'node:crypto';
import type { DockerClient } from '../docker/client';
import type { Logger } from '../logger';
import { ContainerService } from './container/container.service';
import { ImageService } from './image/image.service';
import { createLoaders } from './loaders';
import { SystemService } from './system/system.service';

/** Services a resolver delegates to; built per operation around per-operation loaders. */
export type Services = {
  readonly system: SystemService;
  readonly images: ImageService;
  readonly containers: ContainerService;
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
};

/** Builds a fresh context for one GraphQL operation. */
export type ContextFactory = (init?: { requestId?: string }) => Context;

/** The one context factory both transports use. */
export function createContextFactory(deps: ContextDeps): ContextFactory {
  return (init = {}) => {
    const requestId = init.requestId ?? randomUUID();
    const loaders = createLoaders(deps.docker);
    return {
      requestId,
      log: deps.log.child({ requestId }),
      services: {
        system: new SystemService(deps.docker),
        images: new ImageService(deps.docker, loaders),
        containers: new ContainerService(deps.docker, loaders),
      },
    };
  };
}
