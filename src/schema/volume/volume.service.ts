/** Volumes: list, inspect, create (local driver only) and remove, plus who mounts them. */
import type { DockerClient } from '../../docker/client';
import type { DaemonFilters } from '../../docker/types';
import { createVolume, inspectVolume, listVolumes, removeVolume, type VolumeDto } from '../../docker/volumes';
import type { LabelInput } from '../common/label.type';
import { toLabels } from '../common/label.type';
import { containerFromSummary } from '../container/container.mapper';
import type { Container } from '../container/container.type';
import type { DiskUsageService } from '../disk-usage/disk-usage.service';
import { BadUserInputError } from '../errors';
import type { Loaders } from '../loaders';
import { checkLabelFilter, checkText } from '../validate';
import type { Volume, VolumeUsage } from './volume.type';
import type { VolumeFilter } from './volume.input';

/** The local driver's rule for volume names (moby volume/local: names.RestrictedNamePattern). */
const VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
/** Characters of a name filter: the name characters (the daemon matches substrings). */
const NAME_FILTER = /^[a-zA-Z0-9_.-]+$/;
/** A label key as `--label` takes it: no whitespace, no "=". */
const LABEL_KEY = /^[^\s=]+$/;
const MAX_LABELS = 100;

/** A volume name in the daemon's rule, else BAD_USER_INPUT naming `argument`. */
export function checkVolumeName(argument: string, name: string): string {
  return checkText(argument, name, VOLUME_NAME, 255);
}

/** Labels for a new volume as the daemon's map; BAD_USER_INPUT for bad keys, control characters or duplicates. */
export function toLabelMap(labels: readonly LabelInput[] | null | undefined): Record<string, string> {
  const list = labels ?? [];
  if (list.length > MAX_LABELS) throw new BadUserInputError(`at most ${MAX_LABELS} labels`, { argument: 'labels' });
  const map: Record<string, string> = {};
  for (const { key, value } of list) {
    checkText('labels.key', key, LABEL_KEY, 255);
    // Values may be empty but, like keys, never carry control characters (they end up in logs and terminals).
    if (value.length) checkText('labels.value', value, /^[\s\S]*$/, 4096);
    if (Object.hasOwn(map, key)) throw new BadUserInputError(`label ${JSON.stringify(key)} is given twice`, { argument: 'labels' });
    map[key] = value;
  }
  return map;
}

/** The daemon's volume JSON as the schema's Volume. */
export function toVolume(v: VolumeDto): Volume {
  const created = v.CreatedAt ? new Date(v.CreatedAt) : null;
  return {
    name: v.Name,
    driver: v.Driver,
    mountpoint: v.Mountpoint,
    createdAt: created && !Number.isNaN(created.getTime()) ? created : null,
    labels: toLabels(v.Labels),
    scope: v.Scope,
    options: toLabels(v.Options),
  };
}

export class VolumeService {
  constructor(
    private readonly docker: DockerClient,
    private readonly loaders: Loaders,
    private readonly disk: DiskUsageService,
  ) {}

  /** Like `docker volume ls [--filter ...]`, sorted by name. */
  async list(filter: VolumeFilter | null): Promise<Volume[]> {
    const filters: DaemonFilters = {};
    if (filter?.dangling != null) filters.dangling = [String(filter.dangling)];
    if (filter?.labels?.length) filters.label = filter.labels.map((l) => checkLabelFilter('filter.labels', l));
    if (filter?.name != null) filters.name = [checkText('filter.name', filter.name, NAME_FILTER)];
    const rows = await listVolumes(this.docker, Object.keys(filters).length ? filters : undefined);
    return rows.map(toVolume).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** One volume by name; null when there is none. */
  async find(name: string): Promise<Volume | null> {
    const dto = await inspectVolume(this.docker, checkVolumeName('name', name));
    return dto && toVolume(dto);
  }

  /** Like `docker volume create --label k=v <name>` with the local driver; an existing volume is answered as it is. */
  async create(name: string, labels: readonly LabelInput[] | null): Promise<Volume> {
    const checked = checkVolumeName('name', name);
    return toVolume(await createVolume(this.docker, checked, toLabelMap(labels)));
  }

  /** Like `docker volume rm [-f]`; returns the name. */
  async remove(name: string, force: boolean): Promise<string> {
    await removeVolume(this.docker, checkVolumeName('name', name), force);
    return name;
  }

  /** Size and reference count from `docker system df` (one daemon request per operation); null when the daemon does not list it. */
  async usage(volume: Volume): Promise<VolumeUsage | null> {
    const row = ((await this.disk.df()).Volumes ?? []).find((v) => v.Name === volume.name);
    if (!row?.UsageData) return null;
    return { sizeBytes: row.UsageData.Size >= 0 ? row.UsageData.Size : null, refCount: Math.max(0, row.UsageData.RefCount) };
  }

  /** Containers (any state) that mount it, from the operation's one `docker ps -a`. */
  async containers(volume: Volume): Promise<Container[]> {
    const rows = await this.loaders.containerList();
    return rows.filter((c) => (c.Mounts ?? []).some((m) => m.Type === 'volume' && m.Name === volume.name)).map(containerFromSummary);
  }
}
