/**
 * The ops story of looking at a host: `docker version`, `docker info`,
 * `docker images`, `docker ps -a`, through the real HTTP endpoint against the
 * real private engine.
 */
import { startTestApp, type TestApp } from '../support/app';
import { startCountingProxy, type CountingProxy } from '../support/counting-proxy';
import { docker, testDockerHost } from '../support/engine';
import { BUSYBOX, cleanUp, createContainer, makeImage, runContainer } from '../support/fixtures';
import { codes, gql } from '../support/graphql';

const OWNER = 'host-state';
let proxy: CountingProxy;
let api: TestApp;
let busyboxId: string;

beforeAll(async () => {
  proxy = await startCountingProxy(testDockerHost());
  api = await startTestApp({ dockerHost: proxy.dockerHost });
  busyboxId = (await docker(['image', 'inspect', '--format', '{{.Id}}', BUSYBOX])).stdout.trim();
});

afterAll(async () => {
  await api?.stop();
  await proxy?.close();
  await cleanUp(OWNER);
});

describe('docker version and docker info', () => {
  it('reports dockql as the client and the daemon as the server, as `docker version` does', async () => {
    const cli = JSON.parse((await docker(['version', '--format', '{{json .Server}}'])).stdout) as { Version: string; ApiVersion: string; MinAPIVersion: string; Os: string; Arch: string; KernelVersion: string; GoVersion: string };
    const res = await gql(api.graphqlUrl, '{ version { client { name version apiVersion } server { version apiVersion minApiVersion os arch kernelVersion goVersion } } }');
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({
      version: {
        client: { name: 'dockql', version: expect.stringMatching(/^\d+\.\d+\.\d+/), apiVersion: cli.ApiVersion },
        server: { version: cli.Version, apiVersion: cli.ApiVersion, minApiVersion: cli.MinAPIVersion, os: cli.Os, arch: cli.Arch, kernelVersion: cli.KernelVersion, goVersion: cli.GoVersion },
      },
    });
  });

  it('reports what `docker info` reports, including the insecure registries ops configured', async () => {
    const cli = JSON.parse((await docker(['info', '--format', '{{json .}}'])).stdout) as Record<string, unknown>;
    const res = await gql<{ info: Record<string, unknown> }>(
      api.graphqlUrl,
      '{ info { name serverVersion storageDriver cgroupDriver cgroupVersion loggingDriver operatingSystem architecture cpus memoryBytes dockerRootDir registryMirrors insecureRegistries httpProxy httpsProxy noProxy images containers containersRunning } }',
    );
    expect(res.errors).toBeUndefined();
    const info = res.data!.info;
    expect(info).toMatchObject({
      name: cli.Name,
      serverVersion: cli.ServerVersion,
      storageDriver: cli.Driver,
      cgroupDriver: cli.CgroupDriver,
      cgroupVersion: cli.CgroupVersion,
      loggingDriver: cli.LoggingDriver,
      operatingSystem: cli.OperatingSystem,
      architecture: cli.Architecture,
      cpus: cli.NCPU,
      memoryBytes: cli.MemTotal,
      dockerRootDir: cli.DockerRootDir,
      registryMirrors: [],
      // The test engine runs offline behind a refusing proxy (DEVELOPERS.md): docker info shows it too.
      httpProxy: cli.HttpProxy || null,
      httpsProxy: cli.HttpsProxy || null,
      noProxy: cli.NoProxy || null,
    });
    expect(info.httpsProxy).toBe('http://127.0.0.1:9');
    expect(info.insecureRegistries).toContain('127.0.0.0/8');
    expect(info.images).toBeGreaterThanOrEqual(1);
  });
});

