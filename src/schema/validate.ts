/**
 * Checks on free-text arguments that travel to the daemon (filters, names):
 * bounded length, no control characters, and a per-argument character set.
 * They run before any daemon request, so bad input never reaches it.
 */
import { classifyImageRef, RefSyntaxError } from '../docker/refs';
import { BadUserInputError } from './errors';

const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Returns `value` when it is at most `max` characters, has no control
 * characters and matches `allowed`; otherwise throws BAD_USER_INPUT naming `argument`.
 */
export function checkText(argument: string, value: string, allowed: RegExp, max = 255): string {
  if (value.length === 0) throw new BadUserInputError(`${argument} must not be empty`, { argument });
  if (value.length > max) throw new BadUserInputError(`${argument} is longer than ${max} characters`, { argument });
  if (CONTROL.test(value)) throw new BadUserInputError(`${argument} contains control characters`, { argument });
  if (!allowed.test(value)) throw new BadUserInputError(`${argument} ${JSON.stringify(value)} has characters that are not allowed here`, { argument });
  return value;
}

/** A label filter as the docker CLI takes it: "key" or "key=value". */
export function checkLabelFilter(argument: string, value: string): string {
  return checkText(argument, value, /^[^=\s][^=]*(=.*)?$/, 1024);
}

/** Turns a thrown ref-grammar error into BAD_USER_INPUT for `argument`. */
export function badRef(argument: string, err: unknown): BadUserInputError {
  const message = err instanceof Error ? err.message : String(err);
  return new BadUserInputError(`${argument}: ${message}`, { argument });
}

/** An image ref in docker's grammar (name[:tag][@digest], id or id prefix), else BAD_USER_INPUT. */
export function checkImageRef(argument: string, value: string): string {
  try {
    classifyImageRef(value);
  } catch (err) {
    if (err instanceof RefSyntaxError) throw badRef(argument, err);
    throw err;
  }
  return value;
}
