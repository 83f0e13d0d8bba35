/** Mutation arguments as audit lines carry them: secrets removed by key name, env values removed, sizes bounded. */
import { REDACTED, redactArgs } from '../../src/audit/redact-args';

describe('redactArgs', () => {
  it('removes registry credentials whole and keeps the rest', () => {
    expect(redactArgs({ ref: 'busybox:1', auth: { username: 'alice', password: 'wonder-1' }, wait: true, mirror: null })).toEqual({
      ref: 'busybox:1',
      auth: REDACTED,
      wait: true,
      mirror: null,
    });
  });

  it('removes any value under a key named like a password, secret, token or authorization, at any depth', () => {
    const args = { input: { nested: [{ dbPassword: 'a', clientSecret: 'b', accessToken: 'c', Authorization: 'd', apiKey: 'e', credentials: { x: 'f' }, passwd: 'g', keep: 'h' }] } };
    expect(redactArgs(args)).toEqual({
      input: { nested: [{ dbPassword: REDACTED, clientSecret: REDACTED, accessToken: REDACTED, Authorization: REDACTED, apiKey: REDACTED, credentials: REDACTED, passwd: REDACTED, keep: 'h' }] },
    });
  });

  it('keeps the keys of env entries and removes their values, in createContainer input and exec args alike', () => {
    expect(redactArgs({ input: { image: 'busybox', env: ['SECRET=hunter2-xyz', 'EMPTY=', 'PASSTHROUGH'] } })).toEqual({
      input: { image: 'busybox', env: [`SECRET=${REDACTED}`, `EMPTY=${REDACTED}`, 'PASSTHROUGH'] },
    });
    expect(redactArgs({ ref: 'web', cmd: ['env'], env: ['A=b=c'] })).toEqual({ ref: 'web', cmd: ['env'], env: [`A=${REDACTED}`] });
  });

  it('removes ENV values from importImage changes and keeps the other instructions', () => {
    expect(redactArgs({ changes: ['ENV TOKEN=abc OTHER=def', 'env X y', 'CMD ["/bin/sh"]'] })).toEqual({ changes: [`ENV ${REDACTED}`, `env ${REDACTED}`, 'CMD ["/bin/sh"]'] });
  });

  it('removes credentials written into URLs', () => {
    expect(redactArgs({ mirror: 'https://bob:s3cret@mirror.example/x', cmd: ['curl', 'http://u:p@h/'] })).toEqual({
      mirror: `https://${REDACTED}@mirror.example/x`,
      cmd: ['curl', `http://${REDACTED}@h/`],
    });
  });

  it('bounds what it keeps: long strings cut, long lists cut, deep nesting stopped', () => {
    const out = redactArgs({ name: 'x'.repeat(100_000), list: Array.from({ length: 500 }, (_, i) => i) });
    expect(out.name).toBe(`${'x'.repeat(256)}…[+${100_000 - 256} chars]`);
    expect(out.list).toHaveLength(51);
    expect((out.list as unknown[])[50]).toBe('[+450 more]');
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 20; i++) deep = { d: deep };
    expect(JSON.stringify(redactArgs(deep))).toContain('[too deep]');
  });

  it('is quick on hostile strings (no backtracking blow-up)', () => {
    const started = performance.now();
    redactArgs({ a: `${'a'.repeat(100_000)}://`, b: '//'.repeat(50_000), c: `//${'x'.repeat(100_000)}` });
    expect(performance.now() - started).toBeLessThan(200);
  });

  it('leaves null secrets null (nothing to hide) and skips undefined', () => {
    expect(redactArgs({ auth: null, user: undefined })).toEqual({ auth: null });
  });
});
