/**
 * Long-running daemon transfers (pulls, pushes, archive saves/loads/exports/
 * imports) as jobs: each owns one daemon request, aggregates its progress,
 * ends in exactly one final state, and is shared by every caller who asks for
 * the same transfer while it runs.
 */
import { randomUUID } from 'node:crypto';
import type { ArchiveInfo } from '../archive/meta';
import type { ProgressMessage } from '../docker/ndjson';
import { TransferProgress, type TransferSnapshot } from './transfer-progress';

/** Where a job is in its life (the contract's TransferStatus). */
export type JobStatus = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELED';

/** What kind of transfer. Archive jobs count bytes instead of daemon layer lines. */
export type TransferKind = 'pull' | 'push' | 'archive';

/** Fixed facts about a job, given when it starts. */
export interface JobSpec {
  readonly kind: TransferKind;
  /** Jobs with the same key while one runs are the same job (merged). Must include the caller's credential identity. */
  readonly key: string;
  /** The ref the user asked for. */
  readonly ref: string;
  /** Extra facts shown with the job (never secrets). */
  readonly details?: Readonly<Record<string, string | undefined>>;
}

/** What a job produced: all of it once SUCCEEDED; for other states, what it reported on the way (see {@link TransferJob.report}). */
export interface JobResult {
  readonly imageId?: string;
  readonly digest?: string;
  /** The archive an archive job wrote (once written) or reads (from the start). */
  readonly archive?: ArchiveInfo;
  /** Images an archive job loaded or imported (full ids). */
  readonly imageIds?: readonly string[];
}

/** One transfer. Read its state through {@link TransferJob.snapshot} and friends; only the store changes it. */
export class TransferJob {
  readonly id = randomUUID();
  readonly startedAt = new Date();
  finishedAt?: Date;
  status: JobStatus = 'QUEUED';
  error?: string;
  result?: JobResult;
  /** Bytes moved so far (archive jobs: written or read). */
  bytesDone = 0;
  /** Bytes to move, once known. */
  bytesTotal?: number;
  /** Layer progress of pulls and pushes; archive jobs have none. */
  private readonly progress?: TransferProgress;
  private readonly listeners = new Set<() => void>();
  private readonly controller = new AbortController();
  private readonly done: Promise<void>;
  private resolveDone!: () => void;

  constructor(readonly spec: JobSpec) {
    if (spec.kind !== 'archive') this.progress = new TransferProgress(spec.kind);
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  /** True once the job reached SUCCEEDED, FAILED or CANCELED. */
  get finished(): boolean {
    return this.finishedAt !== undefined;
  }

  /** Aborted when the job is canceled: pass it to the daemon request. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The aggregated progress so far. */
  snapshot(): TransferSnapshot {
    return this.progress?.snapshot() ?? { layers: [], current: 0, total: 0 };
  }

  /** Resolves when the job has finished (never rejects). */
  whenFinished(): Promise<void> {
    return this.done;
  }

  /** Calls `listener` after every change; returns the unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Feeds one daemon progress line; listeners hear of it only when the snapshot changed. */
  apply(message: ProgressMessage): void {
    if (this.progress?.apply(message)) this.emit();
  }

  /** Records bytes moved (and the total once known); listeners hear of it. Ignored once finished. */
  countBytes(done: number, total?: number): void {
    if (this.finished) return;
    this.bytesDone = Math.max(this.bytesDone, done);
    if (total !== undefined) this.bytesTotal = total;
    this.emit();
  }

  /**
   * Records part of the result while running. It is kept whatever the final
   * state: a load that fails half-way still lists the images the daemon said
   * it loaded. Ignored once finished.
   */
  report(partial: JobResult): void {
    if (this.finished) return;
    this.result = { ...this.result, ...partial };
    this.emit();
  }

  /** Asks the job to stop; its status becomes CANCELED unless it already finished. Returns false when it had. */
  cancel(): boolean {
    if (this.finished) return false;
    this.controller.abort();
    this.finish('CANCELED', { error: 'canceled by request' });
    return true;
  }

  /** @internal used by the store. */
  start(): void {
    if (this.status === 'QUEUED') {
      this.status = 'RUNNING';
      this.emit();
    }
  }

  /** @internal used by the store: the one transition into a final state (later calls are ignored). */
  finish(status: Extract<JobStatus, 'SUCCEEDED' | 'FAILED' | 'CANCELED'>, outcome: { error?: string; result?: JobResult } = {}): void {
    if (this.finished) return;
    this.status = status;
    this.error = outcome.error;
    if (outcome.result) this.result = { ...this.result, ...outcome.result };
    this.finishedAt = new Date();
    this.emit();
    this.listeners.clear();
    this.resolveDone();
  }

  private emit(): void {
    for (const listener of [...this.listeners]) {
      try {
        listener();
      } catch {
        // A broken listener (a gone subscriber) must not break the job or its other listeners.
      }
    }
  }
}

/** How long and how many finished jobs are kept for `pulls`/late subscribers. */
export interface RetentionPolicy {
  readonly retentionMs: number;
  readonly maxFinished: number;
}

/** Hooks of a job store (metrics); each is called with the job, never throws into the store. */
export interface TransferJobsHooks {
  /** After a job reached its final state (however it got there: its work, a cancel, shutdown). */
  readonly onFinished?: (job: TransferJob) => void;
}

/** The work of a job: runs the daemon request and returns what it produced; throws to fail. */
export type JobWork = (job: TransferJob) => Promise<JobResult>;

/** All running and recently finished transfer jobs of this process. */
export class TransferJobs {
  private readonly jobs = new Map<string, TransferJob>();
  private readonly running = new Map<string, TransferJob>();
  private disposed = false;

