/**
 * Registry repositories and tags as the shared `Repository` and `Tag` types,
 * with their costly fields resolved lazily: GraphQL reads a field by property
 * access (type-graphql's basic field resolver returns `root[field]` and awaits
 * a promise), so a getter makes the registry request only when a query selects
 * the field. `tags` costs a tags/list, `digest` a manifest HEAD, `image` that
 * HEAD plus the request's one image list.
 */
import type { Image, Repository, Tag } from '../image/image.type';

/** Shares one run of `fn` among all readers. */
export function memo<T>(fn: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | undefined;
  return () => (result ??= fn());
}

/**
 * A Repository whose `tags` are fetched on first read.
 * The cast is the one place the lazy shape meets the plain type: GraphQL awaits the getter's promise.
 */
export function lazyRepository(name: string, tags: () => Promise<Tag[]>): Repository {
  const repository = { name };
  Object.defineProperty(repository, 'tags', { get: memo(tags), enumerable: true });
  return repository as unknown as Repository;
}

/** Tags sorted by name, as `Repository.tags` promises. */
export function sortedTags(tags: readonly Tag[]): Tag[] {
  return [...tags].sort((a, b) => a.name.localeCompare(b.name));
}

/** A Tag whose `digest` and `image` are looked up on first read (each at most once). */
export function lazyTag(name: string, reference: string, digest: () => Promise<string | null>, image: () => Promise<Image | null>): Tag {
  const tag = { name, reference };
  Object.defineProperties(tag, {
    digest: { get: memo(digest), enumerable: true },
    image: { get: memo(image), enumerable: true },
  });
  return tag as unknown as Tag;
}

/**
 * The local image behind a registry tag: the one whose repoDigests hold
 * `<repository>@<digest>` (what a push or pull records), else the one tagged
 * `reference`, unless that image records another digest in this repository
 * (then it is an older or different image than the registry's).
 *
 * @param repository - host-prefixed repository name, e.g. 127.0.0.1:5000/team/app
 * @param reference - repository:tag
 * @param digest - the registry's manifest digest; null when unknown
 */
export function localImageFor(images: readonly Image[], repository: string, reference: string, digest: string | null): Image | null {
  if (digest) {
    const pinned = `${repository}@${digest}`;
    const byDigest = images.find((i) => i.repoDigests.includes(pinned));
    if (byDigest) return byDigest;
  }
  const byTag = images.find((i) => i.repoTags.includes(reference));
  if (!byTag) return null;
  if (digest && byTag.repoDigests.some((d) => d.startsWith(`${repository}@`))) return null;
  return byTag;
}
