/**
 * Archive names: what a client may call a file in the archive directory, and
 * the default names given to saves and exports.
 *
 * A name is a plain file name (never a path), so the store can join it to the
 * directory without any chance of leaving it. Default names are readable the
 * way ops name archives by hand (`centos_7.tar`) and collision-free: two
 * different image refs never get the same default name.
 */
import { createHash } from 'node:crypto';
import { formatImageRef, normalizeImageRef, parseImageIdRef, parseImageRef, RefSyntaxError } from '../docker/refs';
import { BadUserInputError } from '../schema/errors';
import { badRef } from '../schema/validate';

/** Longest archive name accepted. */
export const ARCHIVE_NAME_MAX = 200;

/** The route under which archives are downloaded and uploaded. */
export const ARCHIVES_PATH = '/archives';

// First character: no dot (hidden files are the store's own) and no dash (a
// name must never read as a command-line option in an ops script).
const NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]*\.tar(?:\.gz)?$/;
const CONTROL = /[\u0000-\u001f\u007f]/;
const QUOTE_MAX = 80;

/** True when `name` is a valid archive name (see {@link checkArchiveName}). */
export function isArchiveName(name: string): boolean {
  return name.length <= ARCHIVE_NAME_MAX && NAME.test(name) && !name.includes('..');
}

/**
 * Returns `name` when it is a valid archive name: letters, digits, `.`, `_`
 * and `-`, ending in `.tar` or `.tar.gz`, not starting with `.` or `-`, no
 * `..`, at most {@link ARCHIVE_NAME_MAX} characters.
 * @param argument - the argument to name in the error (`name`, `archive`).
 * @throws BadUserInputError saying what is wrong.
 */
export function checkArchiveName(name: string, argument = 'name'): string {
  if (isArchiveName(name)) return name;
  const shown = JSON.stringify(name.length > QUOTE_MAX ? `${name.slice(0, QUOTE_MAX)}…` : name);
  const fail = (why: string): never => {
    throw new BadUserInputError(`${argument} ${shown} is not a valid archive name: ${why}`, { argument });
  };
  if (name === '') fail('it is empty');
  if (name.length > ARCHIVE_NAME_MAX) fail(`it is longer than ${ARCHIVE_NAME_MAX} characters`);
  if (CONTROL.test(name)) fail('it contains control characters');
  if (/[/\\]/.test(name)) fail('it must be a plain file name, without directories');
  if (name.includes('..')) fail('it must not contain ".."');
  if (name.startsWith('.') || name.startsWith('-')) fail('it must not start with "." or "-"');
  if (!/\.tar(?:\.gz)?$/.test(name)) fail('it must end in .tar or .tar.gz');
  return fail('only letters, digits, ".", "_" and "-" are allowed');
}

/** True for `.tar.gz` names (gzip-compressed tars, which `docker load` also reads). */
export function isGzipName(name: string): boolean {
  return name.endsWith('.tar.gz');
}

/** The Content-Type an archive is served with. */
export function archiveMediaType(name: string): string {
  return isGzipName(name) ? 'application/gzip' : 'application/x-tar';
}

/** The relative URL that downloads (GET) or uploads (PUT) the archive. */
export function archiveDownloadUrl(name: string): string {
  return `${ARCHIVES_PATH}/${encodeURIComponent(name)}`;
}

// Names of the fallback form end like this; readable names never do (checked), so the two forms cannot meet.
const FALLBACK = /--[0-9a-f]{32}\.tar$/;

/**
 * The default archive name for `docker save` of one image ref.
 *
 * The ref is normalized first (`centos`, `centos:latest` and
 * `docker.io/library/centos:latest` are one ref) and written in its familiar
 * form, then: `:` → `_`, `/` → `__`, `@` → `_.`, `_` → `-_`; letters, digits,
 * `.` and `-` stay. So `centos:7` → `centos_7.tar`, `team/app:1` →
 * `team__app_1.tar`, `127.0.0.1:5000/team/app:1` → `127.0.0.1_5000__team__app_1.tar`,
 * `my_app:1` → `my-_app_1.tar`. The name is used only when it decodes back to
 * exactly that ref ({@link refFromDefaultName}), which makes the rule
 * injective. Refs where it would not (a tag such as `1..2`, or a name over 200
 * characters) get `<slug>--<32 hex of the ref's sha256>.tar` instead. A full
 * image id gives `sha256-<64 hex>.tar`. Id prefixes are taken as names:
 * resolve them to a full id or a tag first.
 * @throws BadUserInputError when `ref` is not an image ref.
 */
export function defaultArchiveName(ref: string, argument = 'ref'): string {
  const id = parseImageIdRef(ref);
  if (id?.full) return `sha256-${id.hex}.tar`;
  let familiar: string;
  try {
    familiar = formatImageRef(normalizeImageRef(parseImageRef(ref)));
  } catch (err) {
    if (err instanceof RefSyntaxError) throw badRef(argument, err);
    throw err;
  }
  const stem = encodeRef(familiar);
  const readable = `${stem}.tar`;
  if (isArchiveName(readable) && !FALLBACK.test(readable) && refFromDefaultName(readable) === familiar) return readable;
  return fallbackName(familiar);
}

/**
 * The default archive name for `docker export` of a container: `<name>.tar`,
 * as ops write `docker export web > web.tar`. A name that would not be a valid
 * archive name (over 196 characters, or containing `..`) gets the fallback
 * form. A clash with another archive is a CONFLICT, never an overwrite.
 * @param containerName - the container's name, with or without the leading slash.
 */
export function exportArchiveName(containerName: string): string {
  const name = containerName.replace(/^\//, '');
  const readable = `${name}.tar`;
  return isArchiveName(readable) && !FALLBACK.test(readable) ? readable : fallbackName(name);
}

/**
 * Decodes a readable default name back to the familiar ref it was made from
 * (the inverse of the encoding in {@link defaultArchiveName}); undefined for
 * names that are not `.tar`.
 */
export function refFromDefaultName(name: string): string | undefined {
  if (!name.endsWith('.tar')) return undefined;
  const s = name.slice(0, -'.tar'.length);
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    const next = s[i + 1];
    if (c === '-' && next === '_') {
      out += '_';
      i++;
    } else if (c === '_' && next === '_') {
      out += '/';
      i++;
    } else if (c === '_' && next === '.') {
      out += '@';
      i++;
    } else {
      out += c === '_' ? ':' : c;
    }
  }
  return out;
}

function encodeRef(familiar: string): string {
  return familiar.replace(/[_/@:]/g, (c) => ({ _: '-_', '/': '__', '@': '_.', ':': '_' })[c]!);
}

/** `<slug>--<hash>.tar`: still recognizable, unique through the full ref's sha256. */
function fallbackName(original: string): string {
  const hash = createHash('sha256').update(original).digest('hex').slice(0, 32);
  const slug = original
    .replace(/[^A-Za-z0-9.-]+/g, '_')
    .replace(/\.{2,}/g, '.')
    .replace(/^[._-]+/, '')
    .slice(0, 150);
  return `${slug || 'archive'}--${hash}.tar`;
}
