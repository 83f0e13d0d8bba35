/**
 * The HTTP headers of the Distribution v2 API that carry structure: `Link`
 * (RFC 8288) for pagination and `WWW-Authenticate` (RFC 7235) for the auth
 * challenge. Pure parsing; nothing here trusts where a header points.
 */

/** One authentication challenge: the scheme (lower case) and its parameters (names lower case). */
export interface AuthChallenge {
  readonly scheme: string;
  readonly params: Readonly<Record<string, string>>;
}

/** The media types a manifest HEAD accepts: Docker v2 manifest and list, OCI manifest and index. */
export const MANIFEST_MEDIA_TYPES: readonly string[] = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
];

/** The header every Distribution v2 registry sets, e.g. `registry/2.0`. */
export const API_VERSION_HEADER = 'docker-distribution-api-version';

const TOKEN = /[!#$%&'*+.^_`|~0-9A-Za-z-]+/y;
const SPACE = /[ \t]*/y;

/** Reads a quoted-string starting at `s[i] === '"'`; returns its value and the index after it. */
function quoted(s: string, i: number): [string, number] {
  let out = '';
  for (let j = i + 1; j < s.length; j++) {
    const c = s[j];
    if (c === '\\' && j + 1 < s.length) out += s[++j];
    else if (c === '"') return [out, j + 1];
    else out += c;
  }
  return [out, s.length]; // unterminated: take the rest, as lenient clients do
}

function match(re: RegExp, s: string, i: number): string {
  re.lastIndex = i;
  return re.exec(s)?.[0] ?? '';
}

/**
 * Parses `WWW-Authenticate`, including several challenges in one header
 * (`Basic realm="r", Bearer realm="t",service="s"`) and quoted values that
 * contain commas (`scope="repository:a/b:pull,push"`).
 */
export function parseChallenges(header: string | null | undefined): AuthChallenge[] {
  const out: Array<{ scheme: string; params: Record<string, string> }> = [];
  const s = header ?? '';
  let i = 0;
  while (i < s.length) {
    if (s[i] === ',' || s[i] === ' ' || s[i] === '\t') {
      i++;
      continue;
    }
    const token = match(TOKEN, s, i);
    if (!token) {
      i++; // garbage: skip a character rather than give up on the rest
      continue;
    }
    i += token.length;
    const afterSpace = i + match(SPACE, s, i).length;
    const current = out[out.length - 1];
    if (s[afterSpace] === '=' && current) {
      i = afterSpace + 1;
      i += match(SPACE, s, i).length;
      let value: string;
      if (s[i] === '"') [value, i] = quoted(s, i);
      else {
        const end = s.slice(i).search(/[,\s]/);
        value = end < 0 ? s.slice(i) : s.slice(i, i + end);
        i += value.length;
      }
      current.params[token.toLowerCase()] = value;
    } else if (s[afterSpace] === '=') {
      i = afterSpace + 1; // a parameter before any scheme: meaningless, skip its name
    } else {
      out.push({ scheme: token.toLowerCase(), params: {} });
    }
  }
  return out;
}

/**
 * The URI-reference of the `rel="next"` link in a `Link` header, as written
 * (relative references are resolved by the caller against the request URL);
 * undefined when there is none.
 */
export function parseLinkNext(header: string | null | undefined): string | undefined {
  if (!header) return undefined;
  const link = /<([^>]*)>((?:\s*;\s*[A-Za-z0-9*!#$&+.^_`|~-]+\s*(?:=\s*(?:"[^"]*"|[^;,]*))?)*)/g;
  for (const m of header.matchAll(link)) {
    const params = m[2] ?? '';
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^;,\s]*))/i.exec(params);
    const relations = (rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/);
    if (relations.includes('next')) return m[1];
  }
  return undefined;
}