describe('docker images', () => {
  it('lists the seeded busybox image with the columns of `docker images`', async () => {
    const cli = JSON.parse((await docker(['image', 'inspect', BUSYBOX])).stdout)[0] as { Id: string; Size: number; Created: string };
    const res = await gql<{ images: Array<Record<string, unknown>> }>(api.graphqlUrl, '{ images { id shortId repoTags repoDigests created size dangling labels { key } tags { name reference image { id } } } }');
    expect(res.errors).toBeUndefined();
    const busybox = res.data!.images.find((i) => i.id === cli.Id);
    expect(busybox).toEqual({
      id: cli.Id,
      shortId: cli.Id.slice('sha256:'.length, 'sha256:'.length + 12),
      repoTags: expect.arrayContaining([BUSYBOX]),
      repoDigests: expect.any(Array),
      created: new Date(Math.floor(Date.parse(cli.Created) / 1000) * 1000).toISOString(),
      size: cli.Size,
      dangling: false,
      labels: [],
      tags: expect.arrayContaining([{ name: 'latest', reference: BUSYBOX, image: { id: cli.Id } }]),
    });
  });

  it('filters like `docker images --filter`: by reference, by label and by dangling', async () => {
    await makeImage(OWNER, 'dockql-test/filtered:1', 'tier=db');
    const res = await gql<Record<string, Array<{ repoTags: string[] }>>>(
      api.graphqlUrl,
      `{ byRef: images(filter: { reference: "dockql-test/filt*" }) { repoTags }
         byLabel: images(filter: { labels: ["tier=db"] }) { repoTags }
         dangling: images(filter: { dangling: true }) { repoTags } }`,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.byRef).toEqual([{ repoTags: ['dockql-test/filtered:1'] }]);
    expect(res.data!.byLabel).toEqual([{ repoTags: ['dockql-test/filtered:1'] }]);
    expect(res.data!.dangling.every((i) => i.repoTags.length === 0)).toBe(true);
  });

  it('shows the image details `docker image inspect` and `docker history` give', async () => {
    const id = await makeImage(OWNER, 'dockql-test/details:1', 'purpose=details');
    const res = await gql<{ image: Record<string, unknown> }>(api.graphqlUrl, `{ image(ref: "dockql-test/details:1") { id os architecture cmd entrypoint env labels { key value } history { id createdBy size comment } } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data!.image).toMatchObject({
      id,
      os: 'linux',
      architecture: expect.any(String),
      // docker commit keeps the container's command as the image's CMD.
      cmd: ['true'],
      entrypoint: null,
      env: [],
      labels: [{ key: 'dockql.test', value: OWNER }, { key: 'purpose', value: 'details' }],
    });
    expect((res.data!.image.history as unknown[]).length).toBeGreaterThanOrEqual(2);
  });

  it('finds one image by name, name:tag, full id, sha256 id and unique id prefix, as `docker` resolves refs', async () => {
    const hex = busyboxId.slice('sha256:'.length);
    const refs = ['dockql/busybox', BUSYBOX, busyboxId, hex, `docker.io/${BUSYBOX}`];
    for (const ref of refs) {
      const res = await gql<{ image: { id: string } | null }>(api.graphqlUrl, 'query($ref: String!) { image(ref: $ref) { id } }', { ref });
      expect({ ref, errors: res.errors, id: res.data?.image?.id }).toEqual({ ref, errors: undefined, id: busyboxId });
    }
  });

  it('answers null for an image that does not exist', async () => {
    const res = await gql(api.graphqlUrl, '{ a: image(ref: "no/such-image:1") { id } b: image(ref: "sha256:0000000000000000000000000000000000000000000000000000000000000000") { id } }');
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ a: null, b: null });
  });

  it('refuses an ambiguous id prefix with BAD_USER_INPUT listing the candidates', async () => {
    // Seventeen images: two of them must share their first hex digit.
    const ids: string[] = [busyboxId];
    let shared: string | undefined;
    for (let i = 0; !shared && i < 17; i++) {
      ids.push(await makeImage(OWNER, `dockql-test/prefix:${i}`));
      const firsts = ids.map((id) => id.charAt('sha256:'.length));
      shared = firsts.find((c, n) => firsts.indexOf(c) !== n);
    }
    const res = await gql(api.graphqlUrl, 'query($ref: String!) { image(ref: $ref) { id } }', { ref: shared });
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.errors![0]!.message).toMatch(/ambiguous/);
    const candidates = res.errors![0]!.extensions!.candidates as string[];
    expect(candidates.length).toBeGreaterThanOrEqual(2);
    expect(candidates.every((c) => c.startsWith(shared!))).toBe(true);
  });

  it.each([
    ['a query string', 'bb:1?force=true'],
    ['a parent path', '../x'],
    ['an encoded slash', 'a%2Fb'],
    ['a space', 'a b'],
    ['a control character', 'a\u0001b'],
    ['300 characters', 'a'.repeat(300)],
  ])('refuses a malformed ref (%s) with BAD_USER_INPUT and never asks the daemon', async (_why, ref) => {
    proxy.reset();
    const res = await gql(api.graphqlUrl, 'query($ref: String!) { image(ref: $ref) { id } container(ref: $ref) { id } }', { ref });
    expect(codes(res)).toEqual(['BAD_USER_INPUT', 'BAD_USER_INPUT']);
    expect(proxy.requests).toEqual([]);
  });

  it('refuses an upper-case repository name, which docker refuses too (container names may have capitals)', async () => {
    proxy.reset();
    const res = await gql(api.graphqlUrl, '{ image(ref: "Busybox") { id } }');
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.errors![0]!.message).toMatch(/lowercase/);
    expect(proxy.requests).toEqual([]);
  });

  it('groups local tags into repositories, like the REPOSITORY column', async () => {
    await makeImage(OWNER, 'dockql-test/repo:1');
    await docker(['tag', 'dockql-test/repo:1', 'dockql-test/repo:2']);
    const res = await gql<{ repositories: Array<{ name: string; tags: Array<{ name: string; reference: string; image: { id: string } }> }> }>(
      api.graphqlUrl,
      '{ repositories { name tags { name reference image { id } } } }',
    );
    expect(res.errors).toBeUndefined();
    const repo = res.data!.repositories.find((r) => r.name === 'dockql-test/repo');
    expect(repo?.tags.map((t) => t.reference)).toEqual(['dockql-test/repo:1', 'dockql-test/repo:2']);
    expect(repo?.tags[0]!.image.id).toBe(repo?.tags[1]!.image.id);
  });
});

describe('docker ps -a', () => {
  let runningId: string;
  let createdId: string;
  let exitedId: string;
  let ttyId: string;

  beforeAll(async () => {
    runningId = await runContainer(OWNER, ['--name', 'hs-running', '--label', 'role=web']);
    createdId = await createContainer(OWNER, ['--name', 'hs-created']);
    exitedId = await runContainer(OWNER, ['--name', 'hs-exited'], ['sh', '-c', 'exit 3']);
    ttyId = await createContainer(OWNER, ['--name', 'hs-tty', '-i', '-t'], ['sh']);
    await docker(['wait', exitedId]);
  });

  it('lists every container with state and the status words `docker ps` uses', async () => {
    const res = await gql<{ containers: Array<Record<string, unknown>> }>(
      api.graphqlUrl,
      `{ containers(filter: { labels: ["dockql.test=${OWNER}"] }) { id shortId name imageRef command state status exitCode tty openStdin startedAt finishedAt labels { key value } image { id } } }`,
    );
    expect(res.errors).toBeUndefined();
    const byName = Object.fromEntries(res.data!.containers.map((c) => [c.name, c]));
    expect(byName['hs-running']).toMatchObject({
      id: runningId,
      shortId: runningId.slice(0, 12),
      imageRef: BUSYBOX,
      command: 'sleep 300',
      state: 'RUNNING',
      status: expect.stringMatching(/^Up /),
      exitCode: null,
      startedAt: expect.any(String),
      finishedAt: null,
      labels: [{ key: 'dockql.test', value: OWNER }, { key: 'role', value: 'web' }],
      image: { id: busyboxId },
    });
    expect(byName['hs-created']).toMatchObject({ id: createdId, state: 'CREATED', status: 'Created', exitCode: null, startedAt: null });
    expect(byName['hs-exited']).toMatchObject({ id: exitedId, state: 'EXITED', status: expect.stringMatching(/^Exited \(3\) /), exitCode: 3, finishedAt: expect.any(String) });
    expect(byName['hs-tty']).toMatchObject({ id: ttyId, tty: true, openStdin: true });
    expect(byName['hs-running']).toMatchObject({ tty: false, openStdin: false });
  });

  it('narrows by state, name and ancestor like `docker ps --filter`', async () => {
    const res = await gql<Record<string, Array<{ name: string }>>>(
      api.graphqlUrl,
      `{ running: containers(filter: { states: [RUNNING], labels: ["dockql.test=${OWNER}"] }) { name }
         named: containers(filter: { name: "hs-cre" }) { name }
         fromBusybox: containers(filter: { ancestor: "${BUSYBOX}", labels: ["role=web"] }) { name } }`,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.running.map((c) => c.name)).toEqual(['hs-running']);
    expect(res.data!.named.map((c) => c.name)).toEqual(['hs-created']);
    expect(res.data!.fromBusybox.map((c) => c.name)).toEqual(['hs-running']);
  });

  it('finds one container by name, full id or id prefix, with the same status text as the list', async () => {
    for (const ref of ['hs-running', runningId, runningId.slice(0, 7)]) {
      const res = await gql<{ container: { id: string; name: string; state: string; status: string } }>(
        api.graphqlUrl,
        'query($ref: String!) { container(ref: $ref) { id name state status } }',
        { ref },
      );
      expect(res.errors).toBeUndefined();
      expect(res.data!.container).toMatchObject({ id: runningId, name: 'hs-running', state: 'RUNNING', status: expect.stringMatching(/^Up /) });
    }
    const exited = await gql<{ container: { status: string } }>(api.graphqlUrl, '{ container(ref: "hs-exited") { status exitCode } }');
    expect(exited.data!.container).toEqual({ status: expect.stringMatching(/^Exited \(3\) .* ago$/), exitCode: 3 });
  });

  it('answers null for a container that does not exist', async () => {
    const res = await gql(api.graphqlUrl, '{ container(ref: "no-such-container") { id } }');
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ container: null });
  });

  it('lists the containers made from an image on the image', async () => {
    const res = await gql<{ image: { containers: Array<{ name: string }> } }>(api.graphqlUrl, `{ image(ref: "${BUSYBOX}") { containers { name } } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data!.image.containers.map((c) => c.name)).toEqual(expect.arrayContaining(['hs-running', 'hs-created', 'hs-exited', 'hs-tty']));
  });

  it.each([
    ['a name with a space', '{ containers(filter: { name: "x y" }) { id } }'],
    ['an ancestor that is no image ref', '{ containers(filter: { ancestor: "../x" }) { id } }'],
    ['a label with a control character', '{ containers(filter: { labels: ["a\\u0000b"] }) { id } }'],
    ['an image reference with a query string', '{ images(filter: { reference: "a?b" }) { id } }'],
  ])('refuses a malformed filter (%s) with BAD_USER_INPUT before asking the daemon', async (_why, query) => {
    proxy.reset();
    const res = await gql(api.graphqlUrl, query);
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.data).toBeNull();
    expect(proxy.requests).toEqual([]);
  });
});
