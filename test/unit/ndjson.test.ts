import { getEventListeners } from 'node:events';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { MAX_PROGRESS_LINE, ProgressMessage, ProgressStreamError, readProgressStream } from '../../src/docker/ndjson';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'progress');
const fixture = (name: string): Buffer => readFileSync(path.join(FIXTURES, name));
const STREAM_EVENTS = ['data', 'end', 'error', 'close', 'aborted'] as const;

/** Starts reading `stream`, collecting the messages it delivers. */
function collect(stream: NodeJS.ReadableStream, signal?: AbortSignal) {
  const messages: ProgressMessage[] = [];
  const done = readProgressStream(stream, (m) => messages.push(m), { signal });
  return { messages, done };
}

/** Feeds `text` into a fresh stream in `size`-byte chunks, then ends it. */
function chunked(data: string | Buffer, size: number): PassThrough {
  const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data, 'utf8');
  const s = new PassThrough();
  for (let i = 0; i < bytes.length; i += size) s.write(bytes.subarray(i, i + size));
  s.end();
  return s;
}

/** The rejection of `p`, which must be a ProgressStreamError. */
async function streamError(p: Promise<unknown>): Promise<ProgressStreamError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof ProgressStreamError)) throw new Error(`expected a ProgressStreamError, got ${String(err)}`);
  return err;
}

type ListenerCounts = Record<(typeof STREAM_EVENTS)[number], number>;

/** How many listeners `stream` has per event (an http.IncomingMessage comes with some of its own). */
function listenerCounts(stream: NodeJS.ReadableStream): ListenerCounts {
  return Object.fromEntries(STREAM_EVENTS.map((e) => [e, stream.listenerCount(e)])) as ListenerCounts;
}

/** Once the stream has settled down (closed), the reader has left no listener behind. */
async function expectNoListeners(stream: NodeJS.ReadableStream, signal?: AbortSignal, before?: ListenerCounts): Promise<void> {
  await new Promise((r) => setImmediate(r));
  expect(listenerCounts(stream)).toEqual(before ?? listenerCounts(new PassThrough()));
  if (signal) expect(getEventListeners(signal, 'abort')).toHaveLength(0);
}

describe('readProgressStream: splitting', () => {
  const text = '{"status":"a"}\r\n\r\n  \n{"status":"b","id":"x"}\n{"status":"é ✓"}\r\n{"status":"last"}';

  it.each([1, 2, 3, 7, 1000])('parses the same lines whatever the chunk size (%i bytes)', async (size) => {
    const { messages, done } = collect(chunked(text, size));
    await expect(done).resolves.toEqual({ lines: 4, aux: [] });
    // "é ✓" is split mid-character by the small chunk sizes; the last line has no newline.
    expect(messages.map((m) => m.status)).toEqual(['a', 'b', 'é ✓', 'last']);
    expect(messages[1]).toEqual({ status: 'b', id: 'x' });
  });

  it('accepts string chunks (a stream with an encoding set)', async () => {
    const s = new PassThrough({ encoding: 'utf8' });
    const { messages, done } = collect(s);
    s.write('{"status":"a"}\n{"sta');
    s.end('tus":"b"}\n');
    await done;
    expect(messages.map((m) => m.status)).toEqual(['a', 'b']);
  });

  it('resumes a paused stream', async () => {
    const s = new PassThrough();
    s.pause();
    s.end('{"status":"a"}\n');
    await expect(collect(s).done).resolves.toEqual({ lines: 1, aux: [] });
  });

  it('reads a recorded daemon 20.10 push byte by byte and collects its aux', async () => {
    const raw = fixture('push-fresh.ndjson');
    const expected = raw.toString('utf8').split('\r\n').filter(Boolean).map((l) => JSON.parse(l) as ProgressMessage);
    const { messages, done } = collect(chunked(raw, 1));
    const outcome = await done;
    expect(messages).toEqual(expected);
    expect(outcome.lines).toBe(27);
    expect(outcome.aux).toEqual([{ Tag: '1', Digest: 'sha256:346760960f6479e6e226cad8fd0c53ba91833bb451b02b16af82c9bc23df4873', Size: 1161 }]);
  });

  it('drops an aux that is not an object instead of failing', async () => {
    const { messages, done } = collect(chunked('{"id":"moby.buildkit.trace","aux":"AAEC"}\n', 100));
    await expect(done).resolves.toEqual({ lines: 1, aux: [] });
    expect(messages).toEqual([{ id: 'moby.buildkit.trace' }]);
  });

  it('removes its listeners after a clean end', async () => {
    const s = chunked('{"status":"a"}\n', 4);
    const signal = new AbortController().signal;
    await collect(s, signal).done;
    await expectNoListeners(s, signal);
  });
});

