/**
 * Event subscriptions: check the filter, then take a subscriber slot on the
 * process's one daemon event stream with a selector that filters and maps.
 */
import type { DaemonEventHub, HubEvent } from '../../streams/daemon-events';
import type { Envelope } from '../../streams/envelope';
import { EventType } from './event.type';
import type { ContainerEvent, DockerEvent } from './event.type';
import { compileEventFilter, type EventFilterInput, matchesEventFilter, toEventType } from './event-filter';
import { toContainerEvent, toDockerEvent } from './event.mapper';

/** One mapped view per daemon event, shared by every subscriber that selects it (graphql-js only reads it). */
const containerViews = new WeakMap<HubEvent, ContainerEvent>();
const dockerViews = new WeakMap<HubEvent, DockerEvent>();

function memo<T>(cache: WeakMap<HubEvent, T>, e: HubEvent, map: (e: HubEvent) => T): T {
  let view = cache.get(e);
  if (view === undefined) {
    view = map(e);
    cache.set(e, view);
  }
  return view;
}

/** containerEvents and events: filtered, mapped views of the one shared daemon event stream. */
export class EventService {
  constructor(private readonly hub: DaemonEventHub) {}

  /** Container events passing `filter`, in daemon order (BAD_USER_INPUT for a bad filter, before subscribing). */
  containerEvents(filter: EventFilterInput | null | undefined): AsyncIterableIterator<Envelope<ContainerEvent>> {
    const compiled = compileEventFilter(filter ? { actions: filter.actions, containers: filter.containers, labels: filter.labels } : null);
    return this.hub.subscribe((e: HubEvent) => (e.Type === 'container' && !e.synthetic && matchesEventFilter(compiled, e) ? memo(containerViews, e, toContainerEvent) : undefined));
  }

  /** Every event passing `filter`, plus dockql's `reconnected` notices when its types admit DAEMON. */
  events(filter: EventFilterInput | null | undefined): AsyncIterableIterator<Envelope<DockerEvent>> {
    const compiled = compileEventFilter(filter);
    const wantsNotices = !compiled.types || compiled.types.has(EventType.DAEMON);
    return this.hub.subscribe((e: HubEvent) => {
      // A notice is about the stream, not about an object: only the type criterion applies to it.
      if (e.synthetic) return wantsNotices && toEventType(e.Type) === EventType.DAEMON ? memo(dockerViews, e, toDockerEvent) : undefined;
      return matchesEventFilter(compiled, e) ? memo(dockerViews, e, toDockerEvent) : undefined;
    });
  }
}
