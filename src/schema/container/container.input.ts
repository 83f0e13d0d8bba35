import { Field, InputType } from 'type-graphql';
import { ContainerState } from './container.type';

@InputType({ description: 'Narrows `containers`, like `docker ps -a --filter`.' })
export class ContainerFilter {
  @Field(() => [ContainerState], { nullable: true, description: 'Only containers in one of these states (--filter status=...). Default: all states.' })
  states?: ContainerState[];

  @Field({ nullable: true, description: 'Only containers whose name contains this (--filter name=...; the daemon reads it as a regular expression).' })
  name?: string;

  @Field(() => [String], { nullable: true, description: 'Only containers with every one of these labels: "key" or "key=value" (--filter label=...).' })
  labels?: string[];

  @Field({ nullable: true, description: 'Only containers created from this image or its descendants (--filter ancestor=...): a ref or id.' })
  ancestor?: string;
}
