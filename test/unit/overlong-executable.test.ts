/**
 * An executable path longer than PATH_MAX is refused before the daemon is
 * asked: execve could never run it, and the runtime hangs (the start request
 * is never answered) when it is about 64 KiB or more. Found by the hostile-input
 * fuzz. Arguments after the executable keep their own, larger limit.
 */
import 'reflect-metadata';
import { ANONYMOUS_ADMIN } from '../../src/auth/principal';
import type { DockerClient } from '../../src/docker/client';
import type { ImageInspectDto } from '../../src/docker/types';
import type { ContainerInput } from '../../src/schema/container/container-input.type';
import { ContainerLifecycleService } from '../../src/schema/container/container-lifecycle.service';
import { ContainerService } from '../../src/schema/container/container.service';
import { toCreateSpec } from '../../src/schema/container/container-spec';
import { checkExecArgs } from '../../src/schema/container/exec.service';
import { checkExecutable } from '../../src/schema/container/process-args';
import { BadUserInputError } from '../../src/schema/errors';
import { createLoaders } from '../../src/schema/loaders';

const LONG = 'X'.repeat(100 * 1024);

function refusedArgument(action: () => unknown): unknown {
  try {
    action();
  } catch (err) {
    expect(err).toBeInstanceOf(BadUserInputError);
    return (err as BadUserInputError).extensions.argument;
  }
  throw new Error('accepted');
}

describe('checkExecutable', () => {
  it('accepts PATH_MAX (4096) bytes and refuses one more, counting UTF-8 bytes', () => {
    expect(() => checkExecutable('cmd[0]', '/'.repeat(4096))).not.toThrow();
    expect(refusedArgument(() => checkExecutable('cmd[0]', '/'.repeat(4097)))).toBe('cmd[0]');
    expect(refusedArgument(() => checkExecutable('cmd[0]', 'é'.repeat(2049)))).toBe('cmd[0]');
  });
});

describe('createContainer / runContainer input', () => {
  const spec = (input: Partial<ContainerInput>) => toCreateSpec({ image: 'busybox', ...input } as ContainerInput);

  it('refuses an overlong entrypoint[0], and cmd[0] under an explicitly empty entrypoint', () => {
    expect(refusedArgument(() => spec({ entrypoint: [LONG] }))).toBe('input.entrypoint[0]');
    expect(refusedArgument(() => spec({ entrypoint: [], cmd: [LONG] }))).toBe('input.cmd[0]');
  });

  it('keeps long arguments: cmd[0] after an entrypoint, and any later entry', () => {
    expect(spec({ entrypoint: ['sh', '-c'], cmd: [LONG] }).cmd).toEqual([LONG]);
    expect(spec({ entrypoint: ['echo', LONG] }).entrypoint).toEqual(['echo', LONG]);
    expect(spec({ cmd: ['echo', LONG] }).cmd).toEqual(['echo', LONG]);
  });
});

describe('execInContainer', () => {
  const args = (cmd: string[]) => ({ ref: 'web', cmd, timeout: 5 });

  it('refuses an overlong cmd[0] and keeps long arguments', () => {
    expect(refusedArgument(() => checkExecArgs(args([LONG]), 60))).toBe('cmd[0]');
    expect(checkExecArgs(args(['echo', LONG]), 60).spec.cmd).toEqual(['echo', LONG]);
  });
});

describe('an overlong cmd[0] with no entrypoint in the input: the image decides', () => {
  function service(image: Partial<ImageInspectDto> | null) {
    const calls: string[] = [];
    const client = {
      inspectImage: async () => {
        calls.push('inspect image');
        return image;
      },
      inspectContainer: async () => null,
      withDocker: async () => {
        calls.push('create');
        return { Id: 'a'.repeat(64) };
      },
    } as unknown as DockerClient;
    const loaders = createLoaders(client);
    return { lifecycle: new ContainerLifecycleService(client, loaders, new ContainerService(client, loaders)), calls };
  }

  it('refuses it when the image has no entrypoint (cmd[0] is the executable), before any create', async () => {
    const { lifecycle, calls } = service({ Config: { Entrypoint: null } } as unknown as ImageInspectDto);
    const err = await lifecycle.create({ image: 'busybox', cmd: [LONG] } as ContainerInput, ANONYMOUS_ADMIN).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadUserInputError);
    expect((err as BadUserInputError).extensions.argument).toBe('input.cmd[0]');
    expect(calls).toEqual(['inspect image']);
  });

  it('sends it when the image has an entrypoint (cmd[0] is its argument), or leaves a missing image to the daemon', async () => {
    for (const image of [{ Config: { Entrypoint: ['sh', '-c'] } }, null]) {
      const { lifecycle, calls } = service(image as unknown as ImageInspectDto);
      await lifecycle.create({ image: 'busybox', cmd: [LONG] } as ContainerInput, ANONYMOUS_ADMIN).catch(() => undefined);
      expect(calls).toEqual(['inspect image', 'create']);
    }
  });

  it('does not ask the image for a short cmd[0]', async () => {
    const { lifecycle, calls } = service(null);
    await lifecycle.create({ image: 'busybox', cmd: ['true', LONG] } as ContainerInput, ANONYMOUS_ADMIN).catch(() => undefined);
    expect(calls).toEqual(['create']);
  });
});
