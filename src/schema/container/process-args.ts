/**
 * Checks on what a container or exec process is started with: command,
 * environment, working directory and user. They run before any daemon request;
 * each failure is BAD_USER_INPUT naming the argument, with hostile text quoted
 * JSON-escaped and cut short.
 */
import { EXEC_MARKER_VARIABLE } from '../../docker/exec';
import { BadUserInputError } from '../errors';

/** Linux's MAX_ARG_STRLEN: no single argument or variable may be longer. */
const MAX_ARG_BYTES = 128 * 1024;
const MAX_ARGS = 1024;
const MAX_ENV = 1024;
const PATH_MAX = 4096;
const CONTROL = /[\u0000-\u001f\u007f]/;
const QUOTE_MAX = 60;
/** A lone surrogate: JSON can carry it, UTF-8 (and so the daemon) cannot. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function quote(value: string): string {
  return JSON.stringify(value.length > QUOTE_MAX ? `${value.slice(0, QUOTE_MAX)}…` : value);
}

/** Text that cannot be an argv string: NUL (the kernel would cut it there) or ill-formed Unicode. */
function argProblem(value: string): string | undefined {
  if (value.includes('\u0000')) return 'contains a NUL character';
  if (LONE_SURROGATE.test(value)) return 'is not well-formed Unicode';
  if (Buffer.byteLength(value) > MAX_ARG_BYTES) return `is longer than ${MAX_ARG_BYTES} bytes`;
  return undefined;
}

/**
 * A command or entrypoint: a list of arguments (no shell parsing). `allowEmpty`
 * for entrypoint, where [] means "no entrypoint".
 */
export function checkArgv(argument: string, argv: readonly string[], allowEmpty = false): string[] {
  if (!allowEmpty && argv.length === 0) throw new BadUserInputError(`${argument} must not be empty (leave it out to use the image's)`, { argument });
  if (argv.length > MAX_ARGS) throw new BadUserInputError(`${argument} has more than ${MAX_ARGS} arguments`, { argument });
  argv.forEach((arg, i) => {
    const problem = argProblem(arg);
    if (problem) throw new BadUserInputError(`${argument}[${i}] ${problem}`, { argument });
  });
  return [...argv];
}

/**
 * Environment entries as `KEY=value` (`docker run -e KEY=value`): the key is
 * non-empty and has no "=", whitespace or control characters; the value may be
 * empty. A bare `KEY` (which the CLI would fill from its own environment) is refused:
 * this service's environment is not the caller's.
 */
export function checkEnv(argument: string, env: readonly string[]): string[] {
  if (env.length > MAX_ENV) throw new BadUserInputError(`${argument} has more than ${MAX_ENV} entries`, { argument });
  const seen = new Set<string>();
  for (const entry of env) {
    const eq = entry.indexOf('=');
    if (eq < 0) throw new BadUserInputError(`${argument}: ${quote(entry)} is not KEY=value`, { argument });
    const key = entry.slice(0, eq);
    if (key === '' || /[\s]/.test(key) || CONTROL.test(key)) {
      throw new BadUserInputError(`${argument}: ${quote(key)} is not a variable name (no spaces or control characters)`, { argument });
    }
    if (key === EXEC_MARKER_VARIABLE) throw new BadUserInputError(`${argument}: ${key} is reserved by dockql`, { argument });
    const problem = argProblem(entry);
    if (problem) throw new BadUserInputError(`${argument}: ${key} ${problem}`, { argument });
    if (seen.has(key)) throw new BadUserInputError(`${argument}: ${key} is set twice`, { argument });
    seen.add(key);
  }
  return [...env];
}

/**
 * The executable of an argv (its first entry, when it is the one started): at most
 * PATH_MAX bytes. execve refuses a longer path anyway (ENAMETOOLONG), and the
 * runtime hangs instead of failing when the path is about 64 KiB or more: its
 * "executable file not found" message no longer fits the pipe it is reported
 * through, and the start request is never answered.
 */
export function checkExecutable(argument: string, executable: string | undefined): void {
  if (executable !== undefined && isOverlongExecutable(executable)) {
    throw new BadUserInputError(`${argument} (the executable) is longer than ${PATH_MAX} bytes`, { argument });
  }
}

/** True when `path` is longer than any executable path can be (PATH_MAX bytes). */
export function isOverlongExecutable(path: string): boolean {
  return Buffer.byteLength(path) > PATH_MAX;
}

/** An absolute path inside the container, e.g. /app (for workingDir and volume destinations). */
export function checkContainerPath(argument: string, path: string): string {
  if (!path.startsWith('/')) throw new BadUserInputError(`${argument} must be an absolute path, e.g. /app; got ${quote(path)}`, { argument });
  if (path.length > PATH_MAX) throw new BadUserInputError(`${argument} is longer than ${PATH_MAX} characters`, { argument });
  if (CONTROL.test(path) || LONE_SURROGATE.test(path)) throw new BadUserInputError(`${argument} contains control characters or ill-formed Unicode`, { argument });
  return path;
}

/** user[:group] as names or numeric ids (`docker run -u`), e.g. nobody, 1000, 1000:1000, app:staff. */
export function checkUser(argument: string, user: string): string {
  const part = '[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}';
  if (!new RegExp(`^${part}(?::${part})?$`).test(user)) {
    throw new BadUserInputError(`${argument} must be user[:group] as names or numeric ids, e.g. 1000:1000; got ${quote(user)}`, { argument });
  }
  return user;
}
