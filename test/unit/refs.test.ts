import {
  classifyImageRef,
  encodePathSegment,
  familiarName,
  formatImageRef,
  ImageRef,
  isImageIdLike,
  mirrorRef,
  normalizeImageRef,
  parseImageIdRef,
  parseImageRef,
  RefSyntaxError,
  shortId,
  validateContainerName,
  validateContainerRef,
} from '../../src/docker/refs';

const F64 = 'f'.repeat(64);
const HEX64 = 'dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c';
const SHA = `sha256:${HEX64}`;

/** Runs fn and returns the RefSyntaxError it must throw. */
function refError(fn: () => unknown): RefSyntaxError {
  try {
    fn();
  } catch (e) {
    if (e instanceof RefSyntaxError) return e;
    throw e;
  }
  throw new Error('expected a RefSyntaxError');
}

describe('parseImageRef', () => {
  // Mostly distribution/reference's reference_test.go and normalize_test.go tables.
  it.each<[string, ImageRef]>([
    ['nginx', { path: 'nginx' }],
    ['nginx:1.25', { path: 'nginx', tag: '1.25' }],
    ['test_com', { path: 'test_com' }],
    ['test.com:tag', { path: 'test.com', tag: 'tag' }],
    ['test.com:5000', { path: 'test.com', tag: '5000' }],
    ['test.com/repo:tag', { domain: 'test.com', path: 'repo', tag: 'tag' }],
    ['test:5000/repo', { domain: 'test:5000', path: 'repo' }],
    [`test:5000/repo@sha256:${F64}`, { domain: 'test:5000', path: 'repo', digest: `sha256:${F64}` }],
    [`test:5000/repo:tag@sha256:${F64}`, { domain: 'test:5000', path: 'repo', tag: 'tag', digest: `sha256:${F64}` }],
    ['lowercase:Uppercase', { path: 'lowercase', tag: 'Uppercase' }],
    [`${'a/'.repeat(127)}a:tag-puts-this-over-max`, { path: `${'a/'.repeat(127)}a`, tag: 'tag-puts-this-over-max' }],
    ['sub-dom1.foo.com/bar/baz/quux:some-long-tag', { domain: 'sub-dom1.foo.com', path: 'bar/baz/quux', tag: 'some-long-tag' }],
    ['b.gcr.io/test.example.com/my-app:test.example.com', { domain: 'b.gcr.io', path: 'test.example.com/my-app', tag: 'test.example.com' }],
    ['xn--n3h.com/myimage:xn--n3h.com', { domain: 'xn--n3h.com', path: 'myimage', tag: 'xn--n3h.com' }],
    [`xn--7o8h.com/myimage:xn--7o8h.com@sha512:${'f'.repeat(128)}`, { domain: 'xn--7o8h.com', path: 'myimage', tag: 'xn--7o8h.com', digest: `sha512:${'f'.repeat(128)}` }],
    ['foo_bar.com:8080', { path: 'foo_bar.com', tag: '8080' }],
    // normalize.go: "foo" has no "." or ":", so it is a namespace, not a host.
    ['foo/foo_bar.com:8080', { path: 'foo/foo_bar.com', tag: '8080' }],
    ['192.168.1.1', { path: '192.168.1.1' }],
    ['192.168.1.1:5000/repo:5050', { domain: '192.168.1.1:5000', path: 'repo', tag: '5050' }],
    ['127.0.0.1:5000/a/b:tag', { domain: '127.0.0.1:5000', path: 'a/b', tag: 'tag' }],
    ['localhost/x', { domain: 'localhost', path: 'x' }],
    ['localhost:5000/x', { domain: 'localhost:5000', path: 'x' }],
    // A lone "localhost" is a repository name (the FIXME in splitDockerDomain).
    ['localhost', { path: 'localhost' }],
    ['[2001:db8::1]:5000/repo:tag', { domain: '[2001:db8::1]:5000', path: 'repo', tag: 'tag' }],
    ['[::1]:5000/repo', { domain: '[::1]:5000', path: 'repo' }],
    [`a@${SHA}`, { path: 'a', digest: SHA }],
    [`a:b@${SHA}`, { path: 'a', tag: 'b', digest: SHA }],
    // An uppercase first element is taken as a host (normalize_test: "Docker/docker").
    ['Docker/docker', { domain: 'Docker', path: 'docker' }],
    ['A/b', { domain: 'A', path: 'b' }],
    ['docker---rules/docker', { path: 'docker---rules/docker' }],
    ['dock__er/docker', { path: 'dock__er/docker' }],
    ['d/docker', { path: 'd/docker' }],
    [`docker.io/${HEX64}`, { domain: 'docker.io', path: HEX64 }],
    ['index.docker.io/debian', { domain: 'index.docker.io', path: 'debian' }],
    ['thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev', { path: 'thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev' }],
    // Host-like but not a valid host: Go keeps the whole name as the path.
    ['a.b_c/x', { path: 'a.b_c/x' }],
  ])('accepts %j', (input, expected) => {
    expect(parseImageRef(input)).toEqual(expected);
  });

  it.each<[string, string]>([
    ['', 'at least one component'],
    [':justtag', 'invalid reference format'],
    [':tag', 'invalid reference format'],
    [`@sha256:${F64}`, 'invalid reference format'],
    [`repo@sha256:${'f'.repeat(34)}`, 'invalid checksum digest length'],
    [`repo@sha256:${'F'.repeat(64)}`, 'invalid checksum digest format'],
    [`validname@invaliddigest:${F64}`, 'unsupported digest algorithm'],
    [`validname@constructor:${F64}`, 'unsupported digest algorithm'],
    ['Uppercase:tag', 'must be lowercase'],
    ['test:5000/Uppercase/lowercase:tag', 'must be lowercase'],
    ['a/B', 'must be lowercase'],
    ['A', 'must be lowercase'],
    ['docker/Docker', 'must be lowercase'],
    [`${'a/'.repeat(128)}a:tag`, 'too long'],
    ['a'.repeat(256), 'too long'],
    ['x'.repeat(100_000), 'too long'],
    [HEX64, 'cannot specify 64-byte hexadecimal strings'],
    ['aa/asdf$$^/aa', 'characters not allowed'],
    ['[2001:db8::1]', 'invalid reference format'],
    ['[2001:db8::1]:5000', 'invalid reference format'],
    ['[fe80::1%eth0]:5000/repo', 'invalid reference format'],
    ['fc00::1:5000/debian', 'invalid reference format'],
    ['https://github.com/docker/docker', 'no URL scheme'],
    ['docker///docker', 'invalid reference format'],
    ['-docker', 'invalid reference format'],
    ['docker-/docker', 'invalid reference format'],
    ['____/____', 'invalid reference format'],
    ['dock..er/docker', 'invalid reference format'],
    ['dock_.er/docker', 'invalid reference format'],
    ['docker/', 'invalid reference format'],
    // Hostile input a GraphQL client could send.
    ['bb:1?force=true', 'characters not allowed'],
    ['../x', 'invalid reference format'],
    ['a%2Fb', 'characters not allowed'],
    ['a#b', 'characters not allowed'],
    ['a b', 'whitespace or control'],
    ['a\nb', 'whitespace or control'],
    ['nginx\n', 'whitespace or control'],
    ['a\u0000b', 'whitespace or control'],
    ['/abs', 'must not start with "/"'],
    ['nginx:-tag', 'invalid reference format'],
    [`nginx:${'t'.repeat(129)}`, 'invalid reference format'],
  ])('rejects %j (%s)', (input, reason) => {
    const err = refError(() => parseImageRef(input));
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('RefSyntaxError');
    expect(err.input).toBe(input);
    expect(err.reason).toContain(reason);
    expect(err.message).toContain(reason);
  });

  it('quotes the input JSON-escaped and bounded in the message', () => {
    expect(refError(() => parseImageRef('a\nb')).message).toBe(
      'invalid reference format: contains whitespace or control characters: "a\\nb"',
    );
    expect(refError(() => parseImageRef('x'.repeat(100_000))).message.length).toBeLessThan(500);
  });

  it.each([
    ['a'.repeat(500) + '!'],
    ['a-'.repeat(255) + '!'],
    ['a.'.repeat(250) + '/'],
    ['0'.repeat(255) + '/A'],
    ['a__'.repeat(170) + '_'],
    ['a/'.repeat(200) + 'B'],
  ])('rejects pathological input quickly (%#)', (input) => {
    const start = process.hrtime.bigint();
    expect(() => parseImageRef(input)).toThrow(RefSyntaxError);
    expect(Number(process.hrtime.bigint() - start) / 1e6).toBeLessThan(100);
  });
});

