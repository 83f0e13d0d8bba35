import { Field, InputType } from 'type-graphql';
import { EventType } from './event.type';

/** The containerEvents filter (the contract's ContainerEventFilter). */
@InputType({ description: 'Narrows containerEvents, like `docker events --filter`. Different fields must all match; the values of one field are alternatives.' })
export class ContainerEventFilter {
  @Field(() => [String], { nullable: true, description: 'Only these containers: full id, id prefix (hex), or exact name (--filter container=...). The name is matched as it was at the time of the event.' })
  containers?: string[] | null;

  @Field(() => [String], { nullable: true, description: 'Only these actions, e.g. ["start", "die"] (--filter event=...). "health_status" also matches "health_status: unhealthy", and "exec_start" matches "exec_start: sh -c ...".' })
  actions?: string[] | null;

  @Field(() => [String], { nullable: true, description: 'Only containers carrying every one of these labels: "key" or "key=value" (--filter label=...).' })
  labels?: string[] | null;
}

/** The events filter (the contract's EventFilter, plus containers and labels). */
@InputType({ description: 'Narrows events, like `docker events --filter`. Different fields must all match; the values of one field are alternatives.' })
export class EventFilter {
  @Field(() => [EventType], { nullable: true, description: 'Only these types (--filter type=...). Default: all. The DAEMON `reconnected` notice reaches every subscription whose types admit DAEMON, whatever its other filters.' })
  types?: EventType[] | null;

  @Field(() => [String], { nullable: true, description: 'Only these actions, e.g. ["pull", "delete"] (--filter event=...); "health_status" also matches "health_status: healthy".' })
  actions?: string[] | null;

  @Field(() => [String], { nullable: true, description: 'Only events about these containers (full id, id prefix or exact name), like --filter container=...; network and volume events that name one of them (connect, disconnect, mount, unmount) match too.' })
  containers?: string[] | null;

  @Field(() => [String], { nullable: true, description: 'Only events whose attributes carry every one of these labels: "key" or "key=value" (--filter label=...).' })
  labels?: string[] | null;
}
