/**
 * The lifecycle service's decisions that a real daemon shows only by luck of
 * timing: an autoRemove container gone before its re-inspect is returned as
 * last seen; a failed start says whether the created container is still there;
 * unpause's 500 for "not paused" reads CONFLICT. The daemon is a fake here.
 */
import 'reflect-metadata';
import type { DockerClient } from '../../src/docker/client';
import type { ContainerInspectDto } from '../../src/docker/types';
import { ContainerLifecycleService } from '../../src/schema/container/container-lifecycle.service';
import { ContainerService } from '../../src/schema/container/container.service';
import { ContainerState } from '../../src/schema/container/container.type';
import { DockqlError, ErrorCode } from '../../src/schema/errors';
import { createLoaders } from '../../src/schema/loaders';

const ID = 'a'.repeat(64);

function dto(status: string, extra: Partial<ContainerInspectDto['State']> = {}): ContainerInspectDto {
  return {
    Id: ID,
    Name: '/job',
    Image: 'sha256:' + 'b'.repeat(64),
    Path: 'true',
    Args: [],
    Created: '2024-01-01T00:00:00Z',
    Config: { Image: 'busybox', Labels: {} },
    State: { Status: status, Running: status === 'running', Paused: status === 'paused', Restarting: false, ExitCode: 0, StartedAt: '0001-01-01T00:00:00Z', FinishedAt: '0001-01-01T00:00:00Z', ...extra },
    Mounts: [],
    NetworkSettings: { Ports: {} },
  } as unknown as ContainerInspectDto;
}

/** A fake DockerClient: `inspects` are answered in order; start and unpause do what the test says. */
function fakeDaemon(inspects: Array<ContainerInspectDto | null>, options: { start?: () => Promise<void>; unpause?: () => Promise<never> } = {}) {
  const calls: string[] = [];
  const client = {
    inspectContainer: async (ref: string) => {
      calls.push(`inspect ${ref.slice(0, 4)}`);
      return inspects.length > 1 ? inspects.shift()! : inspects[0]!;
    },
    startContainer: async () => {
      calls.push('start');
      await options.start?.();
    },
    // createContainer / unpauseContainer of src/docker/containers.ts go through withDocker.
    withDocker: async () => {
      if (options.unpause) {
        calls.push('unpause');
        return options.unpause();
      }
      calls.push('create');
      return { Id: ID };
    },
  } as unknown as DockerClient;
  const loaders = createLoaders(client);
  return { service: new ContainerLifecycleService(client, loaders, new ContainerService(client, loaders)), calls };
}

describe('runContainer', () => {
  it('returns an autoRemove container as last seen when the daemon removed it before the re-inspect', async () => {
    const { service, calls } = fakeDaemon([dto('created'), null]);
    const c = await service.run({ image: 'busybox', cmd: ['true'], autoRemove: true });
    expect(c).toMatchObject({ id: ID, name: 'job', state: ContainerState.CREATED });
    expect(calls).toEqual(['create', 'inspect aaaa', 'start', 'inspect aaaa']);
  });

  it('reports a failed start with the daemon\'s code and words, and that the container was left in place', async () => {
    const startFailure = new DockqlError(ErrorCode.BAD_USER_INPUT, 'OCI runtime create failed: exec: "/nope": no such file', { daemonStatus: 400 });
    const { service } = fakeDaemon([dto('created')], { start: () => Promise.reject(startFailure) });
    const err = (await service.run({ image: 'busybox', cmd: ['/nope'] }).catch((e: unknown) => e)) as DockqlError;
    expect(err.code).toBe(ErrorCode.BAD_USER_INPUT);
    expect(err.message).toMatch(/^OCI runtime create failed: .*\(container aaaaaaaaaaaa did not start; it was created and left in place, as docker run does/);
    expect(err.extensions).toMatchObject({ containerId: ID, containerRemoved: false, daemonStatus: 400 });
  });

  it('says so when the daemon removed the container after the failed start (autoRemove)', async () => {
    const { service } = fakeDaemon([dto('created'), null], { start: () => Promise.reject(new DockqlError(ErrorCode.DAEMON_ERROR, 'boom', { daemonStatus: 500 })) });
    const err = (await service.run({ image: 'busybox', autoRemove: true }).catch((e: unknown) => e)) as DockqlError;
    expect(err.code).toBe(ErrorCode.DAEMON_ERROR);
    expect(err.message).toMatch(/removed by the daemon \(autoRemove\)/);
    expect(err.extensions).toMatchObject({ containerRemoved: true });
  });
});

describe('unpauseContainer', () => {
  const notPaused = new DockqlError(ErrorCode.DAEMON_ERROR, `Container ${ID} is not paused`, { daemonStatus: 500 });

  it('reads the daemon\'s 500 as CONFLICT when the container exists and is not paused, keeping the daemon\'s words', async () => {
    const { service } = fakeDaemon([dto('running')], { unpause: () => Promise.reject(notPaused) });
    const err = (await service.unpause(ID).catch((e: unknown) => e)) as DockqlError;
    expect([err.code, err.message]).toEqual([ErrorCode.CONFLICT, `Container ${ID} is not paused`]);
  });

  it('keeps DAEMON_ERROR for a 500 while the container is still paused (a real daemon failure)', async () => {
    const { service } = fakeDaemon([dto('paused')], { unpause: () => Promise.reject(notPaused) });
    const err = (await service.unpause(ID).catch((e: unknown) => e)) as DockqlError;
    expect(err.code).toBe(ErrorCode.DAEMON_ERROR);
  });
});
