/** Image reads: listing, ref resolution, inspect details, history and repositories. */
import type { DockerClient } from '../../docker/client';
import { classifyImageRef, formatImageRef, RefSyntaxError, shortId } from '../../docker/refs';
import type { DaemonFilters, ImageInspectDto } from '../../docker/types';
import { BadUserInputError } from '../errors';
import type { Loaders } from '../loaders';
import { badRef, checkLabelFilter, checkText } from '../validate';
import type { ImageFilter } from './image.input';
import { groupRepositories, imageFromInspect, imageFromSummary, layerFromHistory, tagsOf } from './image.mapper';
import type { Image, ImageLayer, Repository, Tag } from './image.type';

/** Characters of `docker images --filter reference=`: a ref with * wildcards. */
const REFERENCE_PATTERN = /^[A-Za-z0-9._:/@*-]+$/;

export class ImageService {
  constructor(
    private readonly docker: DockerClient,
    private readonly loaders: Loaders,
  ) {}

  /** Like `docker images [--filter ...]`, newest first. */
  async list(filter?: ImageFilter | null): Promise<Image[]> {
    const filters = toDaemonFilters(filter);
    const rows = filters ? await this.docker.listImages(filters) : await this.loaders.imageList();
    return rows.map(imageFromSummary).sort((a, b) => b.created.getTime() - a.created.getTime());
  }

  /**
   * Resolves a ref the way `docker` does: name[:tag], name@digest, a full id, or
   * a unique id prefix (a tag of the same name wins over a prefix). Null when absent.
   * @throws BAD_USER_INPUT for a malformed ref (before any daemon call) or an ambiguous prefix.
   */
  async find(ref: string, argument = 'ref'): Promise<Image | null> {
    let classified: ReturnType<typeof classifyImageRef>;
    try {
      classified = classifyImageRef(ref);
    } catch (err) {
      if (err instanceof RefSyntaxError) throw badRef(argument, err);
      throw err;
    }
    if (classified.kind === 'id') {
      return (await this.byIdPrefix(classified.hex, classified.full, argument)) ?? (await this.inspected(ref));
    }
    if (classified.idPrefix) {
      // "deadbeef" may be a repository name or an id prefix: docker tries the name first.
      const byName = await this.inspected(formatImageRef(classified.ref));
      return byName ?? (await this.byIdPrefix(classified.idPrefix, false, argument));
    }
    return this.inspected(formatImageRef(classified.ref));
  }

  /** The image with this exact id, from the request's image list, else by inspect (intermediate images). */
  async byId(id: string): Promise<Image | null> {
    const row = (await this.loaders.imageList()).find((i) => i.Id === id);
    return row ? imageFromSummary(row) : this.inspected(id);
  }

  /** The image as it is now, bypassing this request's cache (after a change such as a new tag). */
  async fresh(id: string): Promise<Image | null> {
    const dto = await this.docker.inspectImage(id);
    return dto ? imageFromInspect(dto) : null;
  }

  /** `docker image inspect` data behind lazy fields (os, cmd, env...), fetched once per request. */
  async details(image: Image): Promise<ImageInspectDto | null> {
    return image.inspect ?? this.loaders.imageInspect.load(image.id);
  }

  /** Like `docker history`. */
  async history(image: Image): Promise<ImageLayer[]> {
    return (await this.docker.imageHistory(image.id)).map(layerFromHistory);
  }

  /** The image's tags. */
  tags(image: Image): Tag[] {
    return tagsOf(image);
  }

  /** Local images grouped by repository. */
  async repositories(): Promise<Repository[]> {
    return groupRepositories((await this.loaders.imageList()).map(imageFromSummary));
  }

  private async inspected(ref: string): Promise<Image | null> {
    const dto = await this.loaders.imageInspect.load(ref);
    return dto ? imageFromInspect(dto) : null;
  }

  /** A unique id prefix among local images; null when none matches; BAD_USER_INPUT listing candidates when several do. */
  private async byIdPrefix(hex: string, full: boolean, argument: string): Promise<Image | null> {
    const rows = await this.loaders.imageList();
    const matches = rows.filter((r) => r.Id.replace(/^sha256:/, '').startsWith(hex));
    if (matches.length > 1 && !full) {
      const candidates = matches.map((m) => shortId(m.Id));
      throw new BadUserInputError(`${argument}: image id prefix "${hex}" is ambiguous: it matches ${candidates.join(', ')}`, {
        argument,
        candidates,
      });
    }
    return matches[0] ? imageFromSummary(matches[0]) : null;
  }
}

/** ImageFilter -> the daemon's filters (validated), or undefined for "no filter". */
function toDaemonFilters(filter?: ImageFilter | null): DaemonFilters | undefined {
  if (!filter) return undefined;
  const filters: DaemonFilters = {};
  if (filter.reference != null) filters.reference = [checkText('filter.reference', filter.reference, REFERENCE_PATTERN)];
  if (filter.dangling != null) filters.dangling = [String(filter.dangling)];
  if (filter.labels?.length) filters.label = filter.labels.map((l) => checkLabelFilter('filter.labels', l));
  return Object.keys(filters).length ? filters : undefined;
}
