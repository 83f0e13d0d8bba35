/**
 * The one place that talks to registries: a small client of the Distribution
 * v2 API (catalog, tags, manifest digests) on Node's fetch, with basic auth,
 * the bearer-token challenge, Link pagination and a time bound on every request.
 */
import { createHash } from 'node:crypto';
import { DockqlError, ErrorCode } from '../schema/errors';
import { canonicalHost, forbiddenHost, isLoopback } from './allow-list';
import { basicAuthorization, credentialsIdentity, type RegistryCredentials, type TokenCache, tokenFromResponse } from './auth';
import { parseJson, readBounded, stringList } from './body';
import { type FailedResponse, registryFailure, tokenServerFailure, unansweredFailure } from './errors';
import { API_VERSION_HEADER, type AuthChallenge, MANIFEST_MEDIA_TYPES, parseChallenges, parseLinkNext } from './headers';
import { encodeRepositoryPath, type InsecurePredicate, isLoopbackHost, type RegistryHost, registryOrigin } from './host';

/** Per-request bound unless the caller sets one. */
export const DEFAULT_TIMEOUT_MS = 10_000;
/** Entries asked per catalog or tags page (`n`); registries may answer fewer and link the next page. */
export const DEFAULT_PAGE_SIZE = 100;
/** Pages followed in one walk before giving up on a registry that never ends. */
const MAX_PAGES = 10_000;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

/**
 * The SSRF guard as the client uses it: resolves when dockql may contact
 * `host` (host[:port]), rejects with FORBIDDEN otherwise; `what` names the host in the message.
 */
export type HostGuard = (host: string, what: string) => Promise<void>;

/** The guard when none is given: loopback only. */
export const loopbackOnly: HostGuard = async (host, what) => {
  let loopback = false;
  try {
    loopback = isLoopback(canonicalHost(host));
  } catch {
    /* unreadable: refused below */
  }
  if (!loopback) throw forbiddenHost(what, host);
};

/** How to reach one registry. */
export interface RegistryClientOptions {
  readonly host: RegistryHost;
  /** Checked for the registry before its first request, and for every token realm (default: loopback only). */
  readonly guard?: HostGuard;
  /** http for loopback and insecure registries, https otherwise (dockerd's rule; see host.ts). */
  readonly isInsecure: InsecurePredicate;
  /** Process-wide token cache (keyed by registry, credentials identity and scope). */
  readonly tokens: TokenCache;
  readonly credentials?: RegistryCredentials;
  /** Bound on each request, from sending to the last body byte (default 10 s). */
  readonly timeoutMs?: number;
  /** Entries per catalog/tags page (`n`, default 100). */
  readonly pageSize?: number;
}

/** What one exchange produced. */
interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Buffer;
  readonly url: URL;
  /** Credentials (or a token bought with them) went with the request. */
  readonly authenticated: boolean;
  /** The Authorization value sent, if any: kept out of anything shown. */
  readonly sent?: string;
}

interface Request {
  readonly method: 'GET' | 'HEAD';
  readonly url: URL;
  /** Token scope, e.g. repository:team/app:pull; "" for GET /v2/. */
  readonly scope: string;
  /** For messages: "GET /v2/_catalog". */
  readonly what: string;
  readonly accept?: string;
}

/** A Distribution v2 client for one registry and one set of credentials (or none). */
export class RegistryClient {
  readonly host: RegistryHost;
  private readonly timeoutMs: number;
  private readonly pageSize: number;
  private readonly identity: string;
  private origin?: Promise<string>;
  private readonly pendingTokens = new Map<string, Promise<string>>();
  private readonly guard: HostGuard;

  constructor(private readonly options: RegistryClientOptions) {
    this.host = options.host;
    this.guard = options.guard ?? loopbackOnly;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
    this.identity = credentialsIdentity(options.credentials);
  }

  /** `GET /v2/`: the Docker-Distribution-API-Version it answers with (e.g. registry/2.0), null when none. */
  async apiVersion(): Promise<string | null> {
    const answer = await this.send({ method: 'GET', url: await this.url('/v2/'), scope: '', what: 'GET /v2/' });
    if (answer.status !== 200) throw this.failure(answer, 'GET /v2/');
    return answer.headers.get(API_VERSION_HEADER);
  }

  /**
   * `GET /v2/_catalog`: repository paths in the registry's (lexical) order,
   * starting after `after`, following `Link: <...>; rel="next"` page by page.
   * Stop iterating to stop asking.
   */
  async *catalog(after?: string): AsyncGenerator<string> {
    const url = await this.url('/v2/_catalog');
    url.searchParams.set('n', String(this.pageSize));
    if (after) url.searchParams.set('last', after);
    for await (const page of this.pages(url, 'registry:catalog:*', 'GET /v2/_catalog')) {
      yield* stringList(page, 'repositories', this.host.host);
    }
  }

