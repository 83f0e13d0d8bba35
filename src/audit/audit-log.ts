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
 * NOT_FOUND...; `aborted` for a download the client left). Archive lines add
 * `status` (HTTP) and `bytes`. The caller is `principal` (the token's name, never
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
  /** `ok`, an error code, or `aborted`. */
  readonly outcome: string;
  /** Time from the call to its answer. */
  readonly ms: number;
  readonly requestId: string;
  /** Archive routes: the HTTP status answered. */
  readonly status?: number;
  /** Archive routes: bytes of archive sent or stored. */
  readonly bytes?: number;
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
