/** The test-support bcrypt that writes htpasswd lines for docker-registry. */
import { bcrypt, htpasswdLine } from '../support/bcrypt';

describe('bcrypt (test support)', () => {
  it.each([
    // OpenBSD / Openwall crypt_blowfish test vectors.
    ['U*U', '$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW'],
    ['U*U*', '$2a$05$CCCCCCCCCCCCCCCCCCCCC.VGOzA784oUp/Z0DY336zx7pLYAy0lwK'],
    ['', '$2a$05$CCCCCCCCCCCCCCCCCCCCC.7uG0VCzI2bS7j6ymqJi9CdcdxiRTWNy'],
  ])('hashes %j as crypt_blowfish does', (password, hash) => {
    expect(bcrypt(password, hash)).toBe(hash);
  });

  it('writes user:$2b$ lines with a fresh salt that verify against themselves', () => {
    const line = htpasswdLine('alice', 'wonder-1');
    const [user, hash] = line.split(':') as [string, string];
    expect(user).toBe('alice');
    expect(hash).toMatch(/^\$2b\$05\$[./A-Za-z0-9]{53}$/);
    expect(bcrypt('wonder-1', hash)).toBe(hash);
    expect(bcrypt('wonder-2', hash)).not.toBe(hash);
  });
});
