import { Field, InputType } from 'type-graphql';

@InputType({ description: 'Narrows `images`, like `docker images --filter`.' })
export class ImageFilter {
  @Field({ nullable: true, description: 'Only images whose name matches, like `--filter reference=busy*:lat*` (shell-style * wildcards).' })
  reference?: string;

  @Field({ nullable: true, description: 'true: only untagged (<none>) images; false: only tagged ones. Default: both.' })
  dangling?: boolean;

  @Field(() => [String], { nullable: true, description: 'Only images with every one of these labels: "key" or "key=value", like `--filter label=...`.' })
  labels?: string[];
}