describe('normalizeImageRef', () => {
  it.each<[string, ReturnType<typeof normalizeImageRef>]>([
    ['nginx', { domain: 'docker.io', path: 'library/nginx', tag: 'latest' }],
    [`nginx@${SHA}`, { domain: 'docker.io', path: 'library/nginx', digest: SHA }],
    [`busybox:latest@${SHA}`, { domain: 'docker.io', path: 'library/busybox', tag: 'latest', digest: SHA }],
    ['team/app:1', { domain: 'docker.io', path: 'team/app', tag: '1' }],
    ['docker.io/ubuntu', { domain: 'docker.io', path: 'library/ubuntu', tag: 'latest' }],
    ['index.docker.io/library/debian:12', { domain: 'docker.io', path: 'library/debian', tag: '12' }],
    ['library/foo/bar', { domain: 'docker.io', path: 'library/foo/bar', tag: 'latest' }],
    ['127.0.0.1:5000/x', { domain: '127.0.0.1:5000', path: 'x', tag: 'latest' }],
    ['localhost/x:2', { domain: 'localhost', path: 'x', tag: '2' }],
    ['example.com/privatebase', { domain: 'example.com', path: 'privatebase', tag: 'latest' }],
    ['Foo/bar', { domain: 'Foo', path: 'bar', tag: 'latest' }],
  ])('%j', (input, expected) => {
    const n = normalizeImageRef(parseImageRef(input));
    expect(n).toEqual(expected);
    expect(normalizeImageRef(n)).toEqual(n);
  });
});

