/** Archives as the schema shows them: thin mapping over the {@link ArchiveStore}. */
import type { ArchiveInfo } from '../../archive/meta';
import type { ArchiveStore } from '../../archive/store';
import type { Archive } from './archive.type';

/** `archives`, `archive(name)` and `deleteArchive`. */
export class ArchiveService {
  constructor(private readonly store: ArchiveStore) {}

  /** Every archive, sorted by name. */
  async list(): Promise<Archive[]> {
    return (await this.store.list()).map(toArchive);
  }

  /** One archive by name; null when there is none. @throws BAD_USER_INPUT for a bad name. */
  async get(name: string): Promise<Archive | null> {
    const info = await this.store.get(name);
    return info ? toArchive(info) : null;
  }

  /** Deletes the file and its metadata. @throws NOT_FOUND, BAD_USER_INPUT, CONFLICT (being written). */
  async delete(name: string): Promise<boolean> {
    return this.store.delete(name);
  }
}

/** Maps the store's info to the GraphQL type (also for archive jobs). */
export function toArchive(info: ArchiveInfo): Archive {
  return {
    name: info.name,
    kind: info.kind,
    origin: info.origin,
    size: info.size,
    sha256: info.sha256,
    createdAt: info.createdAt,
    contents: [...info.contents],
    downloadUrl: info.downloadUrl,
  };
}
