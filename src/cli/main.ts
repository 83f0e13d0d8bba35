#!/usr/bin/env node
/**
 * `dockql`: a thin command-line client of the dockql API (HTTP for queries and
 * mutations, graphql-ws for progress and events). Finds the command, parses its
 * flags, runs it, and turns every failure into one line on stderr and an exit
 * code: 0 ok, 1 the operation failed, 2 usage error, 130 interrupted.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Api } from './api';
import { locateCommand, parseCommandArgs } from './args';
import type { Command, CommandContext } from './command';
import { downloadCommand } from './commands/download';
import { eventsCommand } from './commands/events';
import { imagesCommand } from './commands/images';
import { loadCommand } from './commands/load';
import { psCommand } from './commands/ps';
import { pullCommand } from './commands/pull';
import { saveCommand } from './commands/save';
import { uploadCommand } from './commands/upload';
import { CliError, EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, oneLine, UsageError } from './errors';
import { commandHelp, mainHelp } from './help';
import { resolveSettings } from './settings';

/** Every command, in the order `dockql --help` lists them. */
export const COMMANDS: readonly Command[] = [pullCommand, imagesCommand, psCommand, eventsCommand, saveCommand, loadCommand, downloadCommand, uploadCommand];

/** The package version (dist/cli/main.js → package.json). */
function version(): string {
  try {
    return (JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function findCommand(name: string): Command {
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) throw new UsageError(`unknown command ${JSON.stringify(name)} (see 'dockql --help')`);
  return command;
}

/** The process's streams and environment, replaceable in tests. */
export interface Io {
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  readonly env: NodeJS.ProcessEnv;
}

/**
 * Runs one command line (without "node dockql").
 * @param interruptHooks filled with what to undo on SIGINT/SIGTERM
 * @returns the exit code
 */
export async function run(argv: readonly string[], io: Io, interruptHooks: Array<() => void> = []): Promise<number> {
  const located = locateCommand(argv);
  if (located.name === 'help') {
    const topic = parseCommandArgs(located.rest, {}, 'dockql help').positionals[0];
    io.stdout.write(topic === undefined ? mainHelp(COMMANDS) : commandHelp(findCommand(topic)));
    return EXIT_OK;
  }
  if (located.name === undefined) {
    const { values } = parseCommandArgs(located.rest, { version: { type: 'boolean', description: '' } }, 'dockql');
    if (values.version) {
      io.stdout.write(`dockql ${version()}\n`);
      return EXIT_OK;
    }
    if (values.help || argv.length === 0) {
      io.stdout.write(mainHelp(COMMANDS));
      return EXIT_OK;
    }
    throw new UsageError("no command given (see 'dockql --help')");
  }
  const command = findCommand(located.name);
  const label = `dockql ${command.name}`;
  const parsed = parseCommandArgs(located.rest, command.options, label);
  if (parsed.values.help || located.help) {
    io.stdout.write(commandHelp(command));
    return EXIT_OK;
  }
  const count = parsed.positionals.length;
  if (count < command.args.min) throw new UsageError(`${label}: missing ${command.args.name} (see '${label} --help')`);
  if (count > command.args.max) {
    const extra = parsed.positionals[command.args.max];
    throw new UsageError(`${label}: unexpected argument ${JSON.stringify(extra)} (see '${label} --help')`);
  }
  const api = new Api(resolveSettings(parsed.values, io.env));
  const ctx: CommandContext = { api, stdout: io.stdout, stderr: io.stderr, onInterrupt: (hook) => interruptHooks.push(hook) };
  try {
    await command.run(ctx, parsed);
    return EXIT_OK;
  } finally {
    await api.dispose();
  }
}

/** Runs the process's command line and exits with its code; failures are one line, never a stack. */
export async function main(): Promise<void> {
  const hooks: Array<() => void> = [];
  const io: Io = { stdout: process.stdout, stderr: process.stderr, env: process.env };
  const interrupted = (code: number) => () => {
    for (const hook of hooks.splice(0)) {
      try {
        hook();
      } catch {
        // Leaving matters more than a hook that failed.
      }
    }
    process.exit(code);
  };
  process.once('SIGINT', interrupted(EXIT_INTERRUPTED));
  process.once('SIGTERM', interrupted(128 + 15));
  // A closed pipe (dockql images | head) is the reader's choice, not a failure.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(EXIT_OK);
  });
  let code: number;
  try {
    code = await run(process.argv.slice(2), io, hooks);
  } catch (err) {
    const failure = err instanceof CliError ? err : new CliError(`unexpected error: ${oneLine(String((err as Error)?.message ?? err))}`, EXIT_FAILED);
    // Usage errors name the command themselves ("dockql pull: missing REF").
    const prefix = failure instanceof UsageError && failure.message.startsWith('dockql ') ? '' : 'dockql: ';
    process.stderr.write(`${prefix}${failure.message}\n`);
    // A bug's stack only on request: users get one line.
    if (!(err instanceof CliError) && process.env.DOCKQL_DEBUG) process.stderr.write(`${(err as Error)?.stack ?? ''}\n`);
    code = failure.exitCode;
  }
  // Leave once stdout and stderr are flushed (a pipe may still hold the table);
  // idle keep-alive sockets of fetch must not hold the process for seconds.
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

if (require.main === module) void main();
