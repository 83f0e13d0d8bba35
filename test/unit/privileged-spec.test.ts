/**
 * The admin-only ContainerInput fields -> the daemon's create body: what each
 * one becomes (`-v`, --privileged, --cap-add/--cap-drop, --device, --pid,
 * --ipc, --network container:, --sysctl, --security-opt), and the shapes that
 * are BAD_USER_INPUT naming the field before any daemon request.
 */
import 'reflect-metadata';
import type { ContainerInput } from '../../src/schema/container/container-input.type';
import { checkHostPath } from '../../src/schema/container/privileged-spec';
import { BadUserInputError } from '../../src/schema/errors';
import { body, refusal } from '../support/create-body';

describe('privileged inputs -> POST /containers/create body', () => {
  it('maps `docker run -v /srv:/srv:ro -v /var/log:/logs --privileged --cap-add net_admin --cap-drop NET_RAW --device /dev/fuse --pid host --ipc host --sysctl ... --security-opt ...`', () => {
    const b = body({
      volumes: [{ name: 'data', destination: '/data' }],
      binds: [
        { hostPath: '/srv', containerPath: '/srv', readOnly: true },
        { hostPath: '/var/log', containerPath: '/logs' },
      ],
      privileged: true,
      capAdd: ['net_admin', 'CAP_SYS_PTRACE', 'NET_ADMIN'],
      capDrop: ['NET_RAW'],
      devices: [{ hostPath: '/dev/fuse' }, { hostPath: '/dev/null', containerPath: '/dev/quiet', permissions: 'rw' }],
      pidMode: 'host',
      ipcMode: 'host',
      sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '80' }, { name: 'net.core.somaxconn', value: '1024' }],
      securityOpt: ['seccomp=unconfined', 'apparmor:unconfined', 'no-new-privileges:true', 'label=level:s0:c100,c200'],
    });
    expect(b.HostConfig).toEqual({
      AutoRemove: false,
      // Typed mounts: a bind's Source is a host path by its Type, a volume's a name.
      Mounts: [
        { Type: 'volume', Source: 'data', Target: '/data', ReadOnly: false },
        { Type: 'bind', Source: '/srv', Target: '/srv', ReadOnly: true },
        { Type: 'bind', Source: '/var/log', Target: '/logs', ReadOnly: false },
      ],
      Privileged: true,
      CapAdd: ['CAP_NET_ADMIN', 'CAP_SYS_PTRACE'],
      CapDrop: ['CAP_NET_RAW'],
      Devices: [
        { PathOnHost: '/dev/fuse', PathInContainer: '/dev/fuse', CgroupPermissions: 'rwm' },
        { PathOnHost: '/dev/null', PathInContainer: '/dev/quiet', CgroupPermissions: 'rw' },
      ],
      PidMode: 'host',
      IpcMode: 'host',
      Sysctls: { 'net.ipv4.ip_unprivileged_port_start': '80', 'net.core.somaxconn': '1024' },
      SecurityOpt: ['seccomp=unconfined', 'apparmor=unconfined', 'no-new-privileges', 'label=level:s0:c100,c200'],
    });
    expect(JSON.stringify(b)).not.toMatch(/"Binds"/);
  });

  it('sends nothing for privileged: false and empty lists (the daemon\'s defaults stay)', () => {
    expect(body({ privileged: false, binds: [], capAdd: [], capDrop: [], devices: [], sysctls: [], securityOpt: [] }).HostConfig).toEqual({ AutoRemove: false });
  });

  it('keeps container:<name|id> modes as given (the service resolves them to the full id)', () => {
    const b = body({ networkMode: 'container:web-1', pidMode: 'container:abc123', ipcMode: 'container:web-1' });
    expect(b.HostConfig).toMatchObject({ NetworkMode: 'container:web-1', PidMode: 'container:abc123', IpcMode: 'container:web-1' });
  });

  it('accepts --cap-add ALL and an inline seccomp profile (what the CLI sends for seccomp=<file>)', () => {
    const profile = JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW' }, null, 2);
    const b = body({ capAdd: ['all'], securityOpt: [`seccomp=${profile}`, 'no-new-privileges=false'] });
    expect(b.HostConfig.CapAdd).toEqual(['ALL']);
    expect(b.HostConfig.SecurityOpt).toEqual([`seccomp=${profile}`, 'no-new-privileges=false']);
  });
});

describe('checkHostPath', () => {
  it.each(['/', '/srv', '/var/lib/my data', '/home/ops/with:colon,comma'])('accepts %j', (p) => {
    expect(checkHostPath('x', p)).toBe(p);
  });

  it.each(['relative', '', '/a/../b', '/..', '/a/./b', '//a', '/a//b', '/a/', '/a\u0000b', '/a\nb', '/\ud800', `/${'a'.repeat(5000)}`])('refuses %j', (p) => {
    expect(() => checkHostPath('input.binds[0].hostPath', p)).toThrow(BadUserInputError);
  });

  it('says what the normalized path would be', () => {
    expect(() => checkHostPath('h', '/srv//data/')).toThrow(/"\/srv\/data"/);
  });
});

