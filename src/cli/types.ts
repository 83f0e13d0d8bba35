/** The shapes of the API's data that the CLI asks for (see schema/schema.graphql). */

/** A key/value label or event attribute. */
export interface LabelData {
  readonly key: string;
  readonly value: string;
}

/** Image fields `dockql images` asks for. */
export interface ImageData {
  readonly id: string;
  readonly shortId: string;
  readonly repoTags: readonly string[];
  readonly repoDigests: readonly string[];
  readonly created: string;
  readonly size: number;
  readonly dangling: boolean;
  readonly labels: readonly LabelData[];
}

/** A container port. */
export interface PortData {
  readonly ip: string | null;
  readonly privatePort: number;
  readonly publicPort: number | null;
  readonly type: string;
}

/** Container fields `dockql ps` asks for. */
export interface ContainerData {
  readonly id: string;
  readonly shortId: string;
  readonly name: string;
  readonly imageRef: string;
  readonly command: string;
  readonly created: string;
  readonly state: string;
  readonly status: string;
  readonly ports: readonly PortData[];
  readonly labels: readonly LabelData[];
}

/** One daemon event. */
export interface EventData {
  readonly time: string;
  readonly timeNano: string;
  readonly type: string;
  readonly rawType: string;
  readonly action: string;
  readonly actorId: string;
  readonly scope: string;
  readonly attributes: readonly LabelData[];
}

/** One layer of a pull. */
export interface LayerData {
  readonly id: string;
  readonly status: string;
  readonly current: number | null;
  readonly total: number | null;
}

/** Where a job is. */
export type TransferStatus = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELED';

/** True once a job status is final. */
export function isFinal(status: TransferStatus): boolean {
  return status === 'SUCCEEDED' || status === 'FAILED' || status === 'CANCELED';
}

/** A pull job snapshot. */
export interface PullData {
  readonly id: string;
  readonly ref: string;
  readonly pulledRef: string;
  readonly mirror: string | null;
  readonly status: TransferStatus;
  readonly current: number;
  readonly total: number;
  readonly message: string | null;
  readonly error: string | null;
  readonly digest: string | null;
  readonly layers: readonly LayerData[];
  readonly image: { readonly id: string; readonly repoTags: readonly string[] } | null;
  readonly startedAt: string;
  readonly finishedAt: string | null;
}

/** An archive in the server's archive directory. */
export interface ArchiveData {
  readonly name: string;
  readonly size: number;
  readonly sha256: string | null;
  readonly kind: string;
  readonly contents: readonly string[];
  readonly downloadUrl: string;
}

/** An archive job snapshot (save, load). */
export interface ArchiveJobData {
  readonly id: string;
  readonly operation: string;
  readonly archiveName: string;
  readonly status: TransferStatus;
  readonly bytesDone: number;
  readonly bytesTotal: number | null;
  readonly error: string | null;
  readonly archive: ArchiveData | null;
  readonly images: ReadonlyArray<{ readonly id: string; readonly repoTags: readonly string[] }>;
  readonly startedAt: string;
  readonly finishedAt: string | null;
}
