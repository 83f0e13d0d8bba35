/**
 * A subscription over one daemon response: backpressure, the end, a failure as
 * one final error envelope, and leaving at any moment closes the response.
 */
import { PassThrough } from 'node:stream';
import { GraphQLError } from 'graphql';
import { followDaemonStream, type StreamDecoder } from '../../src/streams/daemon-stream';

/** Lines of text; a line "STOP" means done, a line "BAD" throws. */
function lines(): StreamDecoder<string> {
  let rest = '';
  return {
    push(chunk) {
      const parts = (rest + chunk.toString()).split('\n');
      rest = parts.pop()!;
      const items: string[] = [];
      for (const p of parts) {
        if (p === 'BAD') throw new Error('bad line');
        if (p === 'STOP') return { items, done: true };
        items.push(p);
      }
      return { items };
    },
    end: () => (rest ? [rest] : []),
  };
}

const toError = (err: unknown) => new GraphQLError(`broke: ${(err as Error).message}`, { extensions: { code: 'DAEMON_ERROR' } });

describe('followDaemonStream', () => {
  it('yields items until the daemon ends the response, then the unterminated rest', async () => {
    const stream = new PassThrough();
    const source = followDaemonStream(async () => stream, lines(), toError);
    stream.write('a\nb');
    stream.end('\nc');
    const got: unknown[] = [];
    for await (const e of source) got.push(e);
    expect(got).toEqual([{ value: 'a' }, { value: 'b' }, { value: 'c' }]);
  });

  it('ends with one error envelope when the stream breaks or cannot be decoded', async () => {
    const broken = new PassThrough();
    const source = followDaemonStream(async () => broken, lines(), toError);
    broken.write('a\n');
    setTimeout(() => broken.destroy(new Error('socket hang up')), 10);
    const got: unknown[] = [];
    for await (const e of source) got.push(e);
    expect(got).toEqual([{ value: 'a' }, { error: expect.objectContaining({ message: 'broke: socket hang up' }) }]);

    const garbage = new PassThrough();
    const decoded = followDaemonStream(async () => garbage, lines(), toError);
    garbage.write('BAD\n');
    const last: unknown[] = [];
    for await (const e of decoded) last.push(e);
    expect(last).toEqual([{ error: expect.objectContaining({ message: 'broke: bad line' }) }]);
    expect(garbage.destroyed).toBe(true);
  });

  it('ends when the decoder says done, and closes the response', async () => {
    const stream = new PassThrough();
    const source = followDaemonStream(async () => stream, lines(), toError);
    stream.write('a\nSTOP\nb\n');
    const got: unknown[] = [];
    for await (const e of source) got.push(e);
    expect(got).toEqual([{ value: 'a' }]);
    expect(stream.destroyed).toBe(true);
  });

  it('closes the response at once when the subscriber leaves while the daemon is silent', async () => {
    const stream = new PassThrough();
    const source = followDaemonStream(async () => stream, lines(), toError);
    const pending = source.next();
    await new Promise((r) => setTimeout(r, 20));
    await source.return!(undefined);
    await expect(pending).resolves.toEqual({ done: true, value: undefined });
    expect(stream.destroyed).toBe(true);
  });

  it('never opens the response for a subscriber that leaves before reading', async () => {
    const open = jest.fn(async () => new PassThrough());
    const source = followDaemonStream(open, lines(), toError);
    await source.return!(undefined);
    expect(open).not.toHaveBeenCalled();
  });

  it('reads the daemon no faster than the subscriber: unread items hold the response back', async () => {
    const stream = new PassThrough({ highWaterMark: 16 });
    const source = followDaemonStream(async () => stream, lines(), toError);
    stream.write('first\n');
    expect(await source.next()).toEqual({ done: false, value: { value: 'first' } });
    // Written a line per tick, so an eager reader would drain each one before the next: only backpressure fills the buffer.
    let accepted = 0;
    while (accepted < 200 && stream.write(`line ${accepted}\n`)) {
      accepted++;
      await new Promise((r) => setImmediate(r));
    }
    expect(accepted).toBeLessThan(10);
    expect(await source.next()).toEqual({ done: false, value: { value: 'line 0' } });
    await source.return!(undefined);
  });
});
