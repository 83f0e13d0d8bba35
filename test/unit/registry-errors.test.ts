import { distributionErrors, type FailedResponse, registryFailure, scrub, tokenServerFailure, unansweredFailure } from '../../src/registry/errors';

const base: FailedResponse = { host: '127.0.0.1:5000', what: 'GET /v2/_catalog', status: 500, body: '', isRegistry: true, secrets: [], authenticated: false };
const body = (code: string, message: string) => JSON.stringify({ errors: [{ code, message, detail: { x: 1 } }] });

describe('distributionErrors', () => {
  it('reads the errors of a Distribution error body, and nothing from anything else', () => {
    expect(distributionErrors(body('NAME_UNKNOWN', 'repository name not known to registry'))).toEqual([{ code: 'NAME_UNKNOWN', message: 'repository name not known to registry' }]);
    for (const text of ['', 'not json', '{}', '{"errors": "x"}', 'null']) expect(distributionErrors(text)).toEqual([]);
  });
});

describe('registryFailure', () => {
  it.each([
    [401, false, undefined, 'UNAUTHENTICATED', /needs credentials/],
    [401, true, undefined, 'UNAUTHENTICATED', /credentials were refused/],
    [401, true, 'insufficient_scope', 'FORBIDDEN', /accepted but do not grant/],
    [401, false, 'insufficient_scope', 'UNAUTHENTICATED', /needs credentials/],
    [403, true, undefined, 'FORBIDDEN', /access denied/],
    [404, false, undefined, 'NOT_FOUND', /answered 404/],
    [429, false, undefined, 'RATE_LIMITED', /too many requests/],
    [500, false, undefined, 'REGISTRY_ERROR', /answered 500/],
    [502, false, undefined, 'REGISTRY_ERROR', /answered 502/],
  ])('maps %i (authenticated: %s, challenge error: %s) to %s', (status, authenticated, challengeError, code, message) => {
    const err = registryFailure({ ...base, status, authenticated, challengeError, body: body('X', 'registry words') });
    expect(err.code).toBe(code);
    expect(err.message).toMatch(message);
    expect(err.message).toContain('registry words');
    expect(err.extensions).toMatchObject({ code, registry: '127.0.0.1:5000', status, registryCodes: ['X'] });
  });

  it('does not follow a redirect, and says so', () => {
    const err = registryFailure({ ...base, status: 307, body: '' });
    expect(err.code).toBe('REGISTRY_ERROR');
    expect(err.message).toMatch(/answered 307 to GET \/v2\/_catalog: a redirect, which is not followed/);
  });

  it('calls a bare 404 from something that is not a registry a REGISTRY_ERROR', () => {
    const err = registryFailure({ ...base, status: 404, isRegistry: false, body: '<html>Not Found</html>' });
    expect(err.code).toBe('REGISTRY_ERROR');
    expect(err.message).toMatch(/without a Docker-Distribution-API-Version header: is it a Distribution v2 registry\? HTTP 404$/);
  });

  it('keeps the registry words of a plain-text body, and joins several errors', () => {
    expect(registryFailure({ ...base, body: 'boom\n' }).message).toMatch(/: boom$/);
    const two = JSON.stringify({ errors: [{ code: 'A', message: 'first' }, { code: 'B', message: '' }] });
    expect(registryFailure({ ...base, body: two }).message).toMatch(/: first; B$/);
  });

  it('removes credentials a registry echoes, and control characters', () => {
    const err = registryFailure({ ...base, status: 401, body: body('UNAUTHORIZED', 'bad login hunter2 / aHVudGVyMg==\nforged log line'), secrets: ['hunter2', 'aHVudGVyMg=='] });
    expect(err.message).not.toMatch(/hunter2|aHVudGVyMg==|\n/);
    expect(err.message).toContain('bad login [redacted] / [redacted] forged log line');
  });
});

describe('tokenServerFailure', () => {
  it('names the auth server, and says when credentials were withheld from a plain-http realm elsewhere', () => {
    const r = { ...base, who: 'auth server 127.0.0.1:9 of registry 127.0.0.1:5000', what: 'a token request', status: 401 };
    expect(tokenServerFailure(r, false).message).toMatch(/^auth server 127\.0\.0\.1:9 of registry 127\.0\.0\.1:5000 answered 401 to a token request: it needs credentials/);
    expect(tokenServerFailure(r, true).message).toMatch(/credentials are sent only to an https realm/);
    expect(tokenServerFailure({ ...r, status: 404 }, false).code).toBe('REGISTRY_ERROR');
    expect(tokenServerFailure({ ...r, status: 403 }, false).code).toBe('FORBIDDEN');
  });
});

describe('unansweredFailure', () => {
  it('is TIMEOUT for our own time bound', () => {
    const err = unansweredFailure('registry r', 'GET /v2/', Object.assign(new Error('aborted'), { name: 'TimeoutError' }), 10_000);
    expect(err.code).toBe('TIMEOUT');
    expect(err.message).toBe('registry r did not answer GET /v2/ within 10000 ms');
  });

  it("is REGISTRY_UNAVAILABLE with the socket's code, which fetch nests under cause", () => {
    const refused = Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    const err = unansweredFailure('registry r', 'GET /v2/', refused, 10_000);
    expect(err.code).toBe('REGISTRY_UNAVAILABLE');
    expect(err.message).toBe('cannot reach registry r for GET /v2/: ECONNREFUSED');
    expect(unansweredFailure('registry r', 'GET /v2/', new TypeError('fetch failed'), 1).message).toMatch(/connection failed$/);
  });
});

describe('scrub', () => {
  it('bounds long messages', () => {
    expect(scrub('x'.repeat(1_000), []).length).toBe(501);
  });
});
