/** The rows of `dockql images` and `dockql ps`, column for column like the docker CLI's default tables. */
import type { ContainerData, EventData, ImageData } from '../types';
import { humanAge } from './duration';
import { displayablePorts } from './ports';
import { humanSize } from './size';
import { commandCell, truncateId } from './text';

/** `docker images` columns. */
export const IMAGE_HEADER = ['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE'] as const;

/** `docker ps` columns. */
export const CONTAINER_HEADER = ['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'PORTS', 'NAMES'] as const;

/** Splits "registry:5000/team/app:1" into repository and tag (the tag follows the last ":" after the last "/"). */
export function splitRepoTag(ref: string): { repository: string; tag: string } {
  const at = ref.indexOf('@');
  const name = at >= 0 ? ref.slice(0, at) : ref;
  const colon = name.lastIndexOf(':');
  if (colon > name.lastIndexOf('/')) return { repository: name.slice(0, colon), tag: name.slice(colon + 1) };
  return { repository: name, tag: '<none>' };
}

/**
 * The rows of one image: one per tag; a repository known only by digest gets
 * one row with TAG <none>; an image with neither is <none> <none>.
 */
export function imageRows(image: ImageData, now: Date = new Date(), truncate = true): string[][] {
  const id = truncate ? truncateId(image.id) : image.id;
  const cells = (repository: string, tag: string) => [repository, tag, id, humanAge(image.created, now), humanSize(image.size)];
  if (image.repoTags.length === 0 && image.repoDigests.length === 0) return [cells('<none>', '<none>')];
  const rows: string[][] = [];
  const tagged = new Set<string>();
  for (const ref of image.repoTags) {
    const { repository, tag } = splitRepoTag(ref);
    tagged.add(repository);
    rows.push(cells(repository, tag));
  }
  const digestOnly = new Set(image.repoDigests.map((ref) => splitRepoTag(ref).repository).filter((repository) => !tagged.has(repository)));
  for (const repository of digestOnly) rows.push(cells(repository, '<none>'));
  return rows;
}

/** All image rows, newest image first (the daemon's order for `docker images`). */
export function imagesTableRows(images: readonly ImageData[], now: Date = new Date(), truncate = true): string[][] {
  const sorted = [...images].sort((a, b) => Date.parse(b.created) - Date.parse(a.created));
  return sorted.flatMap((image) => imageRows(image, now, truncate));
}

/**
 * The IMAGE cell: an image id is shortened to 12 digits and a digest is
 * dropped (the tag kept), as `docker ps` does when it truncates.
 */
export function imageCell(imageRef: string): string {
  if (/^(sha256:)?[0-9a-f]{64}$/.test(imageRef)) return truncateId(imageRef);
  const at = imageRef.indexOf('@');
  return at >= 0 ? imageRef.slice(0, at) : imageRef;
}

/** One `docker ps` row. */
export function containerRow(container: ContainerData, now: Date = new Date()): string[] {
  return [
    truncateId(container.id),
    imageCell(container.imageRef),
    commandCell(container.command),
    humanAge(container.created, now),
    container.status,
    displayablePorts(container.ports),
    container.name,
  ];
}

/** RFC 3339 with nine fraction digits and the local offset, like docker's rfc3339NanoFixed. */
export function eventTime(timeNano: string, fallback: string, offsetMinutes?: number): string {
  let ms: number;
  let nanos: string;
  if (/^\d{10,}$/.test(timeNano)) {
    ms = Number(timeNano.slice(0, -6));
    nanos = timeNano.slice(-9);
  } else {
    ms = Date.parse(fallback);
    nanos = String(ms % 1000).padStart(3, '0') + '000000';
  }
  // The offset at the event's own date (daylight saving), unless a test fixes it.
  const offset = offsetMinutes ?? new Date(ms).getTimezoneOffset();
  // Shift to local wall time, then print it as if it were UTC and append the offset.
  const local = new Date(ms - offset * 60_000);
  const wall = local.toISOString().slice(0, 19);
  if (offset === 0) return `${wall}.${nanos}Z`;
  const east = -offset;
  const sign = east >= 0 ? '+' : '-';
  const hh = String(Math.floor(Math.abs(east) / 60)).padStart(2, '0');
  const mm = String(Math.abs(east) % 60).padStart(2, '0');
  return `${wall}.${nanos}${sign}${hh}:${mm}`;
}

/** One `docker events` line: time, type, action, actor id, then the attributes sorted by key. */
export function eventLine(event: EventData, offsetMinutes?: number): string {
  const head = `${eventTime(event.timeNano, event.time, offsetMinutes)} ${event.rawType} ${event.action} ${event.actorId}`;
  if (event.attributes.length === 0) return head;
  const attributes = [...event.attributes].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return `${head} (${attributes.map((a) => `${a.key}=${a.value}`).join(', ')})`;
}
