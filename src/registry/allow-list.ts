/**
 * The SSRF guard's rule, as pure logic: which registry hosts dockql itself may
 * contact (`registry(host)`, its token realms, and pulls through a mirror).
 * Allowed are loopback, and hosts on an allow list built from
 * `DOCKQL_REGISTRIES` and the daemon's insecure registries and mirrors.
 *
 * Hosts are compared in one canonical form, the one Node's URL parser (and so
 * fetch) connects to; forms that would make the guard and the connection
 * disagree (IPv4 written in decimal, hex or octal, IPv4-mapped IPv6) are
 * refused rather than guessed at.
 */
import { BlockList, isIP } from 'node:net';
import { RefSyntaxError } from '../docker/refs';
import { DockqlError, ErrorCode } from '../schema/errors';
import { isLoopbackHost, parseRegistryHost } from './host';

/** The environment variable that extends the allow list (config key allowedRegistries). */
export const ALLOW_VARIABLE = 'DOCKQL_REGISTRIES';

/** A host in the form that is compared: lower-case name or canonical IP (IPv6 without brackets). */
export interface CanonicalHost {
  readonly hostname: string;
  /** The port as written; undefined when none was. */
  readonly port?: number;
  /** 4 or 6 for an IP literal, 0 for a name. */
  readonly family: 0 | 4 | 6;
}

/** An allow-list entry: `host` allows the host on every port, `host:port` on that port only. */
export type HostPattern = CanonicalHost;

/** Hosts (with or without port) and CIDRs that a literal IP host may lie in. */
export interface AllowList {
  readonly hosts: readonly HostPattern[];
  readonly cidrs: readonly string[];
}

/** What the daemon's `docker info` says about registries (as SystemService maps it). */
export interface DaemonRegistryLists {
  /** CIDRs and host[:port] names (`InsecureRegistryCIDRs` and the insecure `IndexConfigs`). */
  readonly insecureRegistries: readonly string[];
  /** Mirror URLs, e.g. https://mirror.example.com/. */
  readonly registryMirrors: readonly string[];
}

const MAPPED_V4 = new BlockList();
MAPPED_V4.addSubnet('::ffff:0:0', 96, 'ipv6');

/**
 * Parses `host[:port]` (registry-host syntax, see host.ts) into its canonical form.
 *
 * @throws RefSyntaxError for anything that is not host[:port], and for host forms
 *   the URL parser would read as another address than written (2130706433,
 *   0x7f.1, 127.1, 0177.0.0.1, [::ffff:127.0.0.1]) or reject (example.123)
 */
export function canonicalHost(input: string): CanonicalHost {
  const parsed = parseRegistryHost(input);
  const fail = (reason: string): never => {
    throw new RefSyntaxError(input, `invalid registry host: ${reason}`);
  };
  let url: URL;
  try {
    url = new URL(`http://${parsed.host}`);
  } catch {
    return fail('a name whose last label is a number must be an IPv4 address in dotted decimal, e.g. 127.0.0.1');
  }
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const family = isIP(hostname);
  const port = parsed.port;
  const out = (f: 0 | 4 | 6): CanonicalHost => ({ hostname, family: f, ...(port !== undefined ? { port } : {}) });
  if (family === 6) {
    if (MAPPED_V4.check(hostname, 'ipv6')) fail('an IPv4-mapped IPv6 address; write the IPv4 address itself');
    return out(6);
  }
  // The URL parser reads "2130706433", "0x7f.1", "127.1" and "0177.0.0.1" as 127.0.0.1: refuse
  // every IPv4 spelling but the plain one, so no other resolver can read it differently either.
  if (family === 4) return hostname === parsed.hostname ? out(4) : fail(`an IPv4 address must be written in dotted decimal (${hostname}), not "${parsed.hostname}"`);
  if (hostname !== parsed.hostname.toLowerCase()) fail('not a plain host name');
  return out(0);
}

/** Writes a canonical host back as host[:port] (IPv6 in brackets), for messages and keys. */
export function formatHost(host: CanonicalHost): string {
  const name = host.family === 6 ? `[${host.hostname}]` : host.hostname;
  return host.port === undefined ? name : `${name}:${host.port}`;
}

/** localhost, 127.0.0.0/8 or ::1, with any port. */
export function isLoopback(host: CanonicalHost): boolean {
  return isLoopbackHost({ host: formatHost(host), hostname: host.hostname });
}

/** True when `pattern` covers `host`: same name or address, and the same port unless the pattern has none. */
export function matchesPattern(host: CanonicalHost, pattern: HostPattern): boolean {
  return host.hostname === pattern.hostname && (pattern.port === undefined || pattern.port === host.port);
}

/**
 * True when the allow list admits `host`: a pattern covers it, or it is an IP
 * literal inside one of the CIDRs. A name is never looked up in DNS for the
 * CIDRs: what it resolves to when dockql connects may differ from what it resolved to here.
 */
export function allowedBy(host: CanonicalHost, list: AllowList): boolean {
  if (list.hosts.some((p) => matchesPattern(host, p))) return true;
  if (host.family === 0 || list.cidrs.length === 0) return false;
  return cidrBlockList(list.cidrs).check(host.hostname, host.family === 4 ? 'ipv4' : 'ipv6');
}

/** The `DOCKQL_REGISTRIES` entries as patterns. @throws RefSyntaxError for an entry that is not host[:port] */
export function configAllowList(entries: readonly string[]): AllowList {
  return { hosts: entries.map(canonicalHost), cidrs: [] };
}

/**
 * The daemon's lists as an allow list: insecure-registry CIDRs, insecure
 * registry names, and each mirror URL's host[:port] (a mirror written without
 * a port allows its host on every port). Entries that do not parse are
 * skipped: they can never match a host that does.
 */
export function daemonAllowList(lists: DaemonRegistryLists): AllowList {
  const hosts: HostPattern[] = [];
  const cidrs: string[] = [];
  const add = (hostPort: string) => {
    try {
      hosts.push(canonicalHost(hostPort));
    } catch {
      /* not a host: never matches */
    }
  };
  for (const entry of lists.insecureRegistries) {
    if (entry.includes('/')) {
      if (isCidr(entry)) cidrs.push(entry);
    } else {
      add(entry);
    }
  }
  for (const mirror of lists.registryMirrors) {
    try {
      add(new URL(mirror).host);
    } catch {
      /* not a URL: never matches */
    }
  }
  return { hosts, cidrs };
}

/**
 * The FORBIDDEN error for a host the guard refuses, naming the variable that would allow it.
 * @param what - e.g. "registry host", "mirror host", "token realm host of registry 127.0.0.1:5000"
 */
export function forbiddenHost(what: string, host: string, note = ''): DockqlError {
  return new DockqlError(
    ErrorCode.FORBIDDEN,
    `${what} ${JSON.stringify(host)} is not allowed: add it to ${ALLOW_VARIABLE} (or the daemon's insecure-registries/registry-mirrors)${note}`,
    { host },
  );
}

function isCidr(entry: string): boolean {
  const [net = '', bits = '', ...rest] = entry.split('/');
  const family = isIP(net);
  return rest.length === 0 && family !== 0 && /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

function cidrBlockList(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [net = '', bits = ''] = cidr.split('/');
    list.addSubnet(net, Number(bits), isIP(net) === 4 ? 'ipv4' : 'ipv6');
  }
  return list;
}
