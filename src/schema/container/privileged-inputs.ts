/**
 * Which ContainerInput fields need the admin role, and the check that refuses
 * them to anyone else. The one place this rule lives: the lifecycle service asks
 * it before any daemon request, and the role matrix and fuzz tests read
 * {@link PRIVILEGED_INPUTS} to send every privileged input as an operator.
 *
 * An input counts when it asks for something: `privileged: false`, empty
 * lists, `capDrop` (it only takes power away), `securityOpt: no-new-privileges`
 * (it only forbids gaining privileges) and ipcMode none/private/shareable ask
 * for nothing beyond what an operator already has. The predicates read the raw
 * input and fail closed: a value that is not known to be harmless counts as
 * privileged, so a malformed one is FORBIDDEN to an operator before it is
 * BAD_USER_INPUT to an admin.
 */
import type { Principal } from '../../auth/principal';
import { type Role, roleAtLeast } from '../../auth/roles';
import { DockqlError, ErrorCode } from '../errors';
import type { ContainerInput } from './container-input.type';

/** The role the privileged inputs need. */
export const PRIVILEGED_ROLE: Role = 'admin';

/** One privileged input: the field, the docker CLI flag it stands for, and when a request asks for it. */
export interface PrivilegedInput {
  /** The ContainerInput field, e.g. `binds`. */
  readonly field: keyof ContainerInput & string;
  /** The docker CLI flag, e.g. `-v /host:/ctr`. */
  readonly flag: string;
  /** What it gives the container, in a few words (goes into the FORBIDDEN message). */
  readonly gives: string;
  /** True when `input` asks for it. */
  readonly asks: (input: Partial<ContainerInput>) => boolean;
  /**
   * Values of the field that ask for it, as GraphQL variables (valid for an
   * admin on a Linux engine; a container:<x> sample names a container that need
   * not exist, since the role check comes before that lookup).
   */
  readonly samples: readonly unknown[];
}

const nonEmpty = (list: readonly unknown[] | null | undefined): boolean => (list?.length ?? 0) > 0;
/** `--ipc` values that give nothing of the host's or of another container's. */
const OPERATOR_IPC_MODES: readonly string[] = ['none', 'private', 'shareable'];
/** The securityOpt entries that only take power away. */
const OPERATOR_SECURITY_OPT = /^no-new-privileges([:=]true)?$/;

/** Every privileged ContainerInput field. */
export const PRIVILEGED_INPUTS: readonly PrivilegedInput[] = [
  {
    field: 'binds',
    flag: '-v /host:/ctr',
    gives: 'bind mounts of host paths',
    asks: (i) => nonEmpty(i.binds),
    samples: [[{ hostPath: '/etc', containerPath: '/host-etc', readOnly: true }]],
  },
  { field: 'privileged', flag: '--privileged', gives: 'privileged mode', asks: (i) => i.privileged === true, samples: [true] },
  { field: 'capAdd', flag: '--cap-add', gives: 'added capabilities', asks: (i) => nonEmpty(i.capAdd), samples: [['NET_ADMIN'], ['ALL']] },
  {
    field: 'devices',
    flag: '--device',
    gives: 'host devices',
    asks: (i) => nonEmpty(i.devices),
    samples: [[{ hostPath: '/dev/null', containerPath: '/dev/dq-null', permissions: 'r' }]],
  },
  {
    field: 'networkMode',
    flag: '--network host / --network container:<id>',
    gives: "the host's or another container's network namespace",
    // Plain network names have no ":"; any "kind:" mode (container:, and whatever docker adds later) counts.
    asks: (i) => i.networkMode != null && (i.networkMode === 'host' || i.networkMode.includes(':')),
    samples: ['host', 'container:dq-no-such-container'],
  },
  {
    field: 'pidMode',
    flag: '--pid host',
    gives: "the host's or another container's processes",
    // Every value docker accepts here (host, container:<id>) shares a process namespace.
    asks: (i) => i.pidMode != null,
    samples: ['host', 'container:dq-no-such-container'],
  },
  {
    field: 'ipcMode',
    flag: '--ipc host',
    gives: "the host's or another container's IPC namespace",
    asks: (i) => i.ipcMode != null && !OPERATOR_IPC_MODES.includes(i.ipcMode),
    samples: ['host', 'container:dq-no-such-container'],
  },
  {
    field: 'sysctls',
    flag: '--sysctl',
    gives: 'kernel parameters',
    asks: (i) => nonEmpty(i.sysctls),
    samples: [[{ name: 'net.ipv4.ip_unprivileged_port_start', value: '80' }]],
  },
  {
    field: 'securityOpt',
    flag: '--security-opt',
    gives: 'looser confinement (seccomp, AppArmor, SELinux labels, system paths)',
    asks: (i) => (i.securityOpt ?? []).some((opt) => !OPERATOR_SECURITY_OPT.test(opt)),
    samples: [['seccomp=unconfined'], ['apparmor=unconfined'], ['no-new-privileges:false']],
  },
];

/**
 * Inputs that look privileged but are operator level, as ContainerInput
 * fragments (GraphQL variables): tests send them as an operator and expect no FORBIDDEN.
 */
export const OPERATOR_LEVEL_SAMPLES: ReadonlyArray<Partial<ContainerInput>> = [
  { privileged: false },
  { binds: [], capAdd: [], devices: [], sysctls: [], securityOpt: [] },
  { capDrop: ['ALL'] },
  { capDrop: ['NET_RAW', 'CAP_MKNOD'] },
  { securityOpt: ['no-new-privileges'] },
  { securityOpt: ['no-new-privileges:true'] },
  { ipcMode: 'private' },
  { ipcMode: 'shareable' },
  { ipcMode: 'none' },
  { networkMode: 'none' },
];

/** The privileged inputs `input` asks for (empty: an operator may send it). */
export function privilegedInputsIn(input: Partial<ContainerInput>): PrivilegedInput[] {
  return PRIVILEGED_INPUTS.filter((p) => p.asks(input));
}

/**
 * Throws FORBIDDEN, naming every privileged field `input` asks for, unless
 * `principal` is an admin. Pure: call it before any daemon request.
 */
export function assertMayUsePrivilegedInputs(input: Partial<ContainerInput>, principal: Principal): void {
  if (roleAtLeast(principal.role, PRIVILEGED_ROLE)) return;
  const asked = privilegedInputsIn(input);
  if (asked.length === 0) return;
  const fields = asked.map((p) => `input.${p.field}`);
  const what = asked.map((p) => `${p.gives} (${p.flag})`).join('; ');
  throw new DockqlError(
    ErrorCode.FORBIDDEN,
    `${fields.join(', ')} ${fields.length > 1 ? 'need' : 'needs'} the ${PRIVILEGED_ROLE} role: ${what}. The caller ${JSON.stringify(principal.name)} has the ${principal.role} role; nothing was created.`,
    { argument: fields[0], arguments: fields, requiredRole: PRIVILEGED_ROLE },
  );
}
