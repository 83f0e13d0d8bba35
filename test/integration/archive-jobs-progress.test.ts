/**
 * The ops story of a long save: follow it with archiveProgress over
 * graphql-ws, cancel it half-way, or lose the daemon connection half-way; a
 * save that does not finish leaves neither the archive nor a temp file.
 * A proxy in front of the daemon freezes or cuts the save stream at a chosen
 * byte, so "half-way" is deterministic.
 */
import type { Client } from 'graphql-ws';
import { startTestApp, type TestApp } from '../support/app';
import { dirState, eventually, JOB_FIELDS, type Job, listJobs, lit, runJob } from '../support/archive-jobs';
import { testDockerHost } from '../support/engine';
import { cleanUp, makeLayeredImage } from '../support/fixtures';
import { wsClient } from '../support/graphql';
import { startStreamCuttingProxy, type StreamCuttingProxy } from '../support/stream-cutting-proxy';
import { recordSubscription } from '../support/subscription-recorder';

const OWNER = 'archive-jobs-progress';
const REF = 'dockql-test/archive-progress:1';
const HALF_WAY = 4 * 1024 * 1024;
const PROGRESS = `subscription($id: ID!) { archiveProgress(id: $id) { ${JOB_FIELDS} } }`;

let proxy: StreamCuttingProxy;
let api: TestApp;
let ws: Client;

beforeAll(async () => {
  proxy = await startStreamCuttingProxy(testDockerHost());
  api = await startTestApp({ dockerHost: proxy.dockerHost });
  ws = wsClient(api.wsUrl);
  // One 16 MB layer of random data over busybox: a save of about 18 MB.
  await makeLayeredImage(OWNER, REF, 1, 16);
});

afterAll(async () => {
  proxy?.release();
  await ws?.dispose();
  await api?.stop();
  await proxy?.close();
  await cleanUp(OWNER);
});

afterEach(() => proxy.release());

const saveLater = (name: string) => runJob(api.graphqlUrl, 'saveImages', `refs: ${lit([REF])}, name: ${lit(name)}, wait: false`);

