/**
 * The raw GET of the tar downloads, over a real unix socket against Node's
 * own HTTP server (the transport alone: the daemon's saves and exports through
 * it are tested against the real engine in test/integration/archive-*.test.ts).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { rawGet, readErrorBody } from '../../src/docker/raw-get';
import type { ChunkConsumer } from '../../src/streams/chunk-source';

describe('rawGet', () => {
  let dir: string;
  let socketPath: string;
  let server: http.Server;
  /** What the server does with each request (set per test). */
  let handler: (req: http.IncomingMessage, res: http.ServerResponse) => void;
  let lastRequest: http.IncomingMessage | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dockql-raw-get-'));
    socketPath = path.join(dir, 'api.sock');
    server = http.createServer((req, res) => {
      lastRequest = req;
      handler(req, res);
    });
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  /** A consumer that takes at most `max` bytes a call and is "full" every other call, ready again a macrotask later. */
  function slowConsumer(max: number): ChunkConsumer & { hash: ReturnType<typeof createHash>; bytes: number } {
    let calls = 0;
    const consumer = {
      hash: createHash('sha256'),
      bytes: 0,
      take(piece: Buffer) {
        const n = ++calls % 2 === 0 ? 0 : Math.min(piece.length, max);
        consumer.hash.update(piece.subarray(0, n));
        consumer.bytes += n;
        return n;
      },
      ready: () => new Promise<void>((resolve) => setImmediate(resolve)),
    };
    return consumer;
  }

  it('sends the path as given and reads a chunked body in order, pausing the socket while the consumer is full', async () => {
    const body = randomBytes(3 * 1024 * 1024 + 17);
    handler = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/x-tar' });
      // Uneven writes, each its own chunk.
      for (let at = 0, k = 1; at < body.length; at += 7919 * k, k = (k % 5) + 1) res.write(body.subarray(at, at + 7919 * k));
      res.end();
    };
    const response = await rawGet({ socketPath }, '/v1.41/images/get?names=a%2Fb%3A1&names=c', new AbortController().signal);
    expect(lastRequest?.url).toBe('/v1.41/images/get?names=a%2Fb%3A1&names=c');
    expect(response.head.status).toBe(200);
    expect(response.head.headers.get('transfer-encoding')).toBe('chunked');
    const consumer = slowConsumer(50_000);
    await response.body.pipeTo(consumer);
    expect(consumer.bytes).toBe(body.length);
    expect(consumer.hash.digest('hex')).toBe(createHash('sha256').update(body).digest('hex'));
  });

  it("reads an error answer's body (the daemon's JSON message)", async () => {
    handler = (_req, res) => {
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end('{"message":"reference does not exist"}\n');
    };
    const signal = new AbortController().signal;
    const response = await rawGet({ socketPath }, '/v1.41/images/get?names=nope', signal);
    expect(response.head.status).toBe(404);
    expect((await readErrorBody(response, signal)).toString()).toBe('{"message":"reference does not exist"}\n');
  });

  it('fails when nothing listens, with the socket error code', async () => {
    await expect(rawGet({ socketPath: path.join(dir, 'missing.sock') }, '/_ping', new AbortController().signal)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('fails the body when the connection is cut half-way', async () => {
    handler = (req, res) => {
      res.writeHead(200);
      res.write(Buffer.alloc(100_000, 1));
      setTimeout(() => req.socket.destroy(), 20);
    };
    const response = await rawGet({ socketPath }, '/v1.41/containers/x/export', new AbortController().signal);
    await expect(response.body.pipeTo(slowConsumer(1 << 20))).rejects.toThrow(/closed before the end of the response body|ECONNRESET/);
  });

  it('stops reading and closes the connection when aborted mid-body', async () => {
    let serverSawClose = false;
    handler = (req, res) => {
      res.writeHead(200);
      req.socket.on('close', () => (serverSawClose = true));
      const timer = setInterval(() => res.write(Buffer.alloc(16_384, 2)), 2);
      req.socket.on('close', () => clearInterval(timer));
    };
    const abort = new AbortController();
    const response = await rawGet({ socketPath }, '/v1.41/images/get?names=x', abort.signal);
    const consumer = slowConsumer(1 << 20);
    const piped = response.body.pipeTo(consumer, abort.signal);
    setTimeout(() => abort.abort(), 50);
    await expect(piped).rejects.toThrow();
    for (let i = 0; i < 100 && !serverSawClose; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(serverSawClose).toBe(true);
    expect(consumer.bytes).toBeGreaterThan(0);
  });

  it('reads a Content-Length body and a bodiless answer', async () => {
    handler = (req, res) => {
      if (req.url === '/empty') {
        res.writeHead(204);
        return void res.end();
      }
      res.writeHead(200, { 'Content-Length': '5' });
      res.end('hello');
    };
    const signal = new AbortController().signal;
    const withLength = await rawGet({ socketPath }, '/len', signal);
    const consumer = slowConsumer(2);
    await withLength.body.pipeTo(consumer);
    expect(consumer.bytes).toBe(5);
    const empty = await rawGet({ socketPath }, '/empty', signal);
    expect(empty.head.status).toBe(204);
    await expect(empty.body.pipeTo(slowConsumer(1))).resolves.toBeUndefined();
  });

  it('refuses a second reader of the same body', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'Content-Length': '2' });
      res.end('ok');
    };
    const response = await rawGet({ socketPath }, '/twice', new AbortController().signal);
    const first = response.body.pipeTo(slowConsumer(10));
    await expect(response.body.pipeTo(slowConsumer(10))).rejects.toThrow('only once');
    await first;
  });
});
