import { archiveDownloadUrl, archiveMediaType, checkArchiveName, defaultArchiveName, exportArchiveName, isArchiveName, refFromDefaultName } from '../../src/archive/names';
import { formatImageRef, normalizeImageRef, parseImageRef } from '../../src/docker/refs';
import { BadUserInputError } from '../../src/schema/errors';

/** Runs fn and returns the BadUserInputError it must throw. */
function badInput(fn: () => unknown): BadUserInputError {
  try {
    fn();
  } catch (e) {
    if (e instanceof BadUserInputError) return e;
    throw e;
  }
  throw new Error('expected a BadUserInputError');
}

describe('checkArchiveName', () => {
  it.each(['centos_7.tar', 'a.tar', 'A-b_c.1.tar', 'x.tar.gz', '_x.tar', '9.tar', `${'a'.repeat(196)}.tar`])('accepts %p', (name) => {
    expect(checkArchiveName(name)).toBe(name);
    expect(isArchiveName(name)).toBe(true);
  });

  it.each<[string, RegExp]>([
    ['../x.tar', /without directories/],
    ['/tmp/x.tar', /without directories/],
    ['a/b.tar', /without directories/],
    ['a\\b.tar', /without directories/],
    ['.x.tar', /must not start with/],
    ['-rf.tar', /must not start with/],
    ['x.tar\u0000', /control characters/],
    ['x\n.tar', /control characters/],
    [`${'a'.repeat(297)}.tar`, /longer than 200/],
    ['x.zip', /must end in .tar or .tar.gz/],
    ['x.tar.bz2', /must end in .tar or .tar.gz/],
    ['x.tgz', /must end in .tar or .tar.gz/],
    ['.tar', /must not start with/],
    ['a..b.tar', /must not contain "\.\."/],
    ['..', /must not contain/],
    ['', /empty/],
    ['x y.tar', /only letters, digits/],
    ['x%2e.tar', /only letters, digits/],
    ['ünï.tar', /only letters, digits/],
  ])('refuses %p with BAD_USER_INPUT', (name, why) => {
    const err = badInput(() => checkArchiveName(name, 'archive'));
    expect(err.code).toBe('BAD_USER_INPUT');
    expect(err.message).toMatch(why);
    expect(err.extensions.argument).toBe('archive');
    expect(isArchiveName(name)).toBe(false);
  });

  it('keeps a hostile name short and escaped in the message', () => {
    const err = badInput(() => checkArchiveName(`${'x'.repeat(1000)}\n.tar`));
    expect(err.message.length).toBeLessThan(200);
    expect(err.message).not.toContain('\n');
  });
});

describe('media type and download URL', () => {
  it('serves .tar as application/x-tar and .tar.gz as application/gzip', () => {
    expect(archiveMediaType('a.tar')).toBe('application/x-tar');
    expect(archiveMediaType('a.tar.gz')).toBe('application/gzip');
  });

  it('is the relative /archives path', () => {
    expect(archiveDownloadUrl('centos_7.tar')).toBe('/archives/centos_7.tar');
  });
});

