/**
 * `docker exec` without a terminal: create the exec, start it on an upgraded
 * connection, demultiplex its output, and read its exit code. Bounded in time:
 * on a timeout (or when the caller goes away) its processes are killed where the
 * container allows it.
 *
 * How the processes are found: the Engine API (up to 1.45) cannot kill an exec,
 * and the pid `GET /exec/{id}/json` reports is in the host's pid namespace,
 * which a remote dockql cannot use. So every exec gets a unique environment
 * variable, {@link EXEC_MARKER_VARIABLE}, which its children inherit; a second
 * exec (as uid 0) kills every process whose environment carries it, using the
 * container's own `sh`, `grep` and `kill`. A container without them (distroless,
 * scratch) keeps its processes, and the caller is told so.
 */
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { DockqlError, ErrorCode } from '../schema/errors';
import type { DockerClient } from './client';
import { dial } from './dial';
import { MuxDecoder, type OutputStream, RawStreamError } from './raw-stream';
import { encodePathSegment } from './refs';

/** Set in every exec's environment so that its processes can be found and killed. */
export const EXEC_MARKER_VARIABLE = 'DOCKQL_EXEC_ID';

/**
 * Runs in the container as `sh -c SCRIPT dockql-kill <marker>`: kills (SIGKILL)
 * every process with the marker in its environment, again until none is left
 * (a shell may fork between the scan and the kill). Exit 0: something was
 * killed; 1: nothing carried the marker any more; 127: no grep (or no sh).
 */
export const KILL_SCRIPT = [
  // Without grep every scan would come back empty and look like "already gone".
  'command -v grep >/dev/null 2>&1 || exit 127',
  'status=1; round=0',
  'while [ "$round" -lt 5 ]; do',
  '  pids=""',
  '  for d in /proc/[0-9]*; do grep -q "' + EXEC_MARKER_VARIABLE + '=$1" "$d/environ" 2>/dev/null && pids="$pids ${d#/proc/}"; done',
  '  [ -z "$pids" ] && break',
  '  kill -9 $pids 2>/dev/null; status=0; round=$((round + 1))',
  'done',
  'exit $status',
].join('\n');

/** What to run, already validated. */
export interface ExecSpec {
  readonly cmd: readonly string[];
  readonly env?: readonly string[];
  readonly workingDir?: string;
  readonly user?: string;
}

/** How one run is bounded. */
export interface ExecBounds {
  readonly timeoutMs: number;
  /** Aborting it (the subscriber left) stops the run and kills the processes too. */
  readonly signal?: AbortSignal;
}

/** Receives output as it arrives; a returned promise holds the reading back (backpressure). */
export type ExecSink = (stream: OutputStream, data: Buffer) => void | Promise<void>;

/** The daemon's `GET /exec/{id}/json`, the part read here. */
interface ExecInspectDto {
  Running: boolean;
  ExitCode: number | null;
}

/** A fresh random marker: 32 hex digits. */
export function newExecMarker(): string {
  return randomBytes(16).toString('hex');
}

/** The exec body: output only, no terminal, never privileged; the marker goes last so it cannot be overridden. */
export function toExecCreateBody(spec: ExecSpec, marker: string): Record<string, unknown> {
  return {
    Cmd: [...spec.cmd],
    Env: [...(spec.env ?? []), `${EXEC_MARKER_VARIABLE}=${marker}`],
    ...(spec.workingDir !== undefined ? { WorkingDir: spec.workingDir } : {}),
    ...(spec.user !== undefined ? { User: spec.user } : {}),
    AttachStdin: false,
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
    Privileged: false,
  };
}

async function createExec(client: DockerClient, containerRef: string, body: Record<string, unknown>): Promise<string> {
  const created = await client.withDocker((d) => dial<{ Id: string }>(d, { method: 'POST', path: `/containers/${encodePathSegment(containerRef)}/exec`, body, ok: [201] }));
  return created.Id;
}

function startExec(client: DockerClient, execId: string): Promise<Socket> {
  return client.withDocker((d) =>
    dial<Socket>(d, { method: 'POST', path: `/exec/${encodePathSegment(execId)}/start`, body: { Detach: false, Tty: false }, hijack: true, ok: [101, 200] }),
  );
}

function inspectExec(client: DockerClient, execId: string): Promise<ExecInspectDto> {
  return client.withDocker((d) => dial<ExecInspectDto>(d, { method: 'GET', path: `/exec/${encodePathSegment(execId)}/json`, ok: [200] }));
}

