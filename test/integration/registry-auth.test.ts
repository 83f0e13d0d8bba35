/**
 * Browsing registries that want credentials: a real docker-registry with
 * htpasswd (basic auth), and one with token auth trusting a loopback token
 * server (the bearer challenge, as Docker Hub does it). Content is pushed by
 * the real daemon after `docker login` into a throwaway DOCKER_CONFIG.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTestApp, type TestApp } from '../support/app';
import { htpasswdLine } from '../support/bcrypt';
import { docker } from '../support/engine';
import { cleanUp, makeImage } from '../support/fixtures';
import { codes, gql, type GqlResponse } from '../support/graphql';
import { type RegistryProcess, startRegistry } from '../support/registry-process';
import { startTokenServer, type TokenServer } from '../support/token-server';

const OWNER = 'registry-auth';
const ALICE = { username: 'alice', password: 'wonder-1' };
const BOB = { username: 'bob', password: 'builder-2' };
const WRONG = { username: 'alice', password: 'not-her-password-42' };

let api: TestApp;
let basicReg: RegistryProcess;
let tokens: TokenServer;
let tokenReg: RegistryProcess;
let dockerConfig: string;
let imageId: string;
const digests: Record<string, string> = {};

const QUERY = `query($host: String!, $auth: RegistryAuthInput) { registry(host: $host, auth: $auth) {
  repositories { name tags { name digest image { id } } } } }`;

type Result = GqlResponse<{ registry: { repositories: Array<{ name: string; tags: Array<{ name: string; digest: string; image: { id: string } | null }> }> } }>;

function browse(host: string, auth?: Record<string, string>): Promise<Result> {
  return gql(api.graphqlUrl, QUERY, { host, auth });
}

/** Logs the daemon in (throwaway config) and pushes the test image as <host>/team/app:1; returns the pushed digest. */
async function loginAndPush(host: string): Promise<string> {
  const env = { DOCKER_CONFIG: dockerConfig };
  await docker(['login', '--username', ALICE.username, '--password-stdin', host], { input: ALICE.password, env });
  await docker(['tag', imageId, `${host}/team/app:1`]);
  const { stdout } = await docker(['push', `${host}/team/app:1`], { env });
  return /digest: (sha256:[a-f0-9]{64})/.exec(stdout)![1]!;
}

function expectNoSecrets(res: unknown, creds: { username: string; password: string }): void {
  const text = JSON.stringify(res);
  expect(text).not.toContain(creds.password);
  expect(text).not.toContain(Buffer.from(`${creds.username}:${creds.password}`).toString('base64'));
}

beforeAll(async () => {
  dockerConfig = mkdtempSync(path.join(os.tmpdir(), 'dq-docker-config-'));
  const htpasswd = `${htpasswdLine(ALICE.username, ALICE.password)}\n${htpasswdLine(BOB.username, BOB.password)}\n`;
  basicReg = await startRegistry({ htpasswd }, (dir) => `  htpasswd:\n    realm: dockql-test\n    path: ${path.join(dir, 'htpasswd')}`);
  tokens = await startTokenServer({
    [ALICE.username]: { password: ALICE.password, grant: () => ['pull', 'push', '*'] },
    [BOB.username]: { password: BOB.password, grant: () => [] },
  });
  tokenReg = await startRegistry({ 'token-root.pem': tokens.rootCertificate }, (dir) =>
    [`  token:`, `    realm: ${tokens.realm}`, `    service: ${tokens.service}`, `    issuer: ${tokens.issuer}`, `    rootcertbundle: ${path.join(dir, 'token-root.pem')}`].join('\n'),
  );
  imageId = await makeImage(OWNER, `dockql-test/registry-auth:1`);
  digests.basic = await loginAndPush(basicReg.host);
  digests.token = await loginAndPush(tokenReg.host);
  api = await startTestApp();
});