describe('readProgressStream: daemon errors', () => {
  it('fails with the daemon\'s words from a recorded pull whose blob vanished', async () => {
    const s = chunked(fixture('pull-blobgone.ndjson'), 16);
    const { messages, done } = collect(s);
    const err = await streamError(done);
    expect(err.kind).toBe('daemon');
    expect(err.message).toBe('unknown blob');
    // Everything before the error line was delivered; the error line itself is not progress.
    expect(messages).toHaveLength(7);
    expect(messages[6]).toEqual({ status: 'Downloading', progressDetail: {}, id: 'e3834f86dec9' });
    await expectNoListeners(s);
  });

  it.each([
    ['errorDetail.message over error', '{"errorDetail":{"message":"exact words"},"error":"other"}', 'exact words'],
    ['error alone (the deprecated field)', '{"error":"only error"}', 'only error'],
    ['errorDetail alone', '{"errorDetail":{"message":"only detail"}}', 'only detail'],
    ['an empty errorDetail', '{"errorDetail":{}}', 'the daemon reported an error without a message'],
  ])('takes %s', async (_name, line, message) => {
    const err = await streamError(collect(chunked(`{"status":"a"}\n${line}\n{"status":"b"}\n`, 5)).done);
    expect(err).toMatchObject({ kind: 'daemon', message });
  });

  it('keeps the daemon\'s error code and stops reading (destroys the stream)', async () => {
    const s = new PassThrough();
    const { messages, done } = collect(s);
    s.write('{"errorDetail":{"code":401,"message":"authentication required"},"error":"authentication required"}\n{"status":"after"}\n');
    const err = await streamError(done);
    expect(err.daemonCode).toBe(401);
    expect(messages).toEqual([]);
    expect(s.destroyed).toBe(true);
  });
});

describe('readProgressStream: malformed lines', () => {
  it.each([
    ['not JSON', 'Pulling fs layer'],
    ['cut JSON', '{"status":"Down'],
    ['an array', '[{"status":"a"}]'],
    ['a string', '"status"'],
    ['null', 'null'],
    ['a number', '42'],
    ['a non-string status', '{"status":5}'],
    ['a non-object progressDetail', '{"status":"Downloading","progressDetail":"50%"}'],
    ['a non-numeric byte count', '{"status":"Downloading","progressDetail":{"current":"1"}}'],
  ])('fails on %s', async (_name, line) => {
    const s = chunked(`{"status":"ok"}\n${line}\n{"status":"never"}\n`, 3);
    const { messages, done } = collect(s);
    const err = await streamError(done);
    expect(err.kind).toBe('malformed');
    expect(err.message).toBe(`the daemon sent a malformed progress line: ${JSON.stringify(line)}`);
    expect(messages.map((m) => m.status)).toEqual(['ok']);
    await expectNoListeners(s);
  });

  it('quotes at most 100 characters, JSON-escaped', async () => {
    const line = `\u001b[31m${'x'.repeat(200)}`;
    const err = await streamError(collect(chunked(`${line}\n`, 64)).done);
    expect(err.message).toBe(`the daemon sent a malformed progress line: ${JSON.stringify(line.slice(0, 100))}…`);
    expect(err.message).not.toContain('\u001b');
  });

  it('fails on a line longer than 1 MiB that never ends, without waiting for the end', async () => {
    const s = new PassThrough();
    const { done } = collect(s);
    const piece = Buffer.alloc(64 * 1024, 'a');
    for (let i = 0; i <= MAX_PROGRESS_LINE / piece.length; i++) s.write(piece);
    const err = await streamError(done);
    expect(err.kind).toBe('malformed');
    expect(err.message).toMatch(/longer than 1048576 characters/);
    expect(s.destroyed).toBe(true);
  });

  it('fails on a complete line longer than 1 MiB in one chunk', async () => {
    const line = JSON.stringify({ status: 'x'.repeat(MAX_PROGRESS_LINE) });
    const err = await streamError(collect(chunked(`${line}\n`, line.length + 1)).done);
    expect(err.kind).toBe('malformed');
  });

  it('accepts a long line under the limit', async () => {
    const status = 'y'.repeat(MAX_PROGRESS_LINE - 100);
    const { messages, done } = collect(chunked(`${JSON.stringify({ status })}\r\n`, 4096));
    await done;
    expect(messages[0]?.status).toHaveLength(status.length);
  });
});

