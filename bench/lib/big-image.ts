/**
 * A large image of random data (random data does not compress, so every byte
 * is moved), built over the seeded busybox with one `docker run` + `docker
 * commit` per layer, labelled so that the teardown finds every piece.
 */
import { dockerCli } from './docker-cli';
import { BASE_IMAGE, TRANSFER_TIMEOUT_MS } from './pushed-image';
import type { Teardown } from './teardown';

/** What to build. */
export interface BigImageSpec {
  readonly ref: string;
  readonly layers: number;
  readonly layerMb: number;
  /** `key=value` put on every container and image made. */
  readonly label: string;
}

/** Everything labelled `label`: containers first, then images (tags and untagged parents alike). */
export async function removeLabelled(host: string, label: string): Promise<void> {
  const containers = (await dockerCli(host, ['ps', '-aq', '--filter', `label=${label}`])).split('\n').filter(Boolean);
  if (containers.length) await dockerCli(host, ['rm', '-f', ...containers]);
  const images = [...new Set((await dockerCli(host, ['images', '-aq', '--filter', `label=${label}`])).split('\n').filter(Boolean))];
  if (images.length) await dockerCli(host, ['rmi', '-f', ...images]).catch(() => undefined);
}

/**
 * Builds `spec.layers` layers of `spec.layerMb` MiB of /dev/urandom each and
 * tags the result `spec.ref`; returns its id. The removal is registered before
 * anything is created.
 */
export async function buildBigImage(host: string, spec: BigImageSpec, teardown: Teardown): Promise<string> {
  teardown.add(`remove the images labelled ${spec.label}`, () => removeLabelled(host, spec.label));
  let image = BASE_IMAGE;
  for (let k = 1; k <= spec.layers; k++) {
    const name = `dockql-bench-archive-layer-${process.pid}-${k}`;
    await dockerCli(
      host,
      ['run', '--name', name, '--network', 'none', '--label', spec.label, image, 'sh', '-c', `head -c ${spec.layerMb * 1024 * 1024} /dev/urandom > /layer${k}`],
      TRANSFER_TIMEOUT_MS,
    );
    const args = k === spec.layers ? [name, spec.ref] : [name];
    image = (await dockerCli(host, ['commit', '--change', `LABEL ${spec.label}`, '--change', 'CMD ["/bin/sh"]', ...args], TRANSFER_TIMEOUT_MS)).trim();
    await dockerCli(host, ['rm', '-f', name]);
  }
  return image;
}
