/**
 * ContainerInput -> the validated create spec src/docker/containers.ts turns into
 * the daemon's body. Pure: every check runs before any daemon request. It checks
 * shape only: whether the caller may use the admin-only inputs is
 * privileged-inputs.ts's question, which the service asks first.
 */
import { isIP } from 'node:net';
import type { ContainerCreateSpec, PortPublishSpec, VolumeMountSpec } from '../../docker/containers';
import { RefSyntaxError, validateContainerName } from '../../docker/refs';
import { BadUserInputError } from '../errors';
import { badRef, checkImageRef } from '../validate';
import { type ContainerInput, PortProtocol, RestartPolicyName } from './container-input.type';
import { checkBinds, checkCapabilities, checkContainerModeRef, checkDevices, checkMountTarget, checkNamespaceMode, checkSecurityOpts, checkSysctls } from './privileged-spec';
import { checkArgv, checkContainerPath, checkEnv, checkExecutable, checkUser } from './process-args';

/** The daemon's minimum memory limit (moby: "Minimum memory limit allowed is 6MB"). */
export const MIN_MEMORY_BYTES = 6 * 1024 * 1024;
/** An upper bound no host reaches (1 PiB): stops absurd numbers without knowing the host. */
const MAX_MEMORY_BYTES = 2 ** 50;
const MAX_LABELS = 256;
const MAX_VOLUMES = 64;
const MAX_PORTS = 256;
const MAX_RETRIES = 1000;
/** moby's volume (and network) name rule; it has no "/", so a name can never be a host path. */
const VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
const NETWORK_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const CONTROL = /[\u0000-\u001f\u007f]/;

const RESTART_NAMES: Record<RestartPolicyName, NonNullable<ContainerCreateSpec['restartPolicy']>['name']> = {
  [RestartPolicyName.NO]: 'no',
  [RestartPolicyName.ALWAYS]: 'always',
  [RestartPolicyName.ON_FAILURE]: 'on-failure',
  [RestartPolicyName.UNLESS_STOPPED]: 'unless-stopped',
};

const bad = (argument: string, message: string) => new BadUserInputError(`${argument}${message}`, { argument });

/** Checks the whole input and returns the spec to create from. @throws BAD_USER_INPUT naming the field. */
export function toCreateSpec(input: ContainerInput): ContainerCreateSpec {
  const autoRemove = input.autoRemove ?? false;
  // Volumes and binds share the container's mount points: one may not shadow the other.
  const destinations = new Set<string>();
  const spec: { -readonly [K in keyof ContainerCreateSpec]: ContainerCreateSpec[K] } = {
    image: checkImageRef('input.image', input.image),
    tty: input.tty ?? false,
    openStdin: input.openStdin ?? false,
    labels: checkLabels(input.labels ?? []),
    autoRemove,
    volumes: checkVolumes(input.volumes ?? [], destinations),
    ports: checkPorts(input.ports ?? []),
  };
  if (input.name != null) spec.name = checkName(input.name);
  if (input.cmd != null) spec.cmd = checkArgv('input.cmd', input.cmd);
  if (input.entrypoint != null) spec.entrypoint = checkArgv('input.entrypoint', input.entrypoint, true);
  // The executable: entrypoint[0], or cmd[0] under an explicitly empty entrypoint (with none given, the image decides: see the service).
  if (spec.entrypoint) checkExecutable(spec.entrypoint.length ? 'input.entrypoint[0]' : 'input.cmd[0]', spec.entrypoint.length ? spec.entrypoint[0] : spec.cmd?.[0]);
  if (input.env != null) spec.env = checkEnv('input.env', input.env);
  if (input.workingDir != null) spec.workingDir = checkContainerPath('input.workingDir', input.workingDir);
  if (input.user != null) spec.user = checkUser('input.user', input.user);
  if (input.networkMode != null) spec.networkMode = checkNetworkMode(input.networkMode);
  addPrivileged(spec, input, destinations);
  if (input.restartPolicy != null) {
    const { name, maximumRetryCount } = input.restartPolicy;
    const retries = maximumRetryCount ?? 0;
    if (!Number.isInteger(retries) || retries < 0 || retries > MAX_RETRIES) throw bad('input.restartPolicy.maximumRetryCount', ` must be from 0 to ${MAX_RETRIES}`);
    // The daemon refuses both combinations with 400; saying so here names the field.
    if (retries > 0 && name !== RestartPolicyName.ON_FAILURE) throw bad('input.restartPolicy.maximumRetryCount', ' applies to ON_FAILURE only');
    if (autoRemove && name !== RestartPolicyName.NO) throw bad('input.autoRemove', ' cannot be combined with a restart policy other than NO');
    spec.restartPolicy = { name: RESTART_NAMES[name], maximumRetryCount: retries };
  }
  if (input.memoryBytes != null) {
    const m = input.memoryBytes;
    if (!Number.isSafeInteger(m) || m < MIN_MEMORY_BYTES || m > MAX_MEMORY_BYTES) {
      throw bad('input.memoryBytes', ` must be a whole number of bytes from ${MIN_MEMORY_BYTES} (6 MiB) to ${MAX_MEMORY_BYTES}`);
    }
    spec.memoryBytes = m;
  }
  if (input.cpus != null) {
    const c = input.cpus;
    if (!Number.isFinite(c) || c < 0.01 || c > 4096) throw bad('input.cpus', ' must be from 0.01 to the number of CPUs of the host');
    // NanoCpus, as `docker run --cpus` converts it (units of 1e-9 CPUs).
    spec.nanoCpus = Math.round(c * 1e9);
  }
  return spec;
}

