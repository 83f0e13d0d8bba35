/**
 * bcrypt ($2b$), enough to write an htpasswd line for docker-registry (which
 * accepts bcrypt only) without apache2-utils or an npm package. Blowfish's
 * initial P-array and S-boxes are the hex digits of pi, so they are computed
 * here (Machin's formula on BigInt) instead of pasted as 1042 constants.
 * Test support only: slow by design and not constant-time.
 */
import { randomBytes } from 'node:crypto';

const WORDS = 18 + 4 * 256;
const BCRYPT_BASE64 = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

let piWords: Uint32Array | undefined;

/** arctan(1/x) scaled by `one`, by its Taylor series. */
function arctanInverse(x: bigint, one: bigint): bigint {
  let power = one / x;
  let sum = power;
  const x2 = x * x;
  for (let n = 3n, sign = -1n; power !== 0n; n += 2n, sign = -sign) {
    power /= x2;
    sum += (sign * power) / n;
  }
  return sum;
}

/** The first 1042 32-bit words of pi's fractional part: Blowfish's P (18) and S (4 x 256). */
function blowfishInit(): Uint32Array {
  if (!piWords) {
    const bits = BigInt(WORDS * 32);
    const guard = 64n;
    const one = 1n << (bits + guard);
    const pi = 16n * arctanInverse(5n, one) - 4n * arctanInverse(239n, one);
    const fraction = (pi >> guard) & ((1n << bits) - 1n);
    const hex = fraction.toString(16).padStart(WORDS * 8, '0');
    piWords = new Uint32Array(WORDS);
    for (let i = 0; i < WORDS; i++) piWords[i] = parseInt(hex.slice(i * 8, i * 8 + 8), 16);
  }
  return piWords.slice();
}

/** Blowfish state: P = s[0..17], S-box b at s[18 + 256 * b]. */
class Blowfish {
  readonly s = blowfishInit();

  private f(x: number): number {
    const s = this.s;
    return ((((s[18 + (x >>> 24)]! + s[274 + ((x >>> 16) & 0xff)]!) >>> 0) ^ s[530 + ((x >>> 8) & 0xff)]!) + s[786 + (x & 0xff)]!) >>> 0;
  }

  encipher(lr: Uint32Array, at: number): void {
    const p = this.s;
    let l = lr[at]!;
    let r = lr[at + 1]!;
    l ^= p[0]!;
    for (let i = 1; i <= 16; i += 2) {
      r ^= this.f(l) ^ p[i]!;
      l ^= this.f(r) ^ p[i + 1]!;
    }
    lr[at] = (r ^ p[17]!) >>> 0;
    lr[at + 1] = l >>> 0;
  }

  /** Key expansion; with `salt`, the eksblowfish variant that mixes the salt into every block. */
  expand(key: Buffer, salt?: Buffer): void {
    let k = 0;
    const keyWord = (): number => {
      let w = 0;
      for (let i = 0; i < 4; i++, k = (k + 1) % key.length) w = ((w << 8) | key[k]!) >>> 0;
      return w;
    };
    for (let i = 0; i < 18; i++) this.s[i] = (this.s[i]! ^ keyWord()) >>> 0;
    let j = 0;
    const saltWord = (): number => {
      if (!salt) return 0;
      let w = 0;
      for (let i = 0; i < 4; i++, j = (j + 1) % salt.length) w = ((w << 8) | salt[j]!) >>> 0;
      return w;
    };
    const lr = new Uint32Array(2);
    for (let i = 0; i < WORDS; i += 2) {
      lr[0] = (lr[0]! ^ saltWord()) >>> 0;
      lr[1] = (lr[1]! ^ saltWord()) >>> 0;
      this.encipher(lr, 0);
      this.s[i] = lr[0]!;
      this.s[i + 1] = lr[1]!;
    }
  }
}

function encode64(bytes: Buffer, chars: number): string {
  let out = '';
  for (let i = 0, bits = 0, acc = 0; out.length < chars; ) {
    if (bits < 6) {
      acc = (acc << 8) | (i < bytes.length ? bytes[i]! : 0);
      i++;
      bits += 8;
    }
    bits -= 6;
    out += BCRYPT_BASE64[(acc >> bits) & 0x3f];
  }
  return out;
}

function decode64(text: string, bytes: number): Buffer {
  const out = Buffer.alloc(bytes);
  for (let i = 0, n = 0, bits = 0, acc = 0; n < bytes; i++) {
    acc = (acc << 6) | BCRYPT_BASE64.indexOf(text[i] ?? '.');
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}

/**
 * bcrypt of `password` with a `$2a$`/`$2b$` setting string (e.g. the first 29
 * characters of an existing hash), or a fresh random salt at `cost`.
 */
export function bcrypt(password: string, setting?: string, cost = 5): string {
  const m = setting ? /^\$2([aby])\$(\d\d)\$([./A-Za-z0-9]{22})/.exec(setting) : null;
  if (setting && !m) throw new Error('bad bcrypt setting');
  const minor = m?.[1] ?? 'b';
  const rounds = m ? Number(m[2]) : cost;
  const salt = m ? decode64(m[3]!, 16) : randomBytes(16);
  const key = Buffer.concat([Buffer.from(password, 'utf8').subarray(0, 72), Buffer.from([0])]).subarray(0, 72);
  const bf = new Blowfish();
  bf.expand(key, salt);
  for (let i = 0; i < 2 ** rounds; i++) {
    bf.expand(key);
    bf.expand(salt);
  }
  const text = Buffer.from('OrpheanBeholderScryDoubt', 'latin1');
  const lr = new Uint32Array(6);
  for (let i = 0; i < 6; i++) lr[i] = text.readUInt32BE(i * 4);
  for (let i = 0; i < 64; i++) for (let b = 0; b < 6; b += 2) bf.encipher(lr, b);
  const out = Buffer.alloc(24);
  for (let i = 0; i < 6; i++) out.writeUInt32BE(lr[i]!, i * 4);
  return `$2${minor}$${String(rounds).padStart(2, '0')}$${encode64(salt, 22)}${encode64(out.subarray(0, 23), 31)}`;
}

/** One htpasswd line (`user:$2b$...`) as `htpasswd -Bbn user password` writes it. */
export function htpasswdLine(user: string, password: string): string {
  return `${user}:${bcrypt(password)}`;
}
