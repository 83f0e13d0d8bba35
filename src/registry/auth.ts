/**
 * Registry credentials and the process-wide cache of bearer tokens. A token is
 * cached per registry, per credentials identity and per scope, for its
 * lifetime: an anonymous caller never rides on a token someone else's
 * credentials bought, and one caller's token never serves another's password.
 */
import { createHash } from 'node:crypto';

/** Basic credentials for one call, as `docker login` takes them. */
export interface RegistryCredentials {
  readonly username: string;
  readonly password: string;
}

/** A token the registry's auth server issued. */
export interface BearerToken {
  readonly token: string;
  /** Epoch milliseconds after which it is not used again. */
  readonly expiresAt: number;
}

/** The spec's default and minimum lifetime when the server names none (or less). */
const DEFAULT_LIFETIME_S = 60;
/** Tokens are dropped this long before they expire, so none expires in flight. */
const EXPIRY_MARGIN_MS = 5_000;
const MAX_ENTRIES = 1_000;

/** A stable, non-reversible name for a set of credentials ("" for anonymous). */
export function credentialsIdentity(credentials: RegistryCredentials | undefined): string {
  if (!credentials) return '';
  return createHash('sha256').update(credentials.username).update('\u0000').update(credentials.password).digest('hex');
}

/** `Authorization: Basic ...` for the credentials. */
export function basicAuthorization(credentials: RegistryCredentials): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8').toString('base64')}`;
}

/**
 * Reads a token server's answer (`token` or `access_token`, `expires_in`).
 * @returns undefined when it carries no token
 */
export function tokenFromResponse(body: unknown, now = Date.now()): BearerToken | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const b = body as { token?: unknown; access_token?: unknown; expires_in?: unknown };
  const token = typeof b.token === 'string' && b.token ? b.token : typeof b.access_token === 'string' && b.access_token ? b.access_token : undefined;
  if (!token) return undefined;
  const lifetime = typeof b.expires_in === 'number' && b.expires_in >= DEFAULT_LIFETIME_S ? b.expires_in : DEFAULT_LIFETIME_S;
  return { token, expiresAt: now + lifetime * 1000 - EXPIRY_MARGIN_MS };
}

/** Bearer tokens by registry, credentials identity and scope; plus which registries ask for basic auth. */
export class TokenCache {
  private readonly tokens = new Map<string, BearerToken>();
  private readonly basicHosts = new Set<string>();

  constructor(private readonly now: () => number = Date.now) {}

  /** A live token for the key, or undefined. */
  get(host: string, identity: string, scope: string): string | undefined {
    const key = cacheKey(host, identity, scope);
    const entry = this.tokens.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.tokens.delete(key);
      return undefined;
    }
    return entry.token;
  }

  /** Keeps a token until it expires; the oldest entry goes when the cache is full. */
  set(host: string, identity: string, scope: string, token: BearerToken): void {
    const key = cacheKey(host, identity, scope);
    this.tokens.delete(key);
    if (this.tokens.size >= MAX_ENTRIES) {
      const oldest = this.tokens.keys().next().value;
      if (oldest !== undefined) this.tokens.delete(oldest);
    }
    this.tokens.set(key, token);
  }

  /** Forgets a token the registry refused (unless another request has replaced it meanwhile). */
  delete(host: string, identity: string, scope: string, token: string): void {
    const key = cacheKey(host, identity, scope);
    if (this.tokens.get(key)?.token === token) this.tokens.delete(key);
  }

  /** Remembers that `host` challenges with Basic, so credentials go with the first request next time. */
  markBasic(host: string): void {
    if (this.basicHosts.size < MAX_ENTRIES) this.basicHosts.add(host.toLowerCase());
  }

  /** True when `host` was seen asking for Basic auth. */
  wantsBasic(host: string): boolean {
    return this.basicHosts.has(host.toLowerCase());
  }

  /** Number of cached tokens (for tests and metrics). */
  get size(): number {
    return this.tokens.size;
  }
}

function cacheKey(host: string, identity: string, scope: string): string {
  return `${host.toLowerCase()}\u0000${identity}\u0000${scope}`;
}
