/**
 * The ops scripts "export all images" and "import all images": saveAllImages
 * writes one archive per tagged image (all its tags, dangling images
 * skipped), loadAllArchives loads every image archive in the directory back.
 *
 * saveAllImages saves every tagged image of the shared test engine, where
 * other test files make and remove images at the same time: this file has its
 * own archive directory and asserts only on its own images. Before loading,
 * it deletes the archives of everyone else's images, so that loadAllArchives
 * never brings back an image another test file has already cleaned up.
 */
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startTestApp, type TestApp } from '../support/app';
import { dirState, imageState, type Job, jobMutation, removeImage } from '../support/archive-jobs';
import { docker } from '../support/engine';
import { cleanUp, makeImage } from '../support/fixtures';
import { codes, gql } from '../support/graphql';
import { imageArchive } from '../support/tars';

const OWNER = 'archive-save-all';
const A = 'dockql-test/save-all-a';
const B = 'dockql-test/save-all-b';
/** Named in an archive the daemon cannot load; it must never appear (it would carry no test label). */
const BROKEN = 'dockql-test/save-all-broken:1';

let api: TestApp;
let ids: { a: string; b: string; dangling: string };

beforeAll(async () => {
  api = await startTestApp();
  const a = await makeImage(OWNER, `${A}:1`, 'which=a');
  await docker(['tag', `${A}:1`, `${A}:2`]);
  const b = await makeImage(OWNER, `${B}:1`, 'which=b');
  // Committed without a tag: dangling, so never saved.
  const { stdout: cid } = await docker(['create', '--network', 'none', '--label', `dockql.test=${OWNER}`, 'dockql/busybox:latest', 'true']);
  const { stdout: dangling } = await docker(['commit', '--change', `LABEL dockql.test=${OWNER} which=dangling`, cid.trim()]);
  await docker(['rm', '-f', cid.trim()]);
  ids = { a, b, dangling: dangling.trim() };
});

afterAll(async () => {
  await api?.stop();
  await cleanUp(OWNER);
  await removeImage(BROKEN);
});

const ours = (jobs: Job[]) => jobs.filter((j) => j.refs.some((r) => r.startsWith('dockql-test/save-all-')));

describe('save all, remove, load all', () => {
  let saved: Job[];

  it('saves each tagged image into its own archive, named after its first tag, holding all its tags', async () => {
    const res = await jobMutation(api.graphqlUrl, 'saveAllImages');
    expect(res.errors).toBeUndefined();
    const jobs = res.data!.saveAllImages as unknown as Job[];
    expect(jobs.every((j) => j.operation === 'SAVE' && j.finishedAt !== null)).toBe(true);
    saved = ours(jobs);
    expect(saved.map((j) => [j.archiveName, j.status, j.refs])).toEqual(
      expect.arrayContaining([
        ['dockql-test__save-all-a_1.tar', 'SUCCEEDED', [`${A}:1`, `${A}:2`]],
        ['dockql-test__save-all-b_1.tar', 'SUCCEEDED', [`${B}:1`]],
      ]),
    );
    expect(saved).toHaveLength(2);
    expect(saved.find((j) => j.archiveName.startsWith('dockql-test__save-all-a'))!.archive).toMatchObject({ kind: 'IMAGES', origin: 'SAVED', contents: [`${A}:1`, `${A}:2`] });
    // The dangling image has no tag to save it by.
    expect(jobs.some((j) => j.refs.includes(ids.dangling) || j.archiveName.includes(ids.dangling.replace('sha256:', '')))).toBe(false);
  });

  it('without overwrite, a second save-all is one CONFLICT naming the taken archives, and saves nothing', async () => {
    const before = dirState(api.archiveDir);
    const res = await jobMutation(api.graphqlUrl, 'saveAllImages', 'overwrite: false');
    expect(codes(res)).toEqual(['CONFLICT']);
    expect(res.errors![0]!.message).toContain('dockql-test__save-all-a_1.tar');
    expect(dirState(api.archiveDir)).toEqual(before);
  });

  it('when I remove the images and load all archives, every id and tag is back; a broken archive fails its own job only', async () => {
    // Only our archives stay (see the file comment). Dropped in by hand: garbage (not an image archive: skipped) and an
    // image archive whose layer is not a tar (IMAGES by its manifest, unloadable in fact; sorted first, so loaded first).
    for (const name of dirState(api.archiveDir).archives) {
      if (!saved.some((j) => j.archiveName === name)) rmSync(path.join(api.archiveDir, name));
    }
    writeFileSync(path.join(api.archiveDir, 'by-hand-garbage.tar'), 'not a tar at all');
    writeFileSync(path.join(api.archiveDir, 'aaa-broken.tar'), await imageArchive([BROKEN]));
    await removeImage(`${A}:1`);
    await removeImage(`${B}:1`);
    expect(await imageState(`${A}:1`)).toBeUndefined();

    const res = await gql<{ loadAllArchives: Job[] }>(api.graphqlUrl, 'mutation { loadAllArchives { archiveName operation status error images { id repoTags } } }');
    expect(res.errors).toBeUndefined();
    const jobs = res.data!.loadAllArchives;
    expect(jobs.map((j) => [j.archiveName, j.operation, j.status])).toEqual([
      ['aaa-broken.tar', 'LOAD', 'FAILED'],
      ['dockql-test__save-all-a_1.tar', 'LOAD', 'SUCCEEDED'],
      ['dockql-test__save-all-b_1.tar', 'LOAD', 'SUCCEEDED'],
    ]);
    expect(jobs[0]).toMatchObject({ images: [], error: expect.any(String) });
    expect(await imageState(BROKEN)).toBeUndefined();
    expect(await imageState(`${A}:1`)).toEqual({ id: ids.a, tags: [`${A}:1`, `${A}:2`] });
    expect(await imageState(`${B}:1`)).toEqual({ id: ids.b, tags: [`${B}:1`] });
  });
});
