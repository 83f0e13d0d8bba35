/**
 * The ops story of the `dockql` command: the real binary (node bin/dockql.js,
 * built from src/cli), run through pipes (not a TTY) against a real server and
 * the private engine. An operator pulls from the registry and reads the
 * progress in a log, lists images and containers as docker would, follows
 * events, moves archives both ways, and gets one-line errors and the right
 * exit codes when something is wrong.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startTestApp, type TestApp } from '../support/app';
import { ensureCliBuilt, runCli, startCli } from '../support/cli';
import { docker, testRegistry } from '../support/engine';
import { cleanUp, createContainer, makeImage, makeLayeredImage, removeLocally, runContainer, TEST_LABEL } from '../support/fixtures';

const OWNER = 'cli';
const FIXTURE_IMAGE = 'dockql-cli-test/fixture:1';
const COMMANDS = ['pull', 'images', 'ps', 'events', 'save', 'load', 'download', 'upload'];

let api: TestApp;
let secured: TestApp;
let workDir: string;
let pullRef: string;
let fixtureId: string;
let sleeperId: string;
let createdId: string;
const env = () => ({ DOCKQL_SERVER: api.graphqlUrl });

/** Cells of a table line: docker separates columns by at least three spaces. */
const cells = (line: string) => line.split(/ {3,}/);

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  await ensureCliBuilt();
  pullRef = `${testRegistry()}/dockql-test/cli-layered:1`;
  await makeLayeredImage(OWNER, pullRef, 3, 4);
  await docker(['push', pullRef]);
  await removeLocally(pullRef);
  fixtureId = await makeImage(OWNER, FIXTURE_IMAGE);
  createdId = await createContainer(OWNER, ['--name', 'dockql-cli-created'], ['sh', '-c', 'echo "a command longer than twenty characters"']);
  sleeperId = await runContainer(OWNER, ['--name', 'dockql-cli-sleeper'], ['sleep', '300']);
  api = await startTestApp();
  secured = await startTestApp({ tokens: { ops: 'operator', watcher: 'viewer' } });
  workDir = mkdtempSync(path.join(tmpdir(), 'dockql-cli-'));
}, 300_000);

afterAll(async () => {
  await api?.stop();
  await secured?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
  await removeLocally(pullRef).catch(() => undefined);
  await cleanUp(OWNER);
});

