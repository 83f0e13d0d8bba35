/** Registry reads for the schema: validation, paging, and lazy tags over src/registry's client. */
import type { DockerClient } from '../../docker/client';
import { RefSyntaxError } from '../../docker/refs';
import type { RegistryCredentials, TokenCache } from '../../registry/auth';
import { RegistryClient } from '../../registry/client';
import { type InsecurePredicate, insecurePredicate, isLoopbackHost, parseRegistryHost, type RegistryHost, repositoryPath } from '../../registry/host';
import { createLimiter, type Limiter } from '../../registry/limit';
import type { RegistryAuthInput } from '../common/registry-auth.input';
import { BadUserInputError } from '../errors';
import type { Repository, Tag } from '../image/image.type';
import type { ImageService } from '../image/image.service';
import { badRef, checkText } from '../validate';
import type { RegistryGuard } from './registry-guard.service';
import { lazyRepository, lazyTag, localImageFor, memo, sortedTags } from './registry.mapper';
import { Registry } from './registry.type';

/** Registry requests (tags lists, manifest HEADs) one operation runs at once. */
const CONCURRENCY = 4;
const FIRST_MAX = 1000;
const DEFAULT_FIRST = 100;
/** Characters of a repository path; a filter with others could never match. */
const FILTER_PATTERN = /^[A-Za-z0-9._/-]+$/;
const CONTROL = /[\u0000-\u001f\u007f]/;

/** What the service needs; `tokens` outlives requests (bearer tokens are reused for their lifetime). */
export interface RegistryServiceDeps {
  readonly docker: DockerClient;
  readonly images: ImageService;
  readonly tokens: TokenCache;
  /** The SSRF guard: which hosts may be contacted (process-wide, it caches the daemon's lists). */
  readonly guard: RegistryGuard;
  /** Per registry request (default 10 s). */
  readonly timeoutMs?: number;
}

/** Paging arguments of `Registry.repositories`. */
export interface RepositoryPage {
  readonly filter: string | null;
  /** null: the default, 100. */
  readonly first: number | null;
  readonly after: string | null;
}

/** Reads registries for one GraphQL operation. */
export class RegistryService {
  private readonly limit: Limiter = createLimiter(CONCURRENCY);
  private readonly daemonPredicate: () => Promise<InsecurePredicate>;

  constructor(private readonly deps: RegistryServiceDeps) {
    // Asked only for a registry that is not loopback, and at most once per operation, from the guard's
    // cached `docker info` (no second daemon request). Without a daemon answer nothing is known to be
    // insecure, so https is used (the safe side).
    this.daemonPredicate = memo(async () => insecurePredicate(await deps.guard.daemonRegistryConfig().catch(() => undefined)));
  }

  /**
   * The registry root for `registry(host, auth)`; nothing is requested from the registry yet.
   * @throws BAD_USER_INPUT for a host that is not host[:port], or unusable credentials; FORBIDDEN for a host the guard refuses
   */
  async open(host: string, auth: RegistryAuthInput | null): Promise<Registry> {
    let parsed: RegistryHost;
    try {
      parsed = parseRegistryHost(host);
    } catch (err) {
      throw err instanceof RefSyntaxError ? badRef('host', err) : err;
    }
    // Refused here, so the error sits on `registry` itself; the client checks again before each host it contacts.
    await this.deps.guard.checkArgument('host', host, 'registry host');
    const isInsecure: InsecurePredicate = async (h) => isLoopbackHost(h) || (await this.daemonPredicate())(h);
    const client = new RegistryClient({
      host: parsed,
      isInsecure,
      guard: this.deps.guard.hostGuard,
      tokens: this.deps.tokens,
      credentials: auth ? checkCredentials(parsed, auth) : undefined,
      timeoutMs: this.deps.timeoutMs,
    });
    const registry = new Registry();
    registry.host = parsed.host;
    registry.client = client;
    return registry;
  }

  /** The Docker-Distribution-API-Version of GET /v2/. */
  apiVersion(registry: Registry): Promise<string | null> {
    return registry.client.apiVersion();
  }

  /**
   * A page of the catalog: up to `first` repositories after `after` whose path
   * contains `filter`, walking the registry's own (Link-chained) pages as far
   * as needed. Tags are fetched only if selected.
   */
  async repositories(registry: Registry, page: RepositoryPage): Promise<Repository[]> {
    const first = page.first ?? DEFAULT_FIRST;
    if (!Number.isInteger(first) || first < 1 || first > FIRST_MAX) {
      throw new BadUserInputError(`first must be between 1 and ${FIRST_MAX}, not ${first}`, { argument: 'first' });
    }
    const filter = page.filter ? checkText('filter', page.filter, FILTER_PATTERN) : null;
    const after = page.after ? this.path(registry, page.after, 'after') : undefined;
    const paths: string[] = [];
    for await (const path of registry.client.catalog(after)) {
      if (filter === null || path.includes(filter)) paths.push(path);
      if (paths.length >= first) break;
    }
    return paths.map((path) =>
      lazyRepository(`${registry.host}/${path}`, async () => {
        // Listed a moment ago; if it vanished since, it simply has no tags.
        const tags = (await this.limit(() => registry.client.tags(path))) ?? [];
        return this.tags(registry, path, tags);
      }),
    );
  }

  /** One repository with its tags; null when the registry does not know it. */
  async repository(registry: Registry, name: string): Promise<Repository | null> {
    const path = this.path(registry, name, 'name');
    const tags = await this.limit(() => registry.client.tags(path));
    return tags === null ? null : { name: `${registry.host}/${path}`, tags: this.tags(registry, path, tags) };
  }

  /** Registry tags whose digest (a HEAD) and local image are looked up only when selected. */
  private tags(registry: Registry, path: string, names: readonly string[]): Tag[] {
    const repository = `${registry.host}/${path}`;
    const tags = names.map((name) => {
      const reference = `${repository}:${name}`;
      const digest = memo(() => this.limit(() => registry.client.manifestDigest(path, name)));
      // One image list per operation, shared with every other field that needs it (loaders).
      const image = async () => localImageFor(await this.deps.images.list(), repository, reference, await digest());
      return lazyTag(name, reference, digest, image);
    });
    return sortedTags(tags);
  }

  private path(registry: Registry, input: string, argument: string): string {
    try {
      return repositoryPath(registry.client.host, input);
    } catch (err) {
      throw err instanceof RefSyntaxError ? badRef(argument, err) : err;
    }
  }
}

/** Strips what docker writes around a server address: scheme, trailing /v1/ or /v2/ path. */
function serverHost(address: string): string {
  return address.replace(/^https?:\/\//i, '').replace(/\/(?:v[12]\/?)?$/i, '').toLowerCase();
}

/**
 * Credentials fit for basic auth, for this registry only. Messages never quote the password.
 * @throws BAD_USER_INPUT for an empty or colon-bearing user name, a bad password, or another registry's serverAddress
 */
function checkCredentials(host: RegistryHost, auth: RegistryAuthInput): RegistryCredentials {
  const username = checkText('auth.username', auth.username, /^[^:]+$/);
  const password = auth.password;
  if (password === '' || password.length > 4096 || CONTROL.test(password)) {
    throw new BadUserInputError('auth.password must be 1-4096 characters without control characters', { argument: 'auth.password' });
  }
  if (auth.serverAddress != null && serverHost(auth.serverAddress) !== host.host.toLowerCase()) {
    throw new BadUserInputError(`auth.serverAddress names another registry than ${host.host}: credentials go only to the registry they are for`, {
      argument: 'auth.serverAddress',
    });
  }
  return { username, password };
}
