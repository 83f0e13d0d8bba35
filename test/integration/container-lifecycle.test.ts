/**
 * The ops story of a container's life through the API, against the real private
 * engine: create with -i -t --name (stays CREATED), list, start by id and by name,
 * run -d a loop, stop, restart, pause/unpause, kill with a signal, rename, remove;
 * conflicts, unknown refs, wrong states, and bad input that never reaches the daemon.
 */
import { randomBytes } from 'node:crypto';
import { startTestApp, type TestApp } from '../support/app';
import { startCountingProxy, type CountingProxy } from '../support/counting-proxy';
import { docker, testDockerHost } from '../support/engine';
import { BUSYBOX, cleanUp, TEST_LABEL } from '../support/fixtures';
import { codes, gql, type GqlResponse } from '../support/graphql';

const OWNER = 'container-lifecycle';
const FIELDS = 'id shortId name state status exitCode tty openStdin startedAt finishedAt command imageRef labels { key value } ports { privatePort publicPort type ip } mounts { type name destination readOnly }';
/** Unique per run, so that names never meet another test file's or an earlier run's. */
const RUN = randomBytes(3).toString('hex');
const VOLUME = `dq-lc-${RUN}-data`;

interface C {
  id: string;
  shortId: string;
  name: string;
  state: string;
  status: string;
  exitCode: number | null;
  tty: boolean;
  openStdin: boolean;
  startedAt: string | null;
  finishedAt: string | null;
  command: string;
  labels: Array<{ key: string; value: string }>;
  ports: Array<{ privatePort: number; publicPort: number | null; type: string; ip: string | null }>;
  mounts: Array<{ type: string; name: string | null; destination: string; readOnly: boolean }>;
}

let proxy: CountingProxy;
let api: TestApp;

const name = (what: string) => `dq-lc-${RUN}-${what}`;
/** Every container here runs without a network and carries the file's cleanup label. */
const base = (extra: Record<string, unknown> = {}) => ({ image: BUSYBOX, networkMode: 'none', labels: [{ key: TEST_LABEL, value: OWNER }], ...extra });

/** Runs a mutation returning one container (or an error). */
async function mutate(field: string, args: string, variables: Record<string, unknown>): Promise<GqlResponse<Record<string, C>>> {
  const decl = Object.keys(variables).map((k) => `$${k}: ${k === 'input' ? 'ContainerInput!' : k === 'timeout' ? 'Int' : 'String!'}`).join(', ');
  return gql<Record<string, C>>(api.graphqlUrl, `mutation(${decl}) { ${field}(${args}) { ${FIELDS} } }`, variables);
}

async function ok(field: string, args: string, variables: Record<string, unknown>): Promise<C> {
  const res = await mutate(field, args, variables);
  expect(res.errors).toBeUndefined();
  return res.data![field]!;
}

const create = (input: Record<string, unknown>) => ok('createContainer', 'input: $input', { input });
const run = (input: Record<string, unknown>) => ok('runContainer', 'input: $input', { input });
const act = (field: string, ref: string) => ok(field, 'ref: $ref', { ref });

async function lookup(ref: string): Promise<C | null> {
  const res = await gql<{ container: C | null }>(api.graphqlUrl, `query($ref: String!) { container(ref: $ref) { ${FIELDS} } }`, { ref });
  expect(res.errors).toBeUndefined();
  return res.data!.container;
}

/** Polls `container(ref)` until `done` holds (signals other than KILL return before the process reacts). */
async function until(ref: string, done: (c: C | null) => boolean, ms = 10_000): Promise<C | null> {
  const end = Date.now() + ms;
  for (;;) {
    const c = await lookup(ref);
    if (done(c) || Date.now() > end) return c;
    await new Promise((r) => setTimeout(r, 100));
  }
}

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

describe('create, list, start: the -i -t --name story', () => {
  it('creates a container with -i -t --name that stays CREATED and is listed by `containers`', async () => {
    const c = await create(base({ name: name('shell'), openStdin: true, tty: true, cmd: ['sh'] }));
    expect(c).toMatchObject({ name: name('shell'), state: 'CREATED', status: 'Created', tty: true, openStdin: true, exitCode: null, startedAt: null, command: 'sh' });
    expect(c.labels).toEqual([{ key: TEST_LABEL, value: OWNER }]);
    const cli = JSON.parse((await docker(['inspect', '--format', '{{json .Config}}', c.id])).stdout) as { Tty: boolean; OpenStdin: boolean; AttachStdin: boolean };
    expect(cli).toMatchObject({ Tty: true, OpenStdin: true, AttachStdin: false });

    const list = await gql<{ containers: Array<{ id: string; state: string }> }>(api.graphqlUrl, 'query($n: String!) { containers(filter: { name: $n }) { id state } }', { n: name('shell') });
    expect(list.data!.containers).toEqual([{ id: c.id, state: 'CREATED' }]);
  });

  it('starts by id and by name: RUNNING and "Up ..."; starting a running container succeeds', async () => {
    const byId = await create(base({ name: name('by-id'), openStdin: true, tty: true, cmd: ['sh'] }));
    const byName = await create(base({ name: name('by-name'), cmd: ['sleep', '300'] }));
    const started = await act('startContainer', byId.id);
    expect(started).toMatchObject({ id: byId.id, state: 'RUNNING', status: expect.stringMatching(/^Up /) });
    expect(Date.parse(started.startedAt!)).toBeGreaterThan(Date.now() - 60_000);
    expect(await act('startContainer', name('by-name'))).toMatchObject({ id: byName.id, state: 'RUNNING' });
    // A second start is the daemon's 304: success, as with `docker start`.
    expect(await act('startContainer', byId.shortId)).toMatchObject({ state: 'RUNNING' });
  });
});

