/**
 * The one rule "which ContainerInput fields need admin": every sample asks for
 * its privilege, the look-alikes do not, the FORBIDDEN error names the fields
 * and the role, and (property-based) the classifier and the body builder agree:
 * an input the rule lets an operator send never yields a privileged create body.
 */
import 'reflect-metadata';
import fc from 'fast-check';
import { ANONYMOUS_ADMIN } from '../../src/auth/principal';
import { toDaemonCreateBody, type DaemonCreateBody } from '../../src/docker/containers';
import type { ContainerInput } from '../../src/schema/container/container-input.type';
import { toCreateSpec } from '../../src/schema/container/container-spec';
import {
  assertMayUsePrivilegedInputs,
  OPERATOR_LEVEL_SAMPLES,
  PRIVILEGED_INPUTS,
  privilegedInputsIn,
} from '../../src/schema/container/privileged-inputs';
import { BadUserInputError, DockqlError, ErrorCode } from '../../src/schema/errors';

const operator = { name: 'ci', role: 'operator' } as const;
const viewer = { name: 'ro', role: 'viewer' } as const;

/** What in a create body reaches beyond the container's own sandbox. */
function privilegedParts(b: DaemonCreateBody): string[] {
  const h = b.HostConfig;
  const parts: string[] = [];
  if (h.Mounts?.some((m) => m.Type !== 'volume')) parts.push('bind mount');
  if (h.Privileged) parts.push('Privileged');
  if (h.CapAdd?.length) parts.push('CapAdd');
  if (h.Devices?.length) parts.push('Devices');
  if (h.NetworkMode === 'host' || h.NetworkMode?.includes(':')) parts.push('NetworkMode');
  if (h.PidMode !== undefined) parts.push('PidMode');
  if (h.IpcMode !== undefined && !['none', 'private', 'shareable'].includes(h.IpcMode)) parts.push('IpcMode');
  if (h.Sysctls && Object.keys(h.Sysctls).length) parts.push('Sysctls');
  if (h.SecurityOpt?.some((o) => o !== 'no-new-privileges')) parts.push('SecurityOpt');
  return parts;
}

describe('PRIVILEGED_INPUTS', () => {
  it('covers every admin-only field of issue 6 once, each with a docker CLI flag and samples', () => {
    expect(PRIVILEGED_INPUTS.map((p) => p.field)).toEqual(['binds', 'privileged', 'capAdd', 'devices', 'networkMode', 'pidMode', 'ipcMode', 'sysctls', 'securityOpt']);
    for (const p of PRIVILEGED_INPUTS) {
      expect(p.flag).toMatch(/^-/);
      expect(p.samples.length).toBeGreaterThan(0);
    }
  });

  it.each(PRIVILEGED_INPUTS.flatMap((p) => p.samples.map((s) => [p.field, JSON.stringify(s), s] as const)))('classifies %s = %s as privileged, and only that field', (field, _json, sample) => {
    expect(privilegedInputsIn({ [field]: sample }).map((p) => p.field)).toEqual([field]);
  });

  it.each(PRIVILEGED_INPUTS.flatMap((p) => p.samples.filter((s) => !String(s).startsWith('container:')).map((s) => [p.field, JSON.stringify(s), s] as const)))(
    'sample %s = %s is valid input for an admin and yields a privileged body',
    (field, _json, sample) => {
      expect(privilegedParts(toDaemonCreateBody(toCreateSpec({ image: 'busybox', [field]: sample } as unknown as ContainerInput)))).not.toEqual([]);
    },
  );

  it.each(OPERATOR_LEVEL_SAMPLES.map((s) => [JSON.stringify(s), s] as const))('classifies the look-alike %s as operator level', (_json, sample) => {
    expect(privilegedInputsIn(sample)).toEqual([]);
  });

  it('fails closed: values that are not known to be harmless count as privileged', () => {
    expect(privilegedInputsIn({ networkMode: 'ns:/proc/1/ns/net' }).map((p) => p.field)).toEqual(['networkMode']);
    expect(privilegedInputsIn({ pidMode: '' }).map((p) => p.field)).toEqual(['pidMode']);
    expect(privilegedInputsIn({ ipcMode: 'HOST' }).map((p) => p.field)).toEqual(['ipcMode']);
    expect(privilegedInputsIn({ securityOpt: ['no-new-privileges', 'garbage'] }).map((p) => p.field)).toEqual(['securityOpt']);
  });

  it('leaves named volumes, published ports and plain networks at operator level', () => {
    expect(privilegedInputsIn({ volumes: [{ name: 'data', destination: '/data' }], ports: [{ containerPort: 80, hostIp: '0.0.0.0' }], networkMode: 'bridge' })).toEqual([]);
  });
});

