/**
 * The ops story over HTTP: upload an archive with PUT, download it with GET
 * (resuming with Range), and nothing a hostile URL says can make the service
 * read or write outside its archive directory.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { startTestApp, type TestApp } from '../support/app';
import { errorCode, rawRequest } from '../support/raw-http';
import { imageArchive, sha256 } from '../support/tars';

let root: string;
let dir: string;
let smallDir: string;
let api: TestApp;
let small: TestApp;
const LIMIT = 10_000;

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'dockql-archive-http-'));
  dir = path.join(root, 'archives');
  smallDir = path.join(root, 'small');
  api = await startTestApp({ archiveDir: dir });
  small = await startTestApp({ archiveDir: smallDir, env: { DOCKQL_MAX_UPLOAD_BYTES: String(LIMIT) } });
});

afterAll(async () => {
  await api?.stop();
  await small?.stop();
  rmSync(root, { recursive: true, force: true });
});

const put = (app: TestApp, name: string, body: Buffer, query = '') => fetch(`${app.baseUrl}/archives/${name}${query}`, { method: 'PUT', body });
const get = (name: string, headers: Record<string, string> = {}) => fetch(`${api.baseUrl}/archives/${name}`, { headers });
const bytes = async (res: Response) => Buffer.from(await res.arrayBuffer());
const files = (d: string) => readdirSync(d).sort();

describe('upload and download', () => {
  let data: Buffer;
  beforeAll(async () => {
    data = await imageArchive(['centos:7'], { layerBytes: 2_000_000 });
  });

  it('when I PUT an image archive, I get 201 and its metadata, and GET returns the same bytes with its sha256 as ETag', async () => {
    const up = await put(api, 'centos_7.tar', data);
    expect(up.status).toBe(201);
    expect(up.headers.get('location')).toBe('/archives/centos_7.tar');
    const meta = await up.json();
    expect(meta).toEqual({
      name: 'centos_7.tar',
      kind: 'IMAGES',
      origin: 'UPLOADED',
      size: data.length,
      sha256: sha256(data),
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      contents: ['centos:7'],
      downloadUrl: '/archives/centos_7.tar',
    });

    const down = await get('centos_7.tar');
    expect(down.status).toBe(200);
    expect(down.headers.get('content-type')).toBe('application/x-tar');
    expect(down.headers.get('content-length')).toBe(String(data.length));
    expect(down.headers.get('etag')).toBe(`"${sha256(data)}"`);
    expect(down.headers.get('accept-ranges')).toBe('bytes');
    expect(sha256(await bytes(down))).toBe(sha256(data));
  });

  it('answers 304 to If-None-Match with the ETag, and HEAD with headers only', async () => {
    const notModified = await get('centos_7.tar', { 'if-none-match': `"${sha256(data)}"` });
    expect(notModified.status).toBe(304);
    expect((await bytes(notModified)).length).toBe(0);
    const head = await fetch(`${api.baseUrl}/archives/centos_7.tar`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(data.length));
  });

  it('resumes a broken download with Range (and If-Range), and refuses a range past the end with 416', async () => {
    const etag = `"${sha256(data)}"`;
    const first = await get('centos_7.tar', { range: 'bytes=0-99999' });
    expect(first.status).toBe(206);
    expect(first.headers.get('content-range')).toBe(`bytes 0-99999/${data.length}`);
    const head = await bytes(first);
    expect(head.length).toBe(100_000);
    const rest = await get('centos_7.tar', { range: `bytes=${head.length}-`, 'if-range': etag });
    expect(rest.status).toBe(206);
    expect(sha256(Buffer.concat([head, await bytes(rest)]))).toBe(sha256(data));

    const tail = await get('centos_7.tar', { range: 'bytes=-100' });
    expect((await bytes(tail)).equals(data.subarray(data.length - 100))).toBe(true);
    const changed = await get('centos_7.tar', { range: 'bytes=0-9', 'if-range': '"0000"' });
    expect(changed.status).toBe(200);
    expect((await bytes(changed)).length).toBe(data.length);

    const past = await get('centos_7.tar', { range: `bytes=${data.length}-` });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe(`bytes */${data.length}`);
    expect(await past.json()).toEqual({ error: { code: 'BAD_USER_INPUT', message: expect.stringContaining('range not satisfiable') } });
  });

  it('takes a .tar.gz, serves it as application/gzip, and tells its kind from the content', async () => {
    const gz = await imageArchive(['app:1'], { gzip: true });
    const up = await put(api, 'app.tar.gz', gz);
    expect(up.status).toBe(201);
    expect(await up.json()).toMatchObject({ kind: 'IMAGES', contents: ['app:1'], sha256: sha256(gz) });
    expect((await get('app.tar.gz')).headers.get('content-type')).toBe('application/gzip');
  });

  it('refuses a second PUT of a name with 409 and keeps the first, and replaces it with ?overwrite=true', async () => {
    const a = Buffer.from('first version');
    const b = Buffer.from('second version');
    expect((await put(api, 'twice.tar', a)).status).toBe(201);
    const again = await put(api, 'twice.tar', b);
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe('CONFLICT');
    expect((await bytes(await get('twice.tar'))).toString()).toBe('first version');
    const replaced = await put(api, 'twice.tar', b, '?overwrite=true');
    expect(replaced.status).toBe(201);
    expect(await replaced.json()).toMatchObject({ kind: 'UNKNOWN', sha256: sha256(b), size: b.length });
    expect((await bytes(await get('twice.tar'))).toString()).toBe('second version');
    expect((await put(api, 'twice.tar', b, '?overwrite=maybe')).status).toBe(400);
  });

  it('lists archives as JSON, deletes with DELETE, and answers 405 to other methods', async () => {
    const list = (await (await fetch(`${api.baseUrl}/archives`)).json()) as { archives: Array<{ name: string }> };
    expect(list.archives.map((a) => a.name)).toEqual(expect.arrayContaining(['centos_7.tar', 'twice.tar']));
    expect((await fetch(`${api.baseUrl}/archives/twice.tar`, { method: 'DELETE' })).status).toBe(204);
    const gone = await get('twice.tar');
    expect(gone.status).toBe(404);
    expect(((await gone.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    const post = await fetch(`${api.baseUrl}/archives/centos_7.tar`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD, PUT, DELETE');
  });
});

describe('the upload limit (DOCKQL_MAX_UPLOAD_BYTES)', () => {
  it('refuses a declared Content-Length over the limit with 413 before reading, keeping nothing', async () => {
    const res = await put(small, 'big.tar', Buffer.alloc(LIMIT + 1));
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: { code: 'BAD_USER_INPUT', message: expect.stringContaining(`${LIMIT} bytes`) } });
    expect(files(smallDir)).toEqual([]);
  });

  it('counts a chunked upload as it streams and stops it with 413 past the limit, keeping nothing', async () => {
    const chunks = Array.from({ length: 8 }, () => Buffer.alloc(4000, 1));
    const res = await rawRequest(small.baseUrl, { method: 'PUT', path: '/archives/chunked.tar', body: Readable.from(chunks) });
    expect(res.status).toBe(413);
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(files(smallDir)).toEqual([]);
  });

  /**
   * A PUT that waits on `Expect: 100-continue`, as curl's uploads over 1 MiB do:
   * it sends `body` only when the server says "100 Continue".
   */
  function putExpectingContinue(app: TestApp, name: string, length: number, body: Buffer): Promise<{ status: number; continued: boolean; json: unknown }> {
    return new Promise((resolve, reject) => {
      const url = new URL(`${app.baseUrl}/archives/${name}`);
      let continued = false;
      const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, method: 'PUT', headers: { Expect: '100-continue', 'Content-Length': String(length) } });
      req.on('continue', () => {
        continued = true;
        req.end(body);
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, continued, json: JSON.parse(Buffer.concat(chunks).toString()) });
          req.destroy();
        });
      });
      req.on('error', reject);
      req.flushHeaders();
    });
  }

  it('answers a refused upload that waits on Expect: 100-continue before asking for its body (413, 409)', async () => {
    const tooBig = await putExpectingContinue(small, 'expect-big.tar', LIMIT + 1, Buffer.alloc(LIMIT + 1));
    expect(tooBig).toEqual({ status: 413, continued: false, json: { error: { code: 'BAD_USER_INPUT', message: expect.stringContaining(`${LIMIT} bytes`) } } });
    expect((await put(small, 'expect-taken.tar', Buffer.from('first'))).status).toBe(201);
    const taken = await putExpectingContinue(small, 'expect-taken.tar', 6, Buffer.from('second'));
    expect(taken).toMatchObject({ status: 409, continued: false, json: { error: { code: 'CONFLICT' } } });
    expect(files(smallDir)).toEqual(['.expect-taken.tar.json', 'expect-taken.tar']);
    expect((await fetch(`${small.baseUrl}/archives/expect-taken.tar`, { method: 'DELETE' })).status).toBe(204);
  });

  it('says 100 Continue to an upload it accepts, and takes its body', async () => {
    const res = await putExpectingContinue(small, 'expect-ok.tar', 5, Buffer.from('hello'));
    expect(res).toMatchObject({ status: 201, continued: true, json: { name: 'expect-ok.tar', size: 5, sha256: sha256(Buffer.from('hello')) } });
    expect((await fetch(`${small.baseUrl}/archives/expect-ok.tar`, { method: 'DELETE' })).status).toBe(204);
  });

  it('accepts an upload of exactly the limit', async () => {
    const res = await rawRequest(small.baseUrl, { method: 'PUT', path: '/archives/exact.tar', body: Readable.from([Buffer.alloc(LIMIT / 2), Buffer.alloc(LIMIT / 2)]) });
    expect(res.status).toBe(201);
    expect(files(smallDir)).toEqual(['.exact.tar.json', 'exact.tar']);
  });
});

describe('requests the HTTP parser refuses', () => {
  /** Writes `raw` on a new connection and resolves with everything the server sent back before closing. */
  function exchange(raw: string): Promise<string> {
    const url = new URL(api.baseUrl);
    return new Promise((resolve, reject) => {
      const socket = connect({ host: url.hostname, port: Number(url.port) }, () => socket.write(raw));
      const chunks: Buffer[] = [];
      socket.on('data', (c: Buffer) => chunks.push(c));
      socket.on('close', () => resolve(Buffer.concat(chunks).toString()));
      socket.on('error', reject);
    });
  }

  it('answers a 100 KB archive name in the URL with 431 and the JSON error shape, not a bare status line', async () => {
    const answer = await exchange(`GET /archives/${'a'.repeat(100_000)}.tar HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toEqual({ error: { code: 'BAD_USER_INPUT', message: expect.stringContaining('over 16 KiB') } });
  });

  it('answers bytes that are not HTTP with 400 and the JSON error shape', async () => {
    const answer = await exchange('HELLO\x00 world\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toEqual({ error: { code: 'BAD_USER_INPUT', message: 'the request is not valid HTTP/1.1' } });
  });
});