describe('input checks of the privileged fields (BAD_USER_INPUT naming the field)', () => {
  it.each([
    [{ binds: [{ hostPath: 'etc', containerPath: '/etc' }] }, 'input.binds[0].hostPath'],
    [{ binds: [{ hostPath: '/etc/../root', containerPath: '/r' }] }, 'input.binds[0].hostPath'],
    [{ binds: [{ hostPath: '/etc', containerPath: 'etc' }] }, 'input.binds[0].containerPath'],
    [{ binds: [{ hostPath: '/etc', containerPath: '/' }] }, 'input.binds[0].containerPath'],
    [{ binds: [{ hostPath: '/etc', containerPath: '/x/../y' }] }, 'input.binds[0].containerPath'],
    [{ volumes: [{ name: 'data', destination: '/data' }], binds: [{ hostPath: '/srv', containerPath: '/data/' }] }, 'input.binds[0].containerPath'],
    [{ binds: Array.from({ length: 65 }, (_, i) => ({ hostPath: '/srv', containerPath: `/m${i}` })) }, 'input.binds'],
    [{ capAdd: ['NET_ADMN'] }, 'input.capAdd'],
    [{ capAdd: ['CAP_'] }, 'input.capAdd'],
    [{ capAdd: ['SYS_ADMIN; rm'] }, 'input.capAdd'],
    [{ capDrop: ['everything'] }, 'input.capDrop'],
    [{ devices: [{ hostPath: 'dev/sda' }] }, 'input.devices[0].hostPath'],
    [{ devices: [{ hostPath: '/dev/../etc/shadow' }] }, 'input.devices[0].hostPath'],
    [{ devices: [{ hostPath: '/dev/null', containerPath: 'null' }] }, 'input.devices[0].containerPath'],
    [{ devices: [{ hostPath: '/dev/null', permissions: 'rwx' }] }, 'input.devices[0].permissions'],
    [{ devices: [{ hostPath: '/dev/null', permissions: 'rr' }] }, 'input.devices[0].permissions'],
    [{ devices: [{ hostPath: '/dev/null', permissions: '' }] }, 'input.devices[0].permissions'],
    [{ devices: [{ hostPath: '/dev/null' }, { hostPath: '/dev/zero', containerPath: '/dev/null' }] }, 'input.devices[1].containerPath'],
    [{ pidMode: 'private' }, 'input.pidMode'],
    [{ pidMode: 'HOST' }, 'input.pidMode'],
    [{ pidMode: 'container:' }, 'input.pidMode'],
    [{ pidMode: 'container:../x' }, 'input.pidMode'],
    [{ ipcMode: 'shared' }, 'input.ipcMode'],
    [{ ipcMode: 'container:a b' }, 'input.ipcMode'],
    [{ networkMode: 'container:' }, 'input.networkMode'],
    [{ networkMode: 'container:x/y' }, 'input.networkMode'],
    [{ sysctls: [{ name: 'kernel.core_pattern', value: '|/tmp/x' }] }, 'input.sysctls[0].name'],
    [{ sysctls: [{ name: 'vm.swappiness', value: '0' }] }, 'input.sysctls[0].name'],
    [{ sysctls: [{ name: 'net/ipv4/ip_forward', value: '1' }] }, 'input.sysctls[0].name'],
    [{ sysctls: [{ name: 'net.ipv4.ip_forward', value: '' }] }, 'input.sysctls[0].value'],
    [{ sysctls: [{ name: 'net.ipv4.ip_forward', value: '1\n' }] }, 'input.sysctls[0].value'],
    [{ sysctls: [{ name: 'net.ipv4.ip_forward', value: '1' }, { name: 'net.ipv4.ip_forward', value: '0' }] }, 'input.sysctls[1].name'],
    [{ networkMode: 'host', sysctls: [{ name: 'net.ipv4.ip_forward', value: '1' }] }, 'input.sysctls[0].name'],
    [{ ipcMode: 'host', sysctls: [{ name: 'kernel.shmmax', value: '1' }] }, 'input.sysctls[0].name'],
    [{ securityOpt: ['seccomp=/etc/profile.json'] }, 'input.securityOpt[0]'],
    [{ securityOpt: ['seccomp=[1]'] }, 'input.securityOpt[0]'],
    [{ securityOpt: ['no-new-privileges:maybe'] }, 'input.securityOpt[0]'],
    [{ securityOpt: ['apparmor=un confined'] }, 'input.securityOpt[0]'],
    [{ securityOpt: ['label=bogus'] }, 'input.securityOpt[0]'],
    [{ securityOpt: ['systempaths=open'] }, 'input.securityOpt[0]'],
    [{ securityOpt: ['unknown=1'] }, 'input.securityOpt[0]'],
    [{ securityOpt: ['seccomp'] }, 'input.securityOpt[0]'],
  ] as Array<[Partial<ContainerInput>, string]>)('refuses %j (%s)', (input, argument) => {
    expect(refusal(input).argument).toBe(argument);
  });

  it('quotes hostile text JSON-escaped and short in its messages', () => {
    for (const input of [{ capAdd: [`${'X'.repeat(300)}\u001b[31m`] }, { binds: [{ hostPath: `x\n${'y'.repeat(300)}`, containerPath: '/x' }] }, { securityOpt: ['label=\u001b[2J'] }]) {
      const { message } = refusal(input);
      expect(message).not.toMatch(/[\u0000-\u001f]/);
      expect(message.length).toBeLessThan(250);
    }
  });
});
