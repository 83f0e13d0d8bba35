/**
 * What ContainerInput becomes on the real daemon (resource limits, named
 * volumes, published ports, restart policy, env, user, working directory), and
 * that bad or hostile input is BAD_USER_INPUT without a single daemon request.
 * The engine runs with --bridge=none: published ports are checked as input and
 * in `docker inspect`, never by connecting.
 */
import { randomBytes } from 'node:crypto';
import { startTestApp, type TestApp } from '../support/app';
import { startCountingProxy, type CountingProxy } from '../support/counting-proxy';
import { docker, testDockerHost } from '../support/engine';
import { BUSYBOX, cleanUp, TEST_LABEL } from '../support/fixtures';
import { codes, gql } from '../support/graphql';

const OWNER = 'container-input';
const RUN = randomBytes(3).toString('hex');
const VOLUME = `dq-in-${RUN}-data`;

let proxy: CountingProxy;
let api: TestApp;

const base = (extra: Record<string, unknown> = {}) => ({ image: BUSYBOX, networkMode: 'none', labels: [{ key: TEST_LABEL, value: OWNER }], ...extra });

beforeAll(async () => {
  proxy = await startCountingProxy(testDockerHost());
  api = await startTestApp({ dockerHost: proxy.dockerHost });
});

afterAll(async () => {
  await api?.stop();
  await proxy?.close();
  await cleanUp(OWNER);
  await docker(['volume', 'rm', '-f', VOLUME]).catch(() => undefined);
});

describe('what the daemon gets', () => {
  it('creates with limits, a named volume, published ports (loopback by default), a restart policy, env, user and workdir', async () => {
    const input = base({
      name: `dq-in-${RUN}-full`,
      cmd: ['sh', '-c', 'echo "$GREETING from $(pwd) as $(id -u)" > /data/hello; sleep 300'],
      env: ['GREETING=hello world'],
      workingDir: '/tmp',
      user: '1000:1000',
      memoryBytes: 64 * 1024 * 1024,
      cpus: 0.5,
      restartPolicy: { name: 'ON_FAILURE', maximumRetryCount: 2 },
      volumes: [{ name: VOLUME, destination: '/data' }],
      ports: [{ containerPort: 8080, hostPort: 18080 }, { containerPort: 53, protocol: 'UDP', hostIp: '0.0.0.0' }],
    });
    const res = await gql<{ createContainer: { id: string; state: string; mounts: unknown[]; portBindings: unknown[] } }>(
      api.graphqlUrl,
      'mutation($input: ContainerInput!) { createContainer(input: $input) { id state mounts { type name destination readOnly } portBindings { privatePort publicPort type ip } } }',
      { input },
    );
    expect(res.errors).toBeUndefined();
    const c = res.data!.createContainer;
    expect(c.state).toBe('CREATED');
    expect(c.mounts).toEqual([{ type: 'volume', name: VOLUME, destination: '/data', readOnly: false }]);
    // Published ports are visible through the API before start, although network none never maps them.
    expect(c.portBindings).toHaveLength(2);
    expect(c.portBindings).toEqual(
      expect.arrayContaining([
        { privatePort: 8080, publicPort: 18080, type: 'tcp', ip: '127.0.0.1' },
        { privatePort: 53, publicPort: null, type: 'udp', ip: '0.0.0.0' },
      ]),
    );

    const inspect = JSON.parse((await docker(['inspect', c.id])).stdout)[0] as {
      Config: { Env: string[]; User: string; WorkingDir: string; ExposedPorts: Record<string, unknown> };
      HostConfig: Record<string, unknown>;
    };
    expect(inspect.Config).toMatchObject({ User: '1000:1000', WorkingDir: '/tmp', ExposedPorts: { '8080/tcp': {}, '53/udp': {} } });
    expect(inspect.Config.Env).toContain('GREETING=hello world');
    expect(inspect.HostConfig).toMatchObject({
      NetworkMode: 'none',
      Memory: 64 * 1024 * 1024,
      NanoCpus: 500_000_000,
      RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 2 },
      AutoRemove: false,
      Privileged: false,
      PortBindings: { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '18080' }], '53/udp': [{ HostIp: '0.0.0.0', HostPort: '' }] },
      Mounts: [{ Type: 'volume', Source: VOLUME, Target: '/data' }],
    });
    // Nothing the allow-list lacks was set: no binds, devices, capabilities or host namespaces.
    expect(inspect.HostConfig).toMatchObject({ Binds: null, CapAdd: null, PidMode: '', IpcMode: expect.not.stringMatching(/^host$/) });
    expect(inspect.HostConfig.Devices ?? []).toEqual([]);
  });

  it('runs with the named volume writable by the process, and read-only when asked', async () => {
    const writer = base({ cmd: ['sh', '-c', 'echo kept > /data/file'], volumes: [{ name: VOLUME, destination: '/data' }] });
    const w = await gql<{ runContainer: { id: string } }>(api.graphqlUrl, 'mutation($input: ContainerInput!) { runContainer(input: $input) { id } }', { input: writer });
    expect(w.errors).toBeUndefined();
    await docker(['wait', w.data!.runContainer.id]);
    const reader = base({ cmd: ['sh', '-c', 'cat /data/file; echo x > /data/other'], volumes: [{ name: VOLUME, destination: '/data', readOnly: true }] });
    const r = await gql<{ runContainer: { id: string } }>(api.graphqlUrl, 'mutation($input: ContainerInput!) { runContainer(input: $input) { id } }', { input: reader });
    expect(r.errors).toBeUndefined();
    const id = r.data!.runContainer.id;
    expect((await docker(['wait', id])).stdout.trim()).not.toBe('0');
    const logs = await docker(['logs', id]);
    expect(logs.stdout).toBe('kept\n');
    expect(logs.stderr).toMatch(/Read-only file system/);
  });

  it('accepts host networking from the admin (the caller of a server without tokens; privileged-container-input.test.ts has the rest)', async () => {
    const res = await gql<{ createContainer: { id: string } }>(api.graphqlUrl, 'mutation($input: ContainerInput!) { createContainer(input: $input) { id } }', { input: base({ networkMode: 'host' }) });
    expect(res.errors).toBeUndefined();
    expect((await docker(['inspect', '--format', '{{.HostConfig.NetworkMode}}', res.data!.createContainer.id])).stdout.trim()).toBe('host');
  });
});