function checkName(name: string): string {
  try {
    return validateContainerName(name);
  } catch (err) {
    if (err instanceof RefSyntaxError) throw badRef('input.name', err);
    throw err;
  }
}

function checkLabels(labels: ReadonlyArray<{ key: string; value: string }>): Record<string, string> {
  if (labels.length > MAX_LABELS) throw bad('input.labels', ` has more than ${MAX_LABELS} entries`);
  const out: Record<string, string> = {};
  for (const { key, value } of labels) {
    if (key === '' || key.length > 255 || CONTROL.test(key)) throw bad('input.labels', `: key ${JSON.stringify(key.slice(0, 60))} must be 1-255 characters without control characters`);
    if (value.length > 4096 || value.includes('\u0000')) throw bad('input.labels', `: the value of ${key} must be at most 4096 characters without NUL`);
    if (Object.hasOwn(out, key)) throw bad('input.labels', `: ${key} is set twice`);
    out[key] = value;
  }
  return out;
}

/** none, bridge, host, a network's name, or container:<name|id>; any other mode with ":" is refused. */
function checkNetworkMode(mode: string): string {
  if (mode.startsWith('container:')) return `container:${checkContainerModeRef('input.networkMode', mode.slice('container:'.length))}`;
  if (mode.length > 255 || !NETWORK_NAME.test(mode)) {
    throw bad('input.networkMode', `: ${JSON.stringify(mode.slice(0, 60))} is not none, bridge, host, container:<name|id> or a network name ([a-zA-Z0-9][a-zA-Z0-9_.-]*)`);
  }
  return mode;
}

/** The admin-only inputs and capDrop, into `spec` (only those given: the daemon's defaults stay otherwise). */
function addPrivileged(spec: { -readonly [K in keyof ContainerCreateSpec]: ContainerCreateSpec[K] }, input: ContainerInput, destinations: Set<string>): void {
  if (input.binds?.length) spec.binds = checkBinds(input.binds, destinations);
  if (input.privileged) spec.privileged = true;
  if (input.capAdd?.length) spec.capAdd = checkCapabilities('input.capAdd', input.capAdd);
  if (input.capDrop?.length) spec.capDrop = checkCapabilities('input.capDrop', input.capDrop);
  if (input.devices?.length) spec.devices = checkDevices(input.devices);
  if (input.pidMode != null) spec.pidMode = checkNamespaceMode('input.pidMode', input.pidMode, ['host']);
  if (input.ipcMode != null) spec.ipcMode = checkNamespaceMode('input.ipcMode', input.ipcMode, ['none', 'private', 'shareable', 'host']);
  if (input.sysctls?.length) spec.sysctls = checkSysctls(input.sysctls, spec.networkMode, spec.ipcMode);
  if (input.securityOpt?.length) spec.securityOpt = checkSecurityOpts(input.securityOpt);
}

function checkVolumes(volumes: ReadonlyArray<{ name: string; destination: string; readOnly?: boolean | null }>, destinations: Set<string>): VolumeMountSpec[] {
  if (volumes.length > MAX_VOLUMES) throw bad('input.volumes', ` has more than ${MAX_VOLUMES} entries`);
  return volumes.map((v, i) => {
    const at = `input.volumes[${i}]`;
    if (v.name.length > 255 || !VOLUME_NAME.test(v.name)) {
      throw bad(`${at}.name`, `: ${JSON.stringify(v.name.slice(0, 60))} is not a volume name ([a-zA-Z0-9][a-zA-Z0-9_.-]+; host paths are not accepted)`);
    }
    return { name: v.name, destination: checkMountTarget(`${at}.destination`, v.destination, destinations), readOnly: v.readOnly ?? false };
  });
}

function checkPort(argument: string, port: number): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw bad(argument, ` must be a port number from 1 to 65535`);
  return port;
}

function checkPorts(ports: ReadonlyArray<{ containerPort: number; hostPort?: number | null; hostIp?: string | null; protocol?: PortProtocol | null }>): PortPublishSpec[] {
  if (ports.length > MAX_PORTS) throw bad('input.ports', ` has more than ${MAX_PORTS} entries`);
  const seen = new Set<string>();
  return ports.map((p, i) => {
    const at = `input.ports[${i}]`;
    const hostIp = p.hostIp ?? '127.0.0.1';
    if (hostIp.length > 45 || hostIp.includes('%') || isIP(hostIp) === 0) throw bad(`${at}.hostIp`, `: ${JSON.stringify(hostIp.slice(0, 60))} is not an IPv4 or IPv6 address`);
    const out: { -readonly [K in keyof PortPublishSpec]: PortPublishSpec[K] } = {
      containerPort: checkPort(`${at}.containerPort`, p.containerPort),
      protocol: (p.protocol ?? PortProtocol.TCP).toLowerCase() as PortPublishSpec['protocol'],
      hostIp,
    };
    if (p.hostPort != null) out.hostPort = checkPort(`${at}.hostPort`, p.hostPort);
    // The same host address, port and protocol twice would fail only at start.
    if (out.hostPort !== undefined) {
      const key = `${hostIp}|${out.hostPort}|${out.protocol}`;
      if (seen.has(key)) throw bad(`${at}.hostPort`, `: ${hostIp}:${out.hostPort}/${out.protocol} is published twice`);
      seen.add(key);
    }
    return out;
  });
}