  constructor(
    private readonly retention: RetentionPolicy,
    private readonly hooks: TransferJobsHooks = {},
  ) {}

  /**
   * Starts `work` as a job, or joins the running job with the same key.
   * @returns the job and whether this call joined an existing one.
   */
  run(spec: JobSpec, work: JobWork): { job: TransferJob; merged: boolean } {
    this.prune();
    const existing = this.running.get(spec.key);
    if (existing && !existing.finished) return { job: existing, merged: true };
    const job = new TransferJob(spec);
    this.jobs.set(job.id, job);
    this.running.set(spec.key, job);
    job.start();
    const { onFinished } = this.hooks;
    if (onFinished) void job.whenFinished().then(() => onFinished(job)).catch(() => undefined);
    // After shutdown began a job still runs its work (which releases what it holds), but canceled from the start.
    if (this.disposed) job.cancel();
    // Run on the next tick so the caller gets the job (and can subscribe) before anything happens.
    setImmediate(() => {
      work(job).then(
        (result) => job.finish('SUCCEEDED', { result }),
        (err: unknown) => job.finish(job.signal.aborted ? 'CANCELED' : 'FAILED', { error: messageOf(err) }),
      ).finally(() => {
        if (this.running.get(spec.key) === job) this.running.delete(spec.key);
      });
    });
    return { job, merged: false };
  }

  /** A job by id (of the given kind), or undefined. */
  get(id: string, kind?: TransferKind): TransferJob | undefined {
    this.prune();
    const job = this.jobs.get(id);
    return job && (!kind || job.spec.kind === kind) ? job : undefined;
  }

  /** Running and retained jobs of a kind, newest first. */
  list(kind: TransferKind): TransferJob[] {
    this.prune();
    return [...this.jobs.values()].filter((j) => j.spec.kind === kind).sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime());
  }

  /** Cancels every running job and waits for them to settle (server shutdown). */
  async dispose(): Promise<void> {
    this.disposed = true;
    const running = [...this.jobs.values()].filter((j) => !j.finished);
    for (const job of running) job.cancel();
    await Promise.all(running.map((j) => j.whenFinished()));
  }

  /** Drops finished jobs past the retention time, then the oldest beyond the count. */
  private prune(now = Date.now()): void {
    const finished = [...this.jobs.values()].filter((j) => j.finished).sort((a, b) => a.finishedAt!.getTime() - b.finishedAt!.getTime());
    const excess = finished.length - this.retention.maxFinished;
    finished.forEach((job, index) => {
      if (index < excess || now - job.finishedAt!.getTime() > this.retention.retentionMs) this.jobs.delete(job.id);
    });
  }
}

/** An error's message for the job's `error` field: the daemon's or the parser's words. */
function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
