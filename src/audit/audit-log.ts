/**
 * The audit line: one pino JSON line, message `audit`, for every mutation,
 * acting subscription and archive transfer, refused ones included. The shape is stable (ops parse it):
 *
 * ```json
 * {"level":30,"msg":"audit","audit":{"kind":"mutation","operation":"pullImage",
 *  "principal":"ci","role":"operator","args":{"ref":"busybox:1","auth":"[redacted]"},
 *  "outcome":"ok","ms":812,"requestId":"..."}}
 * ```
 *
 * `outcome` is `ok` or the error's `extensions.code` (FORBIDDEN, RATE_LIMITED,
 * NOT_FOUND...; `aborted` for a download the client left). A mutation that
 * answers with jobs (pulls, pushes, archive jobs) adds `jobs` (id, status and
 * error of each); when one of them had already ended FAILED or CANCELED
 * (`wait: true`), that is the outcome, not `ok`. Archive lines add `status`
 * (HTTP) and `bytes`. The caller is `principal` (the token's name, never
 * the token; not `token`, a key the logger redacts).
 */
import { GraphQLError } from 'graphql';
import type { Principal } from '../auth/principal';
import type { Role } from '../auth/roles';
import type { Logger } from '../logger';
import { ErrorCode } from '../schema/errors';

/** One audited action. */
export interface AuditRecord {
  /** `subscription`: one that acts (needs more than viewer, e.g. execOutput), audited when it starts. */
  readonly kind: 'mutation' | 'subscription' | 'archive';
  /** The mutation's (or subscription's) field name, or `archive.download|upload|delete`. */
  readonly operation: string;
  /** The token's name (`anonymous` without tokens). */
  readonly principal: string;
  readonly role: Role;
  /** Arguments with secrets removed (see redactArgs). */
  readonly args: Record<string, unknown>;
  /** `ok`, an error code, `FAILED`/`CANCELED` (a job that ended so), or `aborted`. */
  readonly outcome: string;
  /** The jobs a mutation answered with, as they stood then. */
  readonly jobs?: readonly AuditedJob[];
  /** Time from the call to its answer. */
  readonly ms: number;
  readonly requestId: string;
  /** Archive routes: the HTTP status answered. */
  readonly status?: number;
  /** Archive routes: bytes of archive sent or stored. */
  readonly bytes?: number;
}

/** A job in an audit line. */
export interface AuditedJob {
  readonly id: string;
  /** TransferStatus: QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELED. */
  readonly status: string;
  /** The job's error, cut to {@link AUDITED_ERROR_CHARS} characters. */
  readonly error?: string;
}

/** Longest job error copied into an audit line. */
const AUDITED_ERROR_CHARS = 300;

const JOB_STATUSES: ReadonlySet<string> = new Set(['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELED']);

/** The jobs in a mutation's answer (one job, or a list of them); empty for other answers. */
export function jobsIn(result: unknown): AuditedJob[] {
  const items: unknown[] = Array.isArray(result) ? result : [result];
  const jobs: AuditedJob[] = [];
  for (const item of items) {
    const job = item as { id?: unknown; status?: unknown; error?: unknown } | null;
    if (!job || typeof job !== 'object' || typeof job.id !== 'string' || typeof job.status !== 'string' || !JOB_STATUSES.has(job.status)) continue;
    jobs.push({ id: job.id, status: job.status, ...(typeof job.error === 'string' && job.error ? { error: job.error.slice(0, AUDITED_ERROR_CHARS) } : {}) });
  }
  return jobs;
}

/** `ok`, unless one of the jobs already ended FAILED (or else CANCELED). */
export function jobsOutcome(jobs: readonly AuditedJob[]): string {
  if (jobs.some((j) => j.status === 'FAILED')) return 'FAILED';
  if (jobs.some((j) => j.status === 'CANCELED')) return 'CANCELED';
  return 'ok';
}

/** Outcomes that are refusals of the caller rather than failures of the work: logged at warn. */
const REFUSALS: ReadonlySet<string> = new Set([ErrorCode.FORBIDDEN, ErrorCode.RATE_LIMITED, ErrorCode.UNAUTHENTICATED]);

/**
 * Writes one audit line. Audit lines are written at `info` even when LOG_LEVEL
 * is `warn` or `error` (only `silent` drops them): an audit trail that a log
 * level turns off is not one.
 */
export function writeAudit(log: Logger, record: AuditRecord): void {
  const refused = REFUSALS.has(record.outcome);
  const target = log.isLevelEnabled(refused ? 'warn' : 'info') || log.level === 'silent' ? log : log.child({}, { level: 'info' });
  if (refused) target.warn({ audit: record }, 'audit');
  else target.info({ audit: record }, 'audit');
}

/** The audit fields of the caller. */
export function who(principal: Principal): Pick<AuditRecord, 'principal' | 'role'> {
  return { principal: principal.name, role: principal.role };
}

/** `ok`'s opposite: the error's public code, or INTERNAL_SERVER_ERROR for anything unplanned. */
export function outcomeOf(err: unknown): string {
  const code = err instanceof GraphQLError ? err.extensions?.code : undefined;
  return typeof code === 'string' ? code : ErrorCode.INTERNAL_SERVER_ERROR;
}

/** Milliseconds since `startedAt` (a performance.now() reading), to 0.1 ms. */
export function elapsedMs(startedAt: number): number {
  return Math.round((performance.now() - startedAt) * 10) / 10;
}
