/**
 * The CLI's failures: each carries the one line printed after "dockql: " and
 * the exit code (0 ok, 1 the operation failed, 2 the command line was wrong).
 */

/** Exit codes. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
/** Interrupted by SIGINT, as a shell reports a process ended by it. */
export const EXIT_INTERRUPTED = 130;

/** A failure with a one-line message and an exit code; never printed with a stack. */
export class CliError extends Error {
  /**
   * @param code the server's error code (extensions.code), when the failure came from it
   */
  constructor(
    message: string,
    readonly exitCode: number = EXIT_FAILED,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** The command line is wrong (unknown command or flag, missing argument): exit 2. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT_USAGE);
    this.name = 'UsageError';
  }
}

/** One line: newlines and runs of spaces folded, so a multi-line daemon message stays one line. */
export function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

/** Adds a CLI hint to a server refusal with `code` (e.g. CONFLICT → "use --overwrite"); other errors pass unchanged. */
export function withHint(err: unknown, code: string, hint: string): unknown {
  if (err instanceof CliError && err.code === code) return new CliError(`${err.message} (${hint})`, err.exitCode, err.code);
  return err;
}
