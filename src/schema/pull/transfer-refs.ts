/** Argument checks shared by pulls and pushes: refs, mirrors, platforms, credentials. */
import { createHash } from 'node:crypto';
import { classifyImageRef, familiarName, mirrorRef, normalizeImageRef, type NormalizedImageRef, RefSyntaxError } from '../../docker/refs';
import type { RegistryAuthInput } from '../common/registry-auth.input';
import { BadUserInputError } from '../errors';
import { badRef } from '../validate';

/** What the daemon's /images/create and /images/{name}/push take for one ref. */
export interface TransferTarget {
  /** Normalized form: the merge key's basis. */
  readonly normalized: NormalizedImageRef;
  /** Repository as docker writes it: busybox, team/app, 127.0.0.1:5000/x/y. */
  readonly name: string;
  /** The tag, or the digest for by-digest pulls. */
  readonly tagOrDigest: string;
  /** name:tag or name@digest. */
  readonly display: string;
}

/** A ref to pull or push: a name with optional tag/digest, never an image id. */
export function transferTarget(argument: string, ref: string): TransferTarget {
  let classified: ReturnType<typeof classifyImageRef>;
  try {
    classified = classifyImageRef(ref);
  } catch (err) {
    if (err instanceof RefSyntaxError) throw badRef(argument, err);
    throw err;
  }
  if (classified.kind === 'id') throw new BadUserInputError(`${argument}: an image id cannot be pulled or pushed; give a name such as busybox:1.36`, { argument });
  const normalized = normalizeImageRef(classified.ref);
  const name = familiarName(normalized);
  const tagOrDigest = normalized.digest ?? normalized.tag ?? 'latest';
  return { normalized, name, tagOrDigest, display: normalized.digest ? `${name}@${normalized.digest}` : `${name}:${tagOrDigest}` };
}

/** The ref to pull through `mirror` (rules in refs.ts mirrorRef); BAD_USER_INPUT when they do not combine. */
export function throughMirror(ref: string, mirror: string): string {
  try {
    return mirrorRef(ref, mirror);
  } catch (err) {
    if (err instanceof RefSyntaxError) throw badRef('mirror', err);
    throw err;
  }
}

/** `os[/arch[/variant]]`, as `docker pull --platform` takes it. */
export function checkPlatform(platform: string): string {
  if (!/^[a-z0-9_-]{1,32}(\/[a-z0-9_.-]{1,32}){0,2}$/.test(platform)) {
    throw new BadUserInputError('platform must look like os[/arch[/variant]], e.g. linux/amd64 or linux/arm64/v8', { argument: 'platform' });
  }
  return platform;
}

/**
 * Who is asking, as far as merging jobs goes: "anonymous", or a hash of the
 * credentials, so that a caller never joins a job running on someone else's credentials.
 */
export function credentialIdentity(auth: RegistryAuthInput | null | undefined): string {
  if (!auth) return 'anonymous';
  return createHash('sha256').update(JSON.stringify([auth.username, auth.password, auth.serverAddress ?? ''])).digest('hex');
}

/** Registry credentials with their fields checked (they travel in a header). */
export function checkAuth(auth: RegistryAuthInput | null | undefined): RegistryAuthInput | undefined {
  if (!auth) return undefined;
  const tooLong = [auth.username, auth.password, auth.serverAddress ?? ''].some((v) => v.length > 4096);
  if (tooLong || !auth.username) throw new BadUserInputError('auth: username is required and no field may exceed 4096 characters', { argument: 'auth' });
  return auth;
}
