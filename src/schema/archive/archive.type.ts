import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { ArchiveKind, ArchiveOrigin } from '../../archive/meta';
import { DateTimeScalar, SafeIntScalar } from '../scalars';

export { ArchiveKind, ArchiveOrigin };

registerEnumType(ArchiveKind, {
  name: 'ArchiveKind',
  description: 'What is inside: an image archive (docker save) or a root filesystem (docker export). Judged from the tar entries, not the name.',
  valuesConfig: {
    IMAGES: { description: 'An image archive (`docker save`): manifest.json at its top. `docker load` / loadImages reads it.' },
    CONTAINER_EXPORT: { description: 'A root filesystem (`docker export`): etc/, bin/, usr/... at its top. `docker import` / importImage turns it into an image.' },
    UNKNOWN: { description: 'Neither (or not a tar at all, or a gzip file still being scanned in the background).' },
  },
});

registerEnumType(ArchiveOrigin, {
  name: 'ArchiveOrigin',
  description: 'Where it came from.',
  valuesConfig: {
    SAVED: { description: 'Written by saveImages or saveAllImages (`docker save`).' },
    EXPORTED: { description: 'Written by exportContainer (`docker export`).' },
    UPLOADED: { description: 'Uploaded with PUT /archives/<name>.' },
    FOUND: { description: 'Put into the archive directory by other means (cp, rsync, scp); its sha256 is computed once, in the background.' },
  },
});

@ObjectType({ description: 'A tar file in the archive directory (DOCKQL_ARCHIVE_DIR): an image archive, a container export, or anything uploaded.' })
export class Archive {
  @Field({ description: 'File name inside the archive directory, e.g. centos_7.tar. Letters, digits, ".", "_" and "-", ending in .tar or .tar.gz.' })
  name!: string;

  @Field(() => ArchiveKind, { description: 'What is inside, from the content: IMAGES, CONTAINER_EXPORT or UNKNOWN.' })
  kind!: ArchiveKind;

  @Field(() => ArchiveOrigin, { description: 'How it came into the directory.' })
  origin!: ArchiveOrigin;

  @Field(() => SafeIntScalar, { description: 'Size of the file in bytes.' })
  size!: number;

  @Field(() => String, { nullable: true, description: 'Hex sha256 of the file; null until computed (files dropped in by hand are hashed in the background). Compare it with `sha256sum` after a copy; it is also the ETag of the download.' })
  sha256!: string | null;

  @Field(() => DateTimeScalar, { description: 'When the archive was written here (for a file found in the directory: its modification time).' })
  createdAt!: Date;

  @Field(() => [String], { description: 'The image refs it holds (for IMAGES, the RepoTags of its manifest.json), or the container it came from (for CONTAINER_EXPORT). Empty when unknown.' })
  contents!: string[];

  @Field({ description: 'Relative path on this service to GET the file (Range requests resume a broken download), e.g. /archives/centos_7.tar. PUT to the same path uploads.' })
  downloadUrl!: string;
}
