/**
 * The neighbours ops look at next to containers: `docker volume
 * create/ls/inspect/rm`, `docker network ls/inspect`, and `docker system df`,
 * against the real private engine.
 */
import { randomUUID } from 'node:crypto';
import { startTestApp, type TestApp } from '../support/app';
import { startCountingProxy, type CountingProxy } from '../support/counting-proxy';
import { docker, testDockerHost } from '../support/engine';
import { cleanUp, runContainer, TEST_LABEL } from '../support/fixtures';
import { codes, gql } from '../support/graphql';

const OWNER = 'volumes-networks';
let proxy: CountingProxy;
let api: TestApp;

beforeAll(async () => {
  proxy = await startCountingProxy(testDockerHost());
  api = await startTestApp({ dockerHost: proxy.dockerHost });
});

afterAll(async () => {
  await api?.stop();
  await proxy?.close();
  await cleanUp(OWNER);
  const volumes = (await docker(['volume', 'ls', '-q', '--filter', `label=${TEST_LABEL}=${OWNER}`])).stdout.split('\n').filter(Boolean);
  if (volumes.length) await docker(['volume', 'rm', '-f', ...volumes]);
});

const VOLUME = 'name driver mountpoint createdAt scope labels { key value } options { key }';

describe('docker volume', () => {
  it('creates, lists, inspects, measures and removes a named volume', async () => {
    const name = `dq-vol-${randomUUID().slice(0, 8)}`;
    const before = Date.now() - 2000;
    const made = await gql<{ createVolume: Record<string, unknown> }>(
      api.graphqlUrl,
      `mutation($name: String!) { createVolume(name: $name, labels: [{ key: "${TEST_LABEL}", value: "${OWNER}" }, { key: "tier", value: "db" }]) { ${VOLUME} } }`,
      { name },
    );
    expect(made.errors).toBeUndefined();
    const cli = JSON.parse((await docker(['volume', 'inspect', name])).stdout)[0] as { Mountpoint: string };
    expect(made.data!.createVolume).toEqual({
      name,
      driver: 'local',
      mountpoint: cli.Mountpoint,
      createdAt: expect.any(String),
      scope: 'local',
      labels: [{ key: TEST_LABEL, value: OWNER }, { key: 'tier', value: 'db' }],
      options: [],
    });
    expect(Date.parse(made.data!.createVolume.createdAt as string)).toBeGreaterThanOrEqual(before - (before % 1000));

    const listed = await gql<{ volumes: Array<{ name: string }>; byName: Array<{ name: string }>; volume: { name: string } }>(
      api.graphqlUrl,
      `query($name: String!) { volumes(filter: { labels: ["tier=db", "${TEST_LABEL}=${OWNER}"] }) { name } byName: volumes(filter: { name: $name }) { name } volume(name: $name) { name } }`,
      { name },
    );
    expect(listed.data).toEqual({ volumes: [{ name }], byName: [{ name }], volume: { name } });

    const writer = await runContainer(OWNER, ['--name', `${name}-writer`, '-v', `${name}:/data`], ['sh', '-c', 'head -c 100000 /dev/zero > /data/blob']);
    await docker(['wait', writer]);
    const used = await gql<{ volume: { usage: { sizeBytes: number; refCount: number }; containers: Array<{ id: string }> } }>(
      api.graphqlUrl,
      'query($name: String!) { volume(name: $name) { usage { sizeBytes refCount } containers { id } } }',
      { name },
    );
    expect(used.data!.volume).toEqual({ usage: { sizeBytes: 100000, refCount: 1 }, containers: [{ id: writer }] });

    const inUse = await gql(api.graphqlUrl, 'mutation($name: String!) { removeVolume(name: $name) }', { name });
    expect(codes(inUse)).toEqual(['CONFLICT']);
    expect(inUse.errors![0]!.message).toMatch(/in use/);

    await docker(['rm', writer]);
    const removed = await gql(api.graphqlUrl, 'mutation($name: String!) { removeVolume(name: $name) }', { name });
    expect(removed).toMatchObject({ data: { removeVolume: name } });
    const gone = await gql(api.graphqlUrl, 'query($name: String!) { volume(name: $name) { name } }', { name });
    expect(gone.data).toEqual({ volume: null });
    expect(codes(await gql(api.graphqlUrl, 'mutation($name: String!) { removeVolume(name: $name) }', { name }))).toEqual(['NOT_FOUND']);
  });

  it('answers an existing volume as it is, like `docker volume create`', async () => {
    const name = `dq-vol-${randomUUID().slice(0, 8)}`;
    const create = () => gql<{ createVolume: { name: string; labels: unknown[] } }>(api.graphqlUrl, `mutation { createVolume(name: "${name}", labels: [{ key: "${TEST_LABEL}", value: "${OWNER}" }]) { name labels { key value } } }`);
    const first = await create();
    expect(await create()).toEqual(first);
  });

  it.each([
    ['a one-character name', 'mutation { createVolume(name: "a") { name } }'],
    ['a path', 'mutation { createVolume(name: "../etc") { name } }'],
    ['a label key with "="', 'mutation { createVolume(name: "dq-vol-bad", labels: [{ key: "a=b", value: "c" }]) { name } }'],
    ['a label value with a newline', 'mutation { createVolume(name: "dq-vol-bad", labels: [{ key: "a", value: "b\\nc" }]) { name } }'],
    ['a name to remove with a slash', 'mutation { removeVolume(name: "a/b") }'],
    ['a name to inspect with a space', '{ volume(name: "a b") { name } }'],
  ])('refuses %s with BAD_USER_INPUT and never asks the daemon', async (_why, query) => {
    proxy.reset();
    const res = await gql(api.graphqlUrl, query);
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(proxy.requests).toEqual([]);
  });
});

