/**
 * Checks of the admin-only container inputs (bind mounts, devices,
 * capabilities, pid/ipc modes, sysctls, securityOpt) and of capDrop. Pure, run
 * before any daemon request; each failure is BAD_USER_INPUT naming the field.
 * Whether the caller may use them at all is asked first, in privileged-inputs.ts.
 */
import { posix } from 'node:path';
import type { BindMountSpec, DeviceSpec } from '../../docker/containers';
import { RefSyntaxError, validateContainerRef } from '../../docker/refs';
import { BadUserInputError } from '../errors';
import { badRef } from '../validate';
import { checkContainerPath } from './process-args';

const PATH_MAX = 4096;
const MAX_BINDS = 64;
const MAX_DEVICES = 64;
const MAX_SYSCTLS = 64;
const MAX_SECURITY_OPTS = 16;
/** Largest inline seccomp profile (the JSON a `seccomp=<file>` of the CLI sends). */
const MAX_SECCOMP_PROFILE = 256 * 1024;
const CONTROL = /[\u0000-\u001f\u007f]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Linux capabilities up to 6.x (capability.h), without the CAP_ prefix; `docker --cap-add` accepts these and ALL. */
export const LINUX_CAPABILITIES: readonly string[] = [
  'CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID', 'SETPCAP',
  'LINUX_IMMUTABLE', 'NET_BIND_SERVICE', 'NET_BROADCAST', 'NET_ADMIN', 'NET_RAW', 'IPC_LOCK', 'IPC_OWNER',
  'SYS_MODULE', 'SYS_RAWIO', 'SYS_CHROOT', 'SYS_PTRACE', 'SYS_PACCT', 'SYS_ADMIN', 'SYS_BOOT', 'SYS_NICE',
  'SYS_RESOURCE', 'SYS_TIME', 'SYS_TTY_CONFIG', 'MKNOD', 'LEASE', 'AUDIT_WRITE', 'AUDIT_CONTROL', 'SETFCAP',
  'MAC_OVERRIDE', 'MAC_ADMIN', 'SYSLOG', 'WAKE_ALARM', 'BLOCK_SUSPEND', 'AUDIT_READ', 'PERFMON', 'BPF',
  'CHECKPOINT_RESTORE',
];
const KNOWN_CAPS = new Set(LINUX_CAPABILITIES);

/** The sysctls docker accepts as namespaced (the CLI's ValidateSysctl), besides the net.* and fs.mqueue.* families. */
const IPC_SYSCTLS = new Set(['kernel.msgmax', 'kernel.msgmnb', 'kernel.msgmni', 'kernel.sem', 'kernel.shmall', 'kernel.shmmax', 'kernel.shmmni', 'kernel.shm_rmid_forced']);
const SYSCTL_NAME = /^[a-z][a-z0-9_]*(\.[A-Za-z0-9_-]+)+$/;

const bad = (argument: string, message: string) => new BadUserInputError(`${argument}${message}`, { argument });
const quote = (value: string) => JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);

/**
 * An absolute, normalized path on the Docker host: no "..", "." or empty
 * segments, no trailing "/", no control characters. Normalized so that what an
 * admin reads in the request is exactly the path the daemon mounts.
 */
export function checkHostPath(argument: string, path: string): string {
  if (!path.startsWith('/')) throw bad(argument, ` must be an absolute path on the host, e.g. /srv/data; got ${quote(path)}`);
  if (path.length > PATH_MAX) throw bad(argument, ` is longer than ${PATH_MAX} characters`);
  if (CONTROL.test(path) || LONE_SURROGATE.test(path)) throw bad(argument, ' contains control characters or ill-formed Unicode');
  if (path.split('/').includes('..')) throw bad(argument, ` must not have ".." segments; got ${quote(path)}`);
  if (path !== '/' && (path !== posix.normalize(path) || path.endsWith('/'))) {
    throw bad(argument, ` must be normalized (no "//", "." segments or trailing "/"): ${quote(path)} is ${quote(posix.normalize(path).replace(/(.)\/$/, '$1'))}`);
  }
  return path;
}