/** The exit code once the daemon has recorded it (it may lag the end of the output by a moment). */
async function exitCodeOf(client: DockerClient, execId: string): Promise<number> {
  for (let wait = 10, waited = 0; ; waited += wait, wait = Math.min(wait * 2, 200)) {
    const info = await inspectExec(client, execId);
    if (!info.Running && info.ExitCode !== null) return info.ExitCode;
    if (waited > 5000) throw new DockqlError(ErrorCode.DAEMON_ERROR, 'the exec\'s output ended but the daemon still reports it running');
    await new Promise((r) => setTimeout(r, wait));
  }
}

/**
 * Kills the processes of the exec with `marker` in container `containerId`.
 * @returns true when none is left (killed now or already gone), false when the container cannot run the kill script.
 */
export async function killMarkedProcesses(client: DockerClient, containerId: string, marker: string): Promise<boolean> {
  try {
    const body = { Cmd: ['sh', '-c', KILL_SCRIPT, 'dockql-kill', marker], User: '0', AttachStdin: false, AttachStdout: true, AttachStderr: true, Tty: false, Privileged: false };
    const execId = await createExec(client, containerId, body);
    const socket = await startExec(client, execId);
    // Its output does not matter; reading it to the end is how we know it finished.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => socket.destroy(), 10_000);
      socket.on('close', () => resolve()).on('error', () => resolve()).resume();
      socket.on('close', () => clearTimeout(timer));
    });
    // 0: killed, 1: none left; anything else (126/127: no sh or grep) means they may still run.
    const code = await exitCodeOf(client, execId);
    return code === 0 || code === 1;
  } catch {
    // Refused: when the container stopped meanwhile its processes went with it; when it is paused they live on.
    const container = await client.inspectContainer(containerId).catch(() => undefined);
    return container === null || (container !== undefined && !container.State?.Running);
  }
}

/**
 * Runs `spec` in the container and feeds its output to `sink` until it ends.
 *
 * @returns the exit code
 * @throws TIMEOUT (extensions.processKilled) after `bounds.timeoutMs`; NOT_FOUND / CONFLICT
 *   (stopped or paused container) from the daemon; DAEMON_ERROR for a broken stream
 */
export async function runExec(client: DockerClient, containerRef: string, spec: ExecSpec, sink: ExecSink, bounds: ExecBounds): Promise<number> {
  const marker = newExecMarker();
  const deadline = Date.now() + bounds.timeoutMs;
  const execId = await createExec(client, containerRef, toExecCreateBody(spec, marker));
  const socket = await startExec(client, execId);
  let stopped: 'timeout' | 'aborted' | undefined;
  const stop = (why: 'timeout' | 'aborted') => {
    stopped ??= why;
    socket.destroy();
  };
  const timer = setTimeout(() => stop('timeout'), Math.max(0, deadline - Date.now()));
  const onAbort = () => stop('aborted');
  bounds.signal?.addEventListener('abort', onAbort, { once: true });
  if (bounds.signal?.aborted) onAbort();
  const decoder = new MuxDecoder();
  try {
    for await (const chunk of socket) {
      for (const piece of decoder.push(chunk as Buffer)) await sink(piece.stream, piece.data);
    }
    if (!stopped) decoder.end();
  } catch (err) {
    if (!stopped) {
      socket.destroy();
      if (err instanceof RawStreamError) throw new DockqlError(ErrorCode.DAEMON_ERROR, err.message);
      throw err;
    }
  } finally {
    clearTimeout(timer);
    bounds.signal?.removeEventListener('abort', onAbort);
  }
  if (stopped) {
    const containerId = await containerOfExec(client, execId);
    const killed = containerId ? await killMarkedProcesses(client, containerId, marker) : true;
    // Only the caller that aborted sees this (a subscriber that left): it is not a client-facing error.
    if (stopped === 'aborted') throw new Error('exec canceled by its caller');
    const seconds = Math.round(bounds.timeoutMs / 1000);
    throw new DockqlError(
      ErrorCode.TIMEOUT,
      killed
        ? `the command did not finish within ${seconds} s; its processes were killed`
        : `the command did not finish within ${seconds} s; its processes could not be killed (the container is paused, or has no sh and grep to find them)`,
      { processKilled: killed },
    );
  }
  return exitCodeOf(client, execId);
}

/** The container an exec runs in (its full id), or undefined when the exec is gone with its container. */
async function containerOfExec(client: DockerClient, execId: string): Promise<string | undefined> {
  const info = await client.withDockerOrNull((d) => dial<{ ContainerID: string }>(d, { method: 'GET', path: `/exec/${encodePathSegment(execId)}/json`, ok: [200] }));
  return info?.ContainerID;
}
