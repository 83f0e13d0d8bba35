/**
 * Event filters as `docker events --filter` reads them, applied by dockql to
 * the one shared daemon stream (pure: no I/O). Different criteria must all
 * match; the values of one criterion are alternatives. One deliberate
 * difference from the CLI: a container name must match exactly (the CLI
 * also takes name prefixes, so `web` would match `web2`).
 */
import type { DaemonEventDto } from '../../docker/events';
import { BadUserInputError } from '../errors';
import { checkLabelFilter, checkText } from '../validate';
import { EventType } from './event.type';

/** Most values accepted in one filter list. */
export const MAX_FILTER_VALUES = 100;

/** What a filter input may hold (ContainerEventFilter and EventFilter alike). */
export interface EventFilterInput {
  readonly types?: readonly EventType[] | null;
  readonly actions?: readonly string[] | null;
  readonly containers?: readonly string[] | null;
  readonly labels?: readonly string[] | null;
}

/** A checked filter, ready to test events against. Absent criteria admit everything. */
export interface CompiledEventFilter {
  readonly types?: ReadonlySet<EventType>;
  readonly actions?: readonly string[];
  readonly containers?: readonly string[];
  readonly labels?: ReadonlyArray<{ readonly key: string; readonly value?: string }>;
}

/** The daemon's type words, as the schema's enum. */
const TYPES: Readonly<Record<string, EventType>> = {
  container: EventType.CONTAINER,
  image: EventType.IMAGE,
  volume: EventType.VOLUME,
  network: EventType.NETWORK,
  daemon: EventType.DAEMON,
  plugin: EventType.PLUGIN,
  service: EventType.SERVICE,
  node: EventType.NODE,
  secret: EventType.SECRET,
  config: EventType.CONFIG,
  builder: EventType.BUILDER,
};

/** The daemon's event type as {@link EventType}; UNKNOWN for a type this service does not know. */
export function toEventType(raw: string): EventType {
  return Object.prototype.hasOwnProperty.call(TYPES, raw) ? TYPES[raw]! : EventType.UNKNOWN;
}

/**
 * Checks a filter input (BAD_USER_INPUT before anything is subscribed) and
 * compiles it. Empty lists count as absent, as with the CLI.
 * @param argument the argument's name for error messages, e.g. "filter".
 */
export function compileEventFilter(input: EventFilterInput | null | undefined, argument = 'filter'): CompiledEventFilter {
  if (!input) return {};
  const list = <T>(field: string, values: readonly T[] | null | undefined, check: (v: T, name: string) => T): T[] | undefined => {
    if (!values?.length) return undefined;
    if (values.length > MAX_FILTER_VALUES) throw new BadUserInputError(`${argument}.${field} has more than ${MAX_FILTER_VALUES} values`, { argument });
    return values.map((v, i) => check(v, `${argument}.${field}[${i}]`));
  };
  const types = list('types', input.types, (v) => v);
  const actions = list('actions', input.actions, (v, name) => checkText(name, v, /^[^\s].*$/));
  const containers = list('containers', input.containers, (v, name) => checkText(name, v, /^\/?[A-Za-z0-9][A-Za-z0-9_.-]*$/).replace(/^\//, ''));
  const labels = list('labels', input.labels, (v, name) => checkLabelFilter(name, v));
  const compiled: { -readonly [K in keyof CompiledEventFilter]: CompiledEventFilter[K] } = {};
  if (types) compiled.types = new Set(types);
  if (actions) compiled.actions = actions;
  if (containers) compiled.containers = containers;
  if (labels) {
    compiled.labels = labels.map((l) => {
      const eq = l.indexOf('=');
      return eq < 0 ? { key: l } : { key: l.slice(0, eq), value: l.slice(eq + 1) };
    });
  }
  return compiled;
}

/** True when `event` passes every criterion of `filter`. */
export function matchesEventFilter(filter: CompiledEventFilter, event: DaemonEventDto): boolean {
  if (filter.types && !filter.types.has(toEventType(event.Type))) return false;
  if (filter.actions && !filter.actions.some((a) => actionMatches(a, event.Action))) return false;
  if (filter.containers && !filter.containers.some((c) => concernsContainer(c, event))) return false;
  if (filter.labels && !labelsMatch(filter.labels, event.Actor.Attributes)) return false;
  return true;
}

/**
 * The CLI's `event=` rule: equal, or the part before ": " of actions that
 * carry detail ("health_status: healthy", "exec_start: sh -c date").
 */
export function actionMatches(wanted: string, action: string): boolean {
  return action === wanted || (action.startsWith(wanted) && action.slice(wanted.length).startsWith(':'));
}

/** Id, hex id prefix or exact name of a container. */
export function containerMatches(wanted: string, id: string, name: string | undefined): boolean {
  if (id === wanted || (name !== undefined && name.replace(/^\//, '') === wanted)) return true;
  return /^[0-9a-f]+$/.test(wanted) && id.startsWith(wanted);
}

/** A container event about `wanted`, or a network/volume event naming it in its `container` attribute. */
export function concernsContainer(wanted: string, event: DaemonEventDto): boolean {
  const attributes = event.Actor.Attributes;
  if (event.Type === 'container') return containerMatches(wanted, event.Actor.ID, attributes.name);
  const other = attributes.container;
  return other !== undefined && other !== '' && containerMatches(wanted, other, undefined);
}

/** The CLI's `label=` rule: every "key" present, every "key=value" equal. */
export function labelsMatch(labels: NonNullable<CompiledEventFilter['labels']>, attributes: Readonly<Record<string, string>>): boolean {
  return labels.every((l) => Object.prototype.hasOwnProperty.call(attributes, l.key) && (l.value === undefined || attributes[l.key] === l.value));
}