describe('familiarName and formatImageRef', () => {
  // normalize_test.go TestParseRepositoryInfo: [familiar, full, ambiguous...].
  it.each<[string, string, string[]]>([
    ['fooo/bar', 'docker.io/fooo/bar', ['index.docker.io/fooo/bar']],
    ['ubuntu', 'docker.io/library/ubuntu', ['library/ubuntu']],
    ['nonlibrary/ubuntu', 'docker.io/nonlibrary/ubuntu', []],
    ['other/library', 'docker.io/other/library', []],
    ['127.0.0.1:8000/private/moonbase', '127.0.0.1:8000/private/moonbase', []],
    ['example.com:8000/privatebasee', 'example.com:8000/privatebasee', []],
    ['ubuntu-12.04-base', 'docker.io/library/ubuntu-12.04-base', ['index.docker.io/library/ubuntu-12.04-base']],
    ['foo', 'docker.io/library/foo', ['docker.io/foo']],
    ['library/foo/bar', 'docker.io/library/foo/bar', []],
    ['store/foo/bar', 'docker.io/store/foo/bar', []],
    ['Foo/bar', 'Foo/bar', []],
  ])('%j', (familiar, full, ambiguous) => {
    for (const input of [familiar, full, ...ambiguous]) {
      const n = normalizeImageRef(parseImageRef(input));
      expect(familiarName(n)).toBe(familiar);
      expect(familiarName(input)).toBe(familiar);
      expect(`${n.domain}/${n.path}`).toBe(full);
    }
  });

  it.each<[string, string]>([
    ['nginx', 'nginx:latest'],
    ['docker.io/library/nginx', 'nginx:latest'],
    ['team/app:1', 'team/app:1'],
    ['127.0.0.1:5000/x/y:2', '127.0.0.1:5000/x/y:2'],
    [`name@${SHA}`, `name@${SHA}`],
    [`docker.io/library/busybox:latest@${SHA}`, `busybox:latest@${SHA}`],
  ])('formats normalized %j as %j', (input, expected) => {
    expect(formatImageRef(normalizeImageRef(parseImageRef(input)))).toBe(expected);
  });

  it('formats only what it is given', () => {
    expect(formatImageRef('nginx')).toBe('nginx');
    expect(formatImageRef({ path: 'team/app', tag: '1' })).toBe('team/app:1');
  });
});

