import { RequiresRole } from '../../auth/roles';
import { Arg, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import { type Envelope, unwrap } from '../../streams/envelope';
import type { Context } from '../context';
import { ContainerEventFilter, EventFilter } from './event.input';
import { ContainerEvent, DockerEvent } from './event.type';

/** The daemon's event stream, shared by every subscriber. */
@Resolver()
export class EventResolver {
  @RequiresRole('viewer')
  @Subscription(() => ContainerEvent, {
    description:
      'Container events as they happen (create, start, die, destroy, health_status...), like `docker events --filter type=container`. One shared daemon stream serves every subscriber; it survives daemon restarts (events are replayed from the last one seen, duplicates dropped). A subscriber more than DOCKQL_SUBSCRIBER_BUFFER events behind gets one SUBSCRIBER_TOO_SLOW error and completes.',
    subscribe: ({ args, context }: SubscribeResolverData<unknown, { filter?: ContainerEventFilter | null }, Context>) => context.services.events.containerEvents(args.filter),
  })
  containerEvents(
    @Root() event: Envelope<ContainerEvent>,
    @Arg('filter', () => ContainerEventFilter, { nullable: true, description: 'Only some containers, actions or labels; default: every container event.' }) _filter: ContainerEventFilter | null,
  ): ContainerEvent {
    return unwrap(event);
  }

  @RequiresRole('viewer')
  @Subscription(() => DockerEvent, {
    description:
      'Every daemon event (containers, images, volumes, networks, daemon...), like `docker events`. Same shared stream as containerEvents. After the stream broke and was re-established, a DAEMON event with action `reconnected` gives the gap (attributes gapStart, gapEnd): events of a restarted daemon from that gap may be missing.',
    subscribe: ({ args, context }: SubscribeResolverData<unknown, { filter?: EventFilter | null }, Context>) => context.services.events.events(args.filter),
  })
  events(
    @Root() event: Envelope<DockerEvent>,
    @Arg('filter', () => EventFilter, { nullable: true, description: 'Only some types, actions, containers or labels; default: every event.' }) _filter: EventFilter | null,
  ): DockerEvent {
    return unwrap(event);
  }
}
