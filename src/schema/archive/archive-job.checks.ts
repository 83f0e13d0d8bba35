/**
 * Argument checks of the archive mutations that need no daemon: the changes
 * and message of an import, the ref an import is tagged with, and the refs of
 * a save. They run before any job starts, so bad input is a GraphQL error and
 * never reaches the daemon.
 */
import { classifyImageRef, formatImageRef, normalizeImageRef, RefSyntaxError } from '../../docker/refs';
import { BadUserInputError } from '../errors';
import { transferTarget } from '../pull/transfer-refs';
import { badRef } from '../validate';

/**
 * The Dockerfile instructions the daemon applies on import (moby's
 * validCommitCommands, as Engine 20.10 answers them): anything else is
 * "not a valid change command" there, so it is refused here first.
 */
export const IMPORT_CHANGE_INSTRUCTIONS: readonly string[] = ['CMD', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'HEALTHCHECK', 'LABEL', 'ONBUILD', 'USER', 'VOLUME', 'WORKDIR'];

/** Most changes one import takes. */
export const MAX_IMPORT_CHANGES = 64;
/** Longest change, and longest import message, in characters. */
export const MAX_CHANGE_LENGTH = 4096;
/** Most refs one saveImages call takes. */
export const MAX_SAVE_REFS = 1000;

// A tab is fine inside an instruction; a newline would start a second one.
const CONTROL_EXCEPT_TAB = /[\u0000-\u0008\u000a-\u001f\u007f]/;
const INSTRUCTION = /^([A-Za-z]+)\s+\S/;

/**
 * Returns the changes when each is one allowed Dockerfile instruction with an
 * argument, e.g. `CMD ["/bin/cat", "/marker"]` or `ENV A=b`.
 * @throws BadUserInputError naming the first bad change.
 */
export function checkImportChanges(changes: readonly string[] | null | undefined): string[] {
  const list = [...(changes ?? [])];
  if (list.length > MAX_IMPORT_CHANGES) throw new BadUserInputError(`changes: at most ${MAX_IMPORT_CHANGES} instructions`, { argument: 'changes' });
  list.forEach((change, i) => {
    const fail = (why: string): never => {
      throw new BadUserInputError(`changes[${i}] ${JSON.stringify(change.slice(0, 80))}: ${why}`, { argument: 'changes' });
    };
    if (change.length > MAX_CHANGE_LENGTH) fail(`longer than ${MAX_CHANGE_LENGTH} characters`);
    if (CONTROL_EXCEPT_TAB.test(change)) fail('one instruction per entry, without newlines or control characters');
    const keyword = INSTRUCTION.exec(change.trim())?.[1]?.toUpperCase();
    if (!keyword) fail('must be a Dockerfile instruction with an argument, e.g. CMD ["/bin/sh"]');
    if (!IMPORT_CHANGE_INSTRUCTIONS.includes(keyword!)) fail(`${keyword} cannot be applied on import; allowed: ${IMPORT_CHANGE_INSTRUCTIONS.join(', ')}`);
  });
  return list;
}

/** The import's commit message (shown by `docker history`), checked; undefined for none. */
export function checkImportMessage(message: string | null | undefined): string | undefined {
  if (message == null || message === '') return undefined;
  if (message.length > MAX_CHANGE_LENGTH) throw new BadUserInputError(`message is longer than ${MAX_CHANGE_LENGTH} characters`, { argument: 'message' });
  if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(message)) throw new BadUserInputError('message contains control characters', { argument: 'message' });
  return message;
}

/** What an import is tagged as: repository and tag (latest when none is given). */
export interface ImportTarget {
  readonly repo: string;
  readonly tag: string;
  /** repo:tag */
  readonly display: string;
}

/** The ref an import is tagged with: name[:tag], never an id or a digest. */
export function importTarget(ref: string): ImportTarget {
  const target = transferTarget('ref', ref);
  if (target.normalized.digest) throw new BadUserInputError('ref: an imported image gets a tag, not a digest; give name[:tag], e.g. team/app:1', { argument: 'ref' });
  return { repo: target.name, tag: target.tagOrDigest, display: target.display };
}

/** The refs of a save: at least one, each in docker's grammar, duplicates dropped (docker save does the same). */
export function checkSaveRefs(refs: readonly string[]): string[] {
  if (refs.length === 0) throw new BadUserInputError('refs: name at least one image to save', { argument: 'refs' });
  if (refs.length > MAX_SAVE_REFS) throw new BadUserInputError(`refs: at most ${MAX_SAVE_REFS} images in one archive`, { argument: 'refs' });
  refs.forEach((ref, i) => {
    try {
      classifyImageRef(ref);
    } catch (err) {
      if (err instanceof RefSyntaxError) throw badRef(`refs[${i}]`, err);
      throw err;
    }
  });
  return [...new Set(refs)];
}

/**
 * The ref a save's default archive name is made from: the ref as typed when it
 * named the image by name; the image's full id when it was an id or an id
 * prefix (defaultArchiveName takes a prefix for a name, and `deadbeef.tar`
 * would read as an image called deadbeef).
 */
export function nameSourceRef(ref: string, image: { readonly id: string; readonly repoTags: readonly string[] }): string {
  const classified = classifyImageRef(ref);
  if (classified.kind === 'id') return image.id;
  if (classified.idPrefix && !image.repoTags.includes(formatImageRef(normalizeImageRef(classified.ref)))) return image.id;
  return ref;
}
