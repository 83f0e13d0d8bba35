/** The SSRF guard's pure rule: canonical hosts, loopback, allow-list matching, the daemon's lists. */
import { RefSyntaxError } from '../../src/docker/refs';
import {
  allowedBy,
  type AllowList,
  canonicalHost,
  configAllowList,
  daemonAllowList,
  forbiddenHost,
  formatHost,
  isLoopback,
} from '../../src/registry/allow-list';
import { ErrorCode } from '../../src/schema/errors';

function reason(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof RefSyntaxError) return e.reason;
    throw e;
  }
  throw new Error('expected a RefSyntaxError');
}

const allows = (host: string, list: AllowList) => allowedBy(canonicalHost(host), list);

describe('canonicalHost', () => {
  it.each([
    ['127.0.0.1:5000', { hostname: '127.0.0.1', port: 5000, family: 4 }],
    ['Registry.Example.COM', { hostname: 'registry.example.com', family: 0 }],
    ['LOCALHOST:05000', { hostname: 'localhost', port: 5000, family: 0 }],
    ['[::1]:5000', { hostname: '::1', port: 5000, family: 6 }],
    ['[0:0:0:0:0:0:0:1]', { hostname: '::1', family: 6 }],
    ['[FE80:0::1]', { hostname: 'fe80::1', family: 6 }],
    ['xn--bcher-kva.example', { hostname: 'xn--bcher-kva.example', family: 0 }],
  ])('reads %s as %j', (input, expected) => {
    expect(canonicalHost(input)).toEqual(expected);
  });

  it.each([
    // Other IPv4 spellings the URL parser (and inet_aton) read as 127.0.0.1.
    ['2130706433', /dotted decimal \(127\.0\.0\.1\)/],
    ['2130706433:5000', /dotted decimal/],
    ['0x7f.1', /dotted decimal/],
    ['0x7f000001', /dotted decimal/],
    ['0177.0.0.1', /dotted decimal/],
    ['127.1', /dotted decimal/],
    ['127.000.000.001', /dotted decimal/],
    ['0x0a.0.0.1', /dotted decimal/],
    // Names the URL parser refuses because they end in a number.
    ['example.123', /last label is a number/],
    ['1.2.3.4.5', /last label is a number/],
    ['127.0.0.256', /last label is a number/],
    ['[::ffff:127.0.0.1]', /IPv4-mapped/],
    ['[::ffff:7f00:1]:5000', /IPv4-mapped/],
    ['[0:0:0:0:0:ffff:8.8.8.8]', /IPv4-mapped/],
    // What parseRegistryHost already refuses: user info, trailing dots, schemes, paths, zone ids.
    ['user@127.0.0.1:5000', /no user info/],
    ['evil.example@127.0.0.1', /no user info/],
    ['localhost.', /not a host name/],
    ['127.0.0.1.', /not a host name/],
    ['http://127.0.0.1', /no URL scheme/],
    ['127.0.0.1:5000/x', /no path/],
    ['[::1%25lo]', /not a host name/],
    ['127.0.0.1:0', /port out of range/],
    ['a_b.example', /not a host name/],
  ])('refuses %s', (input, why) => {
    expect(reason(() => canonicalHost(input))).toMatch(why);
  });

  it('formats back to host[:port] with IPv6 in brackets', () => {
    expect(['[0:0::1]:5000', 'Reg.Example:443', '127.0.0.1'].map((h) => formatHost(canonicalHost(h)))).toEqual(['[::1]:5000', 'reg.example:443', '127.0.0.1']);
  });
});

describe('isLoopback', () => {
  it.each(['127.0.0.1', '127.0.0.1:5000', '127.255.255.254:1', 'localhost', 'LocalHost:8080', '[::1]', '[0::1]:5000'])('%s is loopback', (host) => {
    expect(isLoopback(canonicalHost(host))).toBe(true);
  });

  it.each(['128.0.0.1', '0.0.0.0', '[::]', '[::2]', 'localhost.example', 'foo.localhost', 'localtest.me', '[64:ff9b::7f00:1]', '[::7f00:1]'])('%s is not loopback', (host) => {
    expect(isLoopback(canonicalHost(host))).toBe(false);
  });
});

describe('allowedBy', () => {
  const list = configAllowList(['registry.example.com', 'pinned.example:5000', '[fd00::5]:443', '198.51.100.7']);

  it('allows a bare entry on every port, and a host:port entry on that port only', () => {
    expect(['registry.example.com', 'registry.example.com:5000', 'Registry.Example.Com:443', 'pinned.example:5000', 'pinned.example:05000'].map((h) => allows(h, list))).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(['pinned.example', 'pinned.example:5001', 'pinned.example:443', 'other.example', 'sub.registry.example.com', 'registry.example.com.evil'].map((h) => allows(h, list))).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it('compares IP literals in canonical form', () => {
    expect(allows('[fd00:0:0:0:0:0:0:5]:443', list)).toBe(true);
    expect(allows('[fd00::5]:444', list)).toBe(false);
    expect(allows('198.51.100.7:5000', list)).toBe(true);
    expect(allows('198.51.100.8', list)).toBe(false);
  });

  it('admits an IP literal inside a CIDR, never a name (no DNS lookups)', () => {
    const cidrs: AllowList = { hosts: [], cidrs: ['198.51.100.0/24', 'fd00::/8'] };
    expect(['198.51.100.200:5000', '[fd12::1]', '198.51.101.1', 'registry.example.com', 'localhost'].map((h) => allows(h, cidrs))).toEqual([true, true, false, false, false]);
  });
});

describe('daemonAllowList', () => {
  it('takes CIDRs, insecure registry names and the host[:port] of each mirror URL; skips what does not parse', () => {
    const list = daemonAllowList({
      insecureRegistries: ['127.0.0.0/8', '198.51.100.0/24', 'insecure.example:5000', 'Other.Example', 'not a host', 'bad/cidr', '1.2.3.4/99'],
      registryMirrors: ['https://mirror.example.com/', 'http://Mirror2.Example:5000/', 'https://mirror3.example:443/', 'not a url'],
    });
    expect(list.cidrs).toEqual(['127.0.0.0/8', '198.51.100.0/24']);
    expect(list.hosts.map(formatHost)).toEqual(['insecure.example:5000', 'other.example', 'mirror.example.com', 'mirror2.example:5000', 'mirror3.example']);
    expect(['insecure.example:5000', 'insecure.example', 'other.example:1234', 'mirror.example.com', 'mirror2.example:5000', 'mirror2.example:5001', '198.51.100.9'].map((h) => allows(h, list))).toEqual([
      true,
      false,
      true,
      true,
      true,
      false,
      true,
    ]);
  });

  it('allows nothing from empty lists', () => {
    expect(allows('registry.example.com', daemonAllowList({ insecureRegistries: [], registryMirrors: [] }))).toBe(false);
  });
});

describe('forbiddenHost', () => {
  it('is FORBIDDEN and names the variable that would allow the host', () => {
    const err = forbiddenHost('registry host', 'evil.example:5000');
    expect(err.code).toBe(ErrorCode.FORBIDDEN);
    expect(err.message).toBe(
      `registry host "evil.example:5000" is not allowed: add it to DOCKQL_REGISTRIES (or the daemon's insecure-registries/registry-mirrors)`,
    );
    expect(err.extensions).toMatchObject({ code: 'FORBIDDEN', host: 'evil.example:5000' });
  });
});
