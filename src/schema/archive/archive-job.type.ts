import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { TransferStatus } from '../pull/pull.type';
import { DateTimeScalar, SafeIntScalar } from '../scalars';
import { Archive } from './archive.type';

/** What an archive job does. */
export enum ArchiveOperation {
  SAVE = 'SAVE',
  EXPORT = 'EXPORT',
  LOAD = 'LOAD',
  IMPORT = 'IMPORT',
}

registerEnumType(ArchiveOperation, {
  name: 'ArchiveOperation',
  description: 'What an archive job does: write an archive from the daemon (SAVE, EXPORT) or read one into it (LOAD, IMPORT).',
  valuesConfig: {
    SAVE: { description: '`docker save -o <archive> <refs...>`: images into an archive (saveImages, saveAllImages).' },
    EXPORT: { description: '`docker export <container> > <archive>`: a container\'s root filesystem into an archive (exportContainer).' },
    LOAD: { description: '`docker load -i <archive>`: the images of an image archive into the daemon (loadImages, loadAllArchives).' },
    IMPORT: { description: '`docker import <archive> <ref>`: a root filesystem archive into the daemon as a new one-layer image (importImage).' },
  },
});

@ObjectType({
  description:
    'One archive job: a save, export, load or import running in the service, with byte progress for a progress bar. What is wrong before it starts is a GraphQL error; once it exists, its failure is status FAILED with the daemon\'s words in `error`.',
})
export class ArchiveJob {
  @Field(() => ID, { description: 'Job id: give it to archiveProgress or cancelArchiveJob.' })
  id!: string;

  @Field(() => ArchiveOperation, { description: 'What the job does.' })
  operation!: ArchiveOperation;

  @Field(() => TransferStatus, { description: 'Where the job is. A write that did not succeed leaves no file behind (not even a temp file).' })
  status!: TransferStatus;

  @Field(() => Archive, { nullable: true, description: 'The archive written (SAVE, EXPORT) or read (LOAD, IMPORT); null while a write has not finished, and for a write that failed.' })
  archive?: Archive;

  @Field({ description: 'The archive\'s file name in the archive directory, known from the start (for writes, the name it will get).' })
  archiveName!: string;

  @Field(() => [String], { description: 'What the job was asked for: the image refs saved (SAVE), the container exported (EXPORT), the ref the import is tagged with (IMPORT); empty for LOAD.' })
  refs!: string[];

  @Field(() => SafeIntScalar, { description: 'Bytes written to the archive (SAVE, EXPORT) or read from it and sent to the daemon (LOAD, IMPORT) so far; never goes backwards.' })
  bytesDone!: number;

  @Field(() => SafeIntScalar, { nullable: true, description: 'Known for LOAD and IMPORT (the file\'s size); null for writes until they end (the daemon does not say how big a save will be).' })
  bytesTotal?: number;

  @Field(() => String, { nullable: true, description: 'Why it failed or was canceled, in the daemon\'s words where it gave any; null otherwise.' })
  error?: string;

  @Field(() => DateTimeScalar, { description: 'When the job started.' })
  startedAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When it ended; null while running.' })
  finishedAt?: Date;

  /** Full ids of the images loaded or imported (resolved to `images` by the resolver). */
  imageIds!: readonly string[];
}
