import { parseChallenges, parseLinkNext } from '../../src/registry/headers';

describe('parseLinkNext (Link header pagination)', () => {
  it('reads the relative next link distribution sends for the catalog and tags', () => {
    expect(parseLinkNext('</v2/_catalog?last=team%2Fb&n=2>; rel="next"')).toBe('/v2/_catalog?last=team%2Fb&n=2');
    expect(parseLinkNext('</v2/team/app/tags/list?last=3&n=2>; rel=next')).toBe('/v2/team/app/tags/list?last=3&n=2');
  });

  it('finds next among several links and relation lists, case-insensitively', () => {
    const header = '<https://r.example/v2/_catalog?n=2>; rel="first", <https://r.example/v2/_catalog?last=b&n=2>; title="x, y"; rel="prefetch NEXT"';
    expect(parseLinkNext(header)).toBe('https://r.example/v2/_catalog?last=b&n=2');
  });

  it('answers undefined without a next link', () => {
    expect(parseLinkNext(undefined)).toBeUndefined();
    expect(parseLinkNext(null)).toBeUndefined();
    expect(parseLinkNext('')).toBeUndefined();
    expect(parseLinkNext('</v2/_catalog?n=2>; rel="prev"')).toBeUndefined();
    expect(parseLinkNext('garbage without brackets; rel="next"')).toBeUndefined();
  });
});

describe('parseChallenges (WWW-Authenticate)', () => {
  it('reads a bearer challenge whose scope holds commas inside quotes', () => {
    const header = 'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:samalba/my-app:pull,push"';
    expect(parseChallenges(header)).toEqual([
      { scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:samalba/my-app:pull,push' } },
    ]);
  });

  it('reads the insufficient_scope error a registry sends after a token without the access', () => {
    const [c] = parseChallenges('Bearer realm="http://127.0.0.1:1/token",service="s",scope="registry:catalog:*",error="insufficient_scope"');
    expect(c?.params).toMatchObject({ scope: 'registry:catalog:*', error: 'insufficient_scope' });
  });

  it('separates several challenges in one header and lower-cases schemes and parameter names', () => {
    expect(parseChallenges('Basic realm="dockql", BEARER Realm="http://t/token", service=reg')).toEqual([
      { scheme: 'basic', params: { realm: 'dockql' } },
      { scheme: 'bearer', params: { realm: 'http://t/token', service: 'reg' } },
    ]);
  });

  it('unescapes quoted-pairs and tolerates spaces around "="', () => {
    expect(parseChallenges('Basic realm = "a \\"quoted\\" realm"')).toEqual([{ scheme: 'basic', params: { realm: 'a "quoted" realm' } }]);
  });

  it('answers nothing for an absent header and survives garbage', () => {
    expect(parseChallenges(null)).toEqual([]);
    expect(parseChallenges(undefined)).toEqual([]);
    // Lenient like docker's parser: the usable challenge is still found, the unterminated quote taken to the end.
    expect(parseChallenges('=x, "y" ;; Bearer realm="r').find((c) => c.scheme === 'bearer')).toEqual({ scheme: 'bearer', params: { realm: 'r' } });
  });
});