describe('following a save', () => {
  it('archiveProgress sends a snapshot first, bytesDone never goes back, and it completes after the final state', async () => {
    proxy.arm({ path: /\/images\/get/, afterBytes: HALF_WAY, action: 'stall' });
    const started = await saveLater('watched.tar');
    expect(started).toMatchObject({ operation: 'SAVE', status: 'RUNNING', archiveName: 'watched.tar', bytesTotal: null, archive: null, finishedAt: null });

    const sub = recordSubscription<{ archiveProgress: Job }>(ws, PROGRESS, { id: started.id });
    await proxy.triggered();
    await sub.waitFor(() => sub.results.some((r) => (r.data?.archiveProgress.bytesDone ?? 0) > 0), 'bytes written');
    // Frozen half-way: the data is in a temp file; the name does not exist yet.
    expect(dirState(api.archiveDir)).toMatchObject({ archives: [], temps: [expect.stringMatching(/^\.tmp-/)] });

    proxy.release();
    await sub.waitFor(() => sub.completed, 'the subscription to complete');
    expect(sub.error).toBeUndefined();
    const states = sub.results.map((r) => {
      expect(r.errors).toBeUndefined();
      return r.data!.archiveProgress;
    });
    expect(states[0]).toMatchObject({ id: started.id, status: 'RUNNING', archiveName: 'watched.tar', bytesTotal: null, archive: null });
    for (let i = 1; i < states.length; i++) expect(states[i]!.bytesDone).toBeGreaterThanOrEqual(states[i - 1]!.bytesDone);
    const last = states[states.length - 1]!;
    expect(states.slice(0, -1).every((s) => s.status === 'RUNNING')).toBe(true);
    expect(last).toMatchObject({ status: 'SUCCEEDED', error: null, archive: { name: 'watched.tar', kind: 'IMAGES' } });
    expect(last.bytesDone).toBe(last.archive!.size);
    expect(last.bytesTotal).toBe(last.archive!.size);
    expect(last.bytesDone).toBeGreaterThan(16 * 1024 * 1024);
    expect(dirState(api.archiveDir)).toMatchObject({ archives: ['watched.tar'], temps: [] });
  });

  it('a load reports the file size as bytesTotal from its first message, and its images at the end', async () => {
    const started = await runJob(api.graphqlUrl, 'loadImages', 'archive: "watched.tar", wait: false');
    const sub = recordSubscription<{ archiveProgress: Job }>(ws, PROGRESS, { id: started.id });
    await sub.waitFor(() => sub.completed, 'the load to end');
    const states = sub.results.map((r) => r.data!.archiveProgress);
    const size = states[0]!.archive!.size;
    expect(states.every((s) => s.bytesTotal === size && s.archive?.name === 'watched.tar')).toBe(true);
    expect(states[states.length - 1]).toMatchObject({ operation: 'LOAD', status: 'SUCCEEDED', bytesDone: size, images: [{ repoTags: [REF] }] });
  });

  it('archiveProgress of an unknown id ends with one NOT_FOUND result and completes, leaving the socket usable', async () => {
    const sub = recordSubscription<{ archiveProgress: Job }>(ws, PROGRESS, { id: 'no-such-job' });
    await sub.waitFor(() => sub.completed, 'the subscription to end');
    expect(sub.results).toHaveLength(1);
    expect(sub.results[0]!.errors?.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
    const again = recordSubscription<{ archiveProgress: Job }>(ws, PROGRESS, { id: (await listJobs(api.graphqlUrl))[0]!.id });
    await again.waitFor(() => again.completed, 'a finished job to replay its final state');
    expect(again.results.map((r) => r.data?.archiveProgress.status)).toEqual(['SUCCEEDED']);
  });
});

describe('a save cut off half-way keeps nothing', () => {
  it('when I cancel a save half-way, it is CANCELED and leaves no archive and no temp file; the name is free again', async () => {
    proxy.arm({ path: /\/images\/get/, afterBytes: HALF_WAY, action: 'stall' });
    const started = await saveLater('canceled.tar');
    await proxy.triggered();
    await eventually(() => dirState(api.archiveDir).temps.length === 1, 'the temp file');

    const canceled = await runJob(api.graphqlUrl, 'cancelArchiveJob', `id: ${lit(started.id)}`);
    expect(canceled).toMatchObject({ id: started.id, status: 'CANCELED', archive: null, error: 'canceled by request' });
    await eventually(() => dirState(api.archiveDir).temps.length === 0, 'the temp file to be removed');
    proxy.release();
    expect(dirState(api.archiveDir).archives).not.toContain('canceled.tar');

    const again = await runJob(api.graphqlUrl, 'saveImages', `refs: ${lit([REF])}, name: "canceled.tar"`);
    expect(again).toMatchObject({ status: 'SUCCEEDED', archive: { name: 'canceled.tar' } });
  });

  it('when the daemon connection is lost half-way, the save FAILS saying so, and leaves no archive and no temp file', async () => {
    const before = dirState(api.archiveDir);
    proxy.arm({ path: /\/images\/get/, afterBytes: HALF_WAY, action: 'cut' });
    const job = await runJob(api.graphqlUrl, 'saveImages', `refs: ${lit([REF])}, name: "cut.tar"`);
    expect(job).toMatchObject({ operation: 'SAVE', status: 'FAILED', archive: null, images: [] });
    expect(job.error).toMatch(/^the daemon's save stream broke off after \d+ bytes/);
    expect(job.bytesDone).toBeGreaterThan(0);
    expect(job.bytesDone).toBeLessThan(HALF_WAY);
    expect(dirState(api.archiveDir)).toEqual(before);
  });
});
