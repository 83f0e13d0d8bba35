/** The tokens file: parsing, hashing, and the store's reload and revocation rules. */
import { mkdtempSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { hashToken, newToken, parseTokenFile, TokenFileError } from '../../src/auth/token-file';
import { TokenStore } from '../../src/auth/token-store';
import { createLogger } from '../../src/logger';

const entry = (name: string, role: string, token: string) => ({ name, role, sha256: hashToken(token) });

describe('parseTokenFile', () => {
  it('reads entries and lower-cases the hash', () => {
    const text = JSON.stringify([{ name: 'ci', role: 'operator', sha256: hashToken('t1').toUpperCase() }]);
    expect(parseTokenFile(text)).toEqual([{ name: 'ci', role: 'operator', sha256: hashToken('t1') }]);
  });

  it.each([
    ['not JSON', '{', /not JSON/],
    ['not an array', '{}', /JSON array/],
    ['an unknown role', JSON.stringify([{ name: 'a', role: 'root', sha256: hashToken('x') }]), /role must be/],
    ['a clear-text token instead of a hash', JSON.stringify([{ name: 'a', role: 'viewer', sha256: 'dockql_secret' }]), /64 hex digits/],
    ['a name with a space', JSON.stringify([{ name: 'a b', role: 'viewer', sha256: hashToken('x') }]), /name must be/],
    ['a duplicate name', JSON.stringify([entry('a', 'viewer', 'x'), entry('a', 'admin', 'y')]), /used twice/],
    ['a duplicate hash', JSON.stringify([entry('a', 'viewer', 'x'), entry('b', 'admin', 'x')]), /listed twice/],
  ])('refuses %s', (_what, text, message) => {
    expect(() => parseTokenFile(text)).toThrow(TokenFileError);
    expect(() => parseTokenFile(text)).toThrow(message);
  });

  it('makes long random tokens and hashes them as sha256 hex', () => {
    const a = newToken();
    expect(a).toMatch(/^dockql_[A-Za-z0-9_-]{43}$/);
    expect(newToken()).not.toBe(a);
    expect(hashToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('TokenStore', () => {
  let dir: string;
  let file: string;
  let store: TokenStore | undefined;
  const log = createLogger('silent');

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'dq-tokens-unit-'));
    file = path.join(dir, 'tokens.json');
  });
  afterEach(() => {
    store?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses to open a missing or broken file (the server must not start open)', async () => {
    await expect(TokenStore.open(file, log)).rejects.toThrow(/cannot read/);
    writeFileSync(file, '[{"name":"x"}]');
    await expect(TokenStore.open(file, log)).rejects.toThrow(TokenFileError);
  });

  it('authenticates by hash, and a reload revokes removed or changed tokens', async () => {
    writeFileSync(file, JSON.stringify([entry('ci', 'operator', 't-ci'), entry('ops', 'viewer', 't-ops'), entry('keep', 'admin', 't-keep')]));
    store = await TokenStore.open(file, log);
    expect(store.authenticate('t-ci')).toEqual({ name: 'ci', role: 'operator', tokenSha256: hashToken('t-ci') });
    expect(store.authenticate('t-nope')).toBeUndefined();
    const revoked: string[][] = [];
    store.onRevoke((hashes) => revoked.push([...hashes]));

    writeFileSync(file, JSON.stringify([entry('ops', 'admin', 't-ops'), entry('keep', 'admin', 't-keep')]));
    await store.reload();
    expect(store.authenticate('t-ci')).toBeUndefined();
    expect(store.authenticate('t-ops')?.role).toBe('admin');
    expect(revoked).toEqual([[hashToken('t-ci'), hashToken('t-ops')]]);
  });

  it('keeps the tokens in force when the new file is broken', async () => {
    writeFileSync(file, JSON.stringify([entry('ci', 'operator', 't-ci')]));
    store = await TokenStore.open(file, log);
    writeFileSync(file, '[ oops');
    await store.reload();
    expect(store.authenticate('t-ci')?.name).toBe('ci');
  });

  it('sees an editor-style replace (write a new file, rename it over) without being asked', async () => {
    writeFileSync(file, JSON.stringify([entry('ci', 'operator', 't-ci')]));
    store = await TokenStore.open(file, log);
    const revokedOnce = new Promise<ReadonlySet<string>>((resolve) => store!.onRevoke(resolve));
    writeFileSync(`${file}.new`, JSON.stringify([]));
    renameSync(`${file}.new`, file);
    expect([...(await revokedOnce)]).toEqual([hashToken('t-ci')]);
    expect(store.authenticate('t-ci')).toBeUndefined();
  });
});
