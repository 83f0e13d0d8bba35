/** What a `dockql` command is: its flags and help, and what it does. */
import type { Api } from './api';
import type { OptionSpecs, ParsedArgs } from './args';

/** What a running command can use. */
export interface CommandContext {
  readonly api: Api;
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  /**
   * Registers what to do when the user interrupts (Ctrl-C) or the process is
   * terminated: stop a bar (giving the cursor back), say where a job goes on.
   */
  onInterrupt(hook: () => void): void;
}

/** One command, e.g. `dockql pull`. */
export interface Command {
  readonly name: string;
  /** One line for `dockql --help`. */
  readonly summary: string;
  /** What follows the name in the usage line, e.g. "[OPTIONS] REF". */
  readonly usage: string;
  /** A paragraph for `dockql <name> --help`. */
  readonly description: string;
  readonly options: OptionSpecs;
  /** How many positional arguments it takes. */
  readonly args: { readonly min: number; readonly max: number; readonly name: string };
  readonly examples?: readonly string[];
  run(ctx: CommandContext, args: ParsedArgs): Promise<void>;
}

/** Writes one line to stdout. */
export function println(ctx: Pick<CommandContext, 'stdout'>, line = ''): void {
  ctx.stdout.write(`${line}\n`);
}
