/**
 * The ops story of the audit trail: every mutation and archive transfer leaves
 * one `audit` line naming who did what and how it ended, and no credential
 * handed to dockql (registry passwords, container and exec environments) ever
 * appears anywhere in the server's log, whatever happens to the request.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTestApp, type TestApp } from '../support/app';
import { htpasswdLine } from '../support/bcrypt';
import { docker } from '../support/engine';
import { BUSYBOX, cleanUp, makeImage, TEST_LABEL } from '../support/fixtures';
import { codes, gql } from '../support/graphql';
import { type RegistryProcess, startRegistry } from '../support/registry-process';

const OWNER = 'audit-log';
const ALICE = { username: 'alice', password: 'audit-wonder-731' };
const WRONG = { username: 'alice', password: 'audit-not-hers-904' };
const CONTAINER_SECRET = 'hunter2-xyz';
const EXEC_SECRET = 'exec-pw-5521';
/** Every string that must never be logged, with the encodings a leak could take. */
const SECRETS = [ALICE.password, WRONG.password, CONTAINER_SECRET, EXEC_SECRET].flatMap((s) => [s, Buffer.from(s).toString('base64')]).concat(
  [ALICE, WRONG].map((c) => Buffer.from(`${c.username}:${c.password}`).toString('base64')),
);

const logs: string[] = [];
let api: TestApp;
let registry: RegistryProcess;
let dockerConfig: string;
let ref: string;

const PULL = 'mutation($ref: String!, $auth: RegistryAuthInput) { pullImage(ref: $ref, auth: $auth, wait: true) { status error } }';
const labels = [{ key: TEST_LABEL, value: OWNER }];

interface AuditLine {
  level: number;
  audit: { kind: string; operation: string; principal: string; role: string; args: Record<string, unknown>; outcome: string; ms: number; requestId: string; status?: number; bytes?: number };
}

function auditLines(): AuditLine[] {
  return logs.map((l) => JSON.parse(l) as AuditLine & { msg: string }).filter((l) => l.msg === 'audit');
}

beforeAll(async () => {
  dockerConfig = mkdtempSync(path.join(os.tmpdir(), 'dq-audit-docker-config-'));
  registry = await startRegistry({ htpasswd: `${htpasswdLine(ALICE.username, ALICE.password)}\n` }, (dir) => `  htpasswd:\n    realm: dockql-test\n    path: ${path.join(dir, 'htpasswd')}`);
  const imageId = await makeImage(OWNER, 'dockql-test/audit:1');
  ref = `${registry.host}/team/audit:1`;
  const env = { DOCKER_CONFIG: dockerConfig };
  await docker(['login', '--username', ALICE.username, '--password-stdin', registry.host], { input: ALICE.password, env });
  await docker(['tag', imageId, ref]);
  await docker(['push', ref], { env });
  await docker(['rmi', ref]);
  api = await startTestApp({ logs });
});

afterAll(async () => {
  await api?.stop();
  await docker(['rmi', '-f', ref]).catch(() => undefined);
  await cleanUp(OWNER);
  await registry?.stop();
  if (dockerConfig) rmSync(dockerConfig, { recursive: true, force: true });
});