describe('hostile names', () => {
  const hostile = [
    '/archives/..%2Fx.tar',
    '/archives/%2e%2e%2Fx.tar',
    '/archives/%2E%2E%2F%2E%2E%2Fx.tar',
    '/archives/..%252Fx.tar',
    '/archives/%252e%252e%252fx.tar',
    '/archives/%2e%2e',
    '/archives/..',
    '/archives/../x.tar',
    '/archives/..%5Cx.tar',
    '/archives/%2Ftmp%2Fx.tar',
    '/archives/a%2Fb.tar',
    '/archives/.x.tar',
    '/archives/.centos_7.tar.json',
    '/archives/x.tar%00',
    `/archives/${'a'.repeat(300)}.tar`,
    '/archives/x.zip',
    '/archives/%E0%A4%A.tar',
  ];

  it.each(hostile)('refuses %s for GET, PUT and DELETE with a JSON 400/404, touching nothing outside the directory', async (p) => {
    const before = { root: files(root), dir: files(dir), tmp: existsSync('/tmp/x.tar') };
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const res = await rawRequest(api.baseUrl, { method, path: p, body: method === 'PUT' ? Buffer.from('payload') : undefined });
      expect([400, 404]).toContain(res.status);
      expect(['BAD_USER_INPUT', 'NOT_FOUND']).toContain(errorCode(res));
    }
    expect({ root: files(root), dir: files(dir), tmp: existsSync('/tmp/x.tar') }).toEqual(before);
    expect(existsSync(path.join(root, 'x.tar'))).toBe(false);
  });

  it('neither lists, serves, replaces through nor deletes a symlink put into the directory', async () => {
    const outside = path.join(root, 'secret.tar');
    writeFileSync(outside, 'secret');
    symlinkSync(outside, path.join(dir, 'link.tar'));
    try {
      expect((await get('link.tar')).status).toBe(404);
      const list = (await (await fetch(`${api.baseUrl}/archives`)).json()) as { archives: Array<{ name: string }> };
      expect(list.archives.map((a) => a.name)).not.toContain('link.tar');
      expect((await put(api, 'link.tar', Buffer.from('evil'), '?overwrite=true')).status).toBe(409);
      expect((await fetch(`${api.baseUrl}/archives/link.tar`, { method: 'DELETE' })).status).toBe(404);
      expect(readFileSync(outside, 'utf8')).toBe('secret');
      expect(files(dir)).toContain('link.tar');
    } finally {
      unlinkSync(path.join(dir, 'link.tar'));
    }
  });
});

