/** `dockql save REF...`: `docker save` into the server's archive directory, with progress. */
import { stringOption } from '../args';
import { type Command, println } from '../command';
import { withHint } from '../errors';
import { humanSize } from '../format/size';
import type { ArchiveJobData } from '../types';
import { ARCHIVE_JOB_FIELDS, followArchiveJob } from './archive-job';

const START = `mutation DockqlSave($refs: [String!]!, $name: String, $overwrite: Boolean) {
  saveImages(refs: $refs, name: $name, overwrite: $overwrite, wait: false) { ${ARCHIVE_JOB_FIELDS} }
}`;

export const saveCommand: Command = {
  name: 'save',
  summary: "Save images into an archive in the server's archive directory",
  usage: '[OPTIONS] REF [REF...]',
  description:
    'Like `docker save`, but the archive is written on the server, in its archive directory (saveImages, followed with archiveProgress). ' +
    'Prints the archive name, size and sha256; fetch the file with `dockql download`.',
  options: {
    output: { type: 'string', short: 'o', value: 'NAME', description: 'Archive name, e.g. centos_7.tar (default: made from the first ref)' },
    overwrite: { type: 'boolean', description: 'Replace an archive of that name' },
  },
  args: { min: 1, max: Infinity, name: 'REF' },
  examples: ['dockql save busybox:1.36', 'dockql save -o base.tar busybox:1.36 alpine:3.20'],
  async run(ctx, { values, positionals }) {
    const variables = { refs: positionals, name: stringOption(values, 'output') ?? null, overwrite: values.overwrite === true };
    const { saveImages: job } = await ctx.api.request<{ saveImages: ArchiveJobData }>(START, variables).catch((err: unknown) => {
      throw withHint(err, 'CONFLICT', 'dockql save --overwrite replaces it');
    });
    const done = await followArchiveJob(ctx, job, `Saving ${job.archiveName}`, 'save');
    const archive = done.archive;
    if (!archive) return println(ctx, `Saved ${done.archiveName}`);
    println(ctx, `Saved ${archive.name} (${humanSize(archive.size, 4)}, sha256 ${archive.sha256 ?? 'not computed yet'})`);
  },
};
