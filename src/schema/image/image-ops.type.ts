import { Field, Int, ObjectType } from 'type-graphql';
import { SafeIntScalar } from '../scalars';

@ObjectType({ description: 'One line of `docker rmi` output: a tag removed (Untagged) or an image or layer deleted (Deleted).' })
export class ImageDeleteItem {
  @Field({ nullable: true, description: 'The repository:tag (or repository@digest) that was removed.' })
  untagged?: string;

  @Field({ nullable: true, description: 'The image or layer id that was deleted (sha256:...).' })
  deleted?: string;
}

@ObjectType({ description: 'What `docker image prune` removed.' })
export class PruneReport {
  @Field(() => [String], { description: 'Ids of the images and layers deleted.' })
  deleted!: string[];

  @Field(() => [String], { description: 'Tags removed along the way (with all: true, unused tagged images).' })
  untagged!: string[];

  @Field(() => SafeIntScalar, { description: 'Disk space freed, in bytes.' })
  spaceReclaimed!: number;
}

@ObjectType({ description: 'One result of `docker search`.' })
export class ImageSearchResult {
  @Field({ description: 'Repository name, e.g. nginx or bitnami/nginx.' })
  name!: string;

  @Field({ description: 'Its description on the index (may be empty).' })
  description!: string;

  @Field(() => Int, { description: 'Stars on the index (STARS).' })
  stars!: number;

  @Field({ description: 'An official image (OFFICIAL [OK]).' })
  official!: boolean;

  @Field({ description: 'Built automatically by the index (AUTOMATED; deprecated by Docker Hub).' })
  automated!: boolean;
}
