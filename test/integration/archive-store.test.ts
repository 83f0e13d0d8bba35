/**
 * The archive directory as ops live with it: archives listed and deleted over
 * GraphQL, files copied in by hand (FOUND, hashed in the background), a
 * restart that keeps everything, and writes that are atomic whatever happens
 * to their source.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { ArchiveOrigin } from '../../src/archive/meta';
import { ArchiveStore } from '../../src/archive/store';
import { createLogger } from '../../src/logger';
import { startTestApp, type TestApp } from '../support/app';
import { codes, gql } from '../support/graphql';
import { exportArchive, imageArchive, sha256 } from '../support/tars';

const FIELDS = 'name kind origin size sha256 createdAt contents downloadUrl';
type ArchiveJson = { name: string; kind: string; origin: string; size: number; sha256: string | null; createdAt: string; contents: string[]; downloadUrl: string };

let root: string;
beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'dockql-archive-store-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A fresh directory under the test's root. */
const freshDir = (label: string) => mkdtempSync(path.join(root, `${label}-`));
const files = (d: string) => readdirSync(d).sort();
const listArchives = async (api: TestApp) => {
  const res = await gql<{ archives: ArchiveJson[] }>(api.graphqlUrl, `{ archives { ${FIELDS} } }`);
  expect(res.errors).toBeUndefined();
  return res.data!.archives;
};
const upload = (api: TestApp, name: string, body: Buffer) => fetch(`${api.baseUrl}/archives/${name}`, { method: 'PUT', body });

/** Polls `fn` every 25 ms (10 s at most) until it returns something truthy. */
async function eventually<T>(fn: () => Promise<T | undefined | null | false>): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('not within 10 s');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('archives and deleteArchive over GraphQL', () => {
  let api: TestApp;
  beforeAll(async () => {
    api = await startTestApp({ archiveDir: freshDir('gql') });
  });
  afterAll(() => api?.stop());

  it('lists uploaded archives sorted by name with every contract field', async () => {
    const b = await imageArchive(['b:1']);
    const a = await exportArchive();
    expect((await upload(api, 'b_1.tar', b)).status).toBe(201);
    expect((await upload(api, 'a-web.tar', a)).status).toBe(201);
    expect(await listArchives(api)).toEqual([
      { name: 'a-web.tar', kind: 'CONTAINER_EXPORT', origin: 'UPLOADED', size: a.length, sha256: sha256(a), createdAt: expect.any(String), contents: [], downloadUrl: '/archives/a-web.tar' },
      { name: 'b_1.tar', kind: 'IMAGES', origin: 'UPLOADED', size: b.length, sha256: sha256(b), createdAt: expect.any(String), contents: ['b:1'], downloadUrl: '/archives/b_1.tar' },
    ]);
    const one = await gql<{ archive: ArchiveJson | null }>(api.graphqlUrl, '{ archive(name: "b_1.tar") { name kind } none: archive(name: "none.tar") { name } }');
    expect(one.data).toEqual({ archive: { name: 'b_1.tar', kind: 'IMAGES' }, none: null });
  });

  it('deletes an archive and its metadata; an unknown name is NOT_FOUND, a bad one BAD_USER_INPUT', async () => {
    const del = await gql<{ deleteArchive: boolean }>(api.graphqlUrl, 'mutation { deleteArchive(name: "b_1.tar") }');
    expect(del).toMatchObject({ data: { deleteArchive: true } });
    expect(files(api.archiveDir)).not.toEqual(expect.arrayContaining(['b_1.tar']));
    expect(files(api.archiveDir)).not.toEqual(expect.arrayContaining(['.b_1.tar.json']));
    expect(codes(await gql(api.graphqlUrl, 'mutation { deleteArchive(name: "b_1.tar") }'))).toEqual(['NOT_FOUND']);
    expect(codes(await gql(api.graphqlUrl, 'mutation { deleteArchive(name: "../etc/passwd") }'))).toEqual(['BAD_USER_INPUT']);
    expect((await listArchives(api)).map((x) => x.name)).toEqual(['a-web.tar']);
  });
});