describe('docker network', () => {
  it('lists the daemon\'s own networks: none and host (no bridge on the test engine)', async () => {
    const res = await gql<{ networks: Array<Record<string, unknown>> }>(api.graphqlUrl, '{ networks { id name driver scope internal attachable ingress ipv6Enabled created labels { key } subnets { subnet } } }');
    expect(res.errors).toBeUndefined();
    const byName = Object.fromEntries(res.data!.networks.map((n) => [n.name, n]));
    const none = (await docker(['network', 'inspect', '--format', '{{.Id}}', 'none'])).stdout.trim();
    expect(byName.none).toEqual({ id: none, name: 'none', driver: 'null', scope: 'local', internal: false, attachable: false, ingress: false, ipv6Enabled: false, created: expect.any(String), labels: [], subnets: [] });
    expect(byName.host).toMatchObject({ name: 'host', driver: 'host', scope: 'local' });
  });

  it('inspects one network by name or id, with the containers connected to it', async () => {
    const id = await runContainer(OWNER, [], ['sleep', '300']);
    const res = await gql<{ byName: { id: string; containers: Array<{ id: string }> }; byId: { name: string }; missing: null }>(
      api.graphqlUrl,
      '{ byName: network(idOrName: "none") { id containers { id } } missing: network(idOrName: "no-such-network") { id } }',
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.byName.containers.map((c) => c.id)).toContain(id);
    expect(res.data!.missing).toBeNull();
    const byId = await gql<{ network: { name: string } }>(api.graphqlUrl, 'query($id: String!) { network(idOrName: $id) { name } }', { id: res.data!.byName.id.slice(0, 12) });
    expect(byId.data).toEqual({ network: { name: 'none' } });
    expect(codes(await gql(api.graphqlUrl, '{ network(idOrName: "../x") { id } }'))).toEqual(['BAD_USER_INPUT']);
  });
});

describe('no N+1', () => {
  it('lists volumes and networks with their containers in one `docker ps -a`, whatever their number', async () => {
    for (let i = 0; i < 3; i++) await docker(['volume', 'create', '--label', `${TEST_LABEL}=${OWNER}`, `dq-vol-npo-${i}`]);
    proxy.reset();
    const res = await gql<{ volumes: unknown[]; networks: unknown[] }>(api.graphqlUrl, '{ volumes { name containers { id } } networks { name containers { id } } }');
    expect(res.errors).toBeUndefined();
    expect(res.data!.volumes.length).toBeGreaterThanOrEqual(3);
    expect(proxy.requests.map((r) => `${r.method} ${r.path.split('?')[0]}`).sort()).toEqual(['GET /containers/json', 'GET /networks', 'GET /volumes']);
  });
});

describe('docker system df', () => {
  type Row = { totalCount: number; active: number; sizeBytes: number; reclaimableBytes: number };
  type Cli = { Type: string; TotalCount: string; Active: string; Size: string; Reclaimable: string };

  /** go-units HumanSize, as the docker CLI prints sizes: decimal units, four significant digits. */
  function humanSize(bytes: number): string {
    const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
    let size = bytes;
    let i = 0;
    while (size >= 1000 && i < units.length - 1) {
      size /= 1000;
      i++;
    }
    return `${Number(size.toPrecision(4))}${units[i]}`;
  }

  const asCli = (type: string, r: Row) => ({ Type: type, TotalCount: String(r.totalCount), Active: String(r.active), Size: humanSize(r.sizeBytes), Reclaimable: humanSize(r.reclaimableBytes) });

  it('agrees with `docker system df` row by row', async () => {
    // A volume with data and no user, so that volumes have something reclaimable.
    const name = `dq-vol-${randomUUID().slice(0, 8)}`;
    await docker(['volume', 'create', '--label', `${TEST_LABEL}=${OWNER}`, name]);
    const filler = await runContainer(OWNER, ['-v', `${name}:/data`], ['sh', '-c', 'head -c 50000 /dev/zero > /data/x']);
    await docker(['wait', filler]);
    await docker(['rm', filler]);

    // Other test files change the engine meanwhile: compare snapshots until two taken back to back agree.
    let ours: unknown[] = [];
    let theirs: unknown[] = [];
    for (let attempt = 0; attempt < 10; attempt++) {
      const res = await gql<{ diskUsage: Record<'images' | 'containers' | 'volumes' | 'buildCache', Row> }>(
        api.graphqlUrl,
        '{ diskUsage { images { ...R } containers { ...R } volumes { ...R } buildCache { ...R } } } fragment R on DiskUsageSummary { totalCount active sizeBytes reclaimableBytes }',
      );
      expect(res.errors).toBeUndefined();
      const du = res.data!.diskUsage;
      ours = [asCli('Images', du.images), asCli('Containers', du.containers), asCli('Local Volumes', du.volumes), asCli('Build Cache', du.buildCache)];
      const cli = (await docker(['system', 'df', '--format', '{{json .}}'])).stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Cli);
      // The CLI adds " (NN%)" to some reclaimable sizes.
      theirs = cli.map((r) => ({ Type: r.Type, TotalCount: r.TotalCount, Active: r.Active, Size: r.Size, Reclaimable: r.Reclaimable.replace(/ \(\d+%\)$/, '') }));
      if (JSON.stringify(ours) === JSON.stringify(theirs)) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(ours).toEqual(theirs);
    const volumes = (ours as Array<{ Type: string; Reclaimable: string }>).find((r) => r.Type === 'Local Volumes')!;
    expect(volumes.Reclaimable).not.toBe('0B');
  });
});