describe('defaultArchiveName', () => {
  it.each([
    ['centos:7', 'centos_7.tar'],
    ['centos', 'centos_latest.tar'],
    ['docker.io/library/centos:7', 'centos_7.tar'],
    ['nginx:1.25-alpine', 'nginx_1.25-alpine.tar'],
    ['team/app:1', 'team__app_1.tar'],
    ['127.0.0.1:5000/team/app:1', '127.0.0.1_5000__team__app_1.tar'],
    ['my_app:v1', 'my-_app_v1.tar'],
    ['a/b:c', 'a__b_c.tar'],
    ['a_b:c', 'a-_b_c.tar'],
    ['a:b_c', 'a_b-_c.tar'],
    [`app@sha256:${'a'.repeat(64)}`, `app_.sha256_${'a'.repeat(64)}.tar`],
  ])('names %p %p', (ref, name) => {
    expect(defaultArchiveName(ref)).toBe(name);
  });

  it('names a full image id by its hex', () => {
    expect(defaultArchiveName(`sha256:${'b'.repeat(64)}`)).toBe(`sha256-${'b'.repeat(64)}.tar`);
    expect(defaultArchiveName('b'.repeat(64))).toBe(`sha256-${'b'.repeat(64)}.tar`);
  });

  it('gives refs the readable rule cannot carry a <slug>--<hash>.tar name', () => {
    const name = defaultArchiveName('app:1..2');
    expect(name).toMatch(/^app_1\.2--[0-9a-f]{32}\.tar$/);
    expect(isArchiveName(name)).toBe(true);
    const long = defaultArchiveName(`registry.example.com/${'team/'.repeat(30)}app:${'t'.repeat(120)}`);
    expect(long.length).toBeLessThanOrEqual(200);
    expect(long).toMatch(/--[0-9a-f]{32}\.tar$/);
  });

  it('refuses what is not a ref', () => {
    expect(badInput(() => defaultArchiveName('Bad Ref', 'refs')).extensions.argument).toBe('refs');
  });

  it('decodes every readable name back to its ref', () => {
    for (const ref of ['centos:7', 'team/app:1', '127.0.0.1:5000/team/app:1', 'my__app:x_y', 'a:_b', 'a:b_', `a:b_@sha256:${'c'.repeat(64)}`]) {
      const name = defaultArchiveName(ref);
      expect(refFromDefaultName(name)).toBe(formatImageRef(normalizeImageRef(parseImageRef(ref))));
    }
  });

  it('never gives two different refs the same name (tricky pairs)', () => {
    const pairs = [
      ['a/b:c', 'a_b:c'],
      ['a/b:c', 'a:b_c'],
      ['a_b:c', 'a:b_c'],
      ['a__b:c', 'a/b:c'],
      ['a-b:c', 'a/b:c'],
      ['a:b-c', 'a-b:c'],
      ['localhost:5000/a:b', 'localhost/5000/a:b'],
      ['host.io:5000/a:1', 'host.io/5000/a:1'],
      ['a:_b', 'a:b'],
      ['a:b__c', 'a:b_c'],
      ['x/y/z:1', 'x/y_z:1'],
      ['a.b/c:d', 'a.b_c:d'],
      [`a@sha256:${'d'.repeat(64)}`, `a:sha256_${'d'.repeat(64)}`],
      [`a:t@sha256:${'d'.repeat(64)}`, `a:t_sha256_${'d'.repeat(64)}`],
    ];
    for (const [x, y] of pairs) {
      expect(defaultArchiveName(x!)).not.toBe(defaultArchiveName(y!));
    }
  });

  it('is injective over thousands of generated refs built from the troublesome characters', () => {
    // Deterministic pseudo-random refs over the characters that the rule escapes.
    let seed = 42;
    const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const parts = ['a', 'b', '1', '_', '__', '-', '--', '.', '/', ':', 'x'];
    const seen = new Map<string, string>();
    const problems: string[] = [];
    let valid = 0;
    for (let i = 0; i < 20000; i++) {
      let s = 'a';
      for (let k = rnd(8); k >= 0; k--) s += parts[rnd(parts.length)];
      s += 'b';
      let familiar: string;
      try {
        familiar = formatImageRef(normalizeImageRef(parseImageRef(s)));
      } catch {
        continue;
      }
      valid++;
      const name = defaultArchiveName(s);
      const other = seen.get(name);
      if (!isArchiveName(name) || (other !== undefined && other !== familiar)) problems.push(`${s} -> ${name} (also ${other})`);
      seen.set(name, familiar);
    }
    expect(problems).toEqual([]);
    expect(valid).toBeGreaterThan(2000);
    expect(new Set(seen.values()).size).toBe(seen.size);
  });
});

describe('exportArchiveName', () => {
  it('names an export after its container, as `docker export web > web.tar`', () => {
    expect(exportArchiveName('web')).toBe('web.tar');
    expect(exportArchiveName('/my_web-1')).toBe('my_web-1.tar');
  });

  it('falls back to the hashed form where the plain one is not a valid name', () => {
    expect(exportArchiveName('a..b')).toMatch(/^a\.b--[0-9a-f]{32}\.tar$/);
    expect(exportArchiveName('x'.repeat(250))).toMatch(/--[0-9a-f]{32}\.tar$/);
  });
});
