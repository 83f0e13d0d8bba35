/** Pure request checks: where tokens are read from, Origin and Host rules, and the loopback-only default. */
import { Authenticator } from '../../src/auth/authenticator';
import { readBearer, readWebSocketToken } from '../../src/auth/credentials';
import { checkExposure } from '../../src/auth/exposure';
import { hostIsLocal, isLoopbackAddress, originAllowed } from '../../src/auth/origin';
import { ConfigError } from '../../src/config';
import { createLogger } from '../../src/logger';

describe('readBearer', () => {
  it.each([
    [undefined, { kind: 'none' }],
    ['', { kind: 'none' }],
    ['Bearer abc', { kind: 'token', token: 'abc' }],
    ['bearer   abc ', { kind: 'token', token: 'abc' }],
    ['Basic YTpi', { kind: 'malformed' }],
    ['Bearer a b', { kind: 'malformed' }],
    ['Bearer ', { kind: 'malformed' }],
    ['Bearer a\u0000b', { kind: 'malformed' }],
    [`Bearer ${'x'.repeat(600)}`, { kind: 'malformed' }],
    [['Bearer a'], { kind: 'malformed' }],
  ])('reads %j', (value, expected) => {
    expect(readBearer(value)).toEqual(expected);
  });

  it('takes the WebSocket token from connectionParams in any key case, else the upgrade header', () => {
    expect(readWebSocketToken({ Authorization: 'Bearer p' }, 'Bearer h')).toEqual({ kind: 'token', token: 'p' });
    expect(readWebSocketToken({ authorization: 'Bearer p' }, undefined)).toEqual({ kind: 'token', token: 'p' });
    expect(readWebSocketToken({}, 'Bearer h')).toEqual({ kind: 'token', token: 'h' });
    expect(readWebSocketToken(undefined, undefined)).toEqual({ kind: 'none' });
    expect(readWebSocketToken({ authorization: 42 }, undefined)).toEqual({ kind: 'malformed' });
  });
});

describe('Authenticator', () => {
  it('makes every caller the anonymous admin without a token store', () => {
    const auth = new Authenticator();
    expect(auth.required).toBe(false);
    expect(auth.authenticate({ kind: 'none' })).toEqual({ principal: { name: 'anonymous', role: 'admin' } });
  });
});

describe('originAllowed', () => {
  it.each([
    [undefined, 'localhost:4000', [], true],
    ['http://localhost:4000', 'localhost:4000', [], true],
    ['https://ops.example.test', 'ops.example.test', [], true],
    ['https://ops.example.test:443', 'ops.example.test', [], true],
    ['http://ops.example.test', 'ops.example.test:80', [], true],
    ['http://evil.example.test', 'localhost:4000', [], false],
    ['http://localhost:4001', 'localhost:4000', [], false],
    ['null', 'localhost:4000', [], false],
    ['file://', 'localhost:4000', [], false],
    ['garbage', 'localhost:4000', [], false],
    ['https://ui.example.test', 'localhost:4000', ['https://ui.example.test'], true],
    ['http://ui.example.test', 'localhost:4000', ['https://ui.example.test'], false],
    ['http://localhost:4000', undefined, [], false],
  ])('Origin %j to Host %j (allowed %j): %j', (origin, host, allowed, expected) => {
    expect(originAllowed(origin, host, allowed)).toBe(expected);
  });
});

describe('hostIsLocal (DNS rebinding guard without tokens)', () => {
  it.each([
    ['localhost:4000', true],
    ['127.0.0.1:4000', true],
    ['127.9.9.9', true],
    ['[::1]:4000', true],
    ['app.localhost:4000', true],
    ['rebound.example.test:4000', false],
    ['127.0.0.1.example.test', false],
    ['', false],
    [undefined, false],
  ])('%j: %j', (host, expected) => {
    expect(hostIsLocal(host, '127.0.0.1')).toBe(expected);
  });

  it('also accepts the bind address itself', () => {
    expect(hostIsLocal('myhost:4000', 'myhost')).toBe(true);
  });
});

describe('checkExposure', () => {
  const log = createLogger('silent');
  it('lets loopback serve without tokens', () => {
    for (const host of ['127.0.0.1', '::1', 'localhost', '127.0.0.2']) expect(() => checkExposure({ host, insecure: false }, log)).not.toThrow();
    expect(isLoopbackAddress('0.0.0.0')).toBe(false);
  });

  it('refuses a non-loopback address without tokens, naming the way out', () => {
    expect(() => checkExposure({ host: '0.0.0.0', insecure: false }, log)).toThrow(ConfigError);
    expect(() => checkExposure({ host: '0.0.0.0', insecure: false }, log)).toThrow(/DOCKQL_TOKENS_FILE.*DOCKQL_INSECURE=1/);
  });

  it('serves it with tokens, or with DOCKQL_INSECURE=1 and a warning', () => {
    expect(() => checkExposure({ host: '0.0.0.0', tokensFile: '/etc/dockql/tokens.json', insecure: false }, log)).not.toThrow();
    const lines: string[] = [];
    checkExposure({ host: '0.0.0.0', insecure: true }, createLogger('warn', { write: (l: string) => void lines.push(l) }));
    expect(lines.join('')).toMatch(/DOCKQL_INSECURE=1/);
  });
});
