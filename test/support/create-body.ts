/** ContainerInput -> the daemon's create body, as unit tests of the mapping see it. */
import 'reflect-metadata';
import { toDaemonCreateBody } from '../../src/docker/containers';
import type { ContainerInput } from '../../src/schema/container/container-input.type';
import { toCreateSpec } from '../../src/schema/container/container-spec';
import { BadUserInputError } from '../../src/schema/errors';

/** The body `POST /containers/create` would get for `input` (image busybox:1.36 unless given). */
export const body = (input: Partial<ContainerInput>) => toDaemonCreateBody(toCreateSpec({ image: 'busybox:1.36', ...input } as ContainerInput));

/** The BAD_USER_INPUT a bad input raises, as { argument, message }; fails the test when the input is accepted. */
export function refusal(input: Partial<ContainerInput>): { argument: unknown; message: string } {
  try {
    body(input);
  } catch (err) {
    expect(err).toBeInstanceOf(BadUserInputError);
    return { argument: (err as BadUserInputError).extensions.argument, message: (err as Error).message };
  }
  throw new Error(`accepted ${JSON.stringify(input)}`);
}
