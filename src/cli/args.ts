/**
 * Command-line parsing with node:util parseArgs (strict), and the help text
 * drawn from the same option tables, so a flag cannot be parsed but undocumented.
 */
import { parseArgs } from 'node:util';
import { oneLine, UsageError } from './errors';

/** One flag of a command. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  /** May be given several times (values collected in order). */
  readonly multiple?: boolean;
  /** The value's name in help, e.g. URL. */
  readonly value?: string;
  readonly description: string;
}

/** A command's flags by long name. */
export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/** Parsed flag values by long name. */
export type OptionValues = Readonly<Record<string, string | boolean | string[] | undefined>>;

/** A parsed command line. */
export interface ParsedArgs {
  readonly values: OptionValues;
  readonly positionals: readonly string[];
}

/** Flags every command takes, before or after its name. */
export const GLOBAL_OPTIONS: OptionSpecs = {
  server: { type: 'string', value: 'URL', description: "dockql's GraphQL endpoint (env DOCKQL_SERVER; default http://127.0.0.1:4000/graphql)" },
  token: { type: 'string', value: 'TOKEN', description: 'API token, sent as "Authorization: Bearer" (env DOCKQL_TOKEN, which keeps it out of ps)' },
  help: { type: 'boolean', short: 'h', description: 'Print usage' },
};

/** The text between quotes in parseArgs' messages: the flag as typed, e.g. --server. */
function flagIn(message: string): string {
  const quoted = /'([^']+)'/.exec(message)?.[1] ?? '';
  return quoted.replace(/ <value>$/, '').split(', ').at(-1) ?? quoted;
}

/** parseArgs' errors as one-line usage errors that point at the command's help. */
function usageError(err: unknown, command: string): UsageError | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS_')) return undefined;
  const message = (err as Error).message;
  const flag = flagIn(message);
  let what: string;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') what = `unknown flag ${flag}`;
  else if (/argument missing/.test(message)) what = `flag ${flag} needs a value`;
  else if (/does not take an argument/.test(message)) what = `flag ${flag} takes no value`;
  else what = oneLine(message.split('\n')[0] ?? message);
  return new UsageError(`${command}: ${what} (see '${command} --help')`);
}

/**
 * Parses a command's arguments (after its name) with its flags and the global ones.
 * @param command "dockql pull", for messages
 * @throws UsageError on an unknown flag or a flag without its value
 */
export function parseCommandArgs(argv: readonly string[], specs: OptionSpecs, command: string): ParsedArgs {
  const options = Object.fromEntries(
    Object.entries({ ...GLOBAL_OPTIONS, ...specs }).map(([name, spec]) => [
      name,
      { type: spec.type, ...(spec.short ? { short: spec.short } : {}), ...(spec.multiple ? { multiple: true } : {}) },
    ]),
  );
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
    return { values: values as OptionValues, positionals };
  } catch (err) {
    throw usageError(err, command) ?? err;
  }
}

/** Where the command name is in argv, skipping global flags given before it. */
export interface Located {
  /** The command's name; undefined when none was given. */
  readonly name?: string;
  /** argv without the command name. */
  readonly rest: readonly string[];
  /** --help/-h came before any command. */
  readonly help: boolean;
  /** --version came before any command. */
  readonly version: boolean;
}

/**
 * Finds the command in `argv` (`dockql --server X images` and `dockql images
 * --server X` both work).
 * @throws UsageError for a flag before the command that is not a global one
 */
export function locateCommand(argv: readonly string[]): Located {
  let help = false;
  let version = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') break;
    if (!arg.startsWith('-') || arg === '-') return { name: arg, rest: [...argv.slice(0, i), ...argv.slice(i + 1)], help, version };
    if (arg === '--server' || arg === '--token') i++;
    else if (arg.startsWith('--server=') || arg.startsWith('--token=')) continue;
    else if (arg === '--help' || arg === '-h') help = true;
    else if (arg === '--version') version = true;
    else throw new UsageError(`unknown flag ${arg.split('=')[0]} (a command's flags go after its name; see 'dockql --help')`);
  }
  return { rest: [...argv], help, version };
}

/** The "Options:" lines of a help text, aligned like docker's. */
export function optionLines(specs: OptionSpecs): string[] {
  const left = Object.entries(specs).map(([name, spec]) => {
    const short = spec.short ? `-${spec.short}, ` : '    ';
    return `  ${short}--${name}${spec.value ? ` ${spec.value}` : ''}`;
  });
  const width = Math.max(...left.map((l) => l.length)) + 3;
  return Object.values(specs).map((spec, i) => `${left[i]!.padEnd(width)}${spec.description}`);
}

/** The string value of a flag, or undefined. */
export function stringOption(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

/** The values of a repeatable flag. */
export function listOption(values: OptionValues, name: string): string[] {
  const value = values[name];
  return Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
}
