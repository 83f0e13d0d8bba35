import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { SafeIntScalar } from '../scalars';

@ObjectType({ description: 'What `docker exec` (without a terminal) printed and how it ended.' })
export class ExecResult {
  @Field(() => Int, { description: 'Exit code of the command (126: not executable, 127: not found, 128+n: killed by signal n).' })
  exitCode!: number;

  @Field({ description: 'Its standard output as UTF-8, at most 1 MiB (see truncated).' })
  stdout!: string;

  @Field({ description: 'Its standard error, separately, at most 1 MiB (see truncated).' })
  stderr!: string;

  @Field({ description: 'True when stdout or stderr wrote more than 1 MiB and the rest was dropped (the command still ran to its end).' })
  truncated!: boolean;

  @Field(() => SafeIntScalar, { description: 'Bytes the command wrote to stdout, including any dropped.' })
  stdoutBytes!: number;

  @Field(() => SafeIntScalar, { description: 'Bytes the command wrote to stderr, including any dropped.' })
  stderrBytes!: number;
}

/** Which output a line of execOutput came from, or EXIT for the last item. */
export enum ExecOutputStream {
  STDOUT = 'STDOUT',
  STDERR = 'STDERR',
  EXIT = 'EXIT',
}

registerEnumType(ExecOutputStream, {
  name: 'ExecOutputStream',
  description: 'Where an item of execOutput comes from.',
  valuesConfig: {
    STDOUT: { description: 'A line the command wrote to standard output.' },
    STDERR: { description: 'A line the command wrote to standard error.' },
    EXIT: { description: 'The last item: the command ended; exitCode is set and text is empty.' },
  },
});

@ObjectType({ description: 'One item of execOutput: a line of output, or (last) the exit code.' })
export class ExecOutputLine {
  @Field(() => ExecOutputStream, { description: 'STDOUT or STDERR for a line; EXIT for the final item.' })
  stream!: ExecOutputStream;

  @Field({ description: 'The line without its newline (nor a \\r before it). Lines longer than 64 Ki characters come in pieces. Empty for EXIT.' })
  text!: string;

  @Field(() => Int, { nullable: true, description: 'The command\'s exit code, on the EXIT item only; null on lines.' })
  exitCode?: number;
}