  /** `GET /v2/<path>/tags/list`, all pages; null when the registry does not know the repository. */
  async tags(path: string): Promise<string[] | null> {
    const url = await this.url(`/v2/${encodeRepositoryPath(path)}/tags/list`);
    url.searchParams.set('n', String(this.pageSize));
    const tags: string[] = [];
    try {
      for await (const page of this.pages(url, `repository:${path}:pull`, 'GET /v2/<name>/tags/list')) {
        tags.push(...stringList(page, 'tags', this.host.host));
      }
    } catch (err) {
      if (err instanceof DockqlError && err.code === ErrorCode.NOT_FOUND) return null;
      throw err;
    }
    return tags;
  }

  /**
   * The manifest digest of `path:tag` from `HEAD /v2/<path>/manifests/<tag>`
   * (Docker v2 and OCI manifests and indexes accepted, so the digest is the one
   * `docker push` printed). Falls back to a GET and sha256 of the body when a
   * registry sends no Docker-Content-Digest. Null when the tag is unknown.
   */
  async manifestDigest(path: string, tag: string): Promise<string | null> {
    const url = await this.url(`/v2/${encodeRepositoryPath(path)}/manifests/${encodeURIComponent(tag)}`);
    const request = { url, scope: `repository:${path}:pull`, accept: MANIFEST_MEDIA_TYPES.join(', ') };
    const head = await this.send({ ...request, method: 'HEAD', what: 'HEAD /v2/<name>/manifests/<tag>' });
    if (head.status === 404) return null;
    if (head.status !== 200) throw this.failure(head, 'HEAD /v2/<name>/manifests/<tag>');
    const digest = head.headers.get('docker-content-digest');
    if (digest && DIGEST.test(digest)) return digest;
    const get = await this.send({ ...request, method: 'GET', what: 'GET /v2/<name>/manifests/<tag>' });
    if (get.status === 404) return null;
    if (get.status !== 200) throw this.failure(get, 'GET /v2/<name>/manifests/<tag>');
    return `sha256:${createHash('sha256').update(get.body).digest('hex')}`;
  }

  /** GETs `first` and every page its Link headers chain to (same origin only), yielding parsed JSON bodies. */
  private async *pages(first: URL, scope: string, what: string): AsyncGenerator<unknown> {
    const seen = new Set<string>();
    for (let url: URL | undefined = first; url; ) {
      if (seen.has(url.href) || seen.size >= MAX_PAGES) {
        throw new DockqlError(ErrorCode.REGISTRY_ERROR, `registry ${this.host.host} paginates ${what} without end (page ${seen.size + 1})`);
      }
      seen.add(url.href);
      const answer = await this.send({ method: 'GET', url, scope, what });
      if (answer.status !== 200) throw this.failure(answer, what);
      yield parseJson(answer.body, this.host.host, what);
      const next = parseLinkNext(answer.headers.get('link'));
      url = next === undefined ? undefined : this.follow(next, answer.url, what);
    }
  }

  /** Resolves a pagination link; it must stay on this registry. */
  private follow(next: string, base: URL, what: string): URL {
    let url: URL;
    try {
      url = new URL(next, base);
    } catch {
      throw new DockqlError(ErrorCode.REGISTRY_ERROR, `registry ${this.host.host} sent an unusable Link for ${what}`);
    }
    if (url.origin !== base.origin) {
      throw new DockqlError(ErrorCode.REGISTRY_ERROR, `registry ${this.host.host} sent a Link for ${what} that leaves the registry; not followed`);
    }
    return url;
  }

  /**
   * One request, with the auth dance: a cached token (or basic credentials for a
   * registry known to want them) goes first; on 401 a Bearer challenge buys a
   * token for the scope and a Basic one gets the credentials, and the request is
   * retried once. The caller maps a final failure status.
   */
  private async send(req: Request): Promise<Answer> {
    const creds = this.options.credentials;
    const tokens = this.options.tokens;
    const cached = tokens.get(this.host.host, this.identity, req.scope);
    let authorization = cached ? `Bearer ${cached}` : creds && tokens.wantsBasic(this.host.host) ? basicAuthorization(creds) : undefined;
    let answer = await this.exchange(req, authorization, authorization !== undefined && !!creds);
    if (answer.status !== 401) return answer;

    const challenges = parseChallenges(answer.headers.get('www-authenticate'));
    const bearer = challenges.find((c) => c.scheme === 'bearer' && c.params.realm);
    const basic = challenges.find((c) => c.scheme === 'basic');
    if (bearer) {
      if (cached) tokens.delete(this.host.host, this.identity, req.scope, cached);
      const { token, withCredentials } = await this.token(bearer, req.scope, cached);
      authorization = `Bearer ${token}`;
      answer = await this.exchange(req, authorization, withCredentials);
    } else if (basic && creds && !authorization?.startsWith('Basic ')) {
      tokens.markBasic(this.host.host);
      answer = await this.exchange(req, basicAuthorization(creds), true);
    }
    return answer;
  }

