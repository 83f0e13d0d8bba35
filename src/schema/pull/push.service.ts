/** Push jobs: start (or join) a push, list and watch them. */
import type { DockerClient } from '../../docker/client';
import { readProgressStream } from '../../docker/ndjson';
import type { JobResult, TransferJob, TransferJobs } from '../../streams/transfer-jobs';
import { watch } from '../../streams/watch-job';
import type { RegistryAuthInput } from '../common/registry-auth.input';
import { NotFoundError } from '../errors';
import type { ImageService } from '../image/image.service';
import type { ImagePush } from './pull.type';
import { toImagePush } from './transfer.mapper';
import { checkAuth, credentialIdentity, transferTarget } from './transfer-refs';

export class PushService {
  constructor(
    private readonly docker: DockerClient,
    private readonly jobs: TransferJobs,
    private readonly images: ImageService,
  ) {}

  /** Like `docker push`: the image must exist here (NOT_FOUND otherwise, before any job). */
  async push(ref: string, auth: RegistryAuthInput | null | undefined, wait: boolean): Promise<ImagePush> {
    const target = transferTarget('ref', ref);
    if (target.normalized.digest) throw new NotFoundError('ref: push a tag (name:tag), not a digest', { argument: 'ref' });
    const credentials = checkAuth(auth);
    if (!(await this.images.find(target.display))) throw new NotFoundError(`No such image: ${target.display}`, { argument: 'ref' });
    const n = target.normalized;
    const key = ['push', `${n.domain}/${n.path}`, n.tag ?? '', credentialIdentity(credentials)].join('|');
    const { job } = this.jobs.run({ kind: 'push', key, ref: target.display }, (j) => this.work(j, target, credentials));
    if (wait) await job.whenFinished();
    return toImagePush(job);
  }

  /** Running and recently finished pushes, newest first. */
  list(): ImagePush[] {
    return this.jobs.list('push').map(toImagePush);
  }

  /** The push's snapshot now, then its changes (throttled), ending after its final state. */
  watch(id: string): AsyncIterableIterator<ImagePush> {
    const job = this.jobs.get(id, 'push');
    if (!job) throw new NotFoundError(`no push with id ${JSON.stringify(id.slice(0, 100))} (finished pushes are kept for a limited time)`, { argument: 'id' });
    return watch({ get finished() { return job.finished; }, onChange: (l) => job.onChange(l), whenFinished: () => job.whenFinished(), view: () => toImagePush(job) });
  }

  private async work(job: TransferJob, target: ReturnType<typeof transferTarget>, auth: RegistryAuthInput | undefined): Promise<JobResult> {
    const stream = await this.docker.pushImage(target.name, target.tagOrDigest, { auth, signal: job.signal });
    await readProgressStream(stream, (message) => job.apply(message), { signal: job.signal });
    const digest = job.snapshot().digest;
    if (!digest) throw new Error(`the daemon ended the push of ${target.display} without reporting the pushed digest`);
    return { digest };
  }
}
