/**
 * A self-signed X.509 certificate for an RSA key, built with node:crypto and a
 * few lines of DER, so tests need no openssl binary. docker-registry reads it
 * as its token auth `rootcertbundle` (it only takes the public key from it).
 */
import { type KeyObject, sign } from 'node:crypto';

function der(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  const n = body.length;
  const length = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, body]);
}

const sequence = (...c: Buffer[]) => der(0x30, ...c);
const set = (...c: Buffer[]) => der(0x31, ...c);
const NULL = Buffer.from([0x05, 0x00]);

function oid(dotted: string): Buffer {
  const [a = 0, b = 0, ...rest] = dotted.split('.').map(Number);
  const bytes = [40 * a + b];
  for (const n of rest) {
    const groups = [n & 0x7f];
    for (let v = n >>> 7; v > 0; v >>>= 7) groups.unshift((v & 0x7f) | 0x80);
    bytes.push(...groups);
  }
  return der(0x06, Buffer.from(bytes));
}

/** YYMMDDHHMMSSZ, as UTCTime requires. */
function utcTime(d: Date): Buffer {
  return der(0x17, Buffer.from(`${d.toISOString().slice(2, 19).replace(/[-T:]/g, '')}Z`, 'ascii'));
}

const SHA256_WITH_RSA = sequence(oid('1.2.840.113549.1.1.11'), NULL);

/**
 * A v1 certificate for `publicKey`, signed by `privateKey` (the same pair),
 * valid from an hour ago for `days`.
 *
 * @returns PEM text
 */
export function selfSignedCertificate(publicKey: KeyObject, privateKey: KeyObject, commonName: string, days = 1): string {
  const name = sequence(set(sequence(oid('2.5.4.3'), der(0x0c, Buffer.from(commonName, 'utf8')))));
  const now = Date.now();
  const tbs = sequence(
    der(0x02, Buffer.from([0x01, Math.floor(Math.random() * 0x7f)])), // positive serial
    SHA256_WITH_RSA,
    name,
    sequence(utcTime(new Date(now - 3_600_000)), utcTime(new Date(now + days * 86_400_000))),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
  );
  const signature = sign('sha256', tbs, privateKey);
  const cert = sequence(tbs, SHA256_WITH_RSA, der(0x03, Buffer.from([0]), signature));
  const base64 = cert.toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN CERTIFICATE-----\n${base64}${base64.endsWith('\n') ? '' : '\n'}-----END CERTIFICATE-----\n`;
}
