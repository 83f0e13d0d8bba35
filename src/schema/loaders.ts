/**
 * Per-request caches and batches of daemon reads. One GraphQL request lists
 * images and containers at most once each, however many fields ask, which is
 * what keeps `{ containers { image { containers { name } } } }` at a constant
 * number of daemon requests (no N+1).
 */
import DataLoader from 'dataloader';
import type { DockerClient } from '../docker/client';
import type { ContainerInspectDto, ContainerSummaryDto, ImageInspectDto, ImageSummaryDto } from '../docker/types';

/** The request-scoped readers every service shares. */
export interface Loaders {
  /** `docker images` (no filter), listed once per request. */
  readonly imageList: () => Promise<ImageSummaryDto[]>;
  /** `docker ps -a` (no filter), listed once per request. */
  readonly containerList: () => Promise<ContainerSummaryDto[]>;
  /** `docker image inspect`, once per image per request; null when missing. */
  readonly imageInspect: DataLoader<string, ImageInspectDto | null>;
  /** `docker container inspect`, once per container per request; null when missing. */
  readonly containerInspect: DataLoader<string, ContainerInspectDto | null>;
}

/** Runs `fn` once and shares its promise (retrying after a failure). */
function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= fn().catch((err: unknown) => {
      pending = undefined;
      throw err;
    });
    return pending;
  };
}

/** DataLoader fails only the key whose result is an Error, not the whole batch. */
function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/** Fresh loaders for one request (never shared across requests: state changes between them). */
export function createLoaders(docker: DockerClient): Loaders {
  return {
    imageList: once(() => docker.listImages()),
    containerList: once(() => docker.listContainers(undefined, true)),
    // The daemon has no batch inspect: these loaders de-duplicate, and run the distinct ones concurrently.
    imageInspect: new DataLoader((ids) => Promise.all(ids.map((id) => docker.inspectImage(id).catch(asError)))),
    containerInspect: new DataLoader((ids) => Promise.all(ids.map((id) => docker.inspectContainer(id).catch(asError)))),
  };
}
