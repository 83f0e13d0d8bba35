/**
 * Label values for metrics, kept bounded: every value comes from a fixed set
 * or is capped, because each distinct value is a new time series for as long
 * as the process lives.
 */
import type { TransferJob } from '../streams/transfer-jobs';
import type { ArchiveDirection } from './recorder';

/** Operation names used as they are; anything else is `anonymous`. */
const OPERATION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** What an error code must look like to be a label (the API's codes and Apollo's are all of this shape). */
const ERROR_CODE = /^[A-Z][A-Z0-9_]{0,63}$/;

/** The label of an operation name: the name when it is a plain GraphQL name of at most 64 characters, else `anonymous`. */
export function operationNameLabel(name: string | null | undefined): string {
  return typeof name === 'string' && OPERATION_NAME.test(name) ? name : 'anonymous';
}

/**
 * The outcome of a result: `ok` without errors, else the first error's
 * `extensions.code` (`UNKNOWN` when it has none that looks like a code).
 */
export function outcomeLabel(errors: ReadonlyArray<{ readonly extensions?: Readonly<Record<string, unknown>> }> | undefined): string {
  if (!errors || errors.length === 0) return 'ok';
  const code = errors[0]?.extensions?.code;
  return typeof code === 'string' && ERROR_CODE.test(code) ? code : 'UNKNOWN';
}

/**
 * Caps the distinct values of one label: the first `capacity` values are kept
 * as they come, later new ones all read `other` (clients choose operation
 * names, and a client sending a fresh name each time must not grow memory).
 */
export class BoundedLabel {
  private readonly seen = new Set<string>();

  constructor(private readonly capacity: number) {}

  /** `value` while it is known or there is room, else `other`. */
  of(value: string): string {
    if (this.seen.has(value)) return value;
    if (this.seen.size >= this.capacity) return 'other';
    this.seen.add(value);
    return value;
  }
}

/** Archive job operations (archive-job.type.ts's ArchiveOperation values) and where their bytes go. */
const ARCHIVE_DIRECTIONS: Readonly<Record<string, ArchiveDirection>> = { SAVE: 'saved', EXPORT: 'exported', LOAD: 'loaded', IMPORT: 'imported' };

/** A job's kind label: `pull`, `push`, or an archive job's operation (`save`, `export`, `load`, `import`). */
export function jobKindLabel(job: TransferJob): string {
  if (job.spec.kind !== 'archive') return job.spec.kind;
  const operation = job.spec.details?.operation;
  return operation !== undefined && Object.hasOwn(ARCHIVE_DIRECTIONS, operation) ? operation.toLowerCase() : 'archive';
}

/** Where an archive job's bytes went, or undefined for pulls and pushes. */
export function archiveDirectionOf(job: TransferJob): ArchiveDirection | undefined {
  const operation = job.spec.kind === 'archive' ? job.spec.details?.operation : undefined;
  return operation !== undefined && Object.hasOwn(ARCHIVE_DIRECTIONS, operation) ? ARCHIVE_DIRECTIONS[operation] : undefined;
}
