/** Container reads: `docker ps -a`, ref resolution and inspect details. */
import type { DockerClient } from '../../docker/client';
import { RefSyntaxError, shortId, validateContainerRef } from '../../docker/refs';
import type { ContainerInspectDto, DaemonFilters } from '../../docker/types';
import { BadUserInputError, DockqlError, ErrorCode } from '../errors';
import type { Loaders } from '../loaders';
import { badRef, checkImageRef, checkLabelFilter, checkText } from '../validate';
import type { ContainerFilter } from './container.input';
import { containerFromInspect, containerFromSummary, exitCodeFromStatus } from './container.mapper';
import { type Container, ContainerState } from './container.type';

/** Characters of a name filter: the daemon's name characters plus the regexp anchors users type. */
const NAME_FILTER = /^[A-Za-z0-9_.^$-]+$/;

export class ContainerService {
  constructor(
    private readonly docker: DockerClient,
    private readonly loaders: Loaders,
  ) {}

  /** Like `docker ps -a [--filter ...]`, newest first. */
  async list(filter?: ContainerFilter | null): Promise<Container[]> {
    const filters = toDaemonFilters(filter);
    const rows = filters ? await this.docker.listContainers(filters, true) : await this.loaders.containerList();
    return rows.map(containerFromSummary).sort((a, b) => b.created.getTime() - a.created.getTime());
  }

  /**
   * Resolves a full id, a unique id prefix or a name. Null when absent.
   * @throws BAD_USER_INPUT for a malformed ref (before any daemon call) or an ambiguous prefix.
   */
  async find(ref: string, argument = 'ref'): Promise<Container | null> {
    try {
      validateContainerRef(ref);
    } catch (err) {
      if (err instanceof RefSyntaxError) throw badRef(argument, err);
      throw err;
    }
    try {
      const dto = await this.loaders.containerInspect.load(ref);
      return dto ? containerFromInspect(dto) : null;
    } catch (err) {
      // The daemon answers 400 for an id prefix that matches several containers.
      if (err instanceof DockqlError && err.code === ErrorCode.BAD_USER_INPUT && /^[0-9a-f]+$/.test(ref)) {
        const candidates = (await this.loaders.containerList()).filter((c) => c.Id.startsWith(ref)).map((c) => shortId(c.Id));
        throw new BadUserInputError(`${argument}: ${err.message}${candidates.length ? ` (${candidates.join(', ')})` : ''}`, {
          argument,
          candidates,
        });
      }
      throw err;
    }
  }

  /** Containers created from the image with this id (any state). */
  async createdFrom(imageId: string): Promise<Container[]> {
    return (await this.loaders.containerList()).filter((c) => c.ImageID === imageId).map(containerFromSummary);
  }

  /** `docker inspect` data behind lazy fields, fetched once per container per request. */
  async details(container: Container): Promise<ContainerInspectDto | null> {
    return container.inspect ?? this.loaders.containerInspect.load(container.id);
  }

  /** The main process's exit code once it has exited; null while it never ran or still runs. */
  async exitCode(container: Container): Promise<number | null> {
    if (container.state !== ContainerState.EXITED && container.state !== ContainerState.DEAD && container.state !== ContainerState.RESTARTING) {
      return null;
    }
    const fromStatus = exitCodeFromStatus(container.status);
    if (fromStatus !== undefined) return fromStatus;
    return (await this.details(container))?.State?.ExitCode ?? null;
  }
}

/** ContainerFilter -> the daemon's filters (validated), or undefined for "no filter". */
function toDaemonFilters(filter?: ContainerFilter | null): DaemonFilters | undefined {
  if (!filter) return undefined;
  const filters: DaemonFilters = {};
  if (filter.states?.length) filters.status = filter.states.map((s) => s.toLowerCase());
  if (filter.name != null) filters.name = [checkText('filter.name', filter.name, NAME_FILTER)];
  if (filter.labels?.length) filters.label = filter.labels.map((l) => checkLabelFilter('filter.labels', l));
  if (filter.ancestor != null) filters.ancestor = [checkImageRef('filter.ancestor', filter.ancestor)];
  return Object.keys(filters).length ? filters : undefined;
}
