/** `dockql events [--type T]`: follows daemon events, one line each like `docker events`. */
import { listOption } from '../args';
import { type Command, println } from '../command';
import { CliError, UsageError } from '../errors';
import { eventLine } from '../format/rows';
import type { EventData } from '../types';

const FOLLOW = `subscription DockqlEvents($filter: EventFilter) {
  events(filter: $filter) { time timeNano type rawType action actorId scope attributes { key value } }
}`;

/** The EventType enum of the schema, as `docker events --filter type=` spells its values. */
export const EVENT_TYPES = ['builder', 'config', 'container', 'daemon', 'image', 'network', 'node', 'plugin', 'secret', 'service', 'volume'] as const;

export const eventsCommand: Command = {
  name: 'events',
  summary: 'Follow daemon events',
  usage: '[OPTIONS]',
  description:
    'Prints daemon events as they happen (the events subscription), one line each like `docker events`: time, type, action, id, attributes. ' +
    'Runs until interrupted; exits 1 when the server ends the stream.',
  options: {
    type: { type: 'string', short: 't', multiple: true, value: 'TYPE', description: `Only events of this type (repeatable): ${EVENT_TYPES.join(', ')}` },
    container: { type: 'string', short: 'c', multiple: true, value: 'ID|NAME', description: 'Only events about this container (repeatable)' },
    event: { type: 'string', short: 'e', multiple: true, value: 'ACTION', description: 'Only this action, e.g. start, die, pull (repeatable)' },
    label: { type: 'string', short: 'l', multiple: true, value: 'KEY[=VALUE]', description: 'Only events carrying this label (repeatable)' },
    json: { type: 'boolean', description: 'One JSON object a line' },
  },
  args: { min: 0, max: 0, name: '' },
  examples: ['dockql events', 'dockql events --type container --event die', 'dockql events --json | jq -c .'],
  async run(ctx, { values }) {
    const types = listOption(values, 'type').map((t) => t.toLowerCase());
    const unknown = types.find((t) => !(EVENT_TYPES as readonly string[]).includes(t));
    if (unknown !== undefined) throw new UsageError(`dockql events: unknown type ${JSON.stringify(unknown)} (one of ${EVENT_TYPES.join(', ')})`);
    const orNull = (list: string[]) => (list.length ? list : null);
    const filter = {
      types: orNull(types.map((t) => t.toUpperCase())),
      containers: orNull(listOption(values, 'container')),
      actions: orNull(listOption(values, 'event')),
      labels: orNull(listOption(values, 'label')),
    };
    for await (const { events: event } of ctx.api.subscribe<{ events: EventData }>(FOLLOW, { filter })) {
      println(ctx, values.json ? JSON.stringify(event) : eventLine(event));
    }
    throw new CliError('the server ended the event stream');
  },
};
