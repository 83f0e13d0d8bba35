/**
 * Bad input to the archive mutations is a GraphQL error before any job
 * starts: no job is listed, no file appears (inside the archive directory or
 * outside it), and no archive request reaches the daemon.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startTestApp, type TestApp } from '../support/app';
import { jobMutation, listJobs, lit } from '../support/archive-jobs';
import { startCountingProxy, type CountingProxy } from '../support/counting-proxy';
import { testDockerHost } from '../support/engine';
import { cleanUp, createContainer } from '../support/fixtures';
import { codes } from '../support/graphql';

const OWNER = 'archive-jobs-input';
const HOSTILE_NAMES = ['../x.tar', '/tmp/x.tar', 'a/b.tar', '.x.tar', 'x.tar\u0000', `${'a'.repeat(300)}.tar`, '..%2fx.tar', 'x.txt', '', '-x.tar', 'a\\b.tar'];
const BAD_IMAGE_REFS = ['../../etc/passwd', 'UPPER:1', 'a b', '', 'busybox:bad tag', `${'x'.repeat(300)}:1`, 'busybox\n:1'];
// Requests that would start moving an archive: none may be made for bad input.
const ARCHIVE_REQUEST = /^\/(images\/get|images\/load|images\/create|containers\/[^/]+\/export)/;

/** `[label, value]` rows for it.each, with long values shortened in the test names. */
const rows = (values: readonly string[]): Array<[string, string]> =>
  values.map((v) => [v.length > 40 ? `${JSON.stringify(v.slice(0, 12))}… (${v.length} characters)` : JSON.stringify(v), v]);

let root: string;
let dir: string;
let proxy: CountingProxy;
let api: TestApp;
let container: string;

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'dockql-archive-input-'));
  dir = path.join(root, 'archives');
  proxy = await startCountingProxy(testDockerHost());
  api = await startTestApp({ dockerHost: proxy.dockerHost, archiveDir: dir });
  container = await createContainer(OWNER);
});

afterAll(async () => {
  await api?.stop();
  await proxy?.close();
  await cleanUp(OWNER);
  rmSync(root, { recursive: true, force: true });
});

afterEach(async () => {
  expect(await listJobs(api.graphqlUrl)).toEqual([]);
  expect(readdirSync(dir)).toEqual([]);
  expect(readdirSync(root)).toEqual(['archives']);
  expect(proxy.requests.filter((r) => ARCHIVE_REQUEST.test(r.path))).toEqual([]);
  proxy.reset();
});

/** The error codes of one mutation call. */
async function codesOf(field: string, args: string): Promise<unknown[]> {
  const res = await jobMutation(api.graphqlUrl, field, args);
  expect(res.data ?? null).toBeNull();
  return codes(res);
}

describe('hostile archive names are BAD_USER_INPUT', () => {
  const tmpBefore = existsSync('/tmp/x.tar');

  it.each(rows(HOSTILE_NAMES))('saveImages(name: %s)', async (_label, name) => {
    expect(await codesOf('saveImages', `refs: ["dockql/busybox:latest"], name: ${lit(name)}`)).toEqual(['BAD_USER_INPUT']);
  });

  it.each(rows(HOSTILE_NAMES))('exportContainer(name: %s)', async (_label, name) => {
    expect(await codesOf('exportContainer', `ref: ${lit(container)}, name: ${lit(name)}`)).toEqual(['BAD_USER_INPUT']);
  });

  it.each(rows(HOSTILE_NAMES))('loadImages and importImage(archive: %s)', async (_label, name) => {
    expect(await codesOf('loadImages', `archive: ${lit(name)}`)).toEqual(['BAD_USER_INPUT']);
    expect(await codesOf('importImage', `archive: ${lit(name)}, ref: "dockql-test/never:1"`)).toEqual(['BAD_USER_INPUT']);
  });

  it('left nothing at /tmp/x.tar', () => {
    expect(existsSync('/tmp/x.tar')).toBe(tmpBefore);
  });

  it('a save or export to a .tar.gz name is BAD_USER_INPUT (the daemon writes plain tars); a load of one is looked up', async () => {
    expect(await codesOf('saveImages', 'refs: ["dockql/busybox:latest"], name: "x.tar.gz"')).toEqual(['BAD_USER_INPUT']);
    expect(await codesOf('exportContainer', `ref: ${lit(container)}, name: "x.tar.gz"`)).toEqual(['BAD_USER_INPUT']);
    expect(await codesOf('loadImages', 'archive: "x.tar.gz"')).toEqual(['NOT_FOUND']);
  });
});

describe('bad and unknown refs', () => {
  it.each(rows(BAD_IMAGE_REFS))('saveImages(refs: [%s]) is BAD_USER_INPUT', async (_label, ref) => {
    expect(await codesOf('saveImages', `refs: ${lit(['dockql/busybox:latest', ref])}`)).toEqual(['BAD_USER_INPUT']);
  });

  it('saveImages with no refs is BAD_USER_INPUT; an unknown image is NOT_FOUND', async () => {
    expect(await codesOf('saveImages', 'refs: []')).toEqual(['BAD_USER_INPUT']);
    expect(await codesOf('saveImages', 'refs: ["dockql/busybox:latest", "dockql-test/never-there:1"]')).toEqual(['NOT_FOUND']);
  });

  it('exportContainer of a malformed ref is BAD_USER_INPUT, of an unknown container NOT_FOUND', async () => {
    expect(await codesOf('exportContainer', 'ref: "../x"')).toEqual(['BAD_USER_INPUT']);
    expect(await codesOf('exportContainer', 'ref: "dockql-test-no-such-container"')).toEqual(['NOT_FOUND']);
  });

  it('loadImages and importImage of an archive that is not there are NOT_FOUND', async () => {
    expect(await codesOf('loadImages', 'archive: "never-there.tar"')).toEqual(['NOT_FOUND']);
    expect(await codesOf('importImage', 'archive: "never-there.tar", ref: "dockql-test/never:1"')).toEqual(['NOT_FOUND']);
  });

  it.each(rows(['UPPER', 'a b', `dockql-test/x@sha256:${'a'.repeat(64)}`, `sha256:${'a'.repeat(64)}`, '']))('importImage(ref: %s) is BAD_USER_INPUT', async (_label, ref) => {
    expect(await codesOf('importImage', `archive: "never-there.tar", ref: ${lit(ref)}`)).toEqual(['BAD_USER_INPUT']);
  });
});

describe('import changes are an allow-list of single instructions', () => {
  it.each(rows(['RUN rm -rf /', 'CMD ["/bin/sh"]\nRUN id', 'FROM scratch', 'CMD', 'COPY / /x', 'STOPSIGNAL SIGTERM', `CMD ${'x'.repeat(5000)}`]))('changes: [%s] is BAD_USER_INPUT', async (_label, change) => {
    expect(await codesOf('importImage', `archive: "never-there.tar", ref: "dockql-test/never:1", changes: ${lit([change])}`)).toEqual(['BAD_USER_INPUT']);
  });

  it('a control character in the message is BAD_USER_INPUT', async () => {
    expect(await codesOf('importImage', `archive: "never-there.tar", ref: "dockql-test/never:1", message: ${lit('a\u0007b')}`)).toEqual(['BAD_USER_INPUT']);
  });
});
