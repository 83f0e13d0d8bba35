/** Following an archive job (save, load) to its end with a byte progress display. */
import type { CommandContext } from '../command';
import { CliError } from '../errors';
import { byteProgress } from '../progress/byte-progress';
import { type ArchiveJobData, isFinal } from '../types';

/** The fields the CLI reads of an archive job. */
export const ARCHIVE_JOB_FIELDS =
  'id operation archiveName status bytesDone bytesTotal error startedAt finishedAt archive { name size sha256 kind contents downloadUrl } images { id repoTags }';

const FOLLOW = `subscription DockqlArchiveProgress($id: ID!) { archiveProgress(id: $id) { ${ARCHIVE_JOB_FIELDS} } }`;

/**
 * Follows `job` with archiveProgress, drawing `label`'s progress on stderr.
 * @returns the final state, when it SUCCEEDED
 * @throws CliError with the daemon's words when it failed or was canceled
 */
export async function followArchiveJob(ctx: CommandContext, job: ArchiveJobData, label: string, verb: string): Promise<ArchiveJobData> {
  const progress = byteProgress(label, ctx.stderr);
  ctx.onInterrupt(() => {
    progress.stop();
    ctx.stderr.write(`dockql: stopped following; the ${verb} goes on on the server (job ${job.id}; cancelArchiveJob stops it)\n`);
  });
  let last = job;
  try {
    for await (const data of ctx.api.subscribe<{ archiveProgress: ArchiveJobData }>(FOLLOW, { id: job.id })) {
      last = data.archiveProgress;
      progress.update(last.bytesDone, last.bytesTotal);
    }
  } finally {
    progress.stop();
  }
  if (!isFinal(last.status)) throw new CliError(`the server ended the progress stream before the ${verb} ended (job ${job.id})`);
  if (last.status !== 'SUCCEEDED') throw new CliError(`${verb} ${last.status === 'CANCELED' ? 'canceled' : 'failed'}: ${last.error ?? 'no reason given'}`);
  return last;
}
