/**
 * The ops story of archive jobs: save an image, remove it, load the archive
 * back; export a container and import it as an image; carry archives over
 * HTTP; and see a bad archive fail as a job, never as a success.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startTestApp, type TestApp } from '../support/app';
import { dirState, imageState, type Job, jobMutation, listJobs, lit, removeImage, runJob } from '../support/archive-jobs';
import { docker } from '../support/engine';
import { cleanUp, makeLayeredImage, runContainer, TEST_LABEL } from '../support/fixtures';
import { codes } from '../support/graphql';

const OWNER = 'archive-jobs';
const REPO = 'dockql-test/archive-jobs';
const ARCHIVE = 'dockql-test__archive-jobs_1.tar';

let api: TestApp;
let imageId: string;

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const fileOf = (name: string) => readFileSync(path.join(api.archiveDir, name));

beforeAll(async () => {
  api = await startTestApp();
  imageId = await makeLayeredImage(OWNER, `${REPO}:1`, 2, 2);
  await docker(['tag', `${REPO}:1`, `${REPO}:extra`]);
});

afterAll(async () => {
  await api?.stop();
  await cleanUp(OWNER);
});

describe('save and load', () => {
  let saved: Job;

  it('when I save an image by two tags, I get one archive holding both, its size and sha256 as on disk', async () => {
    saved = await runJob(api.graphqlUrl, 'saveImages', `refs: ${lit([`${REPO}:1`, `${REPO}:extra`])}`);
    expect(saved).toMatchObject({ operation: 'SAVE', status: 'SUCCEEDED', archiveName: ARCHIVE, refs: [`${REPO}:1`, `${REPO}:extra`], error: null, images: [] });
    const file = fileOf(ARCHIVE);
    expect(saved.archive).toEqual({
      name: ARCHIVE,
      kind: 'IMAGES',
      origin: 'SAVED',
      size: file.length,
      sha256: sha256(file),
      contents: expect.arrayContaining([`${REPO}:1`, `${REPO}:extra`]),
      downloadUrl: `/archives/${ARCHIVE}`,
    });
    expect(saved.bytesDone).toBe(file.length);
    expect(saved.bytesTotal).toBe(file.length);
    expect(saved.finishedAt).not.toBeNull();
  });

  it('when I remove the image and load the archive, the same image id comes back with both tags', async () => {
    await removeImage(`${REPO}:1`);
    expect(await imageState(`${REPO}:1`)).toBeUndefined();
    const loaded = await runJob(api.graphqlUrl, 'loadImages', `archive: ${lit(ARCHIVE)}`);
    expect(loaded).toMatchObject({ operation: 'LOAD', status: 'SUCCEEDED', archiveName: ARCHIVE, refs: [], error: null, bytesDone: saved.archive!.size, bytesTotal: saved.archive!.size });
    expect(loaded.archive).toMatchObject({ name: ARCHIVE, sha256: saved.archive!.sha256 });
    expect(loaded.images).toEqual([{ id: imageId, repoTags: expect.arrayContaining([`${REPO}:1`, `${REPO}:extra`]) }]);
    expect(await imageState(`${REPO}:1`)).toEqual({ id: imageId, tags: [`${REPO}:1`, `${REPO}:extra`] });
  });

  it('lists both jobs in archiveJobs, newest first; canceling a finished job changes nothing', async () => {
    const res = await jobMutation(api.graphqlUrl, 'cancelArchiveJob', `id: ${lit(saved.id)}`);
    // A finished job is returned unchanged by cancel.
    expect(res.data?.cancelArchiveJob).toMatchObject({ id: saved.id, status: 'SUCCEEDED' });
    const jobs = await listJobs(api.graphqlUrl);
    expect(jobs.map((j) => j.operation).slice(0, 2)).toEqual(['LOAD', 'SAVE']);
  });

  it('refuses to save to a taken name with CONFLICT and starts no job; overwrite: true replaces it', async () => {
    const before = dirState(api.archiveDir);
    const jobsBefore = (await listJobs(api.graphqlUrl)).length;
    const taken = await jobMutation(api.graphqlUrl, 'saveImages', `refs: ${lit([`${REPO}:1`])}`);
    expect(codes(taken)).toEqual(['CONFLICT']);
    expect(taken.errors?.[0]?.message).toContain('overwrite: true');
    expect(dirState(api.archiveDir)).toEqual(before);
    expect(await listJobs(api.graphqlUrl)).toHaveLength(jobsBefore);
    const again = await runJob(api.graphqlUrl, 'saveImages', `refs: ${lit([`${REPO}:extra`])}, name: ${lit(ARCHIVE)}, overwrite: true, wait: null`);
    expect(again).toMatchObject({ status: 'SUCCEEDED', archive: { name: ARCHIVE, contents: [`${REPO}:extra`] } });
  });

  it('downloads the archive over HTTP with the sha256 the job reported, and loads an archive uploaded with PUT', async () => {
    const job = await runJob(api.graphqlUrl, 'saveImages', `refs: ${lit([`${REPO}:1`])}, name: "roundtrip.tar"`);
    const down = await fetch(`${api.baseUrl}${job.archive!.downloadUrl}`);
    expect(down.status).toBe(200);
    const bytes = Buffer.from(await down.arrayBuffer());
    expect(sha256(bytes)).toBe(job.archive!.sha256);
    expect(down.headers.get('etag')).toBe(`"${job.archive!.sha256}"`);

    const up = await fetch(`${api.baseUrl}/archives/uploaded.tar`, { method: 'PUT', body: bytes });
    expect(up.status).toBe(201);
    await removeImage(`${REPO}:1`);
    const loaded = await runJob(api.graphqlUrl, 'loadImages', 'archive: "uploaded.tar"');
    expect(loaded).toMatchObject({ status: 'SUCCEEDED', archive: { name: 'uploaded.tar', origin: 'UPLOADED', sha256: job.archive!.sha256 } });
    expect(loaded.images.map((i) => i.id)).toEqual([imageId]);
    expect((await imageState(`${REPO}:1`))?.id).toBe(imageId);
  });
});

describe('export and import', () => {
  it('when I export a container that wrote a marker and import it with a CMD, running the new image prints the marker', async () => {
    const name = `dockql-test-archive-export-${process.pid}`;
    const cid = await runContainer(OWNER, ['--name', name], ['sh', '-c', 'echo marker-from-the-container > /marker']);
    await docker(['wait', cid]);

    const exported = await runJob(api.graphqlUrl, 'exportContainer', `ref: ${lit(name)}`);
    expect(exported).toMatchObject({ operation: 'EXPORT', status: 'SUCCEEDED', archiveName: `${name}.tar`, refs: [name], error: null });
    expect(exported.archive).toMatchObject({ name: `${name}.tar`, kind: 'CONTAINER_EXPORT', origin: 'EXPORTED', contents: [name, cid] });
    expect(exported.bytesDone).toBe(exported.archive!.size);

    const ref = 'dockql-test/archive-imported:1';
    const changes = ['CMD ["/bin/cat", "/marker"]', `LABEL ${TEST_LABEL}=${OWNER}`];
    const imported = await runJob(api.graphqlUrl, 'importImage', `archive: ${lit(`${name}.tar`)}, ref: ${lit(ref)}, changes: ${lit(changes)}, message: "from the export test"`);
    expect(imported).toMatchObject({ operation: 'IMPORT', status: 'SUCCEEDED', refs: [ref], bytesDone: exported.archive!.size, bytesTotal: exported.archive!.size, error: null });
    expect(imported.images).toEqual([{ id: expect.stringMatching(/^sha256:[0-9a-f]{64}$/), repoTags: [ref] }]);

    const layers = await docker(['image', 'inspect', '--format', '{{len .RootFS.Layers}} {{json .Config.Cmd}}', ref]);
    expect(layers.stdout.trim()).toBe('1 ["/bin/cat","/marker"]');
    const run = await docker(['run', '--rm', '--network', 'none', '--label', `${TEST_LABEL}=${OWNER}`, ref]);
    expect(run.stdout.trim()).toBe('marker-from-the-container');
  });
});

describe('a bad archive fails as a job, never as a success', () => {
  const put = async (name: string, body: Buffer) => expect((await fetch(`${api.baseUrl}/archives/${name}`, { method: 'PUT', body })).status).toBe(201);

  it('a garbage "tar" fails to load with the daemon\'s words and no images', async () => {
    await put('garbage.tar', Buffer.from(Array.from({ length: 50_000 }, (_, i) => (i * 7919) % 251)));
    const job = await runJob(api.graphqlUrl, 'loadImages', 'archive: "garbage.tar"');
    expect(job).toMatchObject({ operation: 'LOAD', status: 'FAILED', images: [], bytesTotal: 50_000 });
    expect(job.error).toMatch(/invalid tar header/);
  });

  it('an image archive cut in half fails to load and claims no image', async () => {
    const whole = fileOf(ARCHIVE);
    await put('half.tar', whole.subarray(0, Math.floor(whole.length / 2)));
    const job = await runJob(api.graphqlUrl, 'loadImages', 'archive: "half.tar"');
    expect(job).toMatchObject({ status: 'FAILED', images: [] });
    expect(job.error).toMatch(/EOF|unexpected|invalid/i);
  });

  it('a container export is refused by loadImages, and an image archive by importImage, each as a failed job', async () => {
    const exportName = dirState(api.archiveDir).archives.find((n) => n.startsWith('dockql-test-archive-export-'))!;
    const load = await runJob(api.graphqlUrl, 'loadImages', `archive: ${lit(exportName)}`);
    expect(load).toMatchObject({ status: 'FAILED', images: [] });
    expect(load.error).toContain('importImage');
    const imp = await runJob(api.graphqlUrl, 'importImage', `archive: ${lit(ARCHIVE)}, ref: "dockql-test/archive-never:1"`);
    expect(imp).toMatchObject({ status: 'FAILED', images: [] });
    expect(imp.error).toContain('loadImages');
    expect(await imageState('dockql-test/archive-never:1')).toBeUndefined();
  });
});
