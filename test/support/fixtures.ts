/**
 * Test state made with the docker CLI against the test engine, labelled per
 * test file so that each file removes exactly what it made.
 */
import { docker } from './engine';

/** The image every fresh engine is seeded with (scripts/engine.sh). */
export const BUSYBOX = 'dockql/busybox:latest';

/** Label key marking what a test file created; the value names the file. */
export const TEST_LABEL = 'dockql.test';

/** Creates a container (not started) and returns its full id. */
export async function createContainer(owner: string, args: string[] = [], cmd: string[] = ['true'], image = BUSYBOX): Promise<string> {
  const { stdout } = await docker(['create', '--network', 'none', '--label', `${TEST_LABEL}=${owner}`, ...args, image, ...cmd]);
  return stdout.trim();
}

/** Runs a detached container and returns its full id. */
export async function runContainer(owner: string, args: string[] = [], cmd: string[] = ['sleep', '300']): Promise<string> {
  const { stdout } = await docker(['run', '-d', '--network', 'none', '--label', `${TEST_LABEL}=${owner}`, ...args, BUSYBOX, ...cmd]);
  return stdout.trim();
}

/** Commits a new single-layer image from the busybox image, tagged `tag`, labelled for `owner`; returns its id. */
export async function makeImage(owner: string, tag: string, extraLabel = ''): Promise<string> {
  const { stdout: cid } = await docker(['create', '--network', 'none', '--label', `${TEST_LABEL}=${owner}`, BUSYBOX, 'true']);
  const changes = ['--change', `LABEL ${TEST_LABEL}=${owner}${extraLabel ? ` ${extraLabel}` : ''}`];
  const { stdout } = await docker(['commit', ...changes, cid.trim(), tag]);
  await docker(['rm', '-f', cid.trim()]);
  return stdout.trim();
}

/** Removes every container and image labelled for `owner`. */
export async function cleanUp(owner: string): Promise<void> {
  const filter = `label=${TEST_LABEL}=${owner}`;
  const containers = (await docker(['ps', '-aq', '--filter', filter])).stdout.split('\n').filter(Boolean);
  if (containers.length) await docker(['rm', '-f', ...containers]);
  const images = [...new Set((await docker(['images', '-q', '--filter', filter])).stdout.split('\n').filter(Boolean))];
  if (images.length) await docker(['rmi', '-f', ...images]);
}

/**
 * Builds an image of `layers` layers of `mbPerLayer` MB of random data each over
 * busybox (run + commit per layer), tagged `tag`; returns its id. The
 * intermediate images are untagged parents, removed with it.
 */
export async function makeLayeredImage(owner: string, tag: string, layers: number, mbPerLayer: number): Promise<string> {
  let image = BUSYBOX;
  for (let k = 1; k <= layers; k++) {
    const id = await createContainer(owner, [], ['sh', '-c', `head -c ${mbPerLayer * 1024 * 1024} /dev/urandom > /layer${k}`], image);
    await docker(['start', '-a', id]);
    const args = k === layers ? [id, tag] : [id];
    image = (await docker(['commit', '--change', `LABEL ${TEST_LABEL}=${owner}`, '--change', 'CMD ["/bin/sh"]', ...args])).stdout.trim();
    await docker(['rm', '-f', id]);
  }
  return image;
}

/** Removes every local tag of the image behind `ref` (and so the image): a later pull must download it. */
export async function removeLocally(ref: string): Promise<void> {
  const inspect = await docker(['image', 'inspect', '--format', '{{json .RepoTags}}', ref]).catch(() => undefined);
  if (!inspect) return;
  const tags = JSON.parse(inspect.stdout) as string[];
  if (tags.length) await docker(['rmi', '-f', ...tags]);
}
