/** What ops look at on a container besides `docker ps`: stats, processes, health, networks; and prune. */
import { Repeater } from '@graphql-yoga/subscription';
import type { DockerClient } from '../../docker/client';
import { toDockqlError } from '../../docker/errors';
import { parseDaemonTime } from '../../docker/ps-status';
import { containerTop, isEmptySample, openStatsStream, readStatsOnce, StatsDecoder } from '../../docker/stats';
import { pruneContainers } from '../../docker/system-df';
import type { DaemonFilters } from '../../docker/types';
import { followDaemonStream } from '../../streams/daemon-stream';
import type { Envelope } from '../../streams/envelope';
import { DockqlError, ErrorCode, NotFoundError } from '../errors';
import { checkLabelFilter, checkText } from '../validate';
import type { ContainerService } from './container.service';
import { type Container, ContainerState } from './container.type';
import { ContainerHealth, ContainerNetwork, ContainerPruneReport, ContainerStats, ContainerTop, HealthProbe, HealthStatus } from './container-details.type';
import { toContainerStats } from './container-stats.mapper';

/** `docker top`'s default ps options. */
export const DEFAULT_PS_ARGS = '-ef';
/** ps options: letters, digits and the punctuation of `-eo pid,user,args` style lists; never shell syntax. */
const PS_ARGS = /^[A-Za-z0-9 ,=_.:-]+$/;
/** Longest olderThanSeconds: ten years. */
const MAX_AGE_SECONDS = 10 * 365 * 24 * 3600;

/** States in which the daemon has cgroup counters and processes to show. */
const LIVE_STATES: ReadonlySet<ContainerState> = new Set([ContainerState.RUNNING, ContainerState.PAUSED, ContainerState.RESTARTING]);

type InspectState = { Health?: { Status?: string; FailingStreak?: number; Log?: Array<{ Start?: string; End?: string; ExitCode?: number; Output?: string }> | null } };
type InspectEndpoint = { NetworkID?: string; IPAddress?: string; IPPrefixLen?: number; Gateway?: string; GlobalIPv6Address?: string; MacAddress?: string; Aliases?: string[] | null };

/** A stats failure as the API's error. */
function toStatsError(err: unknown): DockqlError {
  if (err instanceof DockqlError) return err;
  return toDockqlError(err) ?? new DockqlError(ErrorCode.DAEMON_ERROR, `the daemon's stats stream broke: ${err instanceof Error ? err.message : String(err)}`);
}

/** Null for "it is gone or no longer running" (404, 409): a field of a container that just stopped reads as null, not as an error. */
async function nullWhenGone<T>(read: () => Promise<T>): Promise<T | null> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof DockqlError && (err.code === ErrorCode.NOT_FOUND || err.code === ErrorCode.CONFLICT)) return null;
    throw err;
  }
}

export class ContainerDetailsService {
  constructor(
    private readonly docker: DockerClient,
    private readonly containers: ContainerService,
  ) {}

  /** One sample like `docker stats --no-stream` (about a second); null unless running. */
  async stats(container: Container): Promise<ContainerStats | null> {
    if (!LIVE_STATES.has(container.state)) return null;
    const sample = await nullWhenGone(async () => {
      try {
        return await readStatsOnce(this.docker, container.id);
      } catch (err) {
        throw toStatsError(err);
      }
    });
    return sample && !isEmptySample(sample) ? toContainerStats(sample) : null;
  }

  /**
   * Streams samples like `docker stats` (one a second), ending when the container stops;
   * a container that is not running ends at once.
   * @throws BAD_USER_INPUT for a bad ref, NOT_FOUND for an unknown container
   */
  async watchStats(ref: string): Promise<AsyncIterableIterator<Envelope<ContainerStats>>> {
    const container = await this.containers.find(ref);
    if (!container) throw new NotFoundError(`no such container: ${ref}`, { argument: 'ref' });
    // The daemon's stream for a container that never started sends nothing at all: do not open it.
    if (!LIVE_STATES.has(container.state)) return new Repeater<Envelope<ContainerStats>>((_push, stop) => stop());
    const decoder = new StatsDecoder();
    return followDaemonStream(
      (signal) => openStatsStream(this.docker, container.id, signal),
      {
        push: (chunk) => {
          const { items, done } = decoder.push(chunk);
          return { items: items.map(toContainerStats), done };
        },
        end: () => decoder.end().map(toContainerStats),
      },
      toStatsError,
    );
  }

  /** Like `docker top <container> [psArgs]`; null unless running. */
  async top(container: Container, psArgs: string | null): Promise<ContainerTop | null> {
    const args = psArgs == null || psArgs.trim() === '' ? DEFAULT_PS_ARGS : checkText('psArgs', psArgs, PS_ARGS, 100);
    if (!LIVE_STATES.has(container.state)) return null;
    const top = await nullWhenGone(() => containerTop(this.docker, container.id, args));
    return top && { titles: top.Titles ?? [], processes: top.Processes ?? [] };
  }

  /** State.Health of `docker inspect`; null without a health check. */
  async health(container: Container): Promise<ContainerHealth | null> {
    const state = (await this.containers.details(container))?.State as InspectState | undefined;
    const health = state?.Health;
    const status = health?.Status?.toUpperCase();
    if (!health || !status || !(Object.values(HealthStatus) as string[]).includes(status)) return null;
    const probes: HealthProbe[] = [];
    for (const p of health.Log ?? []) {
      const start = parseDaemonTime(p.Start);
      if (start) probes.push({ start, end: parseDaemonTime(p.End), exitCode: p.ExitCode ?? 0, output: p.Output ?? '' });
    }
    return { status: status as HealthStatus, failingStreak: health.FailingStreak ?? 0, lastProbe: probes.at(-1) ?? null, probes };
  }

  /** The networks it is connected to, with its addresses there, sorted by name. */
  async networks(container: Container): Promise<ContainerNetwork[]> {
    const details = await this.containers.details(container);
    const networks = (details?.NetworkSettings?.Networks ?? {}) as Record<string, InspectEndpoint>;
    const orNull = (s: string | undefined) => s || null;
    return Object.entries(networks)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, n]) => ({
        name,
        networkId: orNull(n.NetworkID),
        ipAddress: orNull(n.IPAddress),
        ipPrefixLength: n.IPAddress ? (n.IPPrefixLen ?? null) : null,
        gateway: orNull(n.Gateway),
        ipv6Address: orNull(n.GlobalIPv6Address),
        macAddress: orNull(n.MacAddress),
        aliases: n.Aliases ?? [],
      }));
  }

  /** Like `docker container prune --filter label=... --filter until=...`. */
  async prune(labels: readonly string[] | null, olderThanSeconds: number | null): Promise<ContainerPruneReport> {
    const filters: DaemonFilters = {};
    if (labels?.length) filters.label = labels.map((l) => checkLabelFilter('labels', l));
    if (olderThanSeconds != null) {
      if (!Number.isInteger(olderThanSeconds) || olderThanSeconds < 0 || olderThanSeconds > MAX_AGE_SECONDS) {
        throw new DockqlError(ErrorCode.BAD_USER_INPUT, `olderThanSeconds must be a whole number from 0 to ${MAX_AGE_SECONDS}`, { argument: 'olderThanSeconds' });
      }
      filters.until = [`${olderThanSeconds}s`];
    }
    const res = await pruneContainers(this.docker, filters);
    return { deleted: res.ContainersDeleted ?? [], spaceReclaimed: Math.max(0, res.SpaceReclaimed ?? 0) };
  }
}
