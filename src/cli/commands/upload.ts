/** `dockql upload FILE`: PUT /archives/<name> from a local file, streamed with its length declared. */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringOption } from '../args';
import { type Command, println } from '../command';
import type { Api } from '../api';
import { CliError, EXIT_FAILED, withHint } from '../errors';
import { humanSize } from '../format/size';
import { failureOf, openRequest, responseOf } from '../http-transfer';
import { byteProgress } from '../progress/byte-progress';
import type { ArchiveData } from '../types';

/** The file's size, or a one-line reason it cannot be read. */
async function sizeOf(file: string): Promise<number> {
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new CliError(`cannot upload ${file}: not a regular file`);
    return info.size;
  } catch (err) {
    if (err instanceof CliError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (err as Error).message}`);
  }
}

const CHECK = 'query DockqlUploadCheck($name: String!) { archive(name: $name) { name } }';

/** Why a server may close an upload's connection before answering. */
const REFUSED_MIDWAY = 'the server refuses uploads that way when the token lacks the operator role, the file is over DOCKQL_MAX_UPLOAD_BYTES, or the rate limit is spent';

/**
 * Asks (a query: not audited, no body sent) whether the token is good, the name
 * valid and free, so that those refusals come with their message; refusals
 * during the PUT may be lost when the server closes the connection on the body.
 */
async function preflight(api: Api, name: string, overwrite: boolean): Promise<void> {
  const { archive } = await api.request<{ archive: { name: string } | null }>(CHECK, { name });
  if (archive && !overwrite) throw new CliError(`archive ${JSON.stringify(name)} already exists on the server (dockql upload --overwrite replaces it)`, EXIT_FAILED, 'CONFLICT');
}

export const uploadCommand: Command = {
  name: 'upload',
  summary: "Upload a file into the server's archive directory",
  usage: '[OPTIONS] FILE',
  description:
    'Streams FILE with PUT /archives/<name> (name: the file\'s base name unless --name), for `dockql load` or importImage. ' +
    'The server keeps it only when it arrived whole; an existing name is refused unless --overwrite.',
  options: {
    name: { type: 'string', value: 'NAME', description: "Archive name on the server, ending in .tar or .tar.gz (default: FILE's base name)" },
    overwrite: { type: 'boolean', description: 'Replace an archive of that name' },
  },
  args: { min: 1, max: 1, name: 'FILE' },
  examples: ['dockql upload ./centos_7.tar', 'dockql upload --name app.tar --overwrite ./build/app-image.tar'],
  async run(ctx, { values, positionals }) {
    const file = positionals[0]!;
    const size = await sizeOf(file);
    const name = stringOption(values, 'name') ?? path.basename(file);
    await preflight(ctx.api, name, values.overwrite === true);
    const url = `${ctx.api.archiveUrl(name)}${values.overwrite ? '?overwrite=true' : ''}`;
    const type = name.endsWith('.gz') ? 'application/gzip' : 'application/x-tar';
    // Content-Length lets the server refuse an upload over its limit before a byte is sent.
    const req = openRequest(ctx.api, url, 'PUT', { 'content-type': type, 'content-length': size });
    const answer = responseOf(ctx.api, req);
    const progress = byteProgress(`Uploading ${name}`, ctx.stderr);
    let sent = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, callback) {
        sent += chunk.length;
        progress.update(sent, size);
        callback(null, chunk);
      },
    });
    ctx.onInterrupt(() => {
      progress.stop();
      req.destroy();
    });
    // A write error after an early answer (413, 409) is expected: the answer says why.
    const sending = pipeline(createReadStream(file), counter, req).catch((err: Error) => err);
    let res;
    try {
      res = await answer;
    } catch (err) {
      // The server answers a refusal without reading the body and closes; the answer can be lost in the reset.
      if (sent > 0) throw new CliError(`upload of ${name} failed: ${(err as Error).message} after ${humanSize(sent, 4)} without an answer; ${REFUSED_MIDWAY}`);
      throw err;
    } finally {
      progress.stop();
    }
    if (res.statusCode !== 201) {
      req.destroy();
      throw withHint(await failureOf(ctx.api, res), 'CONFLICT', 'dockql upload --overwrite replaces it');
    }
    const sendError = await sending;
    if (sendError instanceof Error) throw new CliError(`upload of ${name} failed: ${sendError.message}`);
    let text = '';
    for await (const chunk of res) text += String(chunk);
    const archive = JSON.parse(text) as ArchiveData;
    println(ctx, `Uploaded ${archive.name} (${humanSize(archive.size, 4)}, sha256 ${archive.sha256 ?? 'not computed yet'})`);
  },
};