describe('files put into the directory by hand', () => {
  it('shows a copied image archive as FOUND with its kind at once, and its sha256 once hashed in the background', async () => {
    const api = await startTestApp({ archiveDir: freshDir('found') });
    try {
      const data = await imageArchive(['copied:1'], { layerBytes: 8_000_000 });
      writeFileSync(path.join(api.archiveDir, 'copied.tar'), data);
      const [first] = await listArchives(api);
      expect(first).toMatchObject({ name: 'copied.tar', origin: 'FOUND', kind: 'IMAGES', contents: ['copied:1'], size: data.length, sha256: null });
      const hashed = await eventually(async () => (await listArchives(api)).find((x) => x.sha256 !== null));
      expect(hashed.sha256).toBe(sha256(data));
      // Replaced by hand: found again, with the new content's hash.
      const replacement = Buffer.from('not a tar at all');
      writeFileSync(path.join(api.archiveDir, 'copied.tar'), replacement);
      await eventually(async () => (await listArchives(api)).find((x) => x.sha256 === sha256(replacement)));
      expect((await listArchives(api))[0]).toMatchObject({ kind: 'UNKNOWN', origin: 'FOUND', size: replacement.length });
    } finally {
      await api.stop();
    }
  });

  it('tells the kind of a copied .tar.gz once its background scan is done', async () => {
    const api = await startTestApp({ archiveDir: freshDir('found-gz') });
    try {
      writeFileSync(path.join(api.archiveDir, 'web.tar.gz'), await exportArchive({ gzip: true }));
      const done = await eventually(async () => (await listArchives(api)).find((x) => x.sha256 !== null));
      expect(done).toMatchObject({ name: 'web.tar.gz', kind: 'CONTAINER_EXPORT', origin: 'FOUND' });
    } finally {
      await api.stop();
    }
  });

  it('ignores files whose names are not archive names', async () => {
    const api = await startTestApp({ archiveDir: freshDir('ignored') });
    try {
      for (const f of ['notes.txt', 'x.zip', 'with space.tar', '.hidden.tar']) writeFileSync(path.join(api.archiveDir, f), 'x');
      expect(await listArchives(api)).toEqual([]);
    } finally {
      await api.stop();
    }
  });
});

describe('a restart of the service', () => {
  it('lists the same archives with their origin and hash, removes crash leftovers, and does not hash found files again', async () => {
    const dir = freshDir('restart');
    const first = await startTestApp({ archiveDir: dir });
    const uploaded = await imageArchive(['kept:1']);
    const found = randomBytes(100_000);
    try {
      expect((await upload(first, 'kept_1.tar', uploaded)).status).toBe(201);
      writeFileSync(path.join(dir, 'dropped.tar'), found);
      await listArchives(first);
      await eventually(async () => (await listArchives(first)).every((x) => x.sha256 !== null));
    } finally {
      await first.stop();
    }
    const before = readFileSync(path.join(dir, '.dropped.tar.json'), 'utf8');
    // What a crash mid-write leaves: a temp file, and metadata of an archive that never got its name.
    writeFileSync(path.join(dir, `.tmp-${'a'.repeat(24)}.part`), 'half');
    writeFileSync(path.join(dir, '.ghost.tar.json'), '{}');

    const second = await startTestApp({ archiveDir: dir });
    try {
      expect(await listArchives(second)).toEqual([
        expect.objectContaining({ name: 'dropped.tar', origin: 'FOUND', sha256: sha256(found), size: found.length }),
        expect.objectContaining({ name: 'kept_1.tar', origin: 'UPLOADED', kind: 'IMAGES', sha256: sha256(uploaded), contents: ['kept:1'] }),
      ]);
      expect(files(dir)).toEqual(['.dropped.tar.json', '.kept_1.tar.json', 'dropped.tar', 'kept_1.tar']);
      expect(readFileSync(path.join(dir, '.dropped.tar.json'), 'utf8')).toBe(before);
    } finally {
      await second.stop();
    }
  });
});

