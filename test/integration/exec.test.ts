/**
 * The ops story of `docker exec` through the API: run a command in a running
 * loop, read stdout and stderr apart with the exit code, cap huge output, stop
 * a command that takes too long (and check its processes are gone), refuse
 * stopped, paused and unknown containers, and stream a long command's lines.
 */
import { randomBytes } from 'node:crypto';
import type { Client } from 'graphql-ws';
import { startTestApp, type TestApp } from '../support/app';
import { startCountingProxy, type CountingProxy } from '../support/counting-proxy';
import { docker, testDockerHost } from '../support/engine';
import { BUSYBOX, cleanUp, TEST_LABEL } from '../support/fixtures';
import { codes, gql, wsClient } from '../support/graphql';

const OWNER = 'exec';
const RUN = randomBytes(3).toString('hex');
const EXEC = 'mutation($ref: String!, $cmd: [String!]!, $env: [String!], $workingDir: String, $user: String, $timeout: Int) { execInContainer(ref: $ref, cmd: $cmd, env: $env, workingDir: $workingDir, user: $user, timeout: $timeout) { exitCode stdout stderr truncated stdoutBytes stderrBytes } }';
const FOLLOW = 'subscription($ref: String!, $cmd: [String!]!, $timeout: Int) { execOutput(ref: $ref, cmd: $cmd, timeout: $timeout) { stream text exitCode } }';

interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  truncated: boolean;
  stdoutBytes: number;
  stderrBytes: number;
}
type Line = { stream: string; text: string; exitCode: number | null };
type Message = { data?: { execOutput: Line } | null; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };

/**
 * Daemon requests since the last reset, leaving out inspects of earlier tests' execs: a
 * killed exec may still be inspected in the background while its kill completes.
 */
function ownRequests(): Array<{ method: string; path: string }> {
  return proxy.requests.filter((r) => !/^\/exec\/[0-9a-f]{64}\/json$/.test(r.path));
}

let proxy: CountingProxy;
let api: TestApp;
let ws: Client;
let loop: string;

const exec = (variables: Record<string, unknown>) => gql<{ execInContainer: ExecResult }>(api.graphqlUrl, EXEC, { ref: loop, ...variables });

async function runContainer(name: string, cmd: string[]): Promise<string> {
  const input = { image: BUSYBOX, name, cmd, networkMode: 'none', labels: [{ key: TEST_LABEL, value: OWNER }] };
  const res = await gql<{ runContainer: { id: string } }>(api.graphqlUrl, 'mutation($input: ContainerInput!) { runContainer(input: $input) { id } }', { input });
  expect(res.errors).toBeUndefined();
  return res.data!.runContainer.id;
}

/** The process table as `docker top` shows it. */
const top = async (id: string) => (await docker(['top', id, '-o', 'pid,args'])).stdout;

async function untilGone(id: string, pattern: RegExp, ms = 10_000): Promise<string> {
  const end = Date.now() + ms;
  let table = await top(id);
  while (pattern.test(table) && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 100));
    table = await top(id);
  }
  return table;
}

/** Every message of an execOutput subscription until it completes. */
async function follow(variables: Record<string, unknown>): Promise<Message[]> {
  const messages: Message[] = [];
  for await (const m of ws.iterate<{ execOutput: Line }>({ query: FOLLOW, variables: { ref: loop, ...variables } })) messages.push(m as Message);
  return messages;
}

// Under heavy load the Docker 20.10 daemon has been seen (once in five full runs) to close an exec's
// hijacked stream in the middle of a frame after a 3 MB burst; dockql then fails the exec
// loudly (DAEMON_ERROR "ended in the middle of a frame"), as it should. One retry keeps that
// daemon race from failing CI; a real regression fails both tries.
jest.retryTimes(1, { logErrorsBeforeRetry: true });

beforeAll(async () => {
  proxy = await startCountingProxy(testDockerHost());
  api = await startTestApp({ dockerHost: proxy.dockerHost });
  ws = wsClient(api.wsUrl);
  loop = await runContainer(`dq-exec-${RUN}-loop`, ['sh', '-c', 'while true; do sleep 1; done']);
});

