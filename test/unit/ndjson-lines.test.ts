/**
 * Splitting the daemon's newline-delimited streams into lines (progress, events,
 * stats), and the reader under progress and events (its ends and aborts are
 * covered through them in ndjson.test.ts and event-stream.test.ts).
 */
import { PassThrough } from 'node:stream';
import { LineTooLongError, NdjsonLines, type NdjsonReadErrors, readNdjsonLines } from '../../src/docker/ndjson-lines';

describe('NdjsonLines', () => {
  it.each([1, 2, 5, 1000])('gives the same lines whatever the chunk size (%i bytes)', (size) => {
    const bytes = Buffer.from('{"a":"é ✓"}\r\n\n  \n{"b":2}\n{"c":3}', 'utf8');
    const splitter = new NdjsonLines(100);
    const lines: string[] = [];
    for (let i = 0; i < bytes.length; i += size) lines.push(...splitter.push(bytes.subarray(i, i + size)));
    lines.push(...splitter.end());
    expect(lines).toEqual(['{"a":"é ✓"}', '{"b":2}', '{"c":3}']);
  });

  it('throws on a line past the limit, finished or not', () => {
    expect(() => new NdjsonLines(5).push('123456\n')).toThrow(LineTooLongError);
    expect(() => new NdjsonLines(5).push('123456')).toThrow(LineTooLongError);
  });
});

describe('NdjsonLines.split', () => {
  it('hands lines on one at a time, so a reader that stops never meets a later long line', () => {
    const splitter = new NdjsonLines(5);
    const seen: string[] = [];
    for (const line of splitter.split('ab\ncd\n123456\n')) {
      seen.push(line);
      if (line === 'cd') break;
    }
    expect(seen).toEqual(['ab', 'cd']);
  });

  it('throws only when the iteration reaches the long line or tail', () => {
    const it = new NdjsonLines(5).split('ab\n1234567');
    expect(it.next()).toEqual({ value: 'ab', done: false });
    expect(() => it.next()).toThrow(LineTooLongError);
  });

  it('keeps an unfinished tail for the next chunk and the end', () => {
    const splitter = new NdjsonLines(100);
    expect([...splitter.split('{"a":1}\r\n{"b"')]).toEqual(['{"a":1}']);
    expect([...splitter.split(':2}\n{"c":3}')]).toEqual(['{"b":2}']);
    expect(splitter.end()).toEqual(['{"c":3}']);
  });
});

describe('readNdjsonLines', () => {
  const errors: NdjsonReadErrors = {
    truncated: () => new Error('truncated'),
    aborted: () => new Error('aborted'),
    tooLong: () => new Error('too long'),
    notText: () => new Error('not text'),
  };

  it('hands on the lines before a line that is too long, then fails with the reader\'s own error', async () => {
    const s = new PassThrough();
    const lines: string[] = [];
    const done = readNdjsonLines(s, (l) => lines.push(l), { maxLine: 5, errors });
    s.write('ab\r\n\ncd\n123456\nef\n');
    await expect(done).rejects.toThrow('too long');
    expect(lines).toEqual(['ab', 'cd']);
    expect(s.destroyed).toBe(true);
  });

  it('fails on a chunk that is not text', async () => {
    const s = new PassThrough({ objectMode: true });
    const done = readNdjsonLines(s, () => undefined, { maxLine: 5, errors });
    s.write({ not: 'text' });
    await expect(done).rejects.toThrow('not text');
  });
});