describe('readProgressStream: streams cut short', () => {
  it('fails when the stream is destroyed mid-line', async () => {
    const s = new PassThrough();
    const { messages, done } = collect(s);
    s.write('{"status":"a"}\n{"status":"Downl');
    setImmediate(() => s.destroy());
    const err = await streamError(done);
    expect(err).toMatchObject({ kind: 'truncated', message: "the daemon's progress stream ended early" });
    expect(messages).toHaveLength(1);
    await expectNoListeners(s);
  });

  it('fails on an error event and keeps the cause', async () => {
    const s = new PassThrough();
    const { done } = collect(s);
    const cause = new Error('read ECONNRESET');
    setImmediate(() => s.destroy(cause));
    const err = await streamError(done);
    expect(err.kind).toBe('truncated');
    expect(err.cause).toBe(cause);
    await expectNoListeners(s);
  });

  it('fails on IncomingMessage\'s aborted event', async () => {
    const s = new PassThrough();
    const { done } = collect(s);
    s.write('{"status":"a"}\n');
    setImmediate(() => s.emit('aborted'));
    expect((await streamError(done)).kind).toBe('truncated');
    expect(s.destroyed).toBe(true);
    await expectNoListeners(s);
  });

  it('fails on an IncomingMessage-like stream that ends with complete === false', async () => {
    const s = Object.assign(Readable.from(['{"status":"a"}\n']), { complete: false });
    expect((await streamError(collect(s).done)).kind).toBe('truncated');
  });

  it.each([
    ['destroyed', (s: PassThrough) => s.destroy()],
    ['ended', (s: PassThrough) => s.resume().end()],
  ])('fails on a stream that was already %s', async (_name, finish) => {
    const s = new PassThrough();
    finish(s);
    await new Promise((r) => setImmediate(r));
    expect((await streamError(collect(s).done)).kind).toBe('truncated');
  });

  describe('over real HTTP (loopback)', () => {
    let server: http.Server;
    let behaviour: (res: http.ServerResponse) => void;

    beforeAll(async () => {
      server = http.createServer((_req, res) => behaviour(res));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    });
    afterAll(async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    });

    const get = (): Promise<http.IncomingMessage> =>
      new Promise((resolve, reject) => {
        const req = http.get({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, agent: false }, resolve);
        req.on('error', reject);
      });

    it('resolves on a complete chunked response', async () => {
      behaviour = (res) => {
        res.write('{"status":"Pulling from x/y","id":"1"}\r\n');
        res.end('{"status":"Status: Image is up to date for x/y:1"}\r\n');
      };
      const res = await get();
      const before = listenerCounts(res);
      await expect(collect(res).done).resolves.toEqual({ lines: 2, aux: [] });
      await expectNoListeners(res, undefined, before);
    });

    it('fails when the daemon\'s socket dies mid-body', async () => {
      behaviour = (res) => {
        res.write('{"status":"Pulling from x/y","id":"1"}\r\n');
        setTimeout(() => res.socket?.destroy(), 20);
      };
      const res = await get();
      const before = listenerCounts(res);
      const { messages, done } = collect(res);
      const err = await streamError(done);
      expect(err.kind).toBe('truncated');
      expect(messages).toHaveLength(1);
      await expectNoListeners(res, undefined, before);
    });
  });
});