describe('audit lines', () => {
  it('when a pull with a wrong password fails, its line says FAILED with the job and its error, and the password is gone from it', async () => {
    const res = await gql<{ pullImage: { status: string; error: string } }>(api.graphqlUrl, PULL, { ref, auth: WRONG });
    expect(res.data?.pullImage.status).toBe('FAILED');
    const line = auditLines().at(-1)!;
    expect(line.audit).toEqual({
      kind: 'mutation',
      operation: 'pullImage',
      principal: 'anonymous',
      role: 'admin',
      args: { ref, auth: '[redacted]', wait: true },
      outcome: 'FAILED',
      jobs: [{ id: expect.any(String), status: 'FAILED', error: res.data!.pullImage.error.slice(0, 300) }],
      ms: expect.any(Number),
      requestId: expect.any(String),
    });
  });

  it('when I pull with the right credentials, the image arrives and the line names the pull and its job', async () => {
    const res = await gql<{ pullImage: { status: string; error: string | null } }>(api.graphqlUrl, PULL, { ref, auth: ALICE });
    expect(res.data?.pullImage).toEqual({ status: 'SUCCEEDED', error: null });
    expect(auditLines().at(-1)!.audit).toMatchObject({ operation: 'pullImage', args: { auth: '[redacted]' }, outcome: 'ok', jobs: [{ id: expect.any(String), status: 'SUCCEEDED' }] });
  });

  it('a registry login that fails while browsing is logged nowhere with its password (queries get no audit line)', async () => {
    const before = auditLines().length;
    const res = await gql(api.graphqlUrl, 'query($host: String!, $auth: RegistryAuthInput) { registry(host: $host, auth: $auth) { repositories { name } } }', { host: registry.host, auth: WRONG });
    expect(codes(res)).toEqual(['UNAUTHENTICATED']);
    expect(auditLines()).toHaveLength(before);
  });

  it('createContainer and exec keep env keys and drop their values', async () => {
    const input = { image: BUSYBOX, networkMode: 'none', labels, cmd: ['sleep', '60'], env: [`SECRET=${CONTAINER_SECRET}`] };
    const run = await gql<{ runContainer: { id: string } }>(api.graphqlUrl, 'mutation($input: ContainerInput!) { runContainer(input: $input) { id } }', { input });
    expect(run.errors).toBeUndefined();
    const id = run.data!.runContainer.id;
    const exec = await gql<{ execInContainer: { stdout: string } }>(
      api.graphqlUrl,
      'mutation($ref: String!, $env: [String!]) { execInContainer(ref: $ref, cmd: ["sh", "-c", "echo $SECRET $EXEC_SECRET"], env: $env) { stdout } }',
      { ref: id, env: [`EXEC_SECRET=${EXEC_SECRET}`] },
    );
    expect(exec.data?.execInContainer.stdout).toBe(`${CONTAINER_SECRET} ${EXEC_SECRET}\n`);
    const removed = await gql(api.graphqlUrl, 'mutation($ref: String!) { removeContainer(ref: $ref, force: true) }', { ref: id });
    expect(removed.errors).toBeUndefined();

    const [runLine, execLine, removeLine] = auditLines().slice(-3).map((l) => l.audit);
    expect(runLine).toMatchObject({ operation: 'runContainer', outcome: 'ok', args: { input: { image: BUSYBOX, env: ['SECRET=[redacted]'], cmd: ['sleep', '60'] } } });
    expect(execLine).toMatchObject({ operation: 'execInContainer', outcome: 'ok', args: { ref: id, env: ['EXEC_SECRET=[redacted]'] } });
    expect(removeLine).toMatchObject({ operation: 'removeContainer', outcome: 'ok', args: { ref: id, force: true } });
  });

  it('a failing mutation is audited with its error code', async () => {
    const res = await gql(api.graphqlUrl, 'mutation { removeContainer(ref: "dq-audit-no-such-container") }');
    expect(codes(res)).toEqual(['NOT_FOUND']);
    expect(auditLines().at(-1)!.audit).toMatchObject({ operation: 'removeContainer', outcome: 'NOT_FOUND' });
  });

  it('archive upload, download and delete each get a line with the name, status and bytes', async () => {
    const body = Buffer.from('audit archive payload');
    const url = `${api.baseUrl}/archives/audit-trail.tar`;
    expect((await fetch(url, { method: 'PUT', body, headers: { 'x-request-id': 'upload-1' } })).status).toBe(201);
    const download = await fetch(url);
    expect(Buffer.from(await download.arrayBuffer())).toEqual(body);
    expect((await fetch(url, { method: 'DELETE' })).status).toBe(204);
    expect((await fetch(url)).status).toBe(404);
    // The line is written when the response closes: give the last one a moment.
    await new Promise((r) => setTimeout(r, 50));
    const archiveLines = auditLines().filter((l) => l.audit.kind === 'archive').map((l) => l.audit);
    expect(archiveLines).toEqual([
      { kind: 'archive', operation: 'archive.upload', principal: 'anonymous', role: 'admin', args: { name: 'audit-trail.tar' }, outcome: 'ok', status: 201, bytes: body.length, ms: expect.any(Number), requestId: 'upload-1' },
      expect.objectContaining({ operation: 'archive.download', args: { name: 'audit-trail.tar' }, outcome: 'ok', status: 200, bytes: body.length }),
      expect.objectContaining({ operation: 'archive.delete', outcome: 'ok', status: 204 }),
      expect.objectContaining({ operation: 'archive.download', outcome: 'NOT_FOUND', status: 404 }),
    ]);
  });
});

describe('with tokens', () => {
  const tokenLogs: string[] = [];
  let secured: TestApp;
  beforeAll(async () => {
    secured = await startTestApp({ logs: tokenLogs, tokens: { ci: 'operator', dashboard: 'viewer' } });
  });
  afterAll(async () => {
    await secured?.stop();
  });

  it('names the token and its role, audits refusals by role on GraphQL and archive routes, and never logs a bearer token', async () => {
    const as = (name: string) => ({ token: secured.tokens[name] });
    expect(codes(await gql(secured.graphqlUrl, 'mutation { cancelPull(id: "nope") { id } }', undefined, as('ci')))).toEqual(['NOT_FOUND']);
    expect(codes(await gql(secured.graphqlUrl, 'mutation { deleteArchive(name: "a.tar") }', undefined, as('dashboard')))).toEqual(['FORBIDDEN']);
    const put = await fetch(`${secured.baseUrl}/archives/a.tar`, { method: 'PUT', body: 'x', headers: { authorization: `Bearer ${secured.tokens.dashboard}` } });
    expect(put.status).toBe(403);
    await new Promise((r) => setTimeout(r, 50));
    const lines = tokenLogs.map((l) => JSON.parse(l) as AuditLine & { msg: string }).filter((l) => l.msg === 'audit');
    expect(lines.map((l) => [l.audit.principal, l.audit.role, l.audit.operation, l.audit.outcome])).toEqual([
      ['ci', 'operator', 'cancelPull', 'NOT_FOUND'],
      ['dashboard', 'viewer', 'deleteArchive', 'FORBIDDEN'],
      ['dashboard', 'viewer', 'archive.upload', 'FORBIDDEN'],
    ]);
    const text = tokenLogs.join('');
    for (const token of Object.values(secured.tokens)) expect(text).not.toContain(token);
  });
});

describe('the whole log', () => {
  it('never contains a password, a secret env value or an encoded credential', () => {
    expect(logs.length).toBeGreaterThan(0);
    const text = logs.join('');
    for (const secret of SECRETS) expect({ secret, found: text.includes(secret) }).toEqual({ secret, found: false });
  });
});