describe('mirrorRef', () => {
  it.each<[string, string, string]>([
    ['nginx:1.25', 'atomhub.openatom.cn/library', 'atomhub.openatom.cn/library/nginx:1.25'],
    ['library/nginx', 'atomhub.openatom.cn/library', 'atomhub.openatom.cn/library/nginx:latest'],
    ['team/app', 'atomhub.openatom.cn/library', 'atomhub.openatom.cn/library/team/app:latest'],
    ['nginx', '127.0.0.1:5000', '127.0.0.1:5000/library/nginx:latest'],
    ['nginx', '127.0.0.1:5000/', '127.0.0.1:5000/library/nginx:latest'],
    ['team/app:1', '127.0.0.1:5000', '127.0.0.1:5000/team/app:1'],
    ['bb:1', 'localhost:5000', 'localhost:5000/library/bb:1'],
    [`nginx@${SHA}`, 'mirror.example.com', `mirror.example.com/library/nginx@${SHA}`],
    ['docker.io/library/nginx:1', '127.0.0.1:5000', '127.0.0.1:5000/library/nginx:1'],
    ['index.docker.io/team/app:1', 'mirror.example.com/hub', 'mirror.example.com/hub/team/app:1'],
  ])('%j through %j', (ref, mirror, expected) => {
    expect(mirrorRef(ref, mirror)).toBe(expected);
  });

  it.each<[string, string, string]>([
    ['127.0.0.1:5000/x', '127.0.0.1:5001', 'already names registry 127.0.0.1:5000'],
    ['quay.io/coreos/etcd', 'mirror.example.com', 'already names registry quay.io'],
    ['localhost/x', 'mirror.example.com', 'already names registry localhost'],
    ['bb:1?force=true', '127.0.0.1:5000', 'characters not allowed'],
    ['nginx', 'https://mirror.example.com', 'invalid mirror'],
    ['nginx', 'mirror.example.com?x=1', 'invalid mirror'],
    ['nginx', 'mirror.example.com#x', 'invalid mirror'],
    ['nginx', 'mirror', 'invalid mirror'],
    ['nginx', 'mirror/library', 'invalid mirror'],
    ['nginx', 'mirror.example.com/Library', 'invalid mirror'],
    ['nginx', 'mirror.example.com//x', 'invalid mirror'],
    ['nginx', '127.0.0.1:5000/library:tag', 'invalid mirror'],
    ['nginx', '', 'invalid mirror'],
    ['nginx', 'a b.com', 'invalid mirror'],
    ['nginx', `m.io/${'a'.repeat(250)}`, 'too long'],
  ])('rejects %j through %j', (ref, mirror, reason) => {
    expect(refError(() => mirrorRef(ref, mirror)).reason).toContain(reason);
  });
});