describe('readProgressStream: abort', () => {
  it('fails with kind aborted and destroys the stream', async () => {
    const s = new PassThrough();
    const ac = new AbortController();
    const { done } = collect(s, ac.signal);
    s.write('{"status":"a"}\n');
    setImmediate(() => ac.abort());
    const err = await streamError(done);
    expect(err).toMatchObject({ kind: 'aborted', message: 'the progress stream was aborted' });
    expect(s.destroyed).toBe(true);
    await expectNoListeners(s, ac.signal);
  });

  it('reads nothing when the signal was aborted before', async () => {
    const s = chunked('{"status":"a"}\n', 100);
    const ac = new AbortController();
    ac.abort(new Error('canceled by request'));
    const { messages, done } = collect(s, ac.signal);
    const err = await streamError(done);
    expect(err.kind).toBe('aborted');
    expect((err.cause as Error).message).toBe('canceled by request');
    expect(messages).toEqual([]);
  });

  it('stops at once when onMessage aborts', async () => {
    const ac = new AbortController();
    const seen: string[] = [];
    const done = readProgressStream(chunked('{"status":"a"}\n{"status":"b"}\n{"status":"c"}\n', 100), (m) => {
      seen.push(m.status ?? '');
      if (m.status === 'a') ac.abort();
    }, { signal: ac.signal });
    expect((await streamError(done)).kind).toBe('aborted');
    expect(seen).toEqual(['a']);
  });

  it('reports an abort, not a truncation, when the stream dies of the abort first', async () => {
    const s = new PassThrough();
    const ac = new AbortController();
    // Like docker-modem, which destroys the request on the same signal before we hear of it.
    ac.signal.addEventListener('abort', () => s.destroy(new Error('aborted')), { once: true });
    const { done } = collect(s, ac.signal);
    ac.abort();
    expect((await streamError(done)).kind).toBe('aborted');
    // The destroy(err) lands after we settled: it must not be an unhandled 'error' event.
    await expectNoListeners(s, ac.signal);
  });
});

describe('readProgressStream: never crashes', () => {
  it('turns an exception in onMessage into the rejection and stops reading', async () => {
    const s = new PassThrough();
    const boom = new Error('subscriber bug');
    let calls = 0;
    const done = readProgressStream(s, () => {
      calls++;
      throw boom;
    });
    s.write('{"status":"a"}\n{"status":"b"}\n');
    await expect(done).rejects.toBe(boom);
    expect(calls).toBe(1);
    expect(s.destroyed).toBe(true);
    await expectNoListeners(s);
  });

  it('wraps a thrown non-Error', async () => {
    const done = readProgressStream(chunked('{"status":"a"}\n', 100), () => {
      throw 'a string'; // eslint-disable-line no-throw-literal
    });
    await expect(done).rejects.toThrow('a string');
  });

  it('never throws synchronously, even on something that is not a stream', async () => {
    let p: Promise<unknown> | undefined;
    expect(() => {
      p = readProgressStream({} as NodeJS.ReadableStream, () => undefined);
    }).not.toThrow();
    await expect(p).rejects.toBeInstanceOf(TypeError);
  });

  it('ignores a later error event on a stream it gave up on', async () => {
    const s = new PassThrough();
    const done = readProgressStream(s, () => undefined);
    s.write('garbage\n');
    await streamError(done);
    // Destroyed, so the late error is swallowed instead of becoming an uncaught 'error' event.
    expect(() => s.destroy(new Error('late'))).not.toThrow();
    await new Promise((r) => setImmediate(r));
  });
});
