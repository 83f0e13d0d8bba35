/** `dockql load ARCHIVE`: `docker load` of an archive in the server's archive directory, with progress. */
import { type Command, println } from '../command';
import type { ArchiveJobData } from '../types';
import { ARCHIVE_JOB_FIELDS, followArchiveJob } from './archive-job';

const START = `mutation DockqlLoad($archive: String!) { loadImages(archive: $archive, wait: false) { ${ARCHIVE_JOB_FIELDS} } }`;

export const loadCommand: Command = {
  name: 'load',
  summary: "Load images from an archive in the server's archive directory",
  usage: 'ARCHIVE',
  description:
    'Like `docker load -i`, reading an archive in the server\'s archive directory (loadImages, followed with archiveProgress); ' +
    'put a local file there first with `dockql upload`. Prints the images loaded as docker does.',
  options: {},
  args: { min: 1, max: 1, name: 'ARCHIVE' },
  examples: ['dockql upload ./centos_7.tar && dockql load centos_7.tar'],
  async run(ctx, { positionals }) {
    const { loadImages: job } = await ctx.api.request<{ loadImages: ArchiveJobData }>(START, { archive: positionals[0] });
    const done = await followArchiveJob(ctx, job, `Loading ${job.archiveName}`, 'load');
    for (const image of done.images) {
      if (image.repoTags.length === 0) println(ctx, `Loaded image ID: ${image.id}`);
      for (const tag of image.repoTags) println(ctx, `Loaded image: ${tag}`);
    }
  },
};
