import { basicAuthorization, credentialsIdentity, TokenCache, tokenFromResponse } from '../../src/registry/auth';

describe('credentials', () => {
  it('names credentials by a hash that reveals neither part, and anonymous by ""', () => {
    const id = credentialsIdentity({ username: 'alice', password: 'secret' });
    expect(id).toMatch(/^[a-f0-9]{64}$/);
    expect(id).not.toContain('secret');
    expect(credentialsIdentity(undefined)).toBe('');
    // "ali" + "cesecret" is someone else.
    expect(credentialsIdentity({ username: 'ali', password: 'cesecret' })).not.toBe(id);
  });

  it('writes basic authorization as user:password in base64', () => {
    expect(basicAuthorization({ username: 'alice', password: 'pw' })).toBe(`Basic ${Buffer.from('alice:pw').toString('base64')}`);
  });
});

describe('tokenFromResponse', () => {
  const now = 1_000_000;

  it('takes token or access_token, living expires_in seconds minus a margin', () => {
    expect(tokenFromResponse({ token: 't', expires_in: 300 }, now)).toEqual({ token: 't', expiresAt: now + 300_000 - 5_000 });
    expect(tokenFromResponse({ access_token: 'a', expires_in: 120 }, now)).toEqual({ token: 'a', expiresAt: now + 120_000 - 5_000 });
  });

  it('assumes the spec minimum of 60 s when the lifetime is missing or shorter', () => {
    expect(tokenFromResponse({ token: 't' }, now)?.expiresAt).toBe(now + 55_000);
    expect(tokenFromResponse({ token: 't', expires_in: 5 }, now)?.expiresAt).toBe(now + 55_000);
  });

  it('answers undefined without a token', () => {
    for (const body of [undefined, null, 'x', {}, { token: '' }, { token: 3 }]) expect(tokenFromResponse(body, now)).toBeUndefined();
  });
});

describe('TokenCache', () => {
  it('keys tokens by registry, credentials identity and scope, and drops them when they expire', () => {
    let clock = 0;
    const cache = new TokenCache(() => clock);
    cache.set('127.0.0.1:5000', 'alice', 'repository:a:pull', { token: 't1', expiresAt: 100 });
    expect(cache.get('127.0.0.1:5000', 'alice', 'repository:a:pull')).toBe('t1');
    expect(cache.get('127.0.0.1:5000', '', 'repository:a:pull')).toBeUndefined();
    expect(cache.get('127.0.0.1:5000', 'alice', 'repository:b:pull')).toBeUndefined();
    expect(cache.get('127.0.0.1:5001', 'alice', 'repository:a:pull')).toBeUndefined();
    clock = 100;
    expect(cache.get('127.0.0.1:5000', 'alice', 'repository:a:pull')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('forgets a refused token only if it is still the cached one', () => {
    const cache = new TokenCache(() => 0);
    cache.set('r', 'id', 's', { token: 'new', expiresAt: 10 });
    cache.delete('r', 'id', 's', 'old');
    expect(cache.get('r', 'id', 's')).toBe('new');
    cache.delete('r', 'id', 's', 'new');
    expect(cache.get('r', 'id', 's')).toBeUndefined();
  });

  it('stays bounded: the oldest entry goes first', () => {
    const cache = new TokenCache(() => 0);
    for (let i = 0; i < 1_001; i++) cache.set('r', 'id', `scope-${i}`, { token: `t${i}`, expiresAt: 10 });
    expect(cache.size).toBe(1_000);
    expect(cache.get('r', 'id', 'scope-0')).toBeUndefined();
    expect(cache.get('r', 'id', 'scope-1000')).toBe('t1000');
  });

  it('remembers which registries ask for basic auth', () => {
    const cache = new TokenCache();
    expect(cache.wantsBasic('127.0.0.1:5000')).toBe(false);
    cache.markBasic('127.0.0.1:5000');
    expect(cache.wantsBasic('127.0.0.1:5000')).toBe(true);
  });
});
