/** Pure mapping from the daemon's container JSON to the schema's types. */
import { containerStatusText, parseDaemonTime } from '../../docker/ps-status';
import { shortId } from '../../docker/refs';
import type { ContainerInspectDto, ContainerSummaryDto } from '../../docker/types';
import { toLabels } from '../common/label.type';
import { type Container, ContainerState, type Mount, type Port } from './container.type';

/** The daemon's lower-case state word -> the enum; unknown words (newer daemons) read as DEAD rather than failing. */
export function toContainerState(status: string | undefined): ContainerState {
  const upper = (status ?? '').toUpperCase();
  return (Object.values(ContainerState) as string[]).includes(upper) ? (upper as ContainerState) : ContainerState.DEAD;
}

/** The container's own name among the daemon's Names (links add "/other/alias" entries). */
export function primaryName(names: readonly string[] | null | undefined): string {
  const list = names ?? [];
  const own = list.find((n) => n.lastIndexOf('/') === 0) ?? list[0] ?? '';
  return own.replace(/^\//, '');
}

/** "Exited (137) 5 seconds ago" -> 137; undefined when the status carries no code. */
export function exitCodeFromStatus(status: string): number | undefined {
  const m = /^(?:Exited|Restarting) \((-?\d+)\)/.exec(status);
  return m ? Number(m[1]) : undefined;
}

type DaemonMount = { Type?: string; Source?: string; Destination: string; RW?: boolean; Name?: string };

function toMounts(mounts: readonly DaemonMount[] | null | undefined): Mount[] {
  return (mounts ?? []).map((m) => ({
    type: m.Type ?? 'volume',
    source: m.Source || undefined,
    destination: m.Destination,
    readOnly: m.RW === false,
    name: m.Name || undefined,
  }));
}

/** A container from `GET /containers/json`. */
export function containerFromSummary(s: ContainerSummaryDto): Container {
  return {
    id: s.Id,
    shortId: shortId(s.Id),
    name: primaryName(s.Names),
    imageRef: s.Image,
    imageId: s.ImageID,
    command: s.Command,
    created: new Date(s.Created * 1000),
    state: toContainerState(s.State),
    status: s.Status,
    labels: toLabels(s.Labels),
    // The list answer has no HostConfig.PortBindings: published ports show in `ports` once running.
    portBindings: (s.Ports ?? []).filter((p) => p.PublicPort).map((p) => ({ privatePort: p.PrivatePort, publicPort: p.PublicPort, type: p.Type, ip: p.IP || undefined })),
    ports: (s.Ports ?? []).map((p) => ({
      privatePort: p.PrivatePort,
      publicPort: p.PublicPort || undefined,
      type: p.Type,
      ip: p.IP || undefined,
    })),
    mounts: toMounts(s.Mounts as DaemonMount[] | undefined),
  };
}

/** Ports from inspect's NetworkSettings.Ports ({"80/tcp": [{HostIp, HostPort}] | null}). */
function portsFromInspect(map: Record<string, Array<{ HostIp: string; HostPort: string }> | null> | undefined): Port[] {
  const ports: Port[] = [];
  for (const [key, bindings] of Object.entries(map ?? {})) {
    const [port, type = 'tcp'] = key.split('/');
    const privatePort = Number(port);
    if (!bindings?.length) ports.push({ privatePort, type });
    for (const b of bindings ?? []) {
      ports.push({ privatePort, type, publicPort: Number(b.HostPort) || undefined, ip: b.HostIp || undefined });
    }
  }
  return ports;
}

/** The COMMAND column as the daemon's list builds it: arguments with spaces are single-quoted (moby daemon/list.go). */
export function commandLine(path: string, args: readonly string[] | null | undefined): string {
  if (!args?.length) return path;
  return `${path} ${args.map((a) => (a.includes(' ') ? `'${a}'` : a)).join(' ')}`;
}

/** A container from `GET /containers/{ref}/json`; `now` makes the status text testable. */
export function containerFromInspect(i: ContainerInspectDto, now = new Date()): Container {
  const state = toContainerState(i.State?.Status);
  return {
    id: i.Id,
    shortId: shortId(i.Id),
    name: i.Name.replace(/^\//, ''),
    imageRef: i.Config?.Image ?? i.Image,
    imageId: i.Image,
    command: commandLine(i.Path, i.Args),
    created: new Date(i.Created),
    state,
    status: containerStatusText(
      {
        status: (i.State?.Status ?? 'dead') as Parameters<typeof containerStatusText>[0]['status'],
        running: Boolean(i.State?.Running),
        paused: Boolean(i.State?.Paused),
        restarting: Boolean(i.State?.Restarting),
        exitCode: i.State?.ExitCode ?? 0,
        startedAt: parseDaemonTime(i.State?.StartedAt) ?? undefined,
        finishedAt: parseDaemonTime(i.State?.FinishedAt) ?? undefined,
        health: (i.State as { Health?: { Status?: string } } | undefined)?.Health?.Status as 'starting' | 'healthy' | 'unhealthy' | undefined,
      },
      now,
    ),
    labels: toLabels(i.Config?.Labels),
    ports: portsFromInspect(i.NetworkSettings?.Ports as Record<string, Array<{ HostIp: string; HostPort: string }> | null> | undefined),
    portBindings: portsFromInspect(i.HostConfig?.PortBindings as Record<string, Array<{ HostIp: string; HostPort: string }> | null> | undefined),
    mounts: toMounts(i.Mounts as DaemonMount[] | undefined),
    inspect: i,
  };
}
