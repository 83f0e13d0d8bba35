/** Daemon request paths become bounded templates: no ids or names in metric labels. */
import { daemonEndpoint } from '../../src/docker/endpoint';

describe('daemonEndpoint', () => {
  it.each([
    ['GET', '/_ping', 'GET /_ping'],
    ['GET', '/version', 'GET /version'],
    ['GET', '/containers/json?', 'GET /containers/json'],
    ['GET', '/containers/0123456789abcdef/json', 'GET /containers/{id}/json'],
    ['POST', '/containers/create?', 'POST /containers/create'],
    ['POST', '/containers/my-app/stop?', 'POST /containers/{id}/stop'],
    ['DELETE', '/containers/abc?', 'DELETE /containers/{id}'],
    ['GET', '/images/localhost%3A5000%2Fteam%2Fapp%3A1/json', 'GET /images/{name}/json'],
    ['POST', '/images/create?', 'POST /images/create'],
    ['GET', '/images/get?', 'GET /images/get'],
    ['POST', '/images/load?', 'POST /images/load'],
    ['POST', '/images/busybox/push?', 'POST /images/{name}/push'],
    ['DELETE', '/images/sha256%3Aabc?', 'DELETE /images/{name}'],
    ['POST', '/exec/deadbeef/start', 'POST /exec/{id}/start'],
    ['GET', '/events?', 'GET /events'],
    ['GET', '/system/df', 'GET /system/df'],
    ['GET', '/networks/bridge', 'GET /networks/{id}'],
    ['GET', '/v1.45/containers/abc/json', 'GET /containers/{id}/json'],
  ])('%s %s is %s', (method, path, expected) => {
    expect(daemonEndpoint(method, path)).toBe(expected);
  });

  it('keeps nothing it does not know: unknown roots, actions and deeper paths are placeholders', () => {
    expect(daemonEndpoint('GET', '/secret-admin/abc')).toBe('GET /{other}');
    expect(daemonEndpoint('POST', '/containers/abc/frobnicate')).toBe('POST /containers/{id}/{other}');
    expect(daemonEndpoint('GET', '/containers/abc/logs/extra/parts')).toBe('GET /containers/{id}/logs/{other}');
    expect(daemonEndpoint('get', '/_ping')).toBe('OTHER /_ping');
    expect(daemonEndpoint('GET', '')).toBe('GET /');
    expect(daemonEndpoint('GET', '/__proto__/x')).toBe('GET /{other}');
  });
});
