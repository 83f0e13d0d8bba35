import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeScalar, SafeIntScalar } from '../scalars';

/** Where a job (pull, push, archive work) is in its life. */
export enum TransferStatus {
  QUEUED = 'QUEUED',
  RUNNING = 'RUNNING',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
  CANCELED = 'CANCELED',
}

registerEnumType(TransferStatus, {
  name: 'TransferStatus',
  description: 'Where a job is in its life. A job ends in exactly one of SUCCEEDED, FAILED or CANCELED.',
  valuesConfig: {
    QUEUED: { description: 'Accepted, not started yet.' },
    RUNNING: { description: 'The daemon is working on it.' },
    SUCCEEDED: { description: 'Finished and did what was asked (for a pull: the image is on this host).' },
    FAILED: { description: 'Ended with an error; `error` has the daemon\'s or registry\'s words.' },
    CANCELED: { description: 'Stopped on request (cancelPull) or because the service shut down.' },
  },
});

@ObjectType({ description: 'One layer of a pull or push, as the lines of `docker pull` show it.' })
export class LayerProgress {
  @Field({ description: 'Short layer id, as `docker pull` prints it (first 12 hex digits of the layer digest).' })
  id!: string;

  @Field({ description: 'The daemon\'s words: Waiting, Downloading, Extracting, Pull complete, Already exists, Pushing, Pushed...' })
  status!: string;

  @Field(() => SafeIntScalar, { nullable: true, description: 'Bytes done in the current phase (download, extract or upload); restarts at 0 when extracting begins. Null when the phase reports no bytes.' })
  current?: number;

  @Field(() => SafeIntScalar, { nullable: true, description: 'Bytes in the current phase (for downloads, the compressed layer size). Null when unknown.' })
  total?: number;
}

@ObjectType({ description: 'A pull job (`docker pull`): progress while it runs, the image once it succeeded.' })
export class ImagePull {
  @Field(() => ID, { description: 'Job id: give it to pullProgress or cancelPull.' })
  id!: string;

  @Field({ description: 'The ref the user asked for (with a mirror, the short name).' })
  ref!: string;

  @Field({ description: 'What the daemon actually pulls: the ref, or <mirror>/<ref> with a mirror.' })
  pulledRef!: string;

  @Field({ nullable: true, description: 'The mirror it pulls through, as given; null for a direct pull.' })
  mirror?: string;

  @Field({ nullable: true, description: 'Platform asked for, e.g. linux/amd64; null for the daemon\'s own.' })
  platform?: string;

  @Field(() => TransferStatus, { description: 'Where the job is.' })
  status!: TransferStatus;

  @Field(() => [LayerProgress], { description: 'Per-layer progress, in the order the daemon reported the layers.' })
  layers!: LayerProgress[];

  @Field(() => SafeIntScalar, { description: 'Download bytes over all layers: a layer past its download counts as fully done; never goes backwards.' })
  current!: number;

  @Field(() => SafeIntScalar, { description: 'Total download bytes of the layers seen so far (compressed sizes); grows as layers are discovered.' })
  total!: number;

  @Field({ nullable: true, description: 'The daemon\'s latest overall status line, e.g. "Status: Downloaded newer image for busybox:latest".' })
  message?: string;

  @Field({ nullable: true, description: 'Why it failed or was canceled, in the daemon\'s words; null otherwise.' })
  error?: string;

  @Field({ nullable: true, description: 'Manifest digest of what was pulled (sha256:...), once the daemon reports it.' })
  digest?: string;

  @Field(() => DateTimeScalar, { description: 'When the job started.' })
  startedAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When it ended; null while running.' })
  finishedAt?: Date;

  /** Id of the pulled image once SUCCEEDED (resolved to `image` by the resolver). */
  imageId?: string;
}

@ObjectType({ description: 'A push job (`docker push`): progress while it runs, the digest once it succeeded.' })
export class ImagePush {
  @Field(() => ID, { description: 'Job id: give it to pushProgress.' })
  id!: string;

  @Field({ description: 'The ref being pushed, e.g. 127.0.0.1:5000/team/app:1.' })
  ref!: string;

  @Field(() => TransferStatus, { description: 'Where the job is.' })
  status!: TransferStatus;

  @Field(() => [LayerProgress], { description: 'Per-layer progress (Preparing, Pushing, Pushed, Layer already exists...).' })
  layers!: LayerProgress[];

  @Field(() => SafeIntScalar, { description: 'Upload bytes over all layers; never goes backwards.' })
  current!: number;

  @Field(() => SafeIntScalar, { description: 'Total upload bytes of the layers seen so far.' })
  total!: number;

  @Field({ nullable: true, description: 'Manifest digest the registry stored (sha256:...), once pushed.' })
  digest?: string;

  @Field({ nullable: true, description: 'Why it failed, in the daemon\'s words; null otherwise.' })
  error?: string;

  @Field({ nullable: true, description: 'The daemon\'s latest overall status line.' })
  message?: string;

  @Field(() => DateTimeScalar, { description: 'When the job started.' })
  startedAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When it ended; null while running.' })
  finishedAt?: Date;
}
