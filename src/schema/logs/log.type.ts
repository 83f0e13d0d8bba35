import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeScalar } from '../scalars';

/** Which output of the container a log line came from. */
export enum LogStream {
  STDOUT = 'STDOUT',
  STDERR = 'STDERR',
}

registerEnumType(LogStream, {
  name: 'LogStream',
  description: 'Which output of the container a log line was written to.',
  valuesConfig: {
    STDOUT: { description: 'Standard output; also everything of a container with a TTY (-t), whose outputs the terminal merges.' },
    STDERR: { description: 'Standard error (only told apart for containers without a TTY).' },
  },
});

@ObjectType({ description: 'One line of a container\'s log, as `docker logs --timestamps` shows it.' })
export class LogLine {
  @Field(() => LogStream, { description: 'The output it was written to.' })
  stream!: LogStream;

  @Field({ description: 'The line without its newline (and without the \\r a TTY adds). Cut at 64 KiB of UTF-8 (see truncated).' })
  text!: string;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When the daemon logged it (millisecond precision); null when the daemon gave no time.' })
  time?: Date | null;

  @Field({ description: 'True when the line was longer than 64 KiB and its end was dropped.' })
  truncated!: boolean;
}
