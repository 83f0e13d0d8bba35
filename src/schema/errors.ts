/**
 * The one error vocabulary of the API. Every error a client sees carries
 * `extensions.code` from {@link ErrorCode} (or one of Apollo's own request codes).
 */
import { GraphQLError } from 'graphql';

/** Stable error codes clients may branch on (the contract's list). */
export enum ErrorCode {
  NOT_FOUND = 'NOT_FOUND',
  CONFLICT = 'CONFLICT',
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  RATE_LIMITED = 'RATE_LIMITED',
  DAEMON_UNAVAILABLE = 'DAEMON_UNAVAILABLE',
  DAEMON_ERROR = 'DAEMON_ERROR',
  REGISTRY_UNAVAILABLE = 'REGISTRY_UNAVAILABLE',
  REGISTRY_ERROR = 'REGISTRY_ERROR',
  TIMEOUT = 'TIMEOUT',
  SUBSCRIBER_TOO_SLOW = 'SUBSCRIBER_TOO_SLOW',
  INTERNAL_SERVER_ERROR = 'INTERNAL_SERVER_ERROR',
}

/** Codes Apollo Server itself puts on request-level errors; they pass through untouched. */
export const APOLLO_REQUEST_CODES: ReadonlySet<string> = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

/** Extra, client-safe detail an error may carry (never secrets, paths or stacks). */
export type ErrorDetail = Record<string, string | number | boolean | readonly string[] | undefined>;

/** An error that is safe to show a client as it is: the message is written for ops. */
export class DockqlError extends GraphQLError {
  constructor(
    readonly code: ErrorCode,
    message: string,
    detail: ErrorDetail = {},
  ) {
    super(message, { extensions: { ...detail, code } });
    this.name = 'DockqlError';
  }
}

/** Bad input, found before any daemon call. */
export class BadUserInputError extends DockqlError {
  constructor(message: string, detail?: ErrorDetail) {
    super(ErrorCode.BAD_USER_INPUT, message, detail);
  }
}

/** The thing named does not exist. */
export class NotFoundError extends DockqlError {
  constructor(message: string, detail?: ErrorDetail) {
    super(ErrorCode.NOT_FOUND, message, detail);
  }
}

/** The daemon cannot be reached (socket missing, refused, TLS/ssh failure). */
export class DaemonUnavailableError extends DockqlError {
  constructor(message: string) {
    super(ErrorCode.DAEMON_UNAVAILABLE, message);
  }
}

/** True for codes a client may see verbatim. */
export function isPublicCode(code: unknown): boolean {
  // Object.values, not `in`: `in` would also accept inherited names such as "constructor".
  return typeof code === 'string' && ((Object.values(ErrorCode) as string[]).includes(code) || APOLLO_REQUEST_CODES.has(code));
}