/** A mount point inside the container: absolute, below /, without ".." segments, not used twice (`destinations` is shared by volumes and binds). */
export function checkMountTarget(argument: string, path: string, destinations: Set<string>): string {
  const destination = checkContainerPath(argument, path);
  if (destination === '/' || destination.split('/').includes('..')) throw bad(argument, ' must be a directory below / without ".." segments');
  const key = destination.replace(/\/+$/, '');
  if (destinations.has(key)) throw bad(argument, `: ${destination} is mounted twice`);
  destinations.add(key);
  return destination;
}

/** `-v /host:/ctr[:ro]` as typed bind mounts. */
export function checkBinds(binds: ReadonlyArray<{ hostPath: string; containerPath: string; readOnly?: boolean | null }>, destinations: Set<string>): BindMountSpec[] {
  if (binds.length > MAX_BINDS) throw bad('input.binds', ` has more than ${MAX_BINDS} entries`);
  return binds.map((b, i) => ({
    hostPath: checkHostPath(`input.binds[${i}].hostPath`, b.hostPath),
    containerPath: checkMountTarget(`input.binds[${i}].containerPath`, b.containerPath, destinations),
    readOnly: b.readOnly ?? false,
  }));
}

/** `--device host[:container[:perms]]`. */
export function checkDevices(devices: ReadonlyArray<{ hostPath: string; containerPath?: string | null; permissions?: string | null }>): DeviceSpec[] {
  if (devices.length > MAX_DEVICES) throw bad('input.devices', ` has more than ${MAX_DEVICES} entries`);
  const targets = new Set<string>();
  return devices.map((d, i) => {
    const at = `input.devices[${i}]`;
    const hostPath = checkHostPath(`${at}.hostPath`, d.hostPath);
    const containerPath = d.containerPath == null ? hostPath : checkContainerPath(`${at}.containerPath`, d.containerPath);
    if (containerPath === '/' || containerPath.split('/').includes('..')) throw bad(`${at}.containerPath`, ' must be a path below / without ".." segments');
    if (targets.has(containerPath)) throw bad(`${at}.containerPath`, `: ${containerPath} is given twice`);
    targets.add(containerPath);
    const permissions = d.permissions ?? 'rwm';
    // moby's rule: one to three of r, w, m, each at most once.
    if (!/^[rwm]{1,3}$/.test(permissions) || new Set(permissions).size !== permissions.length) {
      throw bad(`${at}.permissions`, ` must be one or more of r, w, m (e.g. "rw"); got ${quote(permissions)}`);
    }
    return { hostPath, containerPath, permissions };
  });
}

/** Capability names for --cap-add/--cap-drop: NET_ADMIN, cap_net_admin or ALL, returned as CAP_NET_ADMIN or ALL, once each. */
export function checkCapabilities(argument: string, caps: readonly string[]): string[] {
  if (caps.length > LINUX_CAPABILITIES.length + 1) throw bad(argument, ` has more than ${LINUX_CAPABILITIES.length + 1} entries`);
  const out = new Set<string>();
  for (const cap of caps) {
    const upper = cap.toUpperCase();
    if (upper === 'ALL') {
      out.add('ALL');
      continue;
    }
    const bare = upper.startsWith('CAP_') ? upper.slice(4) : upper;
    if (!KNOWN_CAPS.has(bare)) throw bad(argument, `: ${quote(cap)} is not a Linux capability (e.g. NET_ADMIN, CAP_SYS_PTRACE, or ALL)`);
    // The CAP_ form is what the daemon stores and `docker inspect` shows.
    out.add(`CAP_${bare}`);
  }
  return [...out];
}

/**
 * A namespace mode (`--pid`, `--ipc`): one of `builtins`, or container:<name|id>.
 * The container ref is checked for syntax here and resolved by the service.
 */
export function checkNamespaceMode(argument: string, mode: string, builtins: readonly string[]): string {
  if (builtins.includes(mode)) return mode;
  if (mode.startsWith('container:')) return `container:${checkContainerModeRef(argument, mode.slice('container:'.length))}`;
  throw bad(argument, `: ${quote(mode)} is not ${[...builtins, 'container:<name|id>'].join(', ')}`);
}

/** The <name|id> of a container:<name|id> mode. */
export function checkContainerModeRef(argument: string, ref: string): string {
  try {
    return validateContainerRef(ref);
  } catch (err) {
    if (err instanceof RefSyntaxError) throw badRef(argument, err);
    throw err;
  }
}

