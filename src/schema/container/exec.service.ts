/**
 * `docker exec` without a terminal: run a command in a running container, wait
 * for it (bounded), and return its output; or stream its output line by line.
 * The daemon work (exec, demultiplexing, killing on timeout) is src/docker/exec.ts.
 */
import { FixedBuffer, Repeater } from '@graphql-yoga/subscription';
import { GraphQLError } from 'graphql';
import type { DockerClient } from '../../docker/client';
import { type ExecSpec, runExec } from '../../docker/exec';
import { CappedOutput, LineSplitter, type OutputStream } from '../../docker/raw-stream';
import { RefSyntaxError, validateContainerRef } from '../../docker/refs';
import type { Envelope } from '../../streams/envelope';
import { BadUserInputError } from '../errors';
import { badRef } from '../validate';
import { ExecOutputLine, ExecOutputStream, type ExecResult } from './exec.type';
import { checkArgv, checkContainerPath, checkEnv, checkExecutable, checkUser } from './process-args';

/** Cap of each of stdout and stderr in an ExecResult. */
export const EXEC_OUTPUT_LIMIT = 1024 * 1024;
/** Longest execInContainer wait (an HTTP request stays open that long). */
export const MAX_EXEC_TIMEOUT_SECONDS = 3600;
/** Longest execOutput run (a subscription may follow a long job). */
export const MAX_EXEC_STREAM_TIMEOUT_SECONDS = 24 * 3600;
/** Lines buffered for a subscriber before the command's output is held back (it then blocks writing, as in a full pipe). */
const STREAM_BUFFER_LINES = 256;

/** The arguments execInContainer and execOutput share. */
export interface ExecArgs {
  readonly ref: string;
  readonly cmd: readonly string[];
  readonly env?: readonly string[] | null;
  readonly workingDir?: string | null;
  readonly user?: string | null;
  readonly timeout: number;
}

/** Checked arguments: what to run where, and for how long. */
interface CheckedExec {
  readonly ref: string;
  readonly spec: ExecSpec;
  readonly timeoutMs: number;
}

/** Validates exec arguments before any daemon request. @throws BAD_USER_INPUT naming the argument. */
export function checkExecArgs(args: ExecArgs, maxTimeoutSeconds: number): CheckedExec {
  try {
    validateContainerRef(args.ref);
  } catch (err) {
    if (err instanceof RefSyntaxError) throw badRef('ref', err);
    throw err;
  }
  if (!Number.isInteger(args.timeout) || args.timeout < 1 || args.timeout > maxTimeoutSeconds) {
    throw new BadUserInputError(`timeout must be from 1 to ${maxTimeoutSeconds} seconds`, { argument: 'timeout' });
  }
  const spec: { -readonly [K in keyof ExecSpec]: ExecSpec[K] } = { cmd: checkArgv('cmd', args.cmd) };
  checkExecutable('cmd[0]', spec.cmd[0]);
  if (args.env != null) spec.env = checkEnv('env', args.env);
  if (args.workingDir != null) spec.workingDir = checkContainerPath('workingDir', args.workingDir);
  if (args.user != null) spec.user = checkUser('user', args.user);
  return { ref: args.ref, spec, timeoutMs: args.timeout * 1000 };
}

const STREAM_NAMES: Record<OutputStream, ExecOutputStream> = { stdout: ExecOutputStream.STDOUT, stderr: ExecOutputStream.STDERR };

/** A GraphQLError for the subscription's last result; anything unexpected stays unexpected (masked by the formatter). */
function asGraphQLError(err: unknown): GraphQLError {
  if (err instanceof GraphQLError) return err;
  return new GraphQLError(err instanceof Error ? err.message : String(err), { originalError: err instanceof Error ? err : undefined });
}

export class ExecService {
  constructor(private readonly docker: DockerClient) {}

  /**
   * Like `docker exec` (no -t): waits at most `timeout` seconds, then TIMEOUT with
   * the command's processes killed. NOT_FOUND for an unknown container, CONFLICT
   * for a stopped or paused one (the daemon's words).
   */
  async exec(args: ExecArgs): Promise<ExecResult> {
    const { ref, spec, timeoutMs } = checkExecArgs(args, MAX_EXEC_TIMEOUT_SECONDS);
    const out = { stdout: new CappedOutput(EXEC_OUTPUT_LIMIT), stderr: new CappedOutput(EXEC_OUTPUT_LIMIT) };
    const bytes = { stdout: 0, stderr: 0 };
    const exitCode = await runExec(
      this.docker,
      ref,
      spec,
      (stream, data) => {
        // Past the cap the output is still read (and dropped): the command must not block on a full pipe.
        out[stream].push(data);
        bytes[stream] += data.length;
      },
      { timeoutMs },
    );
    return {
      exitCode,
      stdout: out.stdout.text(),
      stderr: out.stderr.text(),
      truncated: out.stdout.truncated || out.stderr.truncated,
      stdoutBytes: bytes.stdout,
      stderrBytes: bytes.stderr,
    };
  }

  /**
   * The command's output as lines while it runs, then one EXIT item with the exit
   * code, then the end. Failures (NOT_FOUND, CONFLICT, TIMEOUT...) end the stream
   * with one error result. When the subscriber leaves early the command's
   * processes are killed: nobody would read what they print. A slow subscriber
   * holds the command back (its writes block) rather than losing lines.
   */
  output(args: ExecArgs): AsyncIterableIterator<Envelope<ExecOutputLine>> {
    const { ref, spec, timeoutMs } = checkExecArgs(args, MAX_EXEC_STREAM_TIMEOUT_SECONDS);
    return new Repeater<Envelope<ExecOutputLine>>(async (push, stop) => {
      const left = new AbortController();
      void stop.then(() => left.abort());
      // Resolves when the subscriber took the line, or at once when it has left (then the run is being aborted).
      const send = (line: ExecOutputLine) => Promise.race([push({ value: line }), stop]).then(() => undefined);
      const lines = { stdout: new LineSplitter(), stderr: new LineSplitter() };
      try {
        const exitCode = await runExec(
          this.docker,
          ref,
          spec,
          async (stream, data) => {
            for (const text of lines[stream].push(data)) await send({ stream: STREAM_NAMES[stream], text });
          },
          { timeoutMs, signal: left.signal },
        );
        for (const stream of ['stdout', 'stderr'] as const) {
          for (const text of lines[stream].end()) await send({ stream: STREAM_NAMES[stream], text });
        }
        await send({ stream: ExecOutputStream.EXIT, text: '', exitCode });
      } catch (err) {
        if (!left.signal.aborted) await push({ error: asGraphQLError(err) });
      }
      stop();
    }, new FixedBuffer(STREAM_BUFFER_LINES));
  }
}
