/**
 * The SSRF guard: combines the pure allow-list rule (src/registry/allow-list.ts)
 * with `DOCKQL_REGISTRIES` and the daemon's own insecure registries and
 * mirrors, read from `docker info` at most once per `ttlMs`. One instance lives
 * as long as the process; every check happens before any network request.
 */
import { RefSyntaxError } from '../../docker/refs';
import { type AllowList, allowedBy, type CanonicalHost, canonicalHost, configAllowList, daemonAllowList, type DaemonRegistryLists, forbiddenHost, isLoopback } from '../../registry/allow-list';
import type { HostGuard } from '../../registry/client';
import type { DaemonRegistryConfig } from '../../registry/host';
import { badRef } from '../validate';

/** How long the daemon's lists are reused (a daemon reload changes them rarely). */
export const DAEMON_LISTS_TTL_MS = 30_000;

/** The daemon's registry settings from one `docker info`: the lists, and the raw RegistryConfig (insecure-registry rule). */
export type DaemonRegistrySettings = DaemonRegistryLists & { readonly registryConfig?: DaemonRegistryConfig };

/** What the guard needs. */
export interface RegistryGuardDeps {
  /** `DOCKQL_REGISTRIES` (config.allowedRegistries): host or host:port entries. */
  readonly allowed: readonly string[];
  /** The daemon's registry settings, e.g. from DockerClient.info (`docker info`). */
  readonly daemonLists: () => Promise<DaemonRegistrySettings>;
  readonly ttlMs?: number;
  readonly now?: () => number;
}

/** Decides which registry hosts dockql may contact; see the module comment. */
export class RegistryGuard {
  private readonly configured: AllowList;
  private readonly ttlMs: number;
  private readonly now: () => number;
  private cached?: { readonly at: number; readonly settings: Promise<DaemonRegistrySettings>; readonly list: Promise<AllowList> };

  constructor(private readonly deps: RegistryGuardDeps) {
    this.configured = configAllowList(deps.allowed);
    this.ttlMs = deps.ttlMs ?? DAEMON_LISTS_TTL_MS;
    this.now = deps.now ?? Date.now;
  }

  /**
   * Checks a host given as an argument (`registry(host)`, the host of `pullImage(mirror)`).
   * @throws BAD_USER_INPUT for a host that is not host[:port] or is written in a tricky form; FORBIDDEN when not allowed
   */
  async checkArgument(argument: string, host: string, what = `${argument} host`): Promise<void> {
    let canonical: CanonicalHost;
    try {
      canonical = canonicalHost(host);
    } catch (err) {
      throw err instanceof RefSyntaxError ? badRef(argument, err) : err;
    }
    await this.check(canonical, host, what);
  }

  /** The guard as the registry client takes it: any host it cannot read is FORBIDDEN too. */
  readonly hostGuard: HostGuard = async (host, what) => {
    let canonical: CanonicalHost;
    try {
      canonical = canonicalHost(host);
    } catch {
      throw forbiddenHost(what, host);
    }
    await this.check(canonical, host, what);
  };

  private async check(host: CanonicalHost, written: string, what: string): Promise<void> {
    // Loopback and DOCKQL_REGISTRIES first: they need no daemon request.
    if (isLoopback(host) || allowedBy(host, this.configured)) return;
    let daemon: AllowList;
    try {
      daemon = await this.daemonList();
    } catch {
      // Without the daemon's answer its lists are unknown: refuse (the safe side), and say why.
      throw forbiddenHost(what, written, "; the daemon's registry lists could not be read");
    }
    if (!allowedBy(host, daemon)) throw forbiddenHost(what, written);
  }

  /**
   * The daemon's RegistryConfig from the same cached `docker info` (at most
   * ttlMs old), for the registry client's http-or-https rule: one daemon
   * request serves the guard and the client. Undefined when the daemon did not say.
   */
  async daemonRegistryConfig(): Promise<DaemonRegistryConfig | undefined> {
    return (await this.daemonSettings().settings).registryConfig;
  }

  private daemonList(): Promise<AllowList> {
    return this.daemonSettings().list;
  }

  /** The daemon's settings, shared by concurrent callers and reused for ttlMs; a failed read is not kept. */
  private daemonSettings(): { readonly settings: Promise<DaemonRegistrySettings>; readonly list: Promise<AllowList> } {
    const now = this.now();
    if (this.cached && now - this.cached.at < this.ttlMs) return this.cached;
    const settings = this.deps.daemonLists();
    const entry = { at: now, settings, list: settings.then(daemonAllowList) };
    this.cached = entry;
    entry.list.catch(() => {
      if (this.cached === entry) this.cached = undefined;
    });
    return entry;
  }
}
