/**
 * ContainerInput -> the daemon's create body: what is sent, what is refused
 * (before any request), and that nothing outside the allow-list can get through.
 */
import 'reflect-metadata';
import { toDaemonCreateBody } from '../../src/docker/containers';
import { type ContainerInput, PortProtocol, RestartPolicyName } from '../../src/schema/container/container-input.type';
import { toCreateSpec } from '../../src/schema/container/container-spec';
import { body, refusal } from '../support/create-body';

describe('ContainerInput -> POST /containers/create body', () => {
  it('sends a minimal `docker create` detached, with no stdin, terminal, or host settings', () => {
    expect(body({})).toEqual({
      Image: 'busybox:1.36',
      Tty: false,
      OpenStdin: false,
      StdinOnce: false,
      AttachStdin: false,
      AttachStdout: false,
      AttachStderr: false,
      Labels: {},
      HostConfig: { AutoRemove: false },
    });
  });

  it('maps every field of `docker run -d -i -t --name ... -e ... -w ... -u ... --label ... --network ... --restart ... -m ... --cpus ... -v ... -p ...`', () => {
    const b = body({
      name: 'web-1',
      cmd: ['sh', '-c', 'echo hi'],
      entrypoint: ['/bin/tini', '--'],
      env: ['A=1', 'EMPTY=', 'WITH_EQ=a=b'],
      workingDir: '/srv',
      user: '1000:1000',
      tty: true,
      openStdin: true,
      labels: [{ key: 'team', value: 'ops' }],
      networkMode: 'none',
      restartPolicy: { name: RestartPolicyName.ON_FAILURE, maximumRetryCount: 3 },
      memoryBytes: 64 * 1024 * 1024,
      cpus: 1.5,
      volumes: [{ name: 'data', destination: '/data', readOnly: true }],
      ports: [
        { containerPort: 80, hostPort: 8080 },
        { containerPort: 53, protocol: PortProtocol.UDP, hostIp: '0.0.0.0' },
        { containerPort: 80, hostPort: 8081, hostIp: '::1' },
      ],
    });
    expect(b).toEqual({
      Image: 'busybox:1.36',
      Cmd: ['sh', '-c', 'echo hi'],
      Entrypoint: ['/bin/tini', '--'],
      Env: ['A=1', 'EMPTY=', 'WITH_EQ=a=b'],
      WorkingDir: '/srv',
      User: '1000:1000',
      Tty: true,
      OpenStdin: true,
      StdinOnce: false,
      AttachStdin: false,
      AttachStdout: false,
      AttachStderr: false,
      Labels: { team: 'ops' },
      ExposedPorts: { '80/tcp': {}, '53/udp': {} },
      HostConfig: {
        AutoRemove: false,
        NetworkMode: 'none',
        RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 3 },
        Memory: 67108864,
        NanoCpus: 1_500_000_000,
        Mounts: [{ Type: 'volume', Source: 'data', Target: '/data', ReadOnly: true }],
        PortBindings: {
          // hostIp defaults to loopback; no hostPort lets the daemon pick one.
          '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }, { HostIp: '::1', HostPort: '8081' }],
          '53/udp': [{ HostIp: '0.0.0.0', HostPort: '' }],
        },
      },
    });
    // The name travels as the query parameter, not in the body.
    expect(b).not.toHaveProperty('name');
  });

  it('reads explicit nulls as the defaults, and [] as "no entrypoint" like --entrypoint ""', () => {
    const b = body({ tty: null, openStdin: null, autoRemove: null, labels: null, cmd: null, entrypoint: [] });
    expect(b).toMatchObject({ Tty: false, OpenStdin: false, Entrypoint: [''], HostConfig: { AutoRemove: false } });
    expect(b).not.toHaveProperty('Cmd');
  });

  it('copies only allow-listed fields: raw daemon fields (Privileged, Binds strings, HostConfig, VolumesFrom...) cannot ride along', () => {
    const hostile = {
      image: 'busybox',
      Privileged: true,
      HostConfig: { Privileged: true, Binds: ['/:/host'] },
      Binds: ['/:/host'],
      CapAdd: ['SYS_ADMIN'],
      Devices: ['/dev/sda'],
      PidMode: 'host',
      VolumesFrom: ['other'],
      volumes: [{ name: 'v1', destination: '/v', readOnly: false, Type: 'bind', Source: '/etc' }],
    } as unknown as ContainerInput;
    const b = toDaemonCreateBody(toCreateSpec(hostile));
    expect(JSON.stringify(b)).not.toMatch(/Privileged|Binds|Cap|Devices|PidMode|IpcMode|VolumesFrom|\/etc|"bind"|\/host/i);
    expect(b.HostConfig).toEqual({ AutoRemove: false, Mounts: [{ Type: 'volume', Source: 'v1', Target: '/v', ReadOnly: false }] });
  });

  it('converts cpus to NanoCpus as `docker run --cpus` does', () => {
    expect(body({ cpus: 0.01 }).HostConfig.NanoCpus).toBe(10_000_000);
    expect(body({ cpus: 0.3 }).HostConfig.NanoCpus).toBe(300_000_000);
    expect(body({ cpus: 2 }).HostConfig.NanoCpus).toBe(2_000_000_000);
  });
});

