/**
 * The daemon client against the real engine: its answers map to the API's
 * error codes on HTTP status, with the daemon's own words, and 304 is success.
 */
import { parseDockerHost } from '../../src/config';
import { DockerClient } from '../../src/docker/client';
import { DockqlError, ErrorCode } from '../../src/schema/errors';
import { docker, testDockerHost } from '../support/engine';
import { cleanUp, createContainer, runContainer } from '../support/fixtures';

const OWNER = 'docker-client';
let client: DockerClient;

beforeAll(() => {
  client = new DockerClient(parseDockerHost(testDockerHost(), undefined, undefined, {}));
});

afterAll(() => cleanUp(OWNER));

/** The error a call rejects with. */
async function failure(call: Promise<unknown>): Promise<DockqlError> {
  try {
    await call;
  } catch (err) {
    if (err instanceof DockqlError) return err;
    throw err;
  }
  throw new Error('the call succeeded');
}

it('treats starting a running container as success, as the docker CLI does (the daemon answers 304)', async () => {
  const id = await runContainer(OWNER);
  await expect(client.startContainer(id)).resolves.toBeUndefined();
  expect((await docker(['inspect', '--format', '{{.State.Running}}', id])).stdout.trim()).toBe('true');
});

it('maps 409 to CONFLICT with the daemon\'s words when removing a running container without force', async () => {
  const id = await runContainer(OWNER);
  const err = await failure(client.removeContainer(id));
  expect(err.code).toBe(ErrorCode.CONFLICT);
  expect(err.message).toMatch(/running container/i);
  expect(err.extensions.daemonStatus).toBe(409);
});

it('maps 404 to NOT_FOUND with the daemon\'s words', async () => {
  const err = await failure(client.startContainer('no-such-container-xyz'));
  expect(err.code).toBe(ErrorCode.NOT_FOUND);
  expect(err.message).toMatch(/no such container/i);
  expect(err.message).not.toMatch(/HTTP code/);
});

it('maps 400 to BAD_USER_INPUT with the daemon\'s words (an unknown list filter)', async () => {
  const err = await failure(client.listContainers({ bogus: ['x'] }));
  expect(err.code).toBe(ErrorCode.BAD_USER_INPUT);
  expect(err.message).toMatch(/bogus/);
});

it('answers null, not an error, when inspecting what does not exist', async () => {
  await expect(client.inspectContainer('no-such-container-xyz')).resolves.toBeNull();
  await expect(client.inspectImage('no/such:image')).resolves.toBeNull();
});

it('negotiates the API version down to the daemon\'s, as the docker CLI does', async () => {
  const server = (await docker(['version', '--format', '{{.Server.APIVersion}}'])).stdout.trim();
  const created = await createContainer(OWNER);
  expect(await client.apiVersion()).toBe(server);
  expect((await client.inspectContainer(created))?.Id).toBe(created);
});

it('maps an unreachable socket to DAEMON_UNAVAILABLE without naming the socket', async () => {
  const nowhere = new DockerClient({ kind: 'unix', socketPath: '/nonexistent/dockql/docker.sock' });
  const err = await failure(nowhere.ping());
  expect(err.code).toBe(ErrorCode.DAEMON_UNAVAILABLE);
  expect(err.message).not.toMatch(/nonexistent/);
});
