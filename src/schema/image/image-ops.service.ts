/** Image changes and index search: `docker tag`, `docker rmi`, `docker image prune`, `docker search`. */
import type { DockerClient } from '../../docker/client';
import { DockqlError, ErrorCode, NotFoundError } from '../errors';
import { transferTarget } from '../pull/transfer-refs';
import { checkText } from '../validate';
import type { ImageDeleteItem, ImageSearchResult, PruneReport } from './image-ops.type';
import type { ImageService } from './image.service';
import type { Image } from './image.type';

export class ImageOpsService {
  constructor(
    private readonly docker: DockerClient,
    private readonly images: ImageService,
    private readonly searchTimeoutMs: number,
  ) {}

  /** Like `docker tag SOURCE TARGET`: returns the image with its new tag. */
  async tag(source: string, target: string): Promise<Image> {
    const to = transferTarget('target', target);
    if (to.normalized.digest) throw new DockqlError(ErrorCode.BAD_USER_INPUT, 'target: a tag cannot be a digest; give name[:tag]', { argument: 'target' });
    const image = await this.mustFind(source, 'source');
    await this.docker.tagImage(image.id, to.name, to.tagOrDigest);
    return (await this.images.fresh(image.id)) ?? image;
  }

  /**
   * Like `docker rmi`. A name removes that tag (and the image when it was the last);
   * an id removes the image, which the daemon refuses (CONFLICT) while several
   * repositories or a container use it, unless force.
   */
  async remove(ref: string, force: boolean, noPrune: boolean): Promise<ImageDeleteItem[]> {
    const image = await this.mustFind(ref, 'ref');
    // An id prefix goes to the daemon as the full id: it would read "abc123" as the name abc123:latest.
    const target = /^(sha256:)?[0-9a-f]+$/.test(ref) && image.id.replace(/^sha256:/, '').startsWith(ref.replace(/^sha256:/, '')) ? image.id : ref;
    const items = await this.docker.removeImage(target, { force, noPrune });
    return items.map((i) => ({ untagged: i.Untagged, deleted: i.Deleted }));
  }

  /** Like `docker image prune [-a]`. */
  async prune(all: boolean): Promise<PruneReport> {
    const report = await this.docker.pruneImages(all);
    const items = report.ImagesDeleted ?? [];
    return {
      deleted: items.flatMap((i) => (i.Deleted ? [i.Deleted] : [])),
      untagged: items.flatMap((i) => (i.Untagged ? [i.Untagged] : [])),
      spaceReclaimed: report.SpaceReclaimed ?? 0,
    };
  }

  /** Like `docker search`, bounded by DOCKQL_SEARCH_TIMEOUT (then TIMEOUT). */
  async search(term: string, limit: number): Promise<ImageSearchResult[]> {
    checkText('term', term, /^[A-Za-z0-9._/:-]+$/, 255);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      throw new DockqlError(ErrorCode.BAD_USER_INPUT, 'limit must be from 1 to 100', { argument: 'limit' });
    }
    const signal = AbortSignal.timeout(this.searchTimeoutMs);
    try {
      const rows = await this.docker.searchImages(term, limit, signal);
      return rows.map((r) => ({ name: r.name, description: r.description ?? '', stars: r.star_count ?? 0, official: Boolean(r.is_official), automated: Boolean(r.is_automated) }));
    } catch (err) {
      if (signal.aborted) throw new DockqlError(ErrorCode.TIMEOUT, `docker search did not answer within ${this.searchTimeoutMs / 1000} s`);
      // The daemon answers 503 when it cannot reach the index; other failures keep their mapping.
      if (err instanceof DockqlError && err.extensions.daemonStatus === 503) throw new DockqlError(ErrorCode.REGISTRY_UNAVAILABLE, err.message);
      throw err;
    }
  }

  private async mustFind(ref: string, argument: string): Promise<Image> {
    const image = await this.images.find(ref, argument);
    if (!image) throw new NotFoundError(`No such image: ${ref}`, { argument });
    return image;
  }
}