describe('input checks (BAD_USER_INPUT naming the field, before any daemon request)', () => {
  it.each([
    [{ image: 'Busybox' }, 'input.image'],
    [{ image: 'busybox\n:1' }, 'input.image'],
    [{ name: '-bad' }, 'input.name'],
    [{ name: 'a' }, 'input.name'],
    [{ name: 'has space' }, 'input.name'],
    [{ name: 'x'.repeat(256) }, 'input.name'],
    [{ cmd: [] }, 'input.cmd'],
    [{ cmd: ['echo', 'nul\u0000byte'] }, 'input.cmd'],
    [{ cmd: ['\ud800'] }, 'input.cmd'],
    [{ env: ['NOEQUALS'] }, 'input.env'],
    [{ env: ['=value'] }, 'input.env'],
    [{ env: ['BAD KEY=1'] }, 'input.env'],
    [{ env: ['A=1', 'A=2'] }, 'input.env'],
    [{ env: ['DOCKQL_EXEC_ID=x'] }, 'input.env'],
    [{ workingDir: 'relative/dir' }, 'input.workingDir'],
    [{ workingDir: '/a\nb' }, 'input.workingDir'],
    [{ user: 'root; rm -rf /' }, 'input.user'],
    [{ user: '' }, 'input.user'],
    [{ labels: [{ key: '', value: 'x' }] }, 'input.labels'],
    [{ labels: [{ key: 'k', value: '1' }, { key: 'k', value: '2' }] }, 'input.labels'],
    [{ networkMode: 'container:' }, 'input.networkMode'],
    [{ networkMode: 'container:../abc' }, 'input.networkMode'],
    [{ networkMode: 'ns:/proc/1/ns/net' }, 'input.networkMode'],
    [{ networkMode: '../etc' }, 'input.networkMode'],
    [{ restartPolicy: { name: RestartPolicyName.ALWAYS, maximumRetryCount: 2 } }, 'input.restartPolicy.maximumRetryCount'],
    [{ restartPolicy: { name: RestartPolicyName.ON_FAILURE, maximumRetryCount: -1 } }, 'input.restartPolicy.maximumRetryCount'],
    [{ autoRemove: true, restartPolicy: { name: RestartPolicyName.ALWAYS } }, 'input.autoRemove'],
    [{ memoryBytes: 1024 }, 'input.memoryBytes'],
    [{ memoryBytes: 6 * 1024 * 1024 - 1 }, 'input.memoryBytes'],
    [{ memoryBytes: 1.5e7 + 0.5 }, 'input.memoryBytes'],
    [{ cpus: 0 }, 'input.cpus'],
    [{ cpus: -1 }, 'input.cpus'],
    [{ cpus: Number.NaN }, 'input.cpus'],
    [{ volumes: [{ name: '/etc', destination: '/host-etc' }] }, 'input.volumes[0].name'],
    [{ volumes: [{ name: '../x', destination: '/x' }] }, 'input.volumes[0].name'],
    [{ volumes: [{ name: 'data', destination: 'data' }] }, 'input.volumes[0].destination'],
    [{ volumes: [{ name: 'data', destination: '/' }] }, 'input.volumes[0].destination'],
    [{ volumes: [{ name: 'data', destination: '/a/../b' }] }, 'input.volumes[0].destination'],
    [{ volumes: [{ name: 'a1', destination: '/d' }, { name: 'b1', destination: '/d/' }] }, 'input.volumes[1].destination'],
    [{ ports: [{ containerPort: 0 }] }, 'input.ports[0].containerPort'],
    [{ ports: [{ containerPort: 70000 }] }, 'input.ports[0].containerPort'],
    [{ ports: [{ containerPort: 80, hostPort: 65536 }] }, 'input.ports[0].hostPort'],
    [{ ports: [{ containerPort: 80, hostIp: 'localhost' }] }, 'input.ports[0].hostIp'],
    [{ ports: [{ containerPort: 80, hostIp: 'fe80::1%eth0' }] }, 'input.ports[0].hostIp'],
    [{ ports: [{ containerPort: 80, hostPort: 8080 }, { containerPort: 81, hostPort: 8080 }] }, 'input.ports[1].hostPort'],
  ] as Array<[Partial<ContainerInput>, string]>)('refuses %j (%s)', (input, argument) => {
    expect(refusal(input).argument).toBe(argument);
  });

  it('quotes hostile text JSON-escaped and short in its messages', () => {
    const { message } = refusal({ env: [`${'X'.repeat(500)}\n\u001b[31m`] });
    expect(message).not.toMatch(/[\n\u001b]/);
    expect(message.length).toBeLessThan(200);
  });

  it('accepts the network modes ops use, and host and container:<name|id> (admin only: privileged-inputs.ts)', () => {
    for (const mode of ['none', 'bridge', 'host', 'my-net_1.2', 'container:web-1']) expect(body({ networkMode: mode }).HostConfig.NetworkMode).toBe(mode);
  });

  it('accepts the same container port published on two host ports, and udp beside tcp', () => {
    const b = body({ ports: [{ containerPort: 53, hostPort: 53 }, { containerPort: 53, hostPort: 53, protocol: PortProtocol.UDP }] });
    expect(Object.keys(b.HostConfig.PortBindings!)).toEqual(['53/tcp', '53/udp']);
  });
});