describe('other things named like archives', () => {
  it('ignores a directory and a FIFO named *.tar: not listed, 404, never blocking on the FIFO', async () => {
    mkdirSync(path.join(dir, 'folder.tar'));
    execFileSync('mkfifo', [path.join(dir, 'pipe.tar')]);
    try {
      for (const name of ['folder.tar', 'pipe.tar']) {
        expect((await get(name)).status).toBe(404);
        expect((await fetch(`${api.baseUrl}/archives/${name}`, { method: 'DELETE' })).status).toBe(404);
      }
      const list = (await (await fetch(`${api.baseUrl}/archives`)).json()) as { archives: Array<{ name: string }> };
      expect(list.archives.map((a) => a.name)).not.toEqual(expect.arrayContaining(['pipe.tar']));
      expect(list.archives.map((a) => a.name)).not.toEqual(expect.arrayContaining(['folder.tar']));
    } finally {
      rmSync(path.join(dir, 'folder.tar'), { recursive: true });
      unlinkSync(path.join(dir, 'pipe.tar'));
    }
  });
});

describe('an upload cut off midway', () => {
  it('leaves no archive and no temp file when the client hangs up', async () => {
    const target = path.join(root, 'cut');
    mkdirSync(target);
    const app = await startTestApp({ archiveDir: target });
    try {
      const url = new URL(app.baseUrl);
      const req = httpRequest({ host: url.hostname, port: url.port, method: 'PUT', path: '/archives/cut.tar' });
      req.on('error', () => undefined);
      req.write(Buffer.alloc(1024 * 1024, 7));
      // Wait until the server is writing the temp file, then hang up.
      await until(() => files(target).some((f) => f.startsWith('.tmp-')));
      req.destroy();
      await until(() => files(target).length === 0);
      expect(files(target)).toEqual([]);
    } finally {
      await app.stop();
    }
  });
});

/** Polls `condition` every 20 ms for up to 10 s. */
async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met within 10 s');
    await new Promise((r) => setTimeout(r, 20));
  }
}