describe('run -d a long-running loop, then stop, restart, pause, kill, rename, remove', () => {
  let loop: C;
  beforeAll(async () => {
    loop = await run(base({ name: name('loop'), cmd: ['sh', '-c', 'while true; do echo tick; sleep 1; done'] }));
  });

  it('runs it detached: RUNNING at once', () => {
    expect(loop).toMatchObject({ state: 'RUNNING', status: expect.stringMatching(/^Up /), command: "sh -c 'while true; do echo tick; sleep 1; done'" });
  });

  it('stops it (SIGKILL after the timeout: sh as pid 1 ignores SIGTERM), and stopping again succeeds', async () => {
    const t0 = Date.now();
    const stopped = await ok('stopContainer', 'ref: $ref, timeout: $timeout', { ref: loop.name, timeout: 1 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(stopped).toMatchObject({ state: 'EXITED', exitCode: 137, status: expect.stringMatching(/^Exited \(137\) /) });
    expect(stopped.finishedAt).not.toBeNull();
    expect(await ok('stopContainer', 'ref: $ref', { ref: loop.id })).toMatchObject({ state: 'EXITED' });
  });

  it('restarts it', async () => {
    const before = await lookup(loop.id);
    const restarted = await ok('restartContainer', 'ref: $ref, timeout: $timeout', { ref: loop.id, timeout: 0 });
    expect(restarted).toMatchObject({ state: 'RUNNING', status: expect.stringMatching(/^Up /) });
    expect(Date.parse(restarted.startedAt!)).toBeGreaterThan(Date.parse(before!.startedAt!));
  });

  it('pauses and unpauses it; pausing twice and unpausing a running one are CONFLICT in the daemon\'s words', async () => {
    expect(await act('pauseContainer', loop.id)).toMatchObject({ state: 'PAUSED', status: expect.stringMatching(/^Up .* \(Paused\)$/) });
    const again = await mutate('pauseContainer', 'ref: $ref', { ref: loop.id });
    expect(codes(again)).toEqual(['CONFLICT']);
    expect(again.errors![0]!.message).toMatch(/is already paused/);
    const start = await mutate('startContainer', 'ref: $ref', { ref: loop.id });
    expect(codes(start)).toEqual(['CONFLICT']);
    expect(start.errors![0]!.message).toMatch(/cannot start a paused container/);

    expect(await act('unpauseContainer', loop.id)).toMatchObject({ state: 'RUNNING', status: expect.not.stringMatching(/Paused/) });
    const notPaused = await mutate('unpauseContainer', 'ref: $ref', { ref: loop.id });
    expect(codes(notPaused)).toEqual(['CONFLICT']);
    expect(notPaused.errors![0]!.message).toMatch(/is not paused/);
  });

  it('kills it with SIGKILL by default: EXITED (137) on return; a stopped one cannot be killed (CONFLICT)', async () => {
    expect(await act('killContainer', loop.id)).toMatchObject({ state: 'EXITED', exitCode: 137 });
    const res = await mutate('killContainer', 'ref: $ref', { ref: loop.id });
    expect(codes(res)).toEqual(['CONFLICT']);
    expect(res.errors![0]!.message).toMatch(/is not running/);
  });

  it('renames it: the old name is gone, the new one finds it; a taken name is CONFLICT', async () => {
    const renamed = await ok('renameContainer', 'ref: $ref, name: $name', { ref: loop.name, name: name('loop-2') });
    expect(renamed).toMatchObject({ id: loop.id, name: name('loop-2') });
    expect(await lookup(name('loop'))).toBeNull();
    expect((await lookup(name('loop-2')))!.id).toBe(loop.id);
    const taken = await mutate('renameContainer', 'ref: $ref, name: $name', { ref: loop.id, name: name('shell') });
    expect(codes(taken)).toEqual(['CONFLICT']);
    expect(taken.errors![0]!.message).toMatch(/already in use/);
  });

  it('removes it (returns its id); afterwards `container(ref)` is null and a second remove is NOT_FOUND', async () => {
    const res = await gql<{ removeContainer: string }>(api.graphqlUrl, 'mutation($ref: String!) { removeContainer(ref: $ref) }', { ref: name('loop-2') });
    expect(res.errors).toBeUndefined();
    expect(res.data!.removeContainer).toBe(loop.id);
    expect(await lookup(loop.id)).toBeNull();
    const again = await gql(api.graphqlUrl, 'mutation($ref: String!) { removeContainer(ref: $ref) }', { ref: loop.id });
    expect(codes(again)).toEqual(['NOT_FOUND']);
  });
});

describe('conflicts, unknown refs and wrong states', () => {
  it('refuses a second container with a taken name (CONFLICT, the daemon\'s words)', async () => {
    await create(base({ name: name('dup') }));
    const res = await mutate('createContainer', 'input: $input', { input: base({ name: name('dup') }) });
    expect(codes(res)).toEqual(['CONFLICT']);
    expect(res.errors![0]!.message).toMatch(/is already in use by container/);
  });

  it('answers NOT_FOUND for every action on an unknown container, and for an image that is not on this host', async () => {
    for (const field of ['startContainer', 'stopContainer', 'restartContainer', 'killContainer', 'pauseContainer', 'unpauseContainer']) {
      const res = await mutate(field, 'ref: $ref', { ref: name('nobody') });
      expect({ field, codes: codes(res) }).toEqual({ field, codes: ['NOT_FOUND'] });
    }
    const renamed = await mutate('renameContainer', 'ref: $ref, name: $name', { ref: name('nobody'), name: name('somebody') });
    expect(codes(renamed)).toEqual(['NOT_FOUND']);
    const image = await mutate('createContainer', 'input: $input', { input: base({ image: 'dockql-test/not-here:1' }) });
    expect(codes(image)).toEqual(['NOT_FOUND']);
    expect(image.errors![0]!.message).toMatch(/No such image: dockql-test\/not-here:1/);
    const network = await mutate('createContainer', 'input: $input', { input: base({ networkMode: `no-net-${RUN}` }) });
    expect(codes(network)).toEqual(['NOT_FOUND']);
  });

  it('answers CONFLICT for pause, unpause or kill of a container that never started; stop of it succeeds', async () => {
    const c = await create(base({ cmd: ['sleep', '300'] }));
    for (const field of ['pauseContainer', 'unpauseContainer', 'killContainer']) {
      const res = await mutate(field, 'ref: $ref', { ref: c.id });
      expect({ field, codes: codes(res) }).toEqual({ field, codes: ['CONFLICT'] });
      expect(res.errors![0]!.message).toMatch(/is not (running|paused)/);
    }
    expect(await act('stopContainer', c.id)).toMatchObject({ state: 'CREATED' });
  });
});

describe('signals, removal of running containers, autoRemove', () => {
  it('delivers the named signal: a trap for USR1 exits 42', async () => {
    const c = await run(base({ cmd: ['sh', '-c', 'trap "exit 42" USR1; while true; do sleep 0.1; done'] }));
    // Any case, with or without SIG. The trap runs once sh is back from sleep: the return may still say RUNNING.
    const killed = await ok('killContainer', 'ref: $ref, signal: $signal', { ref: c.id, signal: 'usr1' });
    expect(['RUNNING', 'EXITED']).toContain(killed.state);
    const exited = await until(c.id, (x) => x?.state === 'EXITED');
    expect(exited).toMatchObject({ state: 'EXITED', exitCode: 42 });
  });

  it('refuses to remove a running container without force (CONFLICT), removes it with force', async () => {
    const c = await run(base({ cmd: ['sleep', '300'] }));
    const res = await gql(api.graphqlUrl, 'mutation($ref: String!) { removeContainer(ref: $ref) }', { ref: c.id });
    expect(codes(res)).toEqual(['CONFLICT']);
    expect(res.errors![0]!.message).toMatch(/cannot remove a running container/);
    const forced = await gql<{ removeContainer: string }>(api.graphqlUrl, 'mutation($ref: String!) { removeContainer(ref: $ref, force: true, volumes: true) }', { ref: c.shortId });
    expect(forced.data?.removeContainer).toBe(c.id);
    expect(await lookup(c.id)).toBeNull();
  });

  it('returns an autoRemove container as last seen, and the daemon removes it when it ends', async () => {
    const c = await run(base({ name: name('rm'), autoRemove: true, cmd: ['true'] }));
    // Either the re-inspect caught it (RUNNING, EXITED, being removed) or it is the sighting after create.
    expect(c).toMatchObject({ name: name('rm') });
    expect(['CREATED', 'RUNNING', 'EXITED', 'REMOVING', 'DEAD']).toContain(c.state);
    expect(await until(c.id, (x) => x === null)).toBeNull();
  });

  it('leaves a container whose start failed in place, as `docker run` does, and says so', async () => {
    const res = await mutate('runContainer', 'input: $input', { input: base({ name: name('broken'), cmd: ['/no/such/binary'] }) });
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0]!.message).toMatch(/no such file or directory.*did not start; it was created and left in place/);
    expect(res.errors![0]!.extensions).toMatchObject({ containerRemoved: false, containerId: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(await lookup(name('broken'))).toMatchObject({ state: 'CREATED' });
  });
});
