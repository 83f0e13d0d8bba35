/** Pull jobs: start (or join) a pull, cancel it, list and watch them. */
import type { DockerClient } from '../../docker/client';
import { readProgressStream } from '../../docker/ndjson';
import type { JobResult, TransferJob, TransferJobs } from '../../streams/transfer-jobs';
import { watch } from '../../streams/watch-job';
import type { RegistryAuthInput } from '../common/registry-auth.input';
import { NotFoundError } from '../errors';
import type { RegistryGuard } from '../registry/registry-guard.service';
import type { ImagePull } from './pull.type';
import { toImagePull } from './transfer.mapper';
import { checkAuth, checkPlatform, credentialIdentity, throughMirror, transferTarget } from './transfer-refs';

/** Arguments of pullImage. */
export interface PullRequest {
  readonly ref: string;
  readonly mirror?: string | null;
  readonly platform?: string | null;
  readonly auth?: RegistryAuthInput | null;
  readonly wait: boolean;
}

export class PullService {
  constructor(
    private readonly docker: DockerClient,
    private readonly jobs: TransferJobs,
    /** The SSRF guard for mirrors; pulls without one are the daemon's business and not guarded. */
    private readonly guard: RegistryGuard,
  ) {}

  /**
   * Starts a pull, or joins the identical one already running. Bad input, and a
   * mirror the guard refuses (FORBIDDEN), are GraphQL errors; once the job exists
   * every failure is the job's (FAILED, error).
   */
  async pull(request: PullRequest): Promise<ImagePull> {
    const wanted = transferTarget('ref', request.ref);
    const pulled = request.mirror ? transferTarget('mirror', throughMirror(request.ref, request.mirror)) : wanted;
    if (request.mirror) await this.guard.checkArgument('mirror', mirrorHost(request.mirror));
    const platform = request.platform ? checkPlatform(request.platform) : undefined;
    const auth = checkAuth(request.auth);
    const n = pulled.normalized;
    const key = ['pull', `${n.domain}/${n.path}`, n.tag ?? '', n.digest ?? '', platform ?? '', request.mirror ? wanted.display : '', credentialIdentity(auth)].join('|');

    const { job } = this.jobs.run(
      { kind: 'pull', key, ref: request.ref, details: { pulledRef: pulled.display, mirror: request.mirror ?? undefined, platform } },
      (j) => this.work(j, pulled, request.mirror ? wanted : undefined, platform, auth),
    );
    if (request.wait) await job.whenFinished();
    return toImagePull(job);
  }

  /** Cancels a running pull; a finished one is returned as it is. */
  cancel(id: string): ImagePull {
    const job = this.find(id);
    job.cancel();
    return toImagePull(job);
  }

  /** Running and recently finished pulls, newest first. */
  list(): ImagePull[] {
    return this.jobs.list('pull').map(toImagePull);
  }

  /** The pull's snapshot now, then its changes (throttled), ending after its final state. */
  watch(id: string): AsyncIterableIterator<ImagePull> {
    const job = this.find(id);
    return watch({ get finished() { return job.finished; }, onChange: (l) => job.onChange(l), whenFinished: () => job.whenFinished(), view: () => toImagePull(job) });
  }

  private find(id: string): TransferJob {
    const job = this.jobs.get(id, 'pull');
    if (!job) throw new NotFoundError(`no pull with id ${JSON.stringify(id.slice(0, 100))} (finished pulls are kept for a limited time)`, { argument: 'id' });
    return job;
  }

  /** The daemon side of one pull: request, stream, verify, and tag back when pulled through a mirror. */
  private async work(
    job: TransferJob,
    pulled: ReturnType<typeof transferTarget>,
    tagAs: ReturnType<typeof transferTarget> | undefined,
    platform: string | undefined,
    auth: RegistryAuthInput | undefined,
  ): Promise<JobResult> {
    const stream = await this.docker.pullImage(pulled.name, pulled.tagOrDigest, { platform, auth, signal: job.signal });
    await readProgressStream(stream, (message) => job.apply(message), { signal: job.signal });
    // The daemon can end a stream "successfully" without the image: believe only the image store.
    const image = await this.docker.inspectImage(pulled.display);
    if (!image) throw new Error(`the daemon reported the pull of ${pulled.display} as done, but the image is not on this host`);
    if (tagAs && !tagAs.normalized.digest) await this.docker.tagImage(image.Id, tagAs.name, tagAs.tagOrDigest);
    return { imageId: image.Id, digest: job.snapshot().digest };
  }
}

/** The host[:port] of a mirror written host[:port][/prefix] (throughMirror has checked its grammar). */
function mirrorHost(mirror: string): string {
  const slash = mirror.indexOf('/');
  return slash === -1 ? mirror : mirror.slice(0, slash);
}