afterAll(async () => {
  await ws?.dispose();
  await api?.stop();
  await proxy?.close();
  await cleanUp(OWNER);
});

describe('execInContainer', () => {
  it('returns stdout and stderr apart, and the exit code', async () => {
    const res = await exec({ cmd: ['sh', '-c', 'echo out; echo err >&2; echo more out; exit 3'] });
    expect(res.errors).toBeUndefined();
    expect(res.data!.execInContainer).toEqual({ exitCode: 3, stdout: 'out\nmore out\n', stderr: 'err\n', truncated: false, stdoutBytes: 13, stderrBytes: 4 });
  });

  it('runs with the given env, working directory and user, by name as well as by id', async () => {
    const res = await gql<{ execInContainer: ExecResult }>(api.graphqlUrl, EXEC, {
      ref: `dq-exec-${RUN}-loop`,
      cmd: ['sh', '-c', 'echo "$GREETING"; pwd; id -u; id -g'],
      env: ['GREETING=hello world'],
      workingDir: '/tmp',
      user: '1000:1001',
    });
    expect(res.data?.execInContainer).toMatchObject({ exitCode: 0, stdout: 'hello world\n/tmp\n1000\n1001\n', stderr: '' });
  });

  it('reports a command that cannot start with 126 and the runtime\'s words, as `docker exec` does', async () => {
    const res = await exec({ cmd: ['/no/such/binary'] });
    expect(res.data?.execInContainer).toMatchObject({ exitCode: 126, stdout: expect.stringMatching(/no such file or directory/) });
  });

  it('caps stdout at 1 MiB and says it was truncated, while the command runs to its end', async () => {
    const res = await exec({ cmd: ['sh', '-c', "head -c 3000000 /dev/zero | tr '\\0' x; echo tail >&2; exit 7"] });
    expect(res.errors).toBeUndefined();
    const r = res.data!.execInContainer;
    expect({ exitCode: r.exitCode, stdoutLength: r.stdout.length, truncated: r.truncated, stdoutBytes: r.stdoutBytes, stderr: r.stderr }).toEqual({
      exitCode: 7,
      stdoutLength: 1024 * 1024,
      truncated: true,
      stdoutBytes: 3_000_000,
      stderr: 'tail\n',
    });
    expect(r.stdout).toMatch(/^x+$/);
  });

  it('stops a command that outlives its timeout with TIMEOUT, and its processes are gone afterwards', async () => {
    const t0 = Date.now();
    const res = await exec({ cmd: ['sh', '-c', 'sleep 613 & sleep 614; echo never'], timeout: 1 });
    const elapsed = Date.now() - t0;
    expect(codes(res)).toEqual(['TIMEOUT']);
    expect(res.errors![0]!.extensions).toMatchObject({ processKilled: true });
    expect(elapsed).toBeGreaterThanOrEqual(1000);
    expect(elapsed).toBeLessThan(10_000);
    // Killed before the answer came back: no polling needed.
    const table = await top(loop);
    expect(table).not.toMatch(/sleep 61[34]/);
    // The container itself keeps running.
    expect(table).toMatch(/while true/);
  });

  it('answers NOT_FOUND for an unknown container, CONFLICT for a stopped or a paused one', async () => {
    expect(codes(await gql(api.graphqlUrl, EXEC, { ref: `dq-exec-${RUN}-nobody`, cmd: ['true'] }))).toEqual(['NOT_FOUND']);

    const stopped = await runContainer(`dq-exec-${RUN}-stopped`, ['true']);
    await docker(['wait', stopped]);
    const onStopped = await gql(api.graphqlUrl, EXEC, { ref: stopped, cmd: ['true'] });
    expect(codes(onStopped)).toEqual(['CONFLICT']);
    expect(onStopped.errors![0]!.message).toMatch(/is not running/);

    const paused = await runContainer(`dq-exec-${RUN}-paused`, ['sleep', '300']);
    await gql(api.graphqlUrl, 'mutation($ref: String!) { pauseContainer(ref: $ref) { state } }', { ref: paused });
    const onPaused = await gql(api.graphqlUrl, EXEC, { ref: paused, cmd: ['true'] });
    expect(codes(onPaused)).toEqual(['CONFLICT']);
    expect(onPaused.errors![0]!.message).toMatch(/is paused/);
  });

  it.each([
    ['an empty command', { cmd: [] }],
    ['env without "="', { cmd: ['true'], env: ['NOPE'] }],
    ['the reserved marker variable', { cmd: ['true'], env: ['DOCKQL_EXEC_ID=0'] }],
    ['a relative working directory', { cmd: ['true'], workingDir: 'tmp' }],
    ['a hostile user', { cmd: ['true'], user: 'root\n--privileged' }],
    ['a zero timeout', { cmd: ['true'], timeout: 0 }],
    ['a timeout over an hour', { cmd: ['true'], timeout: 3601 }],
    ['a NUL in an argument', { cmd: ['echo', 'a\u0000b'] }],
    ['a hostile ref', { ref: '../exec/x', cmd: ['true'] }],
  ])('refuses %s with BAD_USER_INPUT and no daemon request', async (_what, variables) => {
    proxy.reset();
    const res = await exec(variables);
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(ownRequests()).toEqual([]);
  });
});

