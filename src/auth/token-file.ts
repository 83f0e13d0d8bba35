/**
 * The tokens file (`DOCKQL_TOKENS_FILE`): a JSON array of
 * `{"name": "...", "role": "viewer|operator|admin", "sha256": "<hex>"}`.
 * Tokens are never stored in clear: only the sha256 of each one.
 */
import { createHash, randomBytes } from 'node:crypto';
import { isRole, type Role } from './roles';

/** One entry of the tokens file. */
export interface TokenEntry {
  /** Who holds it (audit lines and error messages name it; never the token). */
  readonly name: string;
  readonly role: Role;
  /** Lower-case hex sha256 of the token. */
  readonly sha256: string;
}

/** A tokens file that cannot be used; the message names the entry and the problem. */
export class TokenFileError extends Error {
  override readonly name = 'TokenFileError';
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
const SHA256 = /^[0-9a-f]{64}$/;

/**
 * Parses and checks the file's text: every entry has a plain name (unique),
 * a known role and a 64-hex-digit hash (unique).
 * @throws TokenFileError describing the first problem.
 */
export function parseTokenFile(text: string): TokenEntry[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new TokenFileError(`not JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(data)) throw new TokenFileError('must be a JSON array of {name, role, sha256}');
  const names = new Set<string>();
  const hashes = new Set<string>();
  return data.map((item: unknown, i) => {
    const at = `entry ${i + 1}`;
    if (typeof item !== 'object' || item === null) throw new TokenFileError(`${at} is not an object`);
    const { name, role, sha256 } = item as Record<string, unknown>;
    if (typeof name !== 'string' || !NAME.test(name)) throw new TokenFileError(`${at}: name must be 1-64 of letters, digits, ._@- (starting with a letter or digit)`);
    if (!isRole(role)) throw new TokenFileError(`${at} (${name}): role must be viewer, operator or admin`);
    const hash = typeof sha256 === 'string' ? sha256.toLowerCase() : '';
    if (!SHA256.test(hash)) throw new TokenFileError(`${at} (${name}): sha256 must be 64 hex digits (the hash of the token, never the token)`);
    if (names.has(name)) throw new TokenFileError(`${at}: the name ${name} is used twice`);
    if (hashes.has(hash)) throw new TokenFileError(`${at} (${name}): the same token hash is listed twice`);
    names.add(name);
    hashes.add(hash);
    return Object.freeze({ name, role, sha256: hash });
  });
}

/** The hash the tokens file stores for `token`. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A new random token: 32 bytes (256 bits) in base64url, prefixed so that secret scanners recognize it. */
export function newToken(): string {
  return `dockql_${randomBytes(32).toString('base64url')}`;
}
