/** The logger's second line of defence: secrets at known paths never reach a log line. */
import { createLogger } from '../../src/logger';

function capture(): { lines: string[]; log: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  return { lines, log: createLogger('trace', { write: (line: string) => void lines.push(line) }) };
}

describe('createLogger redaction', () => {
  it.each([
    ['a top-level password', { password: 'p-1' }],
    ['registry auth of a job', { job: { auth: { username: 'alice', password: 'p-1' } } }],
    ['a nested password', { pull: { options: { password: 'p-1' } } }],
    ['an Authorization header', { req: { headers: { authorization: 'Bearer p-1' } } }],
    ['an X-Registry-Auth header', { req: { headers: { 'x-registry-auth': 'p-1' } } }],
    ['graphql-ws connectionParams', { connectionParams: { authorization: 'Bearer p-1' } }],
    ['connectionParams one level down', { ctx: { connectionParams: { authorization: 'Bearer p-1' } } }],
    ['a token field', { registry: { token: 'p-1' } }],
    ['a secret field', { secret: 'p-1', x: { y: { secret: 'p-1' } } }],
    ["dockerode's authconfig", { opts: { authconfig: { password: 'p-1' } } }],
  ])('hides %s', (_what, fields) => {
    const { lines, log } = capture();
    log.info(fields, 'something happened');
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('p-1');
    expect(lines[0]).toContain('[redacted]');
  });

  it("keeps the per-operation `token` binding: it is the token's name, not the token", () => {
    const { lines, log } = capture();
    log.child({ requestId: 'r', token: 'ci' }).info('hello');
    expect(JSON.parse(lines[0]!)).toMatchObject({ requestId: 'r', token: 'ci' });
  });
});