describe('execOutput subscription', () => {
  it('streams stdout and stderr lines as they come, then EXIT with the exit code, then completes', async () => {
    const messages = await follow({ cmd: ['sh', '-c', 'for i in 1 2 3; do echo line $i; echo warn $i >&2; done; printf "no newline"; exit 4'] });
    expect(messages.every((m) => !m.errors)).toBe(true);
    const items = messages.map((m) => m.data!.execOutput);
    expect(items.filter((l) => l.stream === 'STDOUT').map((l) => l.text)).toEqual(['line 1', 'line 2', 'line 3', 'no newline']);
    expect(items.filter((l) => l.stream === 'STDERR').map((l) => l.text)).toEqual(['warn 1', 'warn 2', 'warn 3']);
    expect(items.at(-1)).toEqual({ stream: 'EXIT', text: '', exitCode: 4 });
    expect(items.filter((l) => l.stream !== 'EXIT').every((l) => l.exitCode === null)).toBe(true);
  });

  it('ends with one NOT_FOUND result for an unknown container, and one TIMEOUT after its timeout', async () => {
    const unknown = await follow({ ref: `dq-exec-${RUN}-nobody`, cmd: ['true'] });
    expect(unknown.map((m) => m.errors?.[0]?.extensions?.code)).toEqual(['NOT_FOUND']);

    const slow = await follow({ cmd: ['sh', '-c', 'echo first; sleep 616'], timeout: 1 });
    expect(slow.map((m) => m.data?.execOutput?.text ?? m.errors?.[0]?.extensions?.code)).toEqual(['first', 'TIMEOUT']);
    expect(await top(loop)).not.toMatch(/sleep 616/);
  });

  it('kills the command when the subscriber leaves early', async () => {
    const it = ws.iterate<{ execOutput: Line }>({ query: FOLLOW, variables: { ref: loop, cmd: ['sh', '-c', 'echo started; sleep 617'] } });
    const first = await it.next();
    expect(first.value?.data?.execOutput).toEqual({ stream: 'STDOUT', text: 'started', exitCode: null });
    expect(await top(loop)).toMatch(/sleep 617/);
    await it.return?.();
    expect(await untilGone(loop, /sleep 617/)).not.toMatch(/sleep 617/);
  });

  it('refuses bad input before any daemon request, with one BAD_USER_INPUT result', async () => {
    proxy.reset();
    const messages = await follow({ cmd: ['true'], timeout: 0 });
    expect(messages.map((m) => m.errors?.[0]?.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect(ownRequests()).toEqual([]);
  });
});