afterAll(async () => {
  await api?.stop();
  await cleanUp(OWNER);
  await basicReg?.stop();
  await tokenReg?.stop();
  await tokens?.close();
  if (dockerConfig) rmSync(dockerConfig, { recursive: true, force: true });
});

describe('a registry with basic auth (htpasswd)', () => {
  it('lists repositories, tags, digests and local images with the right credentials', async () => {
    const res = await browse(basicReg.host, ALICE);
    expect(res.errors).toBeUndefined();
    expect(res.data!.registry.repositories).toEqual([{ name: `${basicReg.host}/team/app`, tags: [{ name: '1', digest: digests.basic, image: { id: imageId } }] }]);
    expectNoSecrets(res, ALICE);
  });

  it('is UNAUTHENTICATED without credentials', async () => {
    const res = await browse(basicReg.host);
    expect(codes(res)).toEqual(['UNAUTHENTICATED']);
    expect(res.errors![0]!.message).toMatch(/answered 401 to GET \/v2\/_catalog: it needs credentials \(pass auth\)/);
  });

  it('is UNAUTHENTICATED with a wrong password, which never appears in the answer', async () => {
    const res = await browse(basicReg.host, WRONG);
    expect(codes(res)).toEqual(['UNAUTHENTICATED']);
    expect(res.errors![0]!.message).toMatch(/the credentials were refused/);
    expectNoSecrets(res, WRONG);
  });

  it('refuses credentials meant for another registry with BAD_USER_INPUT', async () => {
    const res = await browse(basicReg.host, { ...ALICE, serverAddress: tokenReg.host });
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    const ok = await browse(basicReg.host, { ...ALICE, serverAddress: `http://${basicReg.host}/v2/` });
    expect(ok.errors).toBeUndefined();
  });
});

describe('a registry with token auth (the bearer challenge)', () => {
  it('gets tokens from the realm with the credentials and lists what is there', async () => {
    tokens.requests.length = 0;
    const res = await browse(tokenReg.host, ALICE);
    expect(res.errors).toBeUndefined();
    expect(res.data!.registry.repositories).toEqual([{ name: `${tokenReg.host}/team/app`, tags: [{ name: '1', digest: digests.token, image: { id: imageId } }] }]);
    expect(tokens.requests).toEqual([
      { account: 'alice', user: 'alice', scopes: ['registry:catalog:*'], service: tokens.service },
      { account: 'alice', user: 'alice', scopes: ['repository:team/app:pull'], service: tokens.service },
    ]);
    expectNoSecrets(res, ALICE);
  });

  it('reuses the tokens for their lifetime: the same query again asks the realm nothing', async () => {
    await browse(tokenReg.host, ALICE);
    tokens.requests.length = 0;
    const res = await browse(tokenReg.host, ALICE);
    expect(res.errors).toBeUndefined();
    expect(tokens.requests).toEqual([]);
  });

  it('does not let an anonymous caller ride on those tokens: UNAUTHENTICATED', async () => {
    await browse(tokenReg.host, ALICE);
    tokens.requests.length = 0;
    const res = await browse(tokenReg.host);
    expect(codes(res)).toEqual(['UNAUTHENTICATED']);
    expect(tokens.requests).toEqual([{ scopes: ['registry:catalog:*'], service: tokens.service }]);
  });

  it('is FORBIDDEN for a user the auth server knows but grants nothing', async () => {
    const res = await browse(tokenReg.host, BOB);
    expect(codes(res)).toEqual(['FORBIDDEN']);
    expect(res.errors![0]!.message).toMatch(/credentials were accepted but do not grant this access/);
  });

  it('is UNAUTHENTICATED when the auth server refuses the password, which never appears in the answer', async () => {
    const res = await browse(tokenReg.host, WRONG);
    expect(codes(res)).toEqual(['UNAUTHENTICATED']);
    expect(res.errors![0]!.message).toMatch(/auth server 127\.0\.0\.1:\d+ of registry .* answered 401 .*invalid username or password/);
    expectNoSecrets(res, WRONG);
  });
});