describe('bad input never reaches the daemon', () => {
  const create = (input: Record<string, unknown>) => gql(api.graphqlUrl, 'mutation($input: ContainerInput!) { createContainer(input: $input) { id } }', { input });
  const cases: Array<[string, () => Promise<{ errors?: Array<{ message: string; extensions?: Record<string, unknown> }> }>]> = [
    ['a name against the daemon\'s rule', () => create(base({ name: '-starts-with-dash' }))],
    ['a one-character name', () => create(base({ name: 'x' }))],
    ['a name with a newline and ANSI escapes', () => create(base({ name: 'ok\n\u001b[31mred' }))],
    ['a path as a name', () => create(base({ name: '../../etc/passwd' }))],
    ['a shell injection as image', () => create(base({ image: 'busybox; rm -rf /' }))],
    ['an upper-case image', () => create(base({ image: 'BusyBox' }))],
    ['env without "="', () => create(base({ env: ['JUST_A_KEY'] }))],
    ['env with a NUL', () => create(base({ env: ['A=b\u0000c'] }))],
    ['a relative workingDir', () => create(base({ workingDir: 'srv/app' }))],
    ['a user with shell syntax', () => create(base({ user: '$(id)' }))],
    ['memory below 6 MiB', () => create(base({ memoryBytes: 4096 }))],
    ['zero CPUs', () => create(base({ cpus: 0 }))],
    ['container: networking with a path as the container', () => create(base({ networkMode: 'container:../../abc' }))],
    ['a host path as volume', () => create(base({ volumes: [{ name: '/var/run/docker.sock', destination: '/sock' }] }))],
    ['a port out of range', () => create(base({ ports: [{ containerPort: 65536 }] }))],
    ['a host name as hostIp', () => create(base({ ports: [{ containerPort: 80, hostIp: 'example.com' }] }))],
    ['autoRemove with restart always', () => create(base({ autoRemove: true, restartPolicy: { name: 'ALWAYS' } }))],
    ['a bad ref', () => gql(api.graphqlUrl, 'mutation { startContainer(ref: "no such/ref") { id } }')],
    ['an unknown signal', () => gql(api.graphqlUrl, 'mutation { killContainer(ref: "whatever", signal: "SIGFOO") { id } }')],
    ['signal 0', () => gql(api.graphqlUrl, 'mutation { killContainer(ref: "whatever", signal: "0") { id } }')],
    ['a negative stop timeout', () => gql(api.graphqlUrl, 'mutation { stopContainer(ref: "whatever", timeout: -1) { id } }')],
    ['a restart timeout over an hour', () => gql(api.graphqlUrl, 'mutation { restartContainer(ref: "whatever", timeout: 3601) { id } }')],
    ['a bad new name', () => gql(api.graphqlUrl, 'mutation { renameContainer(ref: "whatever", name: "bad/name") { id } }')],
    ['a removal by a hostile ref', () => gql(api.graphqlUrl, 'mutation { removeContainer(ref: "../../containers/x") }')],
  ];

  it.each(cases)('%s is BAD_USER_INPUT with no daemon request', async (_what, request) => {
    proxy.reset();
    const res = await request();
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    // Messages quote hostile text JSON-escaped: no raw control characters.
    expect(res.errors![0]!.message).not.toMatch(/[\u0000-\u001f]/);
    expect(proxy.requests).toEqual([]);
  });
});
