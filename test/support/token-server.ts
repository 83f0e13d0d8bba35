/**
 * A bearer-token server for docker-registry's `auth: token` on loopback, the
 * way Docker Hub's auth.docker.io works: GET /token?service=&scope=&account=
 * with optional basic credentials answers a JWT (RS256, `kid` = the libtrust
 * key id of the signing key, which the registry trusts via `rootcertbundle`).
 * Each request is recorded so tests can count token fetches per scope.
 */
import { createHash, generateKeyPairSync, type KeyObject, randomUUID, sign } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { selfSignedCertificate } from './self-signed-cert';

/** What a user may do: actions granted per requested scope ("repository:team/app:pull"). */
export type Grant = (scope: { type: string; name: string; actions: string[] }) => string[];

/** A user of the token server. */
export interface TokenUser {
  readonly password: string;
  readonly grant: Grant;
}

/** One token request as the server saw it. */
export interface TokenRequest {
  readonly account?: string;
  /** User name of the basic credentials, when valid; undefined for anonymous. */
  readonly user?: string;
  readonly scopes: string[];
  readonly service?: string;
}

/** A running token server. */
export interface TokenServer {
  /** http://127.0.0.1:<port>/token */
  readonly realm: string;
  readonly issuer: string;
  readonly service: string;
  /** PEM of the self-signed certificate of the signing key: the registry's rootcertbundle. */
  readonly rootCertificate: string;
  readonly requests: TokenRequest[];
  close(): Promise<void>;
}

const LIFETIME_S = 300;

/** libtrust's key id: base32 of the first 240 bits of sha256(SPKI DER), in 12 groups of 4. */
export function libtrustKeyId(publicKey: KeyObject): string {
  const digest = createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest().subarray(0, 30);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const byte of digest) bits += byte.toString(2).padStart(8, '0');
  const base32 = bits.match(/.{5}/g)!.map((b) => alphabet[parseInt(b, 2)]).join('');
  return base32.match(/.{4}/g)!.join(':');
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

/** Parses "repository:team/app:pull,push" (the name may itself hold colons, e.g. a host:port). */
function parseScope(scope: string): { type: string; name: string; actions: string[] } | undefined {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first < 0 || last <= first) return undefined;
  return { type: scope.slice(0, first), name: scope.slice(first + 1, last), actions: scope.slice(last + 1).split(',').filter(Boolean) };
}

/** Starts a token server on 127.0.0.1:0 for `users`; anonymous callers get tokens granting nothing. */
export async function startTokenServer(users: Record<string, TokenUser>, service = 'dockql-test-registry'): Promise<TokenServer> {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = libtrustKeyId(publicKey);
  const issuer = 'dockql-test-token-issuer';
  const requests: TokenRequest[] = [];

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const scopes = url.searchParams.getAll('scope').flatMap((s) => s.split(' ')).filter(Boolean);
    const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '');
    let user: string | undefined;
    if (basic) {
      const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      const name = decoded.slice(0, colon);
      if (colon < 0 || users[name]?.password !== decoded.slice(colon + 1)) {
        requests.push({ account: url.searchParams.get('account') ?? undefined, scopes, service: url.searchParams.get('service') ?? undefined });
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'invalid username or password' }] }));
        return;
      }
      user = name;
    }
    requests.push({ account: url.searchParams.get('account') ?? undefined, user, scopes, service: url.searchParams.get('service') ?? undefined });
    const access = scopes
      .map(parseScope)
      .filter((s) => s !== undefined)
      .map((s) => ({ type: s.type, name: s.name, actions: user ? users[user]!.grant(s).filter((a) => s.actions.includes(a) || s.actions.includes('*')) : [] }));
    const now = Math.floor(Date.now() / 1000);
    const header = { typ: 'JWT', alg: 'RS256', kid };
    const claims = { iss: issuer, sub: user ?? '', aud: url.searchParams.get('service') ?? service, exp: now + LIFETIME_S, nbf: now - 10, iat: now, jti: randomUUID(), access };
    const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const token = `${signingInput}.${b64url(sign('sha256', Buffer.from(signingInput), privateKey))}`;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ token, access_token: token, expires_in: LIFETIME_S, issued_at: new Date(now * 1000).toISOString() }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    realm: `http://127.0.0.1:${port}/token`,
    issuer,
    service,
    rootCertificate: selfSignedCertificate(publicKey, privateKey, 'dockql test token issuer'),
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
