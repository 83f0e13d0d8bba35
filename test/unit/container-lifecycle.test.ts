/**
 * The lifecycle service's decisions that a real daemon shows only by luck of
 * timing: an autoRemove container gone before its re-inspect is returned as
 * last seen; a failed start says whether the created container is still there;
 * unpause's 500 for "not paused" reads CONFLICT; an operator's privileged
 * input is FORBIDDEN before the daemon is touched. The daemon is a fake here.
 */
import 'reflect-metadata';
import { ANONYMOUS_ADMIN } from '../../src/auth/principal';
import type { DockerClient } from '../../src/docker/client';
import type { ContainerInspectDto } from '../../src/docker/types';
import { ContainerLifecycleService } from '../../src/schema/container/container-lifecycle.service';
import { ContainerService } from '../../src/schema/container/container.service';
import { ContainerState } from '../../src/schema/container/container.type';
import { DockqlError, ErrorCode } from '../../src/schema/errors';
import { createLoaders } from '../../src/schema/loaders';
import type { ContainerInput } from '../../src/schema/container/container-input.type';
import { OPERATOR_LEVEL_SAMPLES, PRIVILEGED_INPUTS } from '../../src/schema/container/privileged-inputs';

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
    const c = await service.run({ image: 'busybox', cmd: ['true'], autoRemove: true }, ANONYMOUS_ADMIN);
    expect(c).toMatchObject({ id: ID, name: 'job', state: ContainerState.CREATED });
    expect(calls).toEqual(['create', 'inspect aaaa', 'start', 'inspect aaaa']);
  });

  it('reports a failed start with the daemon\'s code and words, and that the container was left in place', async () => {
    const startFailure = new DockqlError(ErrorCode.BAD_USER_INPUT, 'OCI runtime create failed: exec: "/nope": no such file', { daemonStatus: 400 });
    const { service } = fakeDaemon([dto('created')], { start: () => Promise.reject(startFailure) });
    const err = (await service.run({ image: 'busybox', cmd: ['/nope'] }, ANONYMOUS_ADMIN).catch((e: unknown) => e)) as DockqlError;
    expect(err.code).toBe(ErrorCode.BAD_USER_INPUT);
    expect(err.message).toMatch(/^OCI runtime create failed: .*\(container aaaaaaaaaaaa did not start; it was created and left in place, as docker run does/);
    expect(err.extensions).toMatchObject({ containerId: ID, containerRemoved: false, daemonStatus: 400 });
  });

  it('says so when the daemon removed the container after the failed start (autoRemove)', async () => {
    const { service } = fakeDaemon([dto('created'), null], { start: () => Promise.reject(new DockqlError(ErrorCode.DAEMON_ERROR, 'boom', { daemonStatus: 500 })) });
    const err = (await service.run({ image: 'busybox', autoRemove: true }, ANONYMOUS_ADMIN).catch((e: unknown) => e)) as DockqlError;
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

describe('createContainer / runContainer as an operator', () => {
  const operator = { name: 'ci', role: 'operator' } as const;

  /** A DockerClient that fails the test on any use: the refusal must come before the daemon is asked anything. */
  function untouchableDaemon() {
    const touched: string[] = [];
    const client = new Proxy({} as DockerClient, {
      get: (_target, key) => {
        touched.push(String(key));
        throw new Error(`the daemon was touched (${String(key)}) before the role check`);
      },
    });
    const loaders = createLoaders(client);
    return { service: new ContainerLifecycleService(client, loaders, new ContainerService(client, loaders)), touched };
  }

  const cases = PRIVILEGED_INPUTS.flatMap((p) => p.samples.map((sample) => [p.field, JSON.stringify(sample), sample] as const));

  it.each(cases)('refuses %s = %s as FORBIDDEN, for create and run, before touching the daemon', async (field, _json, sample) => {
    const { service, touched } = untouchableDaemon();
    const input = { image: 'busybox', [field]: sample } as unknown as ContainerInput;
    for (const call of [() => service.create(input, operator), () => service.run(input, operator)]) {
      const err = (await call().catch((e: unknown) => e)) as DockqlError;
      expect(err).toBeInstanceOf(DockqlError);
      expect(err.code).toBe(ErrorCode.FORBIDDEN);
      expect(err.message).toContain(`input.${field}`);
      expect(err.message).toMatch(/the admin role/);
      expect(err.extensions).toMatchObject({ code: 'FORBIDDEN', argument: `input.${field}`, requiredRole: 'admin' });
    }
    expect(touched).toEqual([]);
  });

  it('names every privileged field of one request', async () => {
    const { service, touched } = untouchableDaemon();
    const input = { image: 'busybox', privileged: true, networkMode: 'host', binds: [{ hostPath: '/', containerPath: '/host' }] } as ContainerInput;
    const err = (await service.create(input, operator).catch((e: unknown) => e)) as DockqlError;
    expect(err.code).toBe(ErrorCode.FORBIDDEN);
    expect(err.extensions.arguments).toEqual(['input.binds', 'input.privileged', 'input.networkMode']);
    expect(touched).toEqual([]);
  });

  it('refuses a malformed privileged input as FORBIDDEN too (an operator learns nothing about its validity)', async () => {
    const { service, touched } = untouchableDaemon();
    const err = (await service.create({ image: 'busybox', pidMode: 'not-a-mode', binds: [{ hostPath: 'relative', containerPath: '/x' }] } as ContainerInput, operator).catch((e: unknown) => e)) as DockqlError;
    expect(err.code).toBe(ErrorCode.FORBIDDEN);
    expect(touched).toEqual([]);
  });

  it.each(OPERATOR_LEVEL_SAMPLES.map((s) => [JSON.stringify(s), s] as const))('lets %s through to the daemon', async (_json, sample) => {
    const { service, calls } = fakeDaemon([dto('created')]);
    await service.create({ image: 'busybox', ...sample } as ContainerInput, operator);
    expect(calls[0]).toBe('create');
  });
});
