/**
 * Container lifecycle calls of the Engine API (`docker create/start/stop/...`),
 * as functions over {@link DockerClient}. The create body is an allow-list:
 * {@link toDaemonCreateBody} copies only the fields below, so nothing a caller
 * smuggles in (Binds strings, VolumesFrom, raw HostConfig...) reaches the daemon.
 * The privileged fields (bind mounts, Privileged, CapAdd, Devices, host
 * namespaces, Sysctls, SecurityOpt) arrive only from a spec whose caller was
 * checked for the admin role before it was built.
 */
import type { DockerClient } from './client';
import { dial } from './dial';
import { encodePathSegment } from './refs';

/** A named volume mounted into the container (local driver, no options). */
export interface VolumeMountSpec {
  readonly name: string;
  readonly destination: string;
  readonly readOnly: boolean;
}

/** A host path mounted into the container (a typed bind mount, never a `Binds` string). */
export interface BindMountSpec {
  readonly hostPath: string;
  readonly containerPath: string;
  readonly readOnly: boolean;
}

/** A host device made available in the container (`--device`). */
export interface DeviceSpec {
  readonly hostPath: string;
  readonly containerPath: string;
  /** One or more of r, w, m. */
  readonly permissions: string;
}

/** A container port published on the host. */
export interface PortPublishSpec {
  readonly containerPort: number;
  readonly protocol: 'tcp' | 'udp' | 'sctp';
  /** Host address; never empty (the caller chooses the default). */
  readonly hostIp: string;
  /** Undefined: the daemon picks a free port. */
  readonly hostPort?: number;
}

/** Everything a container may be created with through dockql, already validated. */
export interface ContainerCreateSpec {
  readonly image: string;
  readonly name?: string;
  readonly cmd?: readonly string[];
  /** An empty list clears the image's entrypoint (like `--entrypoint ""`). */
  readonly entrypoint?: readonly string[];
  readonly env?: readonly string[];
  readonly workingDir?: string;
  readonly user?: string;
  readonly tty: boolean;
  readonly openStdin: boolean;
  readonly labels: Readonly<Record<string, string>>;
  /** Undefined: the daemon's default network. */
  readonly networkMode?: string;
  readonly restartPolicy?: { readonly name: 'no' | 'always' | 'on-failure' | 'unless-stopped'; readonly maximumRetryCount: number };
  readonly autoRemove: boolean;
  readonly memoryBytes?: number;
  readonly nanoCpus?: number;
  readonly volumes: readonly VolumeMountSpec[];
  readonly ports: readonly PortPublishSpec[];
  // Admin-only settings (see src/schema/container/privileged-inputs.ts); undefined: not asked for.
  readonly binds?: readonly BindMountSpec[];
  readonly privileged?: boolean;
  /** Capability names as CAP_X, or ALL. */
  readonly capAdd?: readonly string[];
  readonly capDrop?: readonly string[];
  readonly devices?: readonly DeviceSpec[];
  /** host or container:<id>. */
  readonly pidMode?: string;
  /** none, private, shareable, host or container:<id>. */
  readonly ipcMode?: string;
  readonly sysctls?: Readonly<Record<string, string>>;
  readonly securityOpt?: readonly string[];
}

/** The JSON body of `POST /containers/create`, limited to what dockql sends. */
export interface DaemonCreateBody {
  Image: string;
  Cmd?: string[];
  Entrypoint?: string[];
  Env?: string[];
  WorkingDir?: string;
  User?: string;
  Tty: boolean;
  OpenStdin: boolean;
  StdinOnce: false;
  AttachStdin: false;
  AttachStdout: false;
  AttachStderr: false;
  Labels: Record<string, string>;
  ExposedPorts?: Record<string, Record<string, never>>;
  HostConfig: {
    NetworkMode?: string;
    RestartPolicy?: { Name: string; MaximumRetryCount: number };
    AutoRemove: boolean;
    Memory?: number;
    NanoCpus?: number;
    Mounts?: Array<{ Type: 'volume' | 'bind'; Source: string; Target: string; ReadOnly: boolean }>;
    PortBindings?: Record<string, Array<{ HostIp: string; HostPort: string }>>;
    Privileged?: true;
    CapAdd?: string[];
    CapDrop?: string[];
    Devices?: Array<{ PathOnHost: string; PathInContainer: string; CgroupPermissions: string }>;
    PidMode?: string;
    IpcMode?: string;
    Sysctls?: Record<string, string>;
    SecurityOpt?: string[];
  };
}