describe('assertMayUsePrivilegedInputs', () => {
  it('lets an admin use everything', () => {
    const all = Object.fromEntries(PRIVILEGED_INPUTS.map((p) => [p.field, p.samples[0]]));
    expect(() => assertMayUsePrivilegedInputs(all, ANONYMOUS_ADMIN)).not.toThrow();
  });

  it('refuses an operator or a viewer with FORBIDDEN naming the field, the role needed and the caller\'s role', () => {
    for (const who of [operator, viewer]) {
      let err: unknown;
      try {
        assertMayUsePrivilegedInputs({ image: 'busybox', networkMode: 'host' }, who);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(DockqlError);
      const e = err as DockqlError;
      expect(e.code).toBe(ErrorCode.FORBIDDEN);
      expect(e.message).toBe(`input.networkMode needs the admin role: the host's or another container's network namespace (--network host / --network container:<id>). The caller "${who.name}" has the ${who.role} role; nothing was created.`);
      expect(e.extensions).toMatchObject({ code: 'FORBIDDEN', argument: 'input.networkMode', arguments: ['input.networkMode'], requiredRole: 'admin' });
    }
  });

  it('lets an operator send inputs that ask for nothing privileged', () => {
    expect(() => assertMayUsePrivilegedInputs({ image: 'busybox', capDrop: ['ALL'], securityOpt: ['no-new-privileges'], privileged: false }, operator)).not.toThrow();
  });
});

describe('the classifier and the body builder agree (property)', () => {
  // Values of every field that reaches HostConfig: harmless, privileged and malformed ones.
  const field = <T>(...values: T[]) => fc.option(fc.constantFrom(...values), { nil: undefined, freq: 2 });
  const input = fc.record(
    {
      image: fc.constant('busybox'),
      privileged: field(true, false, null),
      binds: field([], [{ hostPath: '/srv', containerPath: '/srv' }], [{ hostPath: 'rel', containerPath: '/x' }]),
      capAdd: field([], ['NET_ADMIN'], ['ALL'], ['bogus']),
      capDrop: field([], ['ALL'], ['NET_RAW'], ['bogus']),
      devices: field([], [{ hostPath: '/dev/null' }]),
      networkMode: field('none', 'bridge', 'host', 'container:web', 'ns:/x', 'HOST', null),
      pidMode: field('host', 'container:web', 'private', '', null),
      ipcMode: field('none', 'private', 'shareable', 'host', 'container:web', 'bogus', null),
      sysctls: field([], [{ name: 'net.ipv4.ip_forward', value: '1' }], [{ name: 'kernel.shmmax', value: '1' }]),
      securityOpt: field([], ['no-new-privileges'], ['no-new-privileges:true'], ['no-new-privileges:false'], ['seccomp=unconfined'], ['label=disable'], ['bogus']),
      volumes: field([], [{ name: 'data', destination: '/data' }]),
    },
    { requiredKeys: ['image'] },
  );

  it('an input with no privileged field never yields a privileged body; one with a privileged field always does (or is refused)', () => {
    let operatorBodies = 0;
    fc.assert(
      fc.property(input, (i) => {
        let b: DaemonCreateBody;
        try {
          b = toDaemonCreateBody(toCreateSpec(i as unknown as ContainerInput));
        } catch (err) {
          if (err instanceof BadUserInputError) return;
          throw err;
        }
        const asked = privilegedInputsIn(i as unknown as ContainerInput).length > 0;
        if (!asked) operatorBodies++;
        expect(privilegedParts(b).length > 0).toBe(asked);
      }),
      { numRuns: 2000, seed: 6 },
    );
    expect(operatorBodies).toBeGreaterThan(50);
  });
});
