import { RefSyntaxError } from '../../src/docker/refs';
import { encodeRepositoryPath, insecurePredicate, isLoopbackHost, parseRegistryHost, registryOrigin, repositoryPath } from '../../src/registry/host';

function reason(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof RefSyntaxError) return e.reason;
    throw e;
  }
  throw new Error('expected a RefSyntaxError');
}

describe('parseRegistryHost', () => {
  it.each([
    ['127.0.0.1:5000', '127.0.0.1', 5000],
    ['localhost:5000', 'localhost', 5000],
    ['registry.example.com', 'registry.example.com', undefined],
    ['Registry-1.Example.com:443', 'Registry-1.Example.com', 443],
    ['[::1]:5000', '::1', 5000],
    ['[fe80::1]', 'fe80::1', undefined],
    ['myregistry', 'myregistry', undefined],
  ])('accepts %s', (input, hostname, port) => {
    expect(parseRegistryHost(input)).toEqual({ host: input, hostname, ...(port !== undefined ? { port } : {}) });
  });

  it.each([
    ['http://x', /no URL scheme/],
    ['https://127.0.0.1:5000', /no URL scheme/],
    ['a/b', /no path/],
    ['127.0.0.1:5000/v2/', /no path/],
    ['x?y', /no query/],
    ['x#y', /no query/],
    ['user@host', /no user info/],
    ['user:pw@127.0.0.1:5000', /no user info/],
    ['', /empty/],
    ['a b', /whitespace/],
    ['x\n', /whitespace or control/],
    ['-bad.example', /not a host name/],
    ['bad_.example', /not a host name/],
    ['127.0.0.1:0', /port out of range/],
    ['127.0.0.1:65536', /port out of range/],
    ['127.0.0.1:', /not a host name/],
    ['[::g]:5000', /IPv6/],
    ['::1:5000', /not a host name/],
    ['x'.repeat(256), /longer than 255/],
  ])('refuses %j', (input, why) => {
    expect(reason(() => parseRegistryHost(input))).toMatch(why);
  });

  it('quotes hostile input JSON-escaped in its message', () => {
    expect(() => parseRegistryHost('a\nb')).toThrow('"a\\nb"');
  });
});

describe('loopback and insecure registries (http) versus the rest (https)', () => {
  const host = (h: string) => parseRegistryHost(h);

  it('treats localhost, 127.0.0.0/8 and ::1 as loopback', () => {
    for (const h of ['localhost:5000', 'LOCALHOST', '127.0.0.1:5000', '127.255.0.9', '[::1]:5000']) expect(isLoopbackHost(host(h))).toBe(true);
    for (const h of ['128.0.0.1', '10.0.0.1:5000', '[::2]', 'localhost.example.com', 'registry.example.com']) expect(isLoopbackHost(host(h))).toBe(false);
  });

  it('uses http for loopback even without any daemon configuration, https otherwise', async () => {
    const insecure = insecurePredicate(undefined, async () => {
      throw new Error('no DNS lookup expected');
    });
    expect(await insecure(host('127.0.0.1:5000'))).toBe(true);
    expect(await insecure(host('registry.example.com'))).toBe(false);
    expect(registryOrigin(host('127.0.0.1:5000'), true)).toBe('http://127.0.0.1:5000');
    expect(registryOrigin(host('[::1]:5000'), true)).toBe('http://[::1]:5000');
    expect(registryOrigin(host('registry.example.com'), false)).toBe('https://registry.example.com');
  });

  it("follows the daemon's insecure-registries: CIDRs for addresses, IndexConfigs by name first", async () => {
    const lookups: string[] = [];
    const insecure = insecurePredicate(
      {
        InsecureRegistryCIDRs: ['127.0.0.0/8', '192.168.5.0/24', 'fd00::/8', 'not-a-cidr'],
        IndexConfigs: {
          'docker.io': { Name: 'docker.io', Secure: true },
          'lan-registry:5000': { Name: 'lan-registry:5000', Secure: false },
          '192.168.5.7:5000': { Name: '192.168.5.7:5000', Secure: true },
        },
      },
      async (name) => {
        lookups.push(name);
        return name === 'nas.lan' ? ['192.168.5.20'] : ['203.0.113.9'];
      },
    );
    expect(await insecure(host('192.168.5.9:5000'))).toBe(true);
    expect(await insecure(host('192.168.6.9:5000'))).toBe(false);
    expect(await insecure(host('[fd00::5]:5000'))).toBe(true);
    expect(await insecure(host('lan-registry:5000'))).toBe(true);
    expect(await insecure(host('LAN-REGISTRY:5000'))).toBe(true);
    // IndexConfigs wins over the CIDR, as in dockerd.
    expect(await insecure(host('192.168.5.7:5000'))).toBe(false);
    // A name is resolved and its addresses checked against the CIDRs, as the Docker daemon does.
    expect(await insecure(host('nas.lan:5000'))).toBe(true);
    expect(await insecure(host('registry.example.com'))).toBe(false);
    expect(lookups).toEqual(['nas.lan', 'registry.example.com']);
  });

  it('uses https for a name that does not resolve', async () => {
    const insecure = insecurePredicate({ InsecureRegistryCIDRs: ['10.0.0.0/8'] }, async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    });
    expect(await insecure(host('nowhere.invalid'))).toBe(false);
  });
});

describe('repositoryPath (repository names in a registry)', () => {
  const host = parseRegistryHost('127.0.0.1:5000');

  it('accepts paths of the reference grammar, with or without this host in front', () => {
    expect(repositoryPath(host, 'team/app')).toBe('team/app');
    expect(repositoryPath(host, '127.0.0.1:5000/team/app')).toBe('team/app');
    expect(repositoryPath(host, 'busybox')).toBe('busybox');
    expect(repositoryPath(host, 'a.b/c__d/e-f')).toBe('a.b/c__d/e-f');
    // A first element that looks like a host is still a path inside this registry.
    expect(repositoryPath(host, 'localhost/x')).toBe('localhost/x');
  });

  it.each([
    ['../x'],
    ['a%2Fb'],
    ['Team/app'],
    ['team/app:1'],
    ['team/app@sha256:' + 'a'.repeat(64)],
    ['other:5000/team/app'],
    ['team//app'],
    ['/team/app'],
    ['team/app/'],
    ['team app'],
    ['x?y'],
    [''],
    ['a'.repeat(250)],
  ])('refuses %j', (input) => {
    expect(() => repositoryPath(host, input)).toThrow(RefSyntaxError);
  });

  it('encodes each path segment for the URL', () => {
    expect(encodeRepositoryPath('team/app')).toBe('team/app');
    expect(encodeRepositoryPath('a b/c?d')).toBe('a%20b/c%3Fd');
  });
});
