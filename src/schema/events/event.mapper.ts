/** Daemon events as the schema shows them (pure). */
import type { DaemonEventDto } from '../../docker/events';
import { toLabels } from '../common/label.type';
import type { ContainerEvent, DockerEvent } from './event.type';
import { toEventType } from './event-filter';

/** The event's time as a Date (millisecond precision: a Date has no more). */
export function eventTime(e: Pick<DaemonEventDto, 'timeNano'>): Date {
  return new Date(Number(e.timeNano / 1_000_000n));
}

/** An exit code attribute ("137") as a number; null when absent or not an integer. */
export function parseExitCode(value: string | undefined): number | null {
  if (value === undefined || !/^-?\d{1,10}$/.test(value)) return null;
  const n = Number(value);
  return Number.isSafeInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 ? n : null;
}

/** A container event as a ContainerEvent (the caller has checked its Type). */
export function toContainerEvent(e: DaemonEventDto): ContainerEvent {
  const a = e.Actor.Attributes;
  return {
    action: e.Action,
    containerId: e.Actor.ID,
    name: a.name ? a.name.replace(/^\//, '') : null,
    image: a.image || null,
    time: eventTime(e),
    timeNano: e.timeNano.toString(),
    // Only `die` carries the exit code of the main process; other actions' codes would mean something else.
    exitCode: e.Action === 'die' ? parseExitCode(a.exitCode) : null,
    attributes: toLabels(a),
  };
}

/** Any event as a DockerEvent. */
export function toDockerEvent(e: DaemonEventDto): DockerEvent {
  return {
    type: toEventType(e.Type),
    rawType: e.Type,
    action: e.Action,
    actorId: e.Actor.ID,
    attributes: toLabels(e.Actor.Attributes),
    scope: e.scope,
    time: eventTime(e),
    timeNano: e.timeNano.toString(),
  };
}