describe('help and usage', () => {
  it('prints the command list for dockql --help and exits 0', async () => {
    const res = await runCli(['--help']);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^Usage: {2}dockql \[OPTIONS\] COMMAND\n/);
    for (const name of COMMANDS) expect(res.stdout).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
    expect(res.stdout).toContain('--server URL');
    expect(res.stderr).toBe('');
  });

  it.each(COMMANDS)('prints the usage, flags and global flags of dockql %s --help', async (name) => {
    const res = await runCli([name, '--help']);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(new RegExp(`^Usage: {2}dockql ${name}\\b`));
    expect(res.stdout).toContain('Global options:');
    expect(res.stdout).toContain('--token TOKEN');
    expect((await runCli(['help', name])).stdout).toBe(res.stdout);
  });

  it.each([
    [['frobnicate'], /^dockql: unknown command "frobnicate" \(see 'dockql --help'\)\n$/],
    [['images', '--bogus'], /^dockql images: unknown flag --bogus \(see 'dockql images --help'\)\n$/],
    [['pull'], /^dockql pull: missing REF \(see 'dockql pull --help'\)\n$/],
    [['ps', 'extra'], /^dockql ps: unexpected argument "extra"/],
    [['events', '--type', 'spaceship'], /^dockql events: unknown type "spaceship"/],
    [['images', '--server', 'ftp://x/graphql'], /^dockql: --server must be an http:\/\/ or https:\/\/ URL/],
  ])('refuses %j with one line and exit code 2', async (args, message) => {
    const res = await runCli(args, env());
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(message);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('pull', () => {
  it('pulls a layered image from the registry into a pipe: plain progress lines, then digest and image, exit 0', async () => {
    const res = await runCli(['pull', pullRef], env());
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const lines = res.stdout.trim().split('\n');
    expect(lines[0]).toBe(`Pulling ${pullRef}`);
    // Each fresh layer ends "Pull complete", after lines of its way there (which ones depends on when the snapshots fell).
    const complete = lines.filter((l) => /^[0-9a-f]{12}: Pull complete$/.test(l)).map((l) => l.slice(0, 12));
    expect(complete.length).toBeGreaterThanOrEqual(3);
    const progress = lines.filter((l) => complete.includes(l.slice(0, 12)) && !l.endsWith(': Pull complete'));
    expect(progress.length).toBeGreaterThan(0);
    for (const line of progress) expect(line).toMatch(/^[0-9a-f]{12}: (Pulling fs layer|Waiting|Verifying Checksum|Download complete|(Downloading|Extracting) \d+(\.\d+)?[kMG]?B\/\d+(\.\d+)?[kMG]?B)$/);
    expect(lines).toContain(`Status: Downloaded newer image for ${pullRef}`);
    expect(lines.find((l) => l.startsWith('Digest: '))).toMatch(/^Digest: sha256:[0-9a-f]{64}$/);
    const image = lines.at(-1)!;
    const { stdout: id } = await docker(['image', 'inspect', '--format', '{{.Id}}', pullRef]);
    expect(image).toMatch(new RegExp(`^Image: ${id.trim()} \\(\\d+(\\.\\d+)?MB in [\\d.]+m?s\\)$`));
    // No terminal: no escape codes in the log.
    expect(res.stdout).not.toMatch(/\u001b/);
  });

  it('ends with exit 1 and the daemon message on stderr when the image is not in the registry', async () => {
    const missing = `${testRegistry()}/dockql-test/cli-missing:1`;
    const res = await runCli(['pull', missing], env());
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(new RegExp(`^dockql: pull failed: .*${missing.replace(/[.]/g, '\\.')}.*(not found|manifest unknown)`));
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('gives a bad ref back as the server input error, one line, exit 1', async () => {
    const res = await runCli(['pull', 'Not A Ref!'], env());
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^dockql: .*invalid reference format/);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).not.toMatch(/\n\s+at /);
  });
});

/**
 * A table header up to its CREATED column, spacing included. The columns from
 * CREATED on hold ages ("59 seconds ago", "About a minute ago"), whose width can
 * change between our run and docker's a moment later, and with it the padding.
 */
function untilTimeColumns(header: string): string {
  return header.slice(0, header.indexOf('CREATED') + 'CREATED'.length);
}

describe('images and ps', () => {
  it('prints the docker images columns, with the fixture row as docker shows it', async () => {
    const res = await runCli(['images', '-f', 'reference=dockql-cli-test/*'], env());
    expect(res.code).toBe(0);
    const [header, ...rows] = res.stdout.trimEnd().split('\n');
    expect(cells(header!)).toEqual(['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE']);
    const theirs = (await docker(['images', '--filter', 'reference=dockql-cli-test/*'])).stdout.trimEnd().split('\n');
    expect(untilTimeColumns(header!)).toBe(untilTimeColumns(theirs[0]!));
    expect(rows).toHaveLength(1);
    const [repository, tag, id, created, size] = cells(rows[0]!);
    const [dRepository, dTag, dId, , dSize] = cells(theirs[1]!);
    expect([repository, tag, id, size]).toEqual([dRepository, dTag, dId, dSize]);
    expect(id).toBe(fixtureId.replace('sha256:', '').slice(0, 12));
    expect(created).toMatch(/ ago$/);
  });

  it('prints the docker ps -a columns, with the fixture containers as docker shows them', async () => {
    const filter = `label=${TEST_LABEL}=${OWNER}`;
    const res = await runCli(['ps', '-a', '-f', filter], env());
    expect(res.code).toBe(0);
    const [header, ...rows] = res.stdout.trimEnd().split('\n');
    expect(cells(header!)).toEqual(['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'PORTS', 'NAMES']);
    const theirs = (await docker(['ps', '-a', '--filter', filter])).stdout.trimEnd().split('\n');
    expect(untilTimeColumns(header!)).toBe(untilTimeColumns(theirs[0]!));
    const byName = (lines: string[], name: string) => cells(lines.find((l) => l.endsWith(name))!);
    for (const name of ['dockql-cli-created', 'dockql-cli-sleeper']) {
      const [id, image, command, , status] = byName(rows, name);
      const [dId, dImage, dCommand, , dStatus] = byName(theirs.slice(1), name);
      expect([id, image, command]).toEqual([dId, dImage, dCommand]);
      expect(status!.split(' ')[0]).toBe(dStatus!.split(' ')[0]);
    }
    // The COMMAND column is cut at 20 characters and quoted, as docker does.
    expect(byName(rows, 'dockql-cli-created')[2]).toBe('"sh -c \'echo \\"a comm…"');
    expect(byName(rows, 'dockql-cli-created')[0]).toBe(createdId.slice(0, 12));
  });

  it('shows only running containers without -a', async () => {
    const res = await runCli(['ps', '-f', `label=${TEST_LABEL}=${OWNER}`], env());
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(sleeperId.slice(0, 12));
    expect(res.stdout).not.toContain(createdId.slice(0, 12));
  });

  it('prints JSON that parses, for scripts', async () => {
    const images = await runCli(['images', '--json'], env());
    expect(images.code).toBe(0);
    const parsedImages = JSON.parse(images.stdout) as Array<{ id: string; repoTags: string[]; size: number }>;
    expect(parsedImages.find((i) => i.id === fixtureId)).toMatchObject({ repoTags: [FIXTURE_IMAGE], size: expect.any(Number) });
    const ps = await runCli(['ps', '-a', '--json'], env());
    const parsedContainers = JSON.parse(ps.stdout) as Array<{ id: string; name: string; state: string }>;
    expect(parsedContainers.find((c) => c.id === sleeperId)).toMatchObject({ name: 'dockql-cli-sleeper', state: 'RUNNING' });
  });

  it('prints only ids with -q', async () => {
    const res = await runCli(['ps', '-q', '-f', `label=${TEST_LABEL}=${OWNER}`], env());
    expect(res.stdout.trim().split('\n')).toEqual([sleeperId.slice(0, 12)]);
  });
});

describe('events', () => {
  it('follows container events, one docker-style line each, and stops on SIGINT', async () => {
    const events = startCli(['events', '--type', 'container'], env());
    try {
      // The subscription gives no "ready" signal: create containers until one is seen.
      let line: string | undefined;
      let id = '';
      for (let attempt = 0; attempt < 20 && !line; attempt++) {
        id = await createContainer(OWNER, [], ['true']);
        line = await events.waitForLine(new RegExp(` container create ${id} `), 1500);
      }
      expect(line).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}(Z|[+-]\\d\\d:\\d\\d) container create ${id} \\(.*\\bimage=dockql/busybox:latest\\b.*\\)$`));
    } finally {
      expect(await events.stop()).toBe(130);
    }
    expect(events.stderr()).toBe('');
  });
});

describe('archives', () => {
  it('saves an image on the server, downloads it, uploads it back under another name, and loads it', async () => {
    const save = await runCli(['save', '-o', 'cli-fixture.tar', FIXTURE_IMAGE], env());
    expect(save.stderr).toBe('');
    expect(save.code).toBe(0);
    const saved = /^Saved cli-fixture\.tar \(\d+(\.\d+)?[kM]B, sha256 ([0-9a-f]{64})\)\n$/.exec(save.stdout);
    expect(saved).not.toBeNull();
    const sha256 = saved![2]!;

    const file = path.join(workDir, 'copy.tar');
    const download = await runCli(['download', '-o', file, 'cli-fixture.tar'], env());
    expect(download.code).toBe(0);
    expect(download.stdout).toBe(`Downloaded cli-fixture.tar to ${file} (${/\((\S+),/.exec(save.stdout)![1]}, sha256 ${sha256})\n`);
    expect(createHash('sha256').update(readFileSync(file)).digest('hex')).toBe(sha256);

    const upload = await runCli(['upload', '--name', 'cli-uploaded.tar', file], env());
    expect(upload.code).toBe(0);
    expect(upload.stdout).toMatch(new RegExp(`^Uploaded cli-uploaded\\.tar \\(.+, sha256 ${sha256}\\)\\n$`));
    const again = await runCli(['upload', '--name', 'cli-uploaded.tar', file], env());
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^dockql: archive "cli-uploaded\.tar" already exists .*--overwrite/);
    expect((await runCli(['upload', '--name', 'cli-uploaded.tar', '--overwrite', file], env())).code).toBe(0);

    await docker(['rmi', FIXTURE_IMAGE]);
    const load = await runCli(['load', 'cli-uploaded.tar'], env());
    expect(load.stderr).toBe('');
    expect(load.code).toBe(0);
    expect(load.stdout).toBe(`Loaded image: ${FIXTURE_IMAGE}\n`);
    expect((await docker(['image', 'inspect', '--format', '{{.Id}}', FIXTURE_IMAGE])).stdout.trim()).toBe(fixtureId);
  });

  it('refuses what the server refuses, in one line, exit 1', async () => {
    const unknown = await runCli(['save', 'dockql-cli-test/nothing:1'], env());
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^dockql: .*nothing:1/);
    const missing = await runCli(['download', '-o', path.join(workDir, 'x.tar'), 'no-such.tar'], env());
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('dockql: no archive named "no-such.tar" in the archive directory\n');
    const noFile = await runCli(['upload', path.join(workDir, 'absent.tar')], env());
    expect(noFile.stderr).toBe(`dockql: cannot read ${path.join(workDir, 'absent.tar')}: no such file\n`);
    const load = await runCli(['load', 'no-such.tar'], env());
    expect(load.code).toBe(1);
    expect(load.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('connection and token errors', () => {
  it('says the server cannot be reached, in one line, exit 1', async () => {
    const server = `http://127.0.0.1:${await closedPort()}/graphql`;
    for (const args of [['images'], ['events']]) {
      const res = await runCli(['--server', server, ...args]);
      expect(res.code).toBe(1);
      expect(res.stderr).toBe(`dockql: cannot reach dockql at ${server}: connection refused\n`);
    }
  });

  it('says the token was refused, over HTTP (401) and over WebSocket (4401)', async () => {
    const bad = { DOCKQL_SERVER: secured.graphqlUrl, DOCKQL_TOKEN: 'not-a-token' };
    const http = await runCli(['images'], bad);
    expect(http.code).toBe(1);
    expect(http.stderr).toBe('dockql: the server refused the token (401): unknown or revoked token\n');
    const ws = await runCli(['events'], bad);
    expect(ws.code).toBe(1);
    expect(ws.stderr).toBe('dockql: the server refused the token (401): Unauthorized\n');
    const none = await runCli(['images'], { DOCKQL_SERVER: secured.graphqlUrl });
    expect(none.stderr).toMatch(/^dockql: the server refused the token \(401\): .*\(give a token with --token or DOCKQL_TOKEN\)\n$/);
  });

  it('works with a good token from DOCKQL_TOKEN or --token, and says forbidden (403) for a role too low', async () => {
    const ok = await runCli(['images', '-q'], { DOCKQL_SERVER: secured.graphqlUrl, DOCKQL_TOKEN: secured.tokens.watcher! });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(fixtureId.slice(7, 19));
    const viaFlag = await runCli(['--token', secured.tokens.ops!, '--server', secured.graphqlUrl, 'ps', '-q']);
    expect(viaFlag.code).toBe(0);
    const forbidden = await runCli(['pull', pullRef], { DOCKQL_SERVER: secured.graphqlUrl, DOCKQL_TOKEN: secured.tokens.watcher! });
    expect(forbidden.code).toBe(1);
    expect(forbidden.stderr).toMatch(/^dockql: forbidden \(403\): .+\n$/);
  });
});