describe('ArchiveStore writes', () => {
  let store: ArchiveStore;
  let dir: string;
  beforeEach(async () => {
    dir = freshDir('store');
    store = await ArchiveStore.open(dir, { log: createLogger('silent') });
  });
  afterEach(() => store.dispose());

  it('streams into the archive with byte progress, hidden until complete', async () => {
    const source = new PassThrough();
    const progress: number[] = [];
    const writing = store.write('saved.tar', source, { origin: ArchiveOrigin.SAVED, onProgress: (n) => progress.push(n) });
    source.write(Buffer.alloc(1000, 1));
    await eventually(async () => progress.length > 0);
    expect(await store.list()).toEqual([]);
    expect(files(dir)).toEqual([expect.stringMatching(/^\.tmp-[0-9a-f]{24}\.part$/)]);
    source.end(Buffer.alloc(500, 2));
    const info = await writing;
    expect(info).toMatchObject({ name: 'saved.tar', origin: 'SAVED', size: 1500 });
    expect(progress.at(-1)).toBe(1500);
    expect(files(dir)).toEqual(['.saved.tar.json', 'saved.tar']);
  });

  it('keeps nothing when the source fails midway (a daemon connection cut) or the write is aborted', async () => {
    const failing = new PassThrough();
    const writing = store.write('cut.tar', failing, { origin: ArchiveOrigin.SAVED });
    failing.write(Buffer.alloc(64 * 1024));
    setTimeout(() => failing.destroy(new Error('socket hang up')), 20);
    await expect(writing).rejects.toThrow('socket hang up');

    const abort = new AbortController();
    const endless = new Readable({ read() { this.push(Buffer.alloc(16 * 1024)); } });
    const aborted = store.write('aborted.tar', endless, { origin: ArchiveOrigin.EXPORTED, signal: abort.signal });
    setTimeout(() => abort.abort(), 20);
    await expect(aborted).rejects.toThrow(/abort/i);
    expect(files(dir)).toEqual([]);
    expect(await store.get('cut.tar')).toBeNull();
  });

  it('reserves a name: a second writer gets CONFLICT at once, and a file appearing meanwhile wins over the write', async () => {
    const writer = await store.createWriter('race.tar', { origin: ArchiveOrigin.SAVED });
    await expect(store.createWriter('race.tar', { origin: ArchiveOrigin.SAVED, overwrite: true })).rejects.toMatchObject({ code: 'CONFLICT' });
    writeFileSync(path.join(dir, 'race.tar'), 'put there by hand');
    await expect(writer.write(Readable.from([Buffer.from('from the daemon')]))).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(readFileSync(path.join(dir, 'race.tar'), 'utf8')).toBe('put there by hand');
    expect(files(dir).filter((f) => f.startsWith('.tmp-'))).toEqual([]);
    // Released after failing: the next writer may overwrite.
    const again = await store.createWriter('race.tar', { origin: ArchiveOrigin.SAVED, overwrite: true });
    expect((await again.write(Readable.from([Buffer.from('v2')]))).size).toBe(2);
  });

  it('lets a reader finish the version it opened while the archive is overwritten, then deleted', async () => {
    await store.write('pinned.tar', Readable.from([Buffer.from('old content')]), { origin: ArchiveOrigin.UPLOADED });
    const handle = await store.open('pinned.tar');
    await store.write('pinned.tar', Readable.from([Buffer.from('new')]), { origin: ArchiveOrigin.UPLOADED, overwrite: true });
    await store.delete('pinned.tar');
    const chunks: Buffer[] = [];
    for await (const c of handle.stream()) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('old content');
    expect(existsSync(path.join(dir, 'pinned.tar'))).toBe(false);
  });

  it('keeps memory flat while streaming 256 MB', async () => {
    const chunk = randomBytes(64 * 1024);
    let left = 4096;
    const big = new Readable({ read() { this.push(left-- > 0 ? chunk : null); } });
    const start = process.memoryUsage().rss;
    let peak = start;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    try {
      const info = await store.write('big.tar', big, { origin: ArchiveOrigin.SAVED });
      expect(info.size).toBe(256 * 1024 * 1024);
    } finally {
      clearInterval(timer);
    }
    expect(peak - start).toBeLessThan(64 * 1024 * 1024);
  });
});
