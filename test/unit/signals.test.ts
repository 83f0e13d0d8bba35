/** `docker kill --signal` parsing, and the exec body / kill script that bound execs. */
import { EXEC_MARKER_VARIABLE, KILL_SCRIPT, newExecMarker, toExecCreateBody } from '../../src/docker/exec';
import { parseSignal } from '../../src/docker/signals';

describe('parseSignal', () => {
  it.each([
    ['SIGKILL', 9, 'SIGKILL'],
    ['KILL', 9, 'SIGKILL'],
    ['kill', 9, 'SIGKILL'],
    ['sigterm', 15, 'SIGTERM'],
    ['9', 9, 'SIGKILL'],
    ['1', 1, 'SIGHUP'],
    ['HUP', 1, 'SIGHUP'],
    ['USR1', 10, 'SIGUSR1'],
    ['SIGIOT', 6, 'SIGABRT'],
    ['CLD', 17, 'SIGCHLD'],
    ['WINCH', 28, 'SIGWINCH'],
    ['SIGRTMIN', 34, 'SIGRTMIN'],
    ['RTMIN+3', 37, 'SIGRTMIN+3'],
    ['SIGRTMIN+15', 49, 'SIGRTMIN+15'],
    ['RTMAX-14', 50, 'SIGRTMAX-14'],
    ['RTMAX-1', 63, 'SIGRTMAX-1'],
    ['SIGRTMAX', 64, 'SIGRTMAX'],
    ['64', 64, 'SIGRTMAX'],
    ['40', 40, 'SIGRTMIN+6'],
  ])('%s is signal %i (%s)', (input, number, name) => {
    expect(parseSignal(input)).toEqual({ number, name });
  });

  it.each(['', '0', '65', '-9', '9.0', ' 9', 'SIG', 'SIGFOO', 'RTMIN+0', 'RTMIN+16', 'RTMAX-15', 'RTMAX-0', 'KILL;', 'SIGKILL\n', '0x9', '9'.repeat(30), 'constructor'])(
    'refuses %j',
    (input) => {
      expect(parseSignal(input)).toBeUndefined();
    },
  );
});

describe('exec bodies', () => {
  it('never asks for a terminal, stdin or privileges, and marks the processes last so user env cannot override it', () => {
    const marker = newExecMarker();
    expect(marker).toMatch(/^[0-9a-f]{32}$/);
    expect(toExecCreateBody({ cmd: ['ls', '-l'], env: ['A=1'], workingDir: '/tmp', user: 'nobody' }, marker)).toEqual({
      Cmd: ['ls', '-l'],
      Env: ['A=1', `${EXEC_MARKER_VARIABLE}=${marker}`],
      WorkingDir: '/tmp',
      User: 'nobody',
      AttachStdin: false,
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
      Privileged: false,
    });
  });

  it('the kill script takes the marker as an argument (never interpolated) and fails without grep', () => {
    expect(KILL_SCRIPT).toContain(`${EXEC_MARKER_VARIABLE}=$1`);
    expect(KILL_SCRIPT).toMatch(/command -v grep .*\|\| exit 127/);
    expect(KILL_SCRIPT).toContain('kill -9 $pids');
  });
});
