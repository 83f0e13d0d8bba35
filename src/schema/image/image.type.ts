import { Field, ID, ObjectType } from 'type-graphql';
import type { ImageInspectDto } from '../../docker/types';
import { Label } from '../common/label.type';
import { DateTimeScalar, SafeIntScalar } from '../scalars';

/** A local image. Fields that need `docker image inspect` are resolved lazily (see ImageResolver). */
@ObjectType({ description: 'A local image, as `docker images` lists it and `docker image inspect` details it.' })
export class Image {
  @Field(() => ID, { description: 'Full image id, sha256:<64 hex digits>.' })
  id!: string;

  @Field({ description: 'First 12 hex digits of the id, as `docker images` shows.' })
  shortId!: string;

  @Field(() => [String], { description: 'repository:tag names pointing at this image, e.g. ["busybox:latest"]. Empty for a dangling image.' })
  repoTags!: string[];

  @Field(() => [String], { description: 'repository@digest names: the registry manifest digests this image was pulled or pushed as.' })
  repoDigests!: string[];

  @Field(() => DateTimeScalar, { description: 'When the image was built (the CREATED column of `docker images`).' })
  created!: Date;

  @Field(() => SafeIntScalar, { description: 'Size in bytes, including layers shared with other images (the SIZE column).' })
  size!: number;

  @Field({ description: 'True for an untagged image (<none>:<none> in `docker images`); `docker image prune` removes these.' })
  dangling!: boolean;

  @Field(() => [Label], { description: 'Image labels (LABEL instructions), sorted by key.' })
  labels!: Label[];

  /** Set when the image was read by inspect: its details need no second request. */
  inspect?: ImageInspectDto;
}

@ObjectType({ description: 'One layer of an image, as `docker history` shows it (newest first).' })
export class ImageLayer {
  @Field({ nullable: true, description: 'Id of the image this layer produced; null for layers built elsewhere (<missing> in `docker history`).' })
  id?: string;

  @Field(() => DateTimeScalar, { description: 'When the layer was created.' })
  created!: Date;

  @Field({ description: 'The instruction that made it (CREATED BY), e.g. /bin/sh -c #(nop) CMD ["sh"].' })
  createdBy!: string;

  @Field(() => SafeIntScalar, { description: 'Bytes the layer adds.' })
  size!: number;

  @Field({ description: 'Commit message or import note; empty when none.' })
  comment!: string;
}

@ObjectType({ description: 'A tag: one name an image is known by (repository:tag).' })
export class Tag {
  @Field({ description: 'The tag alone, e.g. 7.' })
  name!: string;

  @Field({ description: 'repository:tag, e.g. centos:7.' })
  reference!: string;

  @Field({ nullable: true, description: 'Registry manifest digest where known (sha256:...).' })
  digest?: string;

  @Field(() => Image, { nullable: true, description: 'The local image behind the tag; null when it is not on this host.' })
  image?: Image | null;
}

@ObjectType({ description: 'A repository: images sharing a name, like the REPOSITORY column of `docker images`.' })
export class Repository {
  @Field({ description: 'Repository name as written in tags, e.g. centos or 127.0.0.1:5000/team/app.' })
  name!: string;

  @Field(() => [Tag], { description: 'Its tags, sorted by name.' })
  tags!: Tag[];
}