describe('image ids', () => {
  it.each<[string, { full: boolean; hex: string } | undefined]>([
    [SHA, { full: true, hex: HEX64 }],
    [HEX64, { full: true, hex: HEX64 }],
    ['abc', { full: false, hex: 'abc' }],
    ['deadbeef', { full: false, hex: 'deadbeef' }],
    ['sha256:abc', { full: false, hex: 'abc' }],
    ['ABC', undefined],
    ['xyz', undefined],
    ['', undefined],
    ['sha256:', undefined],
    [`${HEX64}0`, undefined],
    [`sha512:${'f'.repeat(128)}`, undefined],
  ])('parseImageIdRef(%j)', (input, expected) => {
    expect(parseImageIdRef(input)).toEqual(expected);
    expect(isImageIdLike(input)).toBe(expected !== undefined);
  });

  it.each([
    [SHA, { kind: 'id', hex: HEX64, full: true }],
    [HEX64, { kind: 'id', hex: HEX64, full: true }],
    ['deadbeef', { kind: 'name', ref: { path: 'deadbeef' }, idPrefix: 'deadbeef' }],
    ['sha256:abc', { kind: 'name', ref: { path: 'sha256', tag: 'abc' }, idPrefix: 'abc' }],
    ['nginx:1', { kind: 'name', ref: { path: 'nginx', tag: '1' } }],
    ['127.0.0.1:5000/a/b', { kind: 'name', ref: { domain: '127.0.0.1:5000', path: 'a/b' } }],
  ])('classifyImageRef(%j)', (input, expected) => {
    const c = classifyImageRef(input);
    expect(c).toEqual(expected);
    if (!('idPrefix' in expected)) expect('idPrefix' in c).toBe(false);
  });

  it.each(['A B', 'bb:1?force=true', '', '../x'])('classifyImageRef rejects %j', (input) => {
    expect(() => classifyImageRef(input)).toThrow(RefSyntaxError);
  });

  it.each([
    [SHA, HEX64.slice(0, 12)],
    [HEX64, HEX64.slice(0, 12)],
    ['abc', 'abc'],
  ])('shortId(%j)', (input, expected) => {
    expect(shortId(input)).toBe(expected);
  });
});

describe('container refs', () => {
  it.each([HEX64, 'abc', 'a', 'my-app', '/my-app', 'web_1', 'a.b', 'A1', 'x'.repeat(255)])(
    'validateContainerRef accepts %j',
    (input) => {
      expect(validateContainerRef(input)).toBe(input);
    },
  );

  it.each(['x', '-app', '_app', '.app', 'a b', 'a/b', '../x', 'a%2Fb', 'a\n', '/', 'a?force=1'])(
    'validateContainerRef rejects %j',
    (input) => {
      expect(refError(() => validateContainerRef(input)).reason).toContain('expected a container id');
    },
  );

  it.each([['', 'empty'], ['x'.repeat(256), 'too long']])('validateContainerRef rejects %j (%s)', (input, reason) => {
    expect(refError(() => validateContainerRef(input)).reason).toContain(reason);
  });

  it.each(['ab', '/ab', 'Web.1-x_y', 'abc'])('validateContainerName accepts %j', (name) => {
    expect(validateContainerName(name)).toBe(name);
  });

  it.each(['a', '', '-a', 'a b', 'a/b', 'a:b', 'é1', 'x'.repeat(256)])('validateContainerName rejects %j', (name) => {
    expect(() => validateContainerName(name)).toThrow(RefSyntaxError);
  });
});

describe('encodePathSegment', () => {
  it.each([
    ['nginx:1', 'nginx%3A1'],
    ['a/b', 'a%2Fb'],
    ['a b', 'a%20b'],
    ['?x#y', '%3Fx%23y'],
    ['.', '%2E'],
    ['..', '%2E%2E'],
    ['a..', 'a..'],
  ])('%j -> %j', (input, expected) => {
    expect(encodePathSegment(input)).toBe(expected);
  });

  it.each(['', '\uD800'])('rejects %j', (input) => {
    expect(() => encodePathSegment(input)).toThrow(RefSyntaxError);
  });
});
