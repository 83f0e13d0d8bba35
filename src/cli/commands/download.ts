/** `dockql download ARCHIVE`: GET /archives/<name> into a local file (or stdout), streamed, checked against its sha256. */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringOption } from '../args';
import { type Command, println } from '../command';
import { CliError, oneLine } from '../errors';
import { humanSize } from '../format/size';
import { failureOf, openRequest, responseOf } from '../http-transfer';
import { byteProgress } from '../progress/byte-progress';

export const downloadCommand: Command = {
  name: 'download',
  summary: "Download an archive from the server's archive directory",
  usage: '[OPTIONS] ARCHIVE',
  description:
    'Streams GET /archives/<ARCHIVE> into a file (default: ./ARCHIVE), written as FILE.part and renamed once complete and its sha256 ' +
    'matches the server\'s (ETag). With -o - the archive goes to stdout.',
  options: {
    output: { type: 'string', short: 'o', value: 'FILE', description: 'Where to write it ("-" for stdout; default ./ARCHIVE)' },
  },
  args: { min: 1, max: 1, name: 'ARCHIVE' },
  examples: ['dockql download centos_7.tar', 'dockql download -o - centos_7.tar | docker load'],
  async run(ctx, { values, positionals }) {
    const name = positionals[0]!;
    const output = stringOption(values, 'output') ?? path.basename(name);
    const req = openRequest(ctx.api, ctx.api.archiveUrl(name), 'GET');
    req.end();
    const res = await responseOf(ctx.api, req);
    if (res.statusCode !== 200) throw await failureOf(ctx.api, res);
    const total = Number(res.headers['content-length'] ?? NaN);
    const expected = /^"([0-9a-f]{64})"$/.exec(String(res.headers.etag ?? ''))?.[1];
    const hash = createHash('sha256');
    let done = 0;
    const progress = byteProgress(`Downloading ${name}`, ctx.stderr);
    const counter = new Transform({
      transform(chunk: Buffer, _enc, callback) {
        done += chunk.length;
        hash.update(chunk);
        progress.update(done, Number.isFinite(total) ? total : null);
        callback(null, chunk);
      },
    });
    const toStdout = output === '-';
    const partial = `${output}.part`;
    ctx.onInterrupt(() => {
      progress.stop();
      res.destroy();
    });
    try {
      // stdout stays open: the process flushes it before leaving.
      if (toStdout) await pipeline(res, counter, ctx.stdout, { end: false });
      else await pipeline(res, counter, createWriteStream(partial));
    } catch (err) {
      progress.stop();
      if (!toStdout) await rm(partial, { force: true });
      throw new CliError(`download of ${name} failed after ${humanSize(done, 4)}: ${oneLine((err as Error).message)}`);
    }
    progress.stop();
    const sha256 = hash.digest('hex');
    if (Number.isFinite(total) && done !== total) throw new CliError(`download of ${name} ended after ${done} of ${total} bytes`);
    if (expected && sha256 !== expected) {
      if (!toStdout) await rm(partial, { force: true });
      throw new CliError(`download of ${name} is corrupt: sha256 ${sha256}, the server says ${expected}`);
    }
    if (toStdout) return;
    await rename(partial, output);
    println(ctx, `Downloaded ${name} to ${output} (${humanSize(done, 4)}, sha256 ${sha256})`);
  },
};
