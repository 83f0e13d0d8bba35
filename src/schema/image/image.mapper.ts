/** Pure mapping from the daemon's image JSON to the schema's types. */
import { shortId } from '../../docker/refs';
import type { ImageHistoryDto, ImageInspectDto, ImageSummaryDto } from '../../docker/types';
import { toLabels } from '../common/label.type';
import type { Image, ImageLayer, Repository, Tag } from './image.type';

/** The daemon lists untagged images with this placeholder (older daemons) or with no tags. */
const NONE_TAG = '<none>:<none>';
const NONE_DIGEST = '<none>@<none>';

function realTags(tags: readonly string[] | null | undefined): string[] {
  return (tags ?? []).filter((t) => t !== NONE_TAG);
}

function realDigests(digests: readonly string[] | null | undefined): string[] {
  return (digests ?? []).filter((d) => d !== NONE_DIGEST);
}

/** An image from `GET /images/json`. */
export function imageFromSummary(s: ImageSummaryDto): Image {
  const repoTags = realTags(s.RepoTags);
  return {
    id: s.Id,
    shortId: shortId(s.Id),
    repoTags,
    repoDigests: realDigests(s.RepoDigests),
    created: new Date(s.Created * 1000),
    size: s.Size,
    dangling: repoTags.length === 0,
    labels: toLabels(s.Labels),
  };
}

/** An image from `GET /images/{ref}/json`; keeps the inspect data for lazy fields. */
export function imageFromInspect(i: ImageInspectDto): Image {
  const repoTags = realTags(i.RepoTags);
  return {
    id: i.Id,
    shortId: shortId(i.Id),
    repoTags,
    repoDigests: realDigests(i.RepoDigests),
    // API 1.44+ sends "" for images with no creation time; the list endpoint reports those as 0.
    created: new Date(i.Created ? Date.parse(i.Created) || 0 : 0),
    size: i.Size,
    dangling: repoTags.length === 0,
    labels: toLabels(i.Config?.Labels),
    inspect: i,
  };
}

/** Splits "repo:tag" at the tag's colon (not a registry port's): "127.0.0.1:5000/a:1" -> ["127.0.0.1:5000/a", "1"]. */
export function splitRepoTag(repoTag: string): { repository: string; tag: string } {
  const colon = repoTag.lastIndexOf(':');
  if (colon <= repoTag.lastIndexOf('/')) return { repository: repoTag, tag: 'latest' };
  return { repository: repoTag.slice(0, colon), tag: repoTag.slice(colon + 1) };
}

/** The digest the image has in `repository`, from its repoDigests ("repo@sha256:..."). */
export function digestIn(image: Image, repository: string): string | undefined {
  const prefix = `${repository}@`;
  return image.repoDigests.find((d) => d.startsWith(prefix))?.slice(prefix.length);
}

/** The image's tags, each pointing back at it. */
export function tagsOf(image: Image): Tag[] {
  return image.repoTags.map((reference) => {
    const { repository, tag } = splitRepoTag(reference);
    return { name: tag, reference, digest: digestIn(image, repository), image };
  });
}

/** Groups local images' tags into repositories, sorted by name, tags sorted by name. */
export function groupRepositories(images: readonly Image[]): Repository[] {
  const byName = new Map<string, Tag[]>();
  for (const image of images) {
    for (const tag of tagsOf(image)) {
      const { repository } = splitRepoTag(tag.reference);
      const tags = byName.get(repository) ?? [];
      tags.push(tag);
      byName.set(repository, tags);
    }
  }
  return [...byName.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, tags]) => ({ name, tags: tags.sort((a, b) => a.name.localeCompare(b.name)) }));
}

/** A `docker history` row; the daemon writes "<missing>" for layers it has no image for. */
export function layerFromHistory(h: ImageHistoryDto): ImageLayer {
  return {
    id: h.Id && h.Id !== '<missing>' ? h.Id : undefined,
    created: new Date(h.Created * 1000),
    createdBy: h.CreatedBy ?? '',
    size: h.Size,
    comment: h.Comment ?? '',
  };
}
