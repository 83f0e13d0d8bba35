import { Field, InputType, ObjectType } from 'type-graphql';

/** A key/value label, as docker keeps them on images, containers and events. */
@ObjectType({ description: 'A key/value label (what `docker inspect` shows under Labels, or an event attribute).' })
export class Label {
  @Field({ description: 'Label key, e.g. com.example.team.' })
  key!: string;

  @Field({ description: 'Label value (may be empty).' })
  value!: string;
}

/** A label to set, as `docker run --label key=value` does. */
@InputType({ description: 'A label to set, like `--label key=value`.' })
export class LabelInput {
  @Field({ description: 'Label key.' })
  key!: string;

  @Field({ description: 'Label value (may be empty).' })
  value!: string;
}

/** Converts the daemon's label map to sorted {@link Label}s (stable output for clients and tests). */
export function toLabels(map: Record<string, string> | null | undefined): Label[] {
  return Object.entries(map ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => ({ key, value }));
}