/** Builds the daemon's create body from a validated spec (pure; unit-tested). */
export function toDaemonCreateBody(spec: ContainerCreateSpec): DaemonCreateBody {
  const host: DaemonCreateBody['HostConfig'] = { AutoRemove: spec.autoRemove };
  if (spec.networkMode !== undefined) host.NetworkMode = spec.networkMode;
  if (spec.restartPolicy) host.RestartPolicy = { Name: spec.restartPolicy.name, MaximumRetryCount: spec.restartPolicy.maximumRetryCount };
  if (spec.memoryBytes !== undefined) host.Memory = spec.memoryBytes;
  if (spec.nanoCpus !== undefined) host.NanoCpus = spec.nanoCpus;
  // Mounts (not Binds strings): each Source is a volume name or a host path by its Type, never guessed from its text.
  const mounts: NonNullable<DaemonCreateBody['HostConfig']['Mounts']> = spec.volumes.map((v) => ({ Type: 'volume', Source: v.name, Target: v.destination, ReadOnly: v.readOnly }));
  for (const b of spec.binds ?? []) mounts.push({ Type: 'bind', Source: b.hostPath, Target: b.containerPath, ReadOnly: b.readOnly });
  if (mounts.length) host.Mounts = mounts;
  if (spec.privileged) host.Privileged = true;
  if (spec.capAdd?.length) host.CapAdd = [...spec.capAdd];
  if (spec.capDrop?.length) host.CapDrop = [...spec.capDrop];
  if (spec.devices?.length) host.Devices = spec.devices.map((d) => ({ PathOnHost: d.hostPath, PathInContainer: d.containerPath, CgroupPermissions: d.permissions }));
  if (spec.pidMode !== undefined) host.PidMode = spec.pidMode;
  if (spec.ipcMode !== undefined) host.IpcMode = spec.ipcMode;
  if (spec.sysctls && Object.keys(spec.sysctls).length) host.Sysctls = { ...spec.sysctls };
  if (spec.securityOpt?.length) host.SecurityOpt = [...spec.securityOpt];
  let exposed: DaemonCreateBody['ExposedPorts'];
  if (spec.ports.length) {
    exposed = {};
    host.PortBindings = {};
    for (const p of spec.ports) {
      const key = `${p.containerPort}/${p.protocol}`;
      // Like `docker run -p`: a published port is exposed too.
      exposed[key] = {};
      (host.PortBindings[key] ??= []).push({ HostIp: p.hostIp, HostPort: p.hostPort === undefined ? '' : String(p.hostPort) });
    }
  }
  const body: DaemonCreateBody = {
    Image: spec.image,
    Tty: spec.tty,
    OpenStdin: spec.openStdin,
    // Detached, as `docker create`/`run -d`: nothing attaches here; stdin stays open for a later attach with -i.
    StdinOnce: false,
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    Labels: { ...spec.labels },
    HostConfig: host,
  };
  if (spec.cmd) body.Cmd = [...spec.cmd];
  // The daemon reads [""] as "no entrypoint" (what `--entrypoint ""` sends); [] would mean "the image's".
  if (spec.entrypoint) body.Entrypoint = spec.entrypoint.length ? [...spec.entrypoint] : [''];
  if (spec.env) body.Env = [...spec.env];
  if (spec.workingDir !== undefined) body.WorkingDir = spec.workingDir;
  if (spec.user !== undefined) body.User = spec.user;
  if (exposed) body.ExposedPorts = exposed;
  return body;
}

const containerPath = (ref: string, action = '') => `/containers/${encodePathSegment(ref)}${action}`;

/** `POST /containers/create[?name=]`: the new container's id. Never pulls (a missing image is the daemon's 404). */
export async function createContainer(client: DockerClient, spec: ContainerCreateSpec): Promise<string> {
  const body = toDaemonCreateBody(spec);
  const created = await client.withDocker((d) =>
    dial<{ Id: string }>(d, { method: 'POST', path: '/containers/create', query: { name: spec.name }, body, ok: [200, 201] }),
  );
  return created.Id;
}

/** `POST /containers/{ref}/stop[?t=]`; stopping a stopped container succeeds (304). */
export async function stopContainer(client: DockerClient, ref: string, timeoutSeconds?: number): Promise<void> {
  await client.withDocker((d) => dial(d, { method: 'POST', path: containerPath(ref, '/stop'), query: { t: timeoutSeconds }, ok: [204] }));
}

/** `POST /containers/{ref}/restart[?t=]`. */
export async function restartContainer(client: DockerClient, ref: string, timeoutSeconds?: number): Promise<void> {
  await client.withDocker((d) => dial(d, { method: 'POST', path: containerPath(ref, '/restart'), query: { t: timeoutSeconds }, ok: [204] }));
}

/** `POST /containers/{ref}/kill?signal=`; the daemon waits for the exit only for SIGKILL. */
export async function killContainer(client: DockerClient, ref: string, signal: string): Promise<void> {
  await client.withDocker((d) => dial(d, { method: 'POST', path: containerPath(ref, '/kill'), query: { signal }, ok: [204] }));
}

/** `POST /containers/{ref}/pause`. */
export async function pauseContainer(client: DockerClient, ref: string): Promise<void> {
  await client.withDocker((d) => dial(d, { method: 'POST', path: containerPath(ref, '/pause'), ok: [204] }));
}

/** `POST /containers/{ref}/unpause`. The daemon (20.10) answers 500, not 409, when the container is not paused. */
export async function unpauseContainer(client: DockerClient, ref: string): Promise<void> {
  await client.withDocker((d) => dial(d, { method: 'POST', path: containerPath(ref, '/unpause'), ok: [204] }));
}

/** `POST /containers/{ref}/rename?name=`. */
export async function renameContainer(client: DockerClient, ref: string, name: string): Promise<void> {
  await client.withDocker((d) => dial(d, { method: 'POST', path: containerPath(ref, '/rename'), query: { name }, ok: [204] }));
}

/** `GET /networks/{name}`: whether a network exists (the daemon accepts an unknown one at create and fails only at start). */
export async function networkExists(client: DockerClient, name: string): Promise<boolean> {
  const found = await client.withDockerOrNull((d) => dial<{ Id: string }>(d, { method: 'GET', path: `/networks/${encodePathSegment(name)}`, ok: [200] }));
  return found !== null;
}