  /**
   * A token for the scope from the challenge's realm. Concurrent asks for one scope share one
   * request, and one that another request just bought (other than the refused one) is taken as is.
   */
  private async token(challenge: AuthChallenge, scope: string, refused?: string): Promise<{ token: string; withCredentials: boolean }> {
    const realm = this.realm(challenge);
    // The realm is a URL the registry chooses: without this, any registry could make dockql fetch any URL.
    if (realm.host !== this.host.host) await this.guard(realm.host, `token realm host of registry ${this.host.host}`);
    const withCredentials = !!this.options.credentials && this.trusts(realm);
    const fresh = this.options.tokens.get(this.host.host, this.identity, scope);
    if (fresh && fresh !== refused) return { token: fresh, withCredentials };
    let pending = this.pendingTokens.get(scope);
    if (!pending) {
      pending = this.requestToken(realm, challenge, scope, withCredentials).finally(() => this.pendingTokens.delete(scope));
      this.pendingTokens.set(scope, pending);
    }
    return { token: await pending, withCredentials };
  }

  private async requestToken(realm: URL, challenge: AuthChallenge, scope: string, withCredentials: boolean): Promise<string> {
    const creds = this.options.credentials;
    if (challenge.params.service) realm.searchParams.set('service', challenge.params.service);
    for (const s of (challenge.params.scope ?? scope).split(' ').filter(Boolean)) realm.searchParams.append('scope', s);
    if (creds && withCredentials) realm.searchParams.set('account', creds.username);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (creds && withCredentials) headers.authorization = basicAuthorization(creds);
    const who = `auth server ${realm.host} of registry ${this.host.host}`;
    const answer = await this.fetchBounded(realm, 'GET', headers, who, 'a token request');
    if (answer.status !== 200) {
      const withheld = !!creds && !withCredentials;
      throw tokenServerFailure({ ...this.failed({ ...answer, authenticated: withCredentials, sent: headers.authorization }, 'a token request'), who }, withheld);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(answer.body.toString('utf8'));
    } catch {
      /* reported below */
    }
    const token = tokenFromResponse(parsed);
    if (!token) throw new DockqlError(ErrorCode.REGISTRY_ERROR, `${who} answered without a token`, { registry: this.host.host });
    this.options.tokens.set(this.host.host, this.identity, scope, token);
    return token.token;
  }

  /** The challenge's realm as an http(s) URL. */
  private realm(challenge: AuthChallenge): URL {
    try {
      const url = new URL(challenge.params.realm ?? '');
      if (url.protocol === 'http:' || url.protocol === 'https:') return url;
    } catch {
      /* reported below */
    }
    throw new DockqlError(ErrorCode.REGISTRY_ERROR, `registry ${this.host.host} challenged with a token realm that is not an http(s) URL`, { registry: this.host.host });
  }

  /** Credentials go to a token realm only over https, to the registry's own host, or to loopback. */
  private trusts(realm: URL): boolean {
    const hostname = realm.hostname.replace(/^\[|\]$/g, '');
    return realm.protocol === 'https:' || hostname === this.host.hostname || isLoopbackHost({ host: realm.host, hostname });
  }

  private async exchange(req: Request, authorization: string | undefined, authenticated: boolean): Promise<Answer> {
    const headers: Record<string, string> = {};
    if (req.accept) headers.accept = req.accept;
    if (authorization) headers.authorization = authorization;
    const answer = await this.fetchBounded(req.url, req.method, headers, `registry ${this.host.host}`, req.what);
    return { ...answer, authenticated, sent: authorization };
  }

  /** One fetch, redirects not followed, bounded in time (TIMEOUT) and size; network failures become REGISTRY_UNAVAILABLE. */
  private async fetchBounded(url: URL, method: string, headers: Record<string, string>, who: string, what: string): Promise<Omit<Answer, 'authenticated' | 'sent'>> {
    const signal = AbortSignal.timeout(this.timeoutMs);
    try {
      const res = await fetch(url, { method, headers, signal, redirect: 'manual' });
      const body = method === 'HEAD' ? Buffer.alloc(0) : await readBounded(res, who, what);
      return { status: res.status, headers: res.headers, body, url };
    } catch (err) {
      if (err instanceof DockqlError) throw err;
      throw unansweredFailure(who, what, err, this.timeoutMs);
    }
  }

  private failed(answer: Answer, what: string): FailedResponse {
    const creds = this.options.credentials;
    const secrets = [creds?.password ?? '', creds ? basicAuthorization(creds).slice('Basic '.length) : '', answer.sent?.replace(/^\S+\s+/, '') ?? ''];
    return {
      host: this.host.host,
      what,
      status: answer.status,
      body: answer.body.toString('utf8'),
      isRegistry: answer.headers.has(API_VERSION_HEADER),
      secrets,
      authenticated: answer.authenticated,
      challengeError: parseChallenges(answer.headers.get('www-authenticate')).find((c) => c.params.error)?.params.error,
    };
  }

  private failure(answer: Answer, what: string): DockqlError {
    return registryFailure(this.failed(answer, what));
  }

  private async url(path: string): Promise<URL> {
    // The guard goes first: even the insecure check may ask DNS about the host.
    this.origin ??= this.guard(this.host.host, 'registry host')
      .then(() => this.options.isInsecure(this.host))
      .then((insecure) => registryOrigin(this.host, insecure));
    return new URL(path, await this.origin);
  }
}
