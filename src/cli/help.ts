/** The help texts of `dockql` and of each command, laid out like docker's. */
import { GLOBAL_OPTIONS, optionLines } from './args';
import type { Command } from './command';

/** `dockql --help`. */
export function mainHelp(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 3;
  return [
    'Usage:  dockql [OPTIONS] COMMAND',
    '',
    'A command-line client of the dockql GraphQL API for the Docker Engine.',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'Global options:',
    ...optionLines({ ...GLOBAL_OPTIONS, version: { type: 'boolean', description: 'Print the version' } }),
    '',
    "Run 'dockql COMMAND --help' for more information on a command.",
    'Exit codes: 0 ok, 1 the operation failed, 2 usage error, 130 interrupted.',
    '',
  ].join('\n');
}

/** Words of `text` in lines of at most `width` characters. */
export function wrap(text: string, width = 80): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** `dockql <command> --help`. */
export function commandHelp(command: Command): string {
  const lines = [`Usage:  dockql ${command.name}${command.usage ? ` ${command.usage}` : ''}`, '', ...wrap(command.description), ''];
  if (Object.keys(command.options).length > 0) lines.push('Options:', ...optionLines(command.options), '');
  lines.push('Global options:', ...optionLines(GLOBAL_OPTIONS), '');
  if (command.examples?.length) lines.push('Examples:', ...command.examples.map((e) => `  ${e}`), '');
  return lines.join('\n');
}
