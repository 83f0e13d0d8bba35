/** Archive jobs as the schema shows them (pure). */
import type { TransferJob } from '../../streams/transfer-jobs';
import { TransferStatus } from '../pull/pull.type';
import { toArchive } from './archive.service';
import { ArchiveJob, ArchiveOperation } from './archive-job.type';

/** The fixed facts an archive job is started with, kept in its JobSpec. */
export interface ArchiveJobFacts {
  readonly operation: ArchiveOperation;
  readonly archiveName: string;
  readonly refs: readonly string[];
}

/**
 * The JobSpec fields for `facts`. Refs travel as one space-separated string
 * in `ref` (a validated ref or container name never contains a space), so
 * that the job store needs no archive-specific fields.
 */
export function archiveJobSpec(facts: ArchiveJobFacts): { ref: string; details: Record<string, string> } {
  return { ref: facts.refs.join(' '), details: { operation: facts.operation, archiveName: facts.archiveName } };
}

/** An archive job as an ArchiveJob. */
export function toArchiveJob(job: TransferJob): ArchiveJob {
  const operation = job.spec.details?.operation as ArchiveOperation;
  const writes = operation === ArchiveOperation.SAVE || operation === ArchiveOperation.EXPORT;
  const archive = job.result?.archive;
  return {
    id: job.id,
    operation,
    status: TransferStatus[job.status],
    // A write's archive exists only once committed (the job then succeeds with it); a read's from the start.
    archive: archive && (!writes || job.status === 'SUCCEEDED') ? toArchive(archive) : undefined,
    archiveName: job.spec.details?.archiveName ?? '',
    refs: job.spec.ref ? job.spec.ref.split(' ') : [],
    bytesDone: job.bytesDone,
    bytesTotal: job.bytesTotal,
    error: job.error,
    startedAt: job.startedAt,
    finishedAt: job.finishedAt,
    imageIds: job.result?.imageIds ?? [],
  };
}
