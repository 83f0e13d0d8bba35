/**
 * The admin-only ContainerInput fields on the real daemon. As the admin (the
 * anonymous caller of a server without tokens), a bind mount of a temp dir,
 * capabilities, devices, sysctls, securityOpt, host pid/ipc/network and
 * container:<id> networking reach the daemon and take effect inside the
 * container, read back with `docker inspect` and from the container's own /proc.
 *
 * Nothing here changes the host: the only host path written is this file's temp
 * dir; sysctls are set in the container's own network and IPC namespaces
 * (networkMode none still has a namespace of its own); the host-namespace
 * containers only read /proc.
 *
 * An operator's FORBIDDEN is tested at the service level in
 * test/unit/container-lifecycle.test.ts (the daemon is never touched), and
 * over HTTP with an operator token in test/integration/auth-roles.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startTestApp, type TestApp } from '../support/app';
import { startCountingProxy, type CountingProxy } from '../support/counting-proxy';
import { docker, testDockerHost } from '../support/engine';
import { BUSYBOX, cleanUp, runContainer, TEST_LABEL } from '../support/fixtures';
import { codes, gql } from '../support/graphql';

const OWNER = 'privileged-container-input';
const RUN = randomBytes(3).toString('hex');
const MARKER = `marker ${RUN}`;

let proxy: CountingProxy;
let api: TestApp;
let hostDir: string;

const base = (extra: Record<string, unknown> = {}) => ({ image: BUSYBOX, networkMode: 'none', labels: [{ key: TEST_LABEL, value: OWNER }], ...extra });

type Res<K extends string> = { [key in K]: { id: string; mounts: Array<{ type: string; source: string | null; destination: string; readOnly: boolean }> } };
const FIELDS = '{ id mounts { type source destination readOnly } }';

async function create(input: Record<string, unknown>) {
  return gql<Res<'createContainer'>>(api.graphqlUrl, `mutation($input: ContainerInput!) { createContainer(input: $input) ${FIELDS} }`, { input });
}

/** runContainer, then waits for the command to end; returns its id, exit code and output. */
async function runToEnd(input: Record<string, unknown>): Promise<{ id: string; exit: number; stdout: string; stderr: string }> {
  const res = await gql<Res<'runContainer'>>(api.graphqlUrl, `mutation($input: ContainerInput!) { runContainer(input: $input) ${FIELDS} }`, { input: base(input) });
  expect(res.errors).toBeUndefined();
  const id = res.data!.runContainer.id;
  const exit = Number((await docker(['wait', id])).stdout.trim());
  const { stdout, stderr } = await docker(['logs', id]);
  return { id, exit, stdout, stderr };
}

async function hostConfig(id: string): Promise<Record<string, unknown>> {
  return (JSON.parse((await docker(['inspect', id])).stdout)[0] as { HostConfig: Record<string, unknown> }).HostConfig;
}

/** The CapEff bit set of /proc/self/status output. */
function effectiveCaps(status: string): bigint {
  const hex = /CapEff:\s*([0-9a-f]+)/.exec(status)?.[1];
  if (!hex) throw new Error(`no CapEff in ${JSON.stringify(status)}`);
  return BigInt(`0x${hex}`);
}
const CAP_CHOWN = 0n;
const CAP_NET_ADMIN = 12n;

beforeAll(async () => {
  hostDir = mkdtempSync(path.join(tmpdir(), 'dockql-bind-'));
  writeFileSync(path.join(hostDir, 'marker'), MARKER);
  proxy = await startCountingProxy(testDockerHost());
  api = await startTestApp({ dockerHost: proxy.dockerHost });
});

afterAll(async () => {
  await api?.stop();
  await proxy?.close();
  await cleanUp(OWNER);
  if (hostDir) rmSync(hostDir, { recursive: true, force: true });
});

