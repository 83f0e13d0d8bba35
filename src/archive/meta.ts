/**
 * What the store knows about an archive, and how it is kept beside the file:
 * a sidecar `.<name>.json` per archive, written atomically (temp file, fsync,
 * rename), so a restart lists every archive with its origin and hash without
 * reading the archives again.
 */
import { randomBytes } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { archiveDownloadUrl } from './names';

/** What is inside an archive, judged from its content. */
export enum ArchiveKind {
  IMAGES = 'IMAGES',
  CONTAINER_EXPORT = 'CONTAINER_EXPORT',
  UNKNOWN = 'UNKNOWN',
}

/** How an archive came into the directory. */
export enum ArchiveOrigin {
  SAVED = 'SAVED',
  EXPORTED = 'EXPORTED',
  UPLOADED = 'UPLOADED',
  FOUND = 'FOUND',
}

/** One archive as clients see it (the GraphQL `Archive` and the HTTP JSON). */
export interface ArchiveInfo {
  readonly name: string;
  readonly kind: ArchiveKind;
  readonly origin: ArchiveOrigin;
  /** Bytes. */
  readonly size: number;
  /** Hex sha256; null until computed (files found in the directory are hashed in the background). */
  readonly sha256: string | null;
  readonly createdAt: Date;
  /** Image refs (IMAGES), or the container it was exported from (CONTAINER_EXPORT). */
  readonly contents: readonly string[];
  /** Relative URL for GET/PUT, e.g. /archives/centos_7.tar. */
  readonly downloadUrl: string;
}

/** The store's record: the public info plus what ties it to one version of the file. */
export interface ArchiveRecord extends ArchiveInfo {
  /** mtime of the file the record describes; a different size or mtime means the file was replaced by hand. */
  readonly mtimeMs: number;
  /** False while the kind is a guess that a full scan still has to confirm (large or gzip-compressed files found by hand). */
  readonly kindSettled: boolean;
}

/** Temp files of writes and sidecar updates; whatever matches at start is a crash's leftover. */
export const TEMP_FILE = /^\.tmp-[0-9a-f]{24}\.part$/;

/** A fresh temp file name in the archive directory (hidden, so never listed). */
export function tempFileName(): string {
  return `.tmp-${randomBytes(12).toString('hex')}.part`;
}

/**
 * Flags for every read of a file in the archive directory: O_NOFOLLOW refuses a
 * symlink swapped in after the lstat, O_NONBLOCK keeps a FIFO swapped in from
 * blocking the open forever (it changes nothing for regular files).
 */
export const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/** The sidecar file of archive `name`. */
export function sidecarName(name: string): string {
  return `.${name}.json`;
}

/** The archive a sidecar file belongs to, or undefined when `file` is not a sidecar. */
export function archiveOfSidecar(file: string): string | undefined {
  const m = /^\.(.+\.tar(?:\.gz)?)\.json$/.exec(file);
  return m?.[1];
}

/** True when `record` still describes the file `stats` were taken of. */
export function describes(record: Pick<ArchiveRecord, 'size' | 'mtimeMs'>, stats: Pick<Stats, 'size' | 'mtimeMs'>): boolean {
  return record.size === stats.size && record.mtimeMs === stats.mtimeMs;
}

/** Builds a record; `downloadUrl` always follows from the name. */
export function makeRecord(fields: Omit<ArchiveRecord, 'downloadUrl'>): ArchiveRecord {
  return Object.freeze({ ...fields, contents: Object.freeze([...fields.contents]), downloadUrl: archiveDownloadUrl(fields.name) });
}

/** The public part of a record (what GraphQL and HTTP show). */
export function publicInfo(r: ArchiveRecord): ArchiveInfo {
  return { name: r.name, kind: r.kind, origin: r.origin, size: r.size, sha256: r.sha256, createdAt: r.createdAt, contents: r.contents, downloadUrl: r.downloadUrl };
}

/** Writes the sidecar of `record` atomically into `dir`. */
export async function writeSidecar(dir: string, record: ArchiveRecord): Promise<void> {
  const body = JSON.stringify({
    version: 1,
    name: record.name,
    kind: record.kind,
    kindSettled: record.kindSettled,
    origin: record.origin,
    size: record.size,
    mtimeMs: record.mtimeMs,
    sha256: record.sha256,
    createdAt: record.createdAt.toISOString(),
    contents: record.contents,
  });
  const temp = path.join(dir, tempFileName());
  const fh = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o640);
  try {
    await fh.writeFile(body);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(temp, path.join(dir, sidecarName(record.name)));
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
}

/** Reads and checks the sidecar of `name`; undefined when missing or not usable (the file is then treated as found). */
export async function readSidecar(dir: string, name: string): Promise<ArchiveRecord | undefined> {
  let raw: unknown;
  try {
    // O_NOFOLLOW: a sidecar replaced by a symlink is ignored, never followed.
    raw = JSON.parse(await readFile(path.join(dir, sidecarName(name)), { encoding: 'utf8', flag: READ_FLAGS }));
  } catch {
    return undefined;
  }
  const r = raw as Record<string, unknown>;
  const enumOf = <T extends Record<string, string>>(e: T, v: unknown): T[keyof T] | undefined =>
    typeof v === 'string' && (Object.values(e) as string[]).includes(v) ? (v as T[keyof T]) : undefined;
  const kind = enumOf(ArchiveKind, r.kind);
  const origin = enumOf(ArchiveOrigin, r.origin);
  const createdAt = typeof r.createdAt === 'string' ? new Date(r.createdAt) : undefined;
  const ok =
    r.version === 1 &&
    r.name === name &&
    kind !== undefined &&
    origin !== undefined &&
    Number.isSafeInteger(r.size) &&
    typeof r.mtimeMs === 'number' &&
    (r.sha256 === null || (typeof r.sha256 === 'string' && /^[0-9a-f]{64}$/.test(r.sha256))) &&
    createdAt !== undefined &&
    !Number.isNaN(createdAt.getTime()) &&
    Array.isArray(r.contents) &&
    r.contents.every((c) => typeof c === 'string');
  if (!ok) return undefined;
  return makeRecord({
    name,
    kind,
    kindSettled: r.kindSettled !== false,
    origin,
    size: r.size as number,
    mtimeMs: r.mtimeMs as number,
    sha256: r.sha256 as string | null,
    createdAt,
    contents: r.contents as string[],
  });
}
