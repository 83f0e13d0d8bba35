import { RequiresRole } from '../../auth/roles';
import { Arg, Ctx, Int, Mutation, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import { type Envelope, unwrap } from '../../streams/envelope';
import type { Context } from '../context';
import { ExecOutputLine, ExecResult } from './exec.type';

const REF = { description: 'The running container: full id, unique id prefix, or name. Unknown is NOT_FOUND; stopped or paused is CONFLICT.' };
const CMD = { description: 'Command and arguments (exec form: no shell; use ["sh", "-c", "..."] for one). The program (the first entry) is at most 4096 bytes.' };
const ENV = { nullable: true, description: 'Extra environment, KEY=value entries (DOCKQL_EXEC_ID is reserved: dockql marks the command\'s processes with it).' };
const WORKDIR = { nullable: true, description: 'Absolute working directory. Null: the container\'s.' };
const USER = { nullable: true, description: 'user[:group] to run as, names or numeric ids. Null: the container\'s user.' };

/** The arguments of execOutput, as graphql-js hands them to `subscribe`. */
interface ExecOutputArgs {
  ref: string;
  cmd: string[];
  env?: string[] | null;
  workingDir?: string | null;
  user?: string | null;
  timeout?: number | null;
}

/** `docker exec` without a terminal: one-shot, or streamed line by line. */
@Resolver()
export class ExecResolver {
  @RequiresRole('operator')
  @Mutation(() => ExecResult, {
    description:
      'Like `docker exec` without a terminal: runs cmd, waits (at most timeout seconds), returns its exit code and its stdout and stderr separately (each capped at 1 MiB, see truncated). After the timeout: TIMEOUT, and the command\'s processes are killed (extensions.processKilled is false when they could not be: a paused container, or one without sh and grep to find them).',
  })
  execInContainer(
    @Arg('ref', REF) ref: string,
    @Arg('cmd', () => [String], CMD) cmd: string[],
    @Arg('env', () => [String], ENV) env: string[] | null,
    @Arg('workingDir', () => String, WORKDIR) workingDir: string | null,
    @Arg('user', () => String, USER) user: string | null,
    @Arg('timeout', () => Int, { nullable: true, defaultValue: 60, description: 'Seconds to wait (1-3600), then TIMEOUT.' }) timeout: number | null,
    @Ctx() ctx: Context,
  ): Promise<ExecResult> {
    return ctx.services.exec.exec({ ref, cmd, env, workingDir, user, timeout: timeout ?? 60 });
  }

  @RequiresRole('operator')
  @Subscription(() => ExecOutputLine, {
    description:
      'Like `docker exec` without a terminal, for long commands: streams its output lines (STDOUT / STDERR, in the order they arrive) as it runs, then one EXIT item carrying the exit code, then completes. Errors (NOT_FOUND, CONFLICT, TIMEOUT) end it with one error result. Leaving early kills the command\'s processes; a slow subscriber holds the command back instead of losing lines.',
    subscribe: ({ args, context }: SubscribeResolverData<unknown, ExecOutputArgs, Context>) =>
      context.services.exec.output({ ...args, timeout: args.timeout ?? 3600 }),
  })
  execOutput(
    @Root() item: Envelope<ExecOutputLine>,
    @Arg('ref', REF) _ref: string,
    @Arg('cmd', () => [String], CMD) _cmd: string[],
    @Arg('env', () => [String], ENV) _env: string[] | null,
    @Arg('workingDir', () => String, WORKDIR) _workingDir: string | null,
    @Arg('user', () => String, USER) _user: string | null,
    @Arg('timeout', () => Int, { nullable: true, defaultValue: 3600, description: 'Seconds it may run (1-86400), then TIMEOUT and its processes are killed.' }) _timeout: number | null,
  ): ExecOutputLine {
    return unwrap(item);
  }
}
