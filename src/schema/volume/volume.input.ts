import { Field, InputType } from 'type-graphql';

@InputType({ description: 'Narrows `volumes`, like `docker volume ls --filter`.' })
export class VolumeFilter {
  @Field(() => Boolean, { nullable: true, description: 'true: only volumes no container mounts (dangling=true); false: only mounted ones.' })
  dangling?: boolean | null;

  @Field(() => [String], { nullable: true, description: 'Only volumes with every one of these labels: "key" or "key=value" (--filter label=...).' })
  labels?: string[] | null;

  @Field(() => String, { nullable: true, description: 'Only volumes whose name contains this (--filter name=...).' })
  name?: string | null;
}
