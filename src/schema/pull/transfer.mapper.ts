/** Jobs as the schema shows them (pure). */
import type { TransferJob } from '../../streams/transfer-jobs';
import type { ImagePull, ImagePush } from './pull.type';
import { TransferStatus } from './pull.type';

/** A pull job as an ImagePull. */
export function toImagePull(job: TransferJob): ImagePull {
  const progress = job.snapshot();
  return {
    id: job.id,
    ref: job.spec.ref,
    pulledRef: job.spec.details?.pulledRef ?? job.spec.ref,
    mirror: job.spec.details?.mirror,
    platform: job.spec.details?.platform,
    status: TransferStatus[job.status],
    layers: progress.layers,
    current: progress.current,
    total: progress.total,
    message: progress.message,
    error: job.error,
    digest: progress.digest ?? job.result?.digest,
    startedAt: job.startedAt,
    finishedAt: job.finishedAt,
    imageId: job.status === 'SUCCEEDED' ? job.result?.imageId : undefined,
  };
}

/** A push job as an ImagePush. */
export function toImagePush(job: TransferJob): ImagePush {
  const progress = job.snapshot();
  return {
    id: job.id,
    ref: job.spec.ref,
    status: TransferStatus[job.status],
    layers: progress.layers,
    current: progress.current,
    total: progress.total,
    digest: progress.digest ?? job.result?.digest,
    error: job.error,
    message: progress.message,
    startedAt: job.startedAt,
    finishedAt: job.finishedAt,
  };
}
