/**
 * Registry hosts and repository paths: what a caller may name, and whether the
 * registry is spoken to over plain http (loopback and insecure registries, as
 * the Docker daemon does) or https. Pure logic except the optional DNS lookup that
 * the Docker daemon also does for insecure-registry CIDRs.
 */
import { promises as dns } from 'node:dns';
import { BlockList, isIP, isIPv6 } from 'node:net';
import { encodePathSegment, NAME_TOTAL_LENGTH_MAX, parseImageRef, RefSyntaxError } from '../docker/refs';

/** A validated `host[:port]`, kept as written (it is part of every tag and repo digest). */
export interface RegistryHost {
  /** host[:port] exactly as given, e.g. 127.0.0.1:5000 or [::1]:5000. */
  readonly host: string;
  /** The host alone, without port; IPv6 without brackets. */
  readonly hostname: string;
  readonly port?: number;
}

/** What daemon `info().RegistryConfig` tells about insecure registries. */
export interface DaemonRegistryConfig {
  readonly InsecureRegistryCIDRs?: readonly string[] | null;
  readonly IndexConfigs?: Readonly<Record<string, { readonly Name: string; readonly Secure: boolean }>> | null;
}

/** Decides whether a registry is spoken to over plain http. */
export type InsecurePredicate = (host: RegistryHost) => Promise<boolean>;

/** Resolves a host name to its addresses (dns.lookup with all: true). */
export type HostLookup = (hostname: string) => Promise<string[]>;

const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?';
const HOST = new RegExp(`^(?:(${LABEL}(?:\\.${LABEL})*)|\\[([0-9A-Fa-f:.]+)\\])(?::([0-9]{1,5}))?$`);
const HOST_MAX = 255;

/**
 * Parses a registry host as docker writes it in refs: `host[:port]`, with an
 * IPv6 address in brackets. No scheme, user info, path, query or fragment.
 *
 * @throws RefSyntaxError saying what is wrong
 */
export function parseRegistryHost(input: string): RegistryHost {
  const fail = (reason: string): never => {
    throw new RefSyntaxError(input, `invalid registry host: ${reason}; expected host[:port], e.g. 127.0.0.1:5000`);
  };
  if (input === '') fail('empty');
  if (input.length > HOST_MAX) fail(`longer than ${HOST_MAX} characters`);
  if (/[\s\u0000-\u001f\u007f]/.test(input)) fail('contains whitespace or control characters');
  if (input.includes('://')) fail('no URL scheme (http:// or https:// is chosen by the service)');
  if (input.includes('@')) fail('no user info (pass credentials in auth)');
  if (/[?#]/.test(input)) fail('no query or fragment');
  if (input.includes('/')) fail('no path (give the repository in repository(name:))');
  const m = HOST.exec(input) ?? fail('not a host name, IPv4 address or [IPv6] address');
  const [, name, v6, portText] = m;
  if (v6 !== undefined && !isIPv6(v6)) fail('not a valid IPv6 address');
  const port = portText === undefined ? undefined : Number(portText);
  if (port !== undefined && (port < 1 || port > 65535)) fail('port out of range 1-65535');
  return { host: input, hostname: v6 ?? name ?? '', ...(port !== undefined ? { port } : {}) };
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** True for localhost, 127.0.0.0/8 and ::1: registries that are always spoken to over http. */
export function isLoopbackHost(host: RegistryHost): boolean {
  const name = host.hostname.toLowerCase();
  if (name === 'localhost') return true;
  const family = isIP(name);
  return family !== 0 && LOOPBACK.check(name, family === 4 ? 'ipv4' : 'ipv6');
}

/** The CIDRs as a BlockList; entries that are not CIDRs are ignored (the daemon validated them). */
function cidrList(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [net = '', bits = ''] = cidr.split('/');
    const family = isIP(net);
    if (family === 0 || !/^\d{1,3}$/.test(bits)) continue;
    list.addSubnet(net, Number(bits), family === 4 ? 'ipv4' : 'ipv6');
  }
  return list;
}

const lookupAll: HostLookup = async (hostname) => (await dns.lookup(hostname, { all: true })).map((a) => a.address);

/**
 * dockerd's rule (registry isSecureIndex): a registry named in `IndexConfigs`
 * is insecure when marked so; otherwise when its address (a literal, or what
 * the name resolves to) lies in `InsecureRegistryCIDRs`. Loopback is always
 * insecure (http), as dockerd's default 127.0.0.0/8 entry makes it.
 */
export function insecurePredicate(config: DaemonRegistryConfig | undefined, lookup: HostLookup = lookupAll): InsecurePredicate {
  const indexes = new Map(Object.values(config?.IndexConfigs ?? {}).map((c) => [c.Name.toLowerCase(), c.Secure]));
  const cidrs = config?.InsecureRegistryCIDRs ?? [];
  const list = cidrList(cidrs);
  const inCidrs = (address: string): boolean => {
    const family = isIP(address);
    return family !== 0 && list.check(address, family === 4 ? 'ipv4' : 'ipv6');
  };
  return async (host) => {
    if (isLoopbackHost(host)) return true;
    const secure = indexes.get(host.host.toLowerCase());
    if (secure !== undefined) return !secure;
    if (isIP(host.hostname)) return inCidrs(host.hostname);
    if (cidrs.length === 0) return false;
    // A name that does not resolve cannot be reached either way: https, and let the request fail.
    const addresses = await lookup(host.hostname).catch(() => []);
    return addresses.some(inCidrs);
  };
}

/** `http://host[:port]` or `https://host[:port]`, the origin every request of the registry goes to. */
export function registryOrigin(host: RegistryHost, insecure: boolean): string {
  return `${insecure ? 'http' : 'https'}://${host.host}`;
}

/**
 * Checks a repository name in the registry (its path, e.g. `team/app`) against
 * the reference grammar; a name written with this registry's host in front, as
 * tags are (`127.0.0.1:5000/team/app`), is accepted too and the host dropped.
 *
 * @returns the path in the registry
 * @throws RefSyntaxError for a tag, a digest, another registry's host or bad characters
 */
export function repositoryPath(host: RegistryHost, input: string): string {
  const path = input.startsWith(`${host.host}/`) ? input.slice(host.host.length + 1) : input;
  const fail = (reason: string): never => {
    throw new RefSyntaxError(input, `invalid repository name: ${reason}`);
  };
  if (path === '') fail('empty');
  if (host.host.length + 1 + path.length > NAME_TOTAL_LENGTH_MAX) fail(`with the host, longer than ${NAME_TOTAL_LENGTH_MAX} characters`);
  let parsed;
  try {
    // "localhost/" makes the grammar read all of `path` as the remote name, whatever its first element looks like.
    parsed = parseImageRef(`localhost/${path}`);
  } catch (err) {
    const reason = err instanceof RefSyntaxError ? err.reason.replace(/^invalid reference format: ?/, '') : '';
    return fail(`${reason || 'not a reference path'} (lowercase components of [a-z0-9] joined by ".", "_", "__", "-", separated by "/")`);
  }
  if (parsed.tag !== undefined || parsed.digest !== undefined) fail('a repository name has no tag or digest');
  if (parsed.domain !== 'localhost' || parsed.path !== path) fail('not a reference path');
  return path;
}

/** The path as URL segments, each percent-encoded (defence in depth behind {@link repositoryPath}). */
export function encodeRepositoryPath(path: string): string {
  return path.split('/').map(encodePathSegment).join('/');
}