describe('as the admin, the privileged inputs reach the daemon', () => {
  it('mounts a host directory read-only (-v /host:/ctr:ro): the container reads the marker file and cannot write', async () => {
    const r = await runToEnd({ cmd: ['sh', '-c', 'cat /host/marker; echo x > /host/other'], binds: [{ hostPath: hostDir, containerPath: '/host', readOnly: true }] });
    expect(r.stdout).toBe(MARKER);
    expect(r.stderr).toMatch(/Read-only file system/);
    expect(r.exit).not.toBe(0);
    const mounts = (await hostConfig(r.id)).Mounts;
    expect(mounts).toEqual([expect.objectContaining({ Type: 'bind', Source: hostDir, Target: '/host', ReadOnly: true })]);
    // Typed mounts only: no Binds strings.
    expect((await hostConfig(r.id)).Binds).toBeNull();
  });

  it('mounts it writable when asked, and the file appears in the host directory', async () => {
    const res = await create(base({ cmd: ['sh', '-c', `echo written-${RUN} > /host/out`], binds: [{ hostPath: hostDir, containerPath: '/host' }] }));
    expect(res.errors).toBeUndefined();
    expect(res.data!.createContainer.mounts).toEqual([{ type: 'bind', source: hostDir, destination: '/host', readOnly: false }]);
    await docker(['start', '-a', res.data!.createContainer.id]);
    expect(readFileSync(path.join(hostDir, 'out'), 'utf8')).toBe(`written-${RUN}\n`);
  });

  it('refuses a bind of a host path that does not exist (the daemon\'s 400; nothing is created from it)', async () => {
    const res = await create(base({ binds: [{ hostPath: path.join(hostDir, 'missing'), containerPath: '/m' }] }));
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.errors![0]!.message).toMatch(/does not exist/);
  });

  it('adds and drops capabilities (--cap-add NET_ADMIN --cap-drop CHOWN): the process\'s effective set shows both', async () => {
    const r = await runToEnd({ cmd: ['grep', 'CapEff', '/proc/self/status'], capAdd: ['net_admin'], capDrop: ['CAP_CHOWN'] });
    expect(r.exit).toBe(0);
    const caps = effectiveCaps(r.stdout);
    expect((caps >> CAP_NET_ADMIN) & 1n).toBe(1n);
    expect((caps >> CAP_CHOWN) & 1n).toBe(0n);
    expect(await hostConfig(r.id)).toMatchObject({ CapAdd: ['CAP_NET_ADMIN'], CapDrop: ['CAP_CHOWN'] });
  });

  it('creates a privileged container (--privileged)', async () => {
    // Created and inspected, not started: starting one needs the full capability
    // bounding set, which a sandboxed CI host may lack (runc: "unable to apply caps").
    const res = await create(base({ privileged: true }));
    expect(res.errors).toBeUndefined();
    expect(await hostConfig(res.data!.createContainer.id)).toMatchObject({ Privileged: true });
  });

  it('passes a device (--device /dev/null:/dev/dq-null:rw): it is a character device the process can write', async () => {
    const r = await runToEnd({ cmd: ['sh', '-c', 'test -c /dev/dq-null && echo discarded > /dev/dq-null && echo ok'], devices: [{ hostPath: '/dev/null', containerPath: '/dev/dq-null', permissions: 'rw' }] });
    expect([r.exit, r.stdout]).toEqual([0, 'ok\n']);
    expect((await hostConfig(r.id)).Devices).toEqual([{ PathOnHost: '/dev/null', PathInContainer: '/dev/dq-null', CgroupPermissions: 'rw' }]);
  });

  it('sets namespaced sysctls (--sysctl) inside the container\'s own network and IPC namespaces', async () => {
    const r = await runToEnd({
      cmd: ['cat', '/proc/sys/net/ipv4/ip_unprivileged_port_start', '/proc/sys/kernel/shmmni'],
      sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '80' }, { name: 'kernel.shmmni', value: '1234' }],
    });
    expect([r.exit, r.stdout]).toEqual([0, '80\n1234\n']);
    expect((await hostConfig(r.id)).Sysctls).toEqual({ 'net.ipv4.ip_unprivileged_port_start': '80', 'kernel.shmmni': '1234' });
  });

  it('loosens and tightens confinement (--security-opt seccomp=unconfined --security-opt no-new-privileges)', async () => {
    const r = await runToEnd({ cmd: ['grep', '-E', '^(Seccomp|NoNewPrivs):', '/proc/self/status'], securityOpt: ['seccomp=unconfined', 'no-new-privileges'] });
    expect(r.exit).toBe(0);
    expect(r.stdout).toMatch(/^NoNewPrivs:\s+1$/m);
    expect(r.stdout).toMatch(/^Seccomp:\s+0$/m);
    expect((await hostConfig(r.id)).SecurityOpt).toEqual(['seccomp=unconfined', 'no-new-privileges']);
  });

  it('shares the host\'s pid, IPC and network namespaces (--pid host --ipc host --network host)', async () => {
    const r = await runToEnd({ networkMode: 'host', pidMode: 'host', ipcMode: 'host', cmd: ['sh', '-c', 'for ns in pid ipc net; do readlink /proc/self/ns/$ns; done'] });
    expect(r.exit).toBe(0);
    // The engine runs beside this test process, so "the host's" namespaces are this process's.
    const own = ['pid', 'ipc', 'net'].map((ns) => readlinkSync(`/proc/self/ns/${ns}`));
    expect(r.stdout.trim().split('\n')).toEqual(own);
    expect(await hostConfig(r.id)).toMatchObject({ NetworkMode: 'host', PidMode: 'host', IpcMode: 'host' });
  });

  it('joins another container\'s network namespace (--network container:<name>), stored by its full id', async () => {
    const name = `dq-priv-${RUN}-netns`;
    const sharer = await runContainer(OWNER, ['--name', name]);
    const { stdout: theirs } = await docker(['exec', sharer, 'readlink', '/proc/self/ns/net']);
    const r = await runToEnd({ networkMode: `container:${name}`, cmd: ['readlink', '/proc/self/ns/net'] });
    expect([r.exit, r.stdout]).toEqual([0, theirs]);
    expect((await hostConfig(r.id)).NetworkMode).toBe(`container:${sharer}`);
  });

  it('refuses container:<name> of a container that does not exist as NOT_FOUND, without creating anything', async () => {
    proxy.reset();
    const res = await create(base({ networkMode: `container:dq-priv-${RUN}-missing`, pidMode: 'host' }));
    expect(codes(res)).toEqual(['NOT_FOUND']);
    expect(res.errors![0]!.extensions).toMatchObject({ argument: 'input.networkMode' });
    expect(proxy.requests.filter((r) => r.path.startsWith('/containers/create'))).toEqual([]);
  });
});
