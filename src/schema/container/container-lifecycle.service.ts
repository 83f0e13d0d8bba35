/**
 * Container lifecycle: `docker create/run -d/start/stop/restart/kill/pause/
 * unpause/rename/rm`. Each action resolves the ref first (NOT_FOUND, an
 * ambiguous prefix), acts on the full id (a name cannot move underneath it), and
 * returns the container re-inspected afterwards, or as last seen when the daemon
 * has already removed it (autoRemove). Create and run refuse the admin-only
 * inputs to any other caller before the daemon is asked anything.
 */
import type { Principal } from '../../auth/principal';
import type { DockerClient } from '../../docker/client';
import {
  type ContainerCreateSpec,
  createContainer,
  killContainer,
  networkExists,
  pauseContainer,
  renameContainer,
  restartContainer,
  stopContainer,
  unpauseContainer,
} from '../../docker/containers';
import { RefSyntaxError, shortId, validateContainerName } from '../../docker/refs';
import { parseSignal } from '../../docker/signals';
import { BadUserInputError, DockqlError, ErrorCode, NotFoundError } from '../errors';
import type { Loaders } from '../loaders';
import { badRef } from '../validate';
import type { ContainerInput } from './container-input.type';
import { containerFromInspect } from './container.mapper';
import type { ContainerService } from './container.service';
import type { Container } from './container.type';
import { toCreateSpec } from './container-spec';
import { checkExecutable, isOverlongExecutable } from './process-args';
import { assertMayUsePrivilegedInputs } from './privileged-inputs';

/** Longest stop/restart grace period accepted, in seconds (an hour). */
export const MAX_STOP_TIMEOUT_SECONDS = 3600;
/** Network modes the daemon always knows; any other name must exist before create. */
const BUILTIN_NETWORKS = new Set(['none', 'bridge', 'host', 'default']);

export class ContainerLifecycleService {
  constructor(
    private readonly docker: DockerClient,
    private readonly loaders: Loaders,
    private readonly containers: ContainerService,
  ) {}

  /** Like `docker create`: the container stays CREATED. Privileged inputs need `principal` to be an admin (FORBIDDEN otherwise). */
  async create(input: ContainerInput, principal: Principal): Promise<Container> {
    const id = await this.createFrom(input, principal);
    return this.after(id);
  }

  /**
   * Like `docker run -d`: create, then start. When the start fails, the error keeps
   * the daemon's code and words and says whether the container is still there:
   * like `docker run`, it is left in place (CREATED) unless autoRemove made the daemon remove it.
   * Privileged inputs need `principal` to be an admin (FORBIDDEN otherwise).
   */
  async run(input: ContainerInput, principal: Principal): Promise<Container> {
    const id = await this.createFrom(input, principal);
    // With autoRemove a quick command may be gone before it can be re-inspected: keep a sighting to return.
    const created = input.autoRemove ? await this.after(id) : undefined;
    try {
      await this.docker.startContainer(id);
    } catch (err) {
      if (!(err instanceof DockqlError)) throw err;
      const left = await this.docker.inspectContainer(id).catch(() => undefined);
      const removed = left === null;
      const fate = removed
        ? 'it was created and then removed by the daemon (autoRemove)'
        : `it was created and left in place, as docker run does (remove it with removeContainer(ref: "${shortId(id)}"))`;
      throw new DockqlError(err.code, `${err.message} (container ${shortId(id)} did not start; ${fate})`, {
        daemonStatus: err.extensions.daemonStatus as number | undefined,
        containerId: id,
        containerRemoved: removed,
      });
    }
    return this.after(id, created);
  }

  /** Like `docker start`; starting a running container succeeds. */
  start(ref: string): Promise<Container> {
    return this.act(ref, (id) => this.docker.startContainer(id));
  }

  /** Like `docker stop [-t]`; stopping a stopped container succeeds. */
  stop(ref: string, timeout: number | null): Promise<Container> {
    const t = checkStopTimeout(timeout);
    return this.act(ref, (id) => stopContainer(this.docker, id, t));
  }

  /** Like `docker restart [-t]`. */
  restart(ref: string, timeout: number | null): Promise<Container> {
    const t = checkStopTimeout(timeout);
    return this.act(ref, (id) => restartContainer(this.docker, id, t));
  }

  /** Like `docker kill -s`. The daemon waits for the container to exit only for SIGKILL. */
  kill(ref: string, signal: string): Promise<Container> {
    const parsed = parseSignal(signal);
    if (!parsed) {
      throw new BadUserInputError(`signal: ${JSON.stringify(signal.slice(0, 40))} is not a signal; give a name (SIGTERM, TERM, HUP, RTMIN+3...) or a number from 1 to 64`, { argument: 'signal' });
    }
    return this.act(ref, (id) => killContainer(this.docker, id, String(parsed.number)));
  }

  /** Like `docker pause`. */
  pause(ref: string): Promise<Container> {
    return this.act(ref, (id) => pauseContainer(this.docker, id));
  }