/**
 * `--sysctl name=value`, limited to the sysctls docker accepts as namespaced; a
 * net.* one needs a network namespace of its own (not networkMode host) and an
 * IPC one an IPC namespace of its own (not ipcMode host): runc refuses both at start.
 */
export function checkSysctls(sysctls: ReadonlyArray<{ name: string; value: string }>, networkMode: string | undefined, ipcMode: string | undefined): Record<string, string> {
  if (sysctls.length > MAX_SYSCTLS) throw bad('input.sysctls', ` has more than ${MAX_SYSCTLS} entries`);
  const out: Record<string, string> = {};
  sysctls.forEach(({ name, value }, i) => {
    const at = `input.sysctls[${i}]`;
    if (name.length > 255 || !SYSCTL_NAME.test(name)) throw bad(`${at}.name`, `: ${quote(name)} is not a sysctl name like net.ipv4.ip_forward`);
    const net = name.startsWith('net.');
    const ipc = IPC_SYSCTLS.has(name) || name.startsWith('fs.mqueue.');
    if (!net && !ipc) throw bad(`${at}.name`, `: ${name} is not namespaced (allowed: net.*, fs.mqueue.*, ${[...IPC_SYSCTLS].join(', ')})`);
    if (net && networkMode === 'host') throw bad(`${at}.name`, `: ${name} cannot be set with networkMode host (it would change the host's network stack)`);
    if (ipc && ipcMode === 'host') throw bad(`${at}.name`, `: ${name} cannot be set with ipcMode host (it would change the host's IPC limits)`);
    if (value === '' || value.length > 4096 || CONTROL.test(value)) throw bad(`${at}.value`, ' must be 1-4096 characters without control characters');
    if (Object.hasOwn(out, name)) throw bad(`${at}.name`, `: ${name} is set twice`);
    out[name] = value;
  });
  return out;
}

/**
 * `--security-opt` entries, normalized to the daemon's `key=value` form
 * (`:` is its deprecated separator). A seccomp profile is accepted as its
 * JSON text, as the CLI sends a profile file's content.
 */
export function checkSecurityOpts(opts: readonly string[]): string[] {
  if (opts.length > MAX_SECURITY_OPTS) throw bad('input.securityOpt', ` has more than ${MAX_SECURITY_OPTS} entries`);
  return opts.map((opt, i) => {
    const at = `input.securityOpt[${i}]`;
    if (opt === 'no-new-privileges') return opt;
    const sep = /^[a-z-]+([=:])/.exec(opt)?.[1];
    const key = sep ? opt.slice(0, opt.indexOf(sep)) : opt;
    const value = sep ? opt.slice(key.length + 1) : '';
    const refuse = (why: string) => bad(at, `: ${quote(opt)} ${why}`);
    if (CONTROL.test(key + value.replace(/[\n\r\t]/g, ''))) throw refuse('contains control characters');
    switch (key) {
      case 'no-new-privileges':
        if (value === 'true') return 'no-new-privileges';
        if (value === 'false') return 'no-new-privileges=false';
        throw refuse('must be no-new-privileges, no-new-privileges:true or no-new-privileges:false');
      case 'seccomp':
        if (value === 'unconfined') return 'seccomp=unconfined';
        if (value.length > MAX_SECCOMP_PROFILE || !isJsonObject(value)) throw refuse(`must be seccomp=unconfined or seccomp=<profile JSON> (at most ${MAX_SECCOMP_PROFILE} bytes); a file path is not read here`);
        return `seccomp=${value}`;
      case 'apparmor':
        if (!/^[A-Za-z0-9_./-]{1,255}$/.test(value)) throw refuse('must be apparmor=unconfined or apparmor=<profile name>');
        return `apparmor=${value}`;
      case 'label':
        if (value === 'disable' || /^(user|role|type|level):[A-Za-z0-9_.:,-]{1,255}$/.test(value)) return `label=${value}`;
        throw refuse('must be label=disable or label=user:|role:|type:|level:<value>');
      case 'systempaths':
        if (value === 'unconfined') return 'systempaths=unconfined';
        throw refuse('must be systempaths=unconfined');
      default:
        throw refuse('is not a security option docker knows (no-new-privileges, seccomp=, apparmor=, label=, systempaths=)');
    }
  });
}

function isJsonObject(text: string): boolean {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
  } catch {
    return false;
  }
}
