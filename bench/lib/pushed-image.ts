/**
 * A multi-layer image of random data, built on the seeded busybox with
 * `docker run` + `docker commit`, pushed to a loopback registry and removed
 * locally, so that a pull really downloads every layer but the base.
 */
import http from 'node:http';
import { dockerCli } from './docker-cli';
import type { Teardown } from './teardown';

/** The engine's seeded base image (scripts/engine.sh). */
export const BASE_IMAGE = 'dockql/busybox:latest';

/** Pushes, pulls and builds of large images outlive the CLI helper's default timeout. */
export const TRANSFER_TIMEOUT_MS = 15 * 60_000;

/** What to build. */
export interface PushedImageSpec {
  /** `<registry>/<repository>:<tag>` */
  readonly ref: string;
  /** Random bytes over all layers. */
  readonly bytes: number;
  /** Layers on top of the base, each with its share of the bytes. */
  readonly layers: number;
  /** True when the registry outlives the bench (adopted engine): delete the manifest at the end. */
  readonly cleanRegistry: boolean;
}

/** The pushed image. */
export interface PushedImage {
  readonly ref: string;
  /** Manifest digest the registry stored. */
  readonly digest: string;
  /** Committed image ids, base first; all removed locally. */
  readonly imageIds: readonly string[];
}

/** `<registry>/<repository>` and `<tag>` of a ref with a tag (no digest). */
function splitRef(ref: string): { registry: string; repository: string; tag: string } {
  const match = /^([^/]+)\/(.+):([\w][\w.-]*)$/.exec(ref);
  if (!match) throw new Error(`not a registry ref with a tag: ${ref}`);
  return { registry: match[1]!, repository: match[2]!, tag: match[3]! };
}

/** Deletes a manifest from a loopback registry (best effort: the blobs stay until its garbage collection). */
function deleteManifest(ref: string, digest: string): Promise<void> {
  const { registry, repository } = splitRef(ref);
  return new Promise((resolve) => {
    const req = http.request(`http://${registry}/v2/${repository}/manifests/${digest}`, { method: 'DELETE', timeout: 5_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve());
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve());
    req.end();
  });
}

/** True when `image` (a ref or id) is on the engine. */
export async function imageExists(host: string, image: string): Promise<boolean> {
  return dockerCli(host, ['image', 'inspect', '--format', '{{.Id}}', image]).then(
    () => true,
    () => false,
  );
}

/**
 * Removes `ref` and `ids` from the engine and checks that none is left.
 * @throws when one remains (a later pull would then not download everything).
 */
export async function removeLocally(host: string, ref: string, ids: readonly string[] = []): Promise<void> {
  if (await imageExists(host, ref)) await dockerCli(host, ['rmi', ref]);
  for (const id of [...ids].reverse()) {
    if (await imageExists(host, id)) await dockerCli(host, ['rmi', id]);
  }
  for (const image of [ref, ...ids]) {
    if (await imageExists(host, image)) throw new Error(`${image} is still on the engine after docker rmi`);
  }
}

/** Pushes `ref` and returns the manifest digest; registers its deletion from the registry when asked. */
async function push(host: string, ref: string, cleanRegistry: boolean, teardown: Teardown): Promise<string> {
  const pushed = await dockerCli(host, ['push', ref], TRANSFER_TIMEOUT_MS);
  // push_v2.go's last line: "<tag>: digest: sha256:... size: N".
  const digest = /digest: (sha256:[0-9a-f]{64})/.exec(pushed)?.[1];
  if (!digest) throw new Error(`docker push ${ref} printed no digest:\n${pushed}`);
  if (cleanRegistry) teardown.add(`delete ${ref} from the registry`, () => deleteManifest(ref, digest));
  return digest;
}

/**
 * Builds, pushes and locally removes the image. Every container and image it
 * creates (and the registry manifest, when asked) is registered with `teardown`
 * before it exists.
 */
export async function buildAndPushImage(host: string, spec: PushedImageSpec, teardown: Teardown): Promise<PushedImage> {
  if (!(await imageExists(host, BASE_IMAGE))) throw new Error(`${BASE_IMAGE} is missing on ${host}; scripts/engine.sh start seeds it`);
  const ids: string[] = [];
  teardown.add(`remove ${spec.ref} and its build steps`, async () => {
    await dockerCli(host, ['rmi', '-f', spec.ref]).catch(() => undefined);
    for (const id of [...ids].reverse()) await dockerCli(host, ['rmi', '-f', id]).catch(() => undefined);
  });
  let parent = BASE_IMAGE;
  for (let k = 1; k <= spec.layers; k++) {
    const share = Math.floor(spec.bytes / spec.layers) + (k === spec.layers ? spec.bytes % spec.layers : 0);
    const name = `dockql-bench-pull-${process.pid}-${k}`;
    teardown.add(`remove ${name}`, () => dockerCli(host, ['rm', '-f', name]).catch(() => undefined));
    await dockerCli(host, ['run', '--name', name, '--network', 'none', parent, 'sh', '-c', `head -c ${share} /dev/urandom > /layer${k}`], TRANSFER_TIMEOUT_MS);
    // Untagged commits: removing the final image prunes them too, and no tag is left behind.
    parent = (await dockerCli(host, ['commit', name])).trim();
    ids.push(parent);
    await dockerCli(host, ['rm', name]);
  }
  await dockerCli(host, ['tag', parent, spec.ref]);
  const digest = await push(host, spec.ref, spec.cleanRegistry, teardown);
  await removeLocally(host, spec.ref, ids);
  return { ref: spec.ref, digest, imageIds: ids };
}

/**
 * Tags the base image as `ref`, pushes it and untags it again: a pull of `ref`
 * then finds every layer already there, which makes a quick warm-up pull.
 */
export async function pushBaseAs(host: string, ref: string, cleanRegistry: boolean, teardown: Teardown): Promise<void> {
  if (!(await imageExists(host, BASE_IMAGE))) throw new Error(`${BASE_IMAGE} is missing on ${host}; scripts/engine.sh start seeds it`);
  teardown.add(`untag ${ref}`, () => dockerCli(host, ['rmi', ref]).catch(() => undefined));
  await dockerCli(host, ['tag', BASE_IMAGE, ref]);
  await push(host, ref, cleanRegistry, teardown);
  await dockerCli(host, ['rmi', ref]);
}