  /**
   * Like `docker unpause`. The daemon (20.10) answers 500 rather than 409 for a
   * container that is not paused; a 500 for a container that exists and is not
   * paused is therefore that wrong-state case and reads CONFLICT, with the daemon's words.
   * Any other 500 stays DAEMON_ERROR.
   */
  unpause(ref: string): Promise<Container> {
    return this.act(ref, async (id) => {
      try {
        await unpauseContainer(this.docker, id);
      } catch (err) {
        if (err instanceof DockqlError && err.extensions.daemonStatus === 500) {
          const now = await this.docker.inspectContainer(id).catch(() => undefined);
          if (now && !now.State?.Paused) throw new DockqlError(ErrorCode.CONFLICT, err.message, { daemonStatus: 500 });
        }
        throw err;
      }
    });
  }

  /** Like `docker rename`. A taken name is CONFLICT. */
  rename(ref: string, name: string): Promise<Container> {
    try {
      validateContainerName(name);
    } catch (err) {
      if (err instanceof RefSyntaxError) throw badRef('name', err);
      throw err;
    }
    return this.act(ref, (id) => renameContainer(this.docker, id, name));
  }

  /** Like `docker rm [-f] [-v]`: the removed container's full id. A running one without force is CONFLICT. */
  async remove(ref: string, force: boolean, volumes: boolean): Promise<string> {
    const before = await this.mustFind(ref);
    try {
      await this.docker.removeContainer(before.id, { force, volumes });
    } finally {
      this.forget(ref, before.id);
    }
    return before.id;
  }

  /** Resolves the ref, runs the action on the full id, and returns the container afterwards. */
  private async act(ref: string, action: (id: string) => Promise<void>): Promise<Container> {
    const before = await this.mustFind(ref);
    try {
      await action(before.id);
    } finally {
      this.forget(ref, before.id);
    }
    return this.after(before.id, before);
  }

  private async mustFind(ref: string, argument = 'ref'): Promise<Container> {
    const found = await this.containers.find(ref);
    if (!found) throw new NotFoundError(`No such container: ${ref}`, { argument });
    return found;
  }

  private async createFrom(input: ContainerInput, principal: Principal): Promise<string> {
    // First of all: an operator learns nothing (not even what is malformed) from an input it may not send.
    assertMayUsePrivilegedInputs(input, principal);
    const spec = toCreateSpec(input);
    // Without an entrypoint in the input, cmd[0] is the executable only when the image has none either: ask it then (rare: a first argument that long).
    if (spec.entrypoint === undefined && spec.cmd?.length && isOverlongExecutable(spec.cmd[0])) {
      const image = await this.docker.inspectImage(spec.image);
      if (image && !image.Config?.Entrypoint?.length) checkExecutable('input.cmd[0]', spec.cmd[0]);
    }
    // The daemon accepts an unknown network at create and fails only at start; say it now.
    if (spec.networkMode !== undefined && !BUILTIN_NETWORKS.has(spec.networkMode) && !spec.networkMode.startsWith('container:') && !(await networkExists(this.docker, spec.networkMode))) {
      throw new NotFoundError(`network ${spec.networkMode} not found`, { argument: 'input.networkMode' });
    }
    return createContainer(this.docker, await this.resolveSharedNamespaces(spec));
  }

  /**
   * container:<name|id> modes name the full id: the daemon accepts an unknown
   * container at create and fails only at start, and a name could later move to
   * another container.
   */
  private async resolveSharedNamespaces(spec: ContainerCreateSpec): Promise<ContainerCreateSpec> {
    const resolve = async (argument: string, mode: string | undefined): Promise<string | undefined> => {
      if (mode === undefined || !mode.startsWith('container:')) return mode;
      const ref = mode.slice('container:'.length);
      return `container:${(await this.mustFind(ref, argument)).id}`;
    };
    return {
      ...spec,
      networkMode: await resolve('input.networkMode', spec.networkMode),
      pidMode: await resolve('input.pidMode', spec.pidMode),
      ipcMode: await resolve('input.ipcMode', spec.ipcMode),
    };
  }

  /** Fresh inspect (never the request's cache: the action changed it); `lastSeen` when the daemon removed it. */
  private async after(id: string, lastSeen?: Container): Promise<Container> {
    const dto = await this.docker.inspectContainer(id);
    if (dto) {
      // Later fields and operations of this request see the new state.
      this.loaders.containerInspect.clear(id).prime(id, dto);
      return containerFromInspect(dto);
    }
    if (lastSeen) return lastSeen;
    throw new NotFoundError(`No such container: ${id} (it was removed meanwhile)`);
  }

  /** Drops cached inspects of what an action changed, so a later operation in the same request reads afresh. */
  private forget(ref: string, id: string): void {
    this.loaders.containerInspect.clear(ref).clear(id);
  }
}

/** A stop grace period in whole seconds (0 kills at once), or undefined for the container's own default. */
function checkStopTimeout(timeout: number | null): number | undefined {
  if (timeout === null) return undefined;
  if (!Number.isInteger(timeout) || timeout < 0 || timeout > MAX_STOP_TIMEOUT_SECONDS) {
    throw new BadUserInputError(`timeout must be from 0 to ${MAX_STOP_TIMEOUT_SECONDS} seconds`, { argument: 'timeout' });
  }
  return timeout;
}
