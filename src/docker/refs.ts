/**
 * Docker reference grammar: image refs, image ids, mirrors and container refs.
 *
 * Ported from distribution/reference (regexp.go, reference.go, normalize.go),
 * opencontainers/go-digest (digest validation) and moby's container-name rule,
 * so that this service accepts exactly what `docker` accepts and nothing else.
 * Pure logic: no I/O.
 */

/** Longest repository name (domain + "/" + path, as written) that is accepted. */
export const NAME_TOTAL_LENGTH_MAX = 255;

const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const OFFICIAL_REPO_PREFIX = 'library/';
const DEFAULT_TAG = 'latest';

// regexp.go, piece by piece, so it can be diffed against the Go source.
const alphanumeric = '[a-z0-9]+';
// The grammar comment says `[-]*`; regexp.go uses `[-]+`. Same language, but `+`
// keeps the empty separator from making JS backtracking explode.
const separator = '(?:[._]|__|[-]+)';
const pathComponent = `${alphanumeric}(?:${separator}${alphanumeric})*`;
const remoteName = `${pathComponent}(?:/${pathComponent})*`;
const domainNameComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const domainName = `${domainNameComponent}(?:\\.${domainNameComponent})*`;
const ipv6address = '\\[(?:[a-fA-F0-9:]+)\\]';
const domainAndPort = `(?:${domainName}|${ipv6address})(?::[0-9]+)?`;
const tag = '[\\w][\\w.-]{0,127}';
const digestPat = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}';
const namePat = `(?:${domainAndPort}/)?${remoteName}`;

const REFERENCE = new RegExp(`^(${namePat})(?::(${tag}))?(?:@(${digestPat}))?$`);
const ANCHORED_NAME = new RegExp(`^(?:(${domainAndPort})/)?(${remoteName})$`);
const MIRROR = new RegExp(`^(${domainAndPort})(?:/(${remoteName}))?$`);
const IDENTIFIER = /^[a-f0-9]{64}$/;
const FULL_IMAGE_ID = /^(?:sha256:)?([a-f0-9]{64})$/;
// `sha256:<prefix>` is also a short id to the daemon (its digest set searches by prefix).
const IMAGE_ID_PREFIX = /^(?:sha256:)?([a-f0-9]{1,63})$/;
// moby daemon/names: restrictedNameChars.
const CONTAINER_NAME = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
const CONTAINER_ID_OR_PREFIX = /^[a-f0-9]{1,64}$/;

// go-digest's registered algorithms and their exact hex lengths (lowercase only).
// A Map, not an object literal: an algorithm named "constructor" is grammatical.
const DIGEST_HEX_LENGTH = new Map([['sha256', 64], ['sha384', 96], ['sha512', 128]]);

// name ≤ 255, ":" + tag ≤ 129, "@sha512:" + 128 hex: anything longer cannot be
// valid, and capping it first bounds the regex work on hostile input.
const REF_INPUT_MAX = NAME_TOTAL_LENGTH_MAX + 1 + 128 + 1 + 'sha512:'.length + 128;
const QUOTE_MAX = 300;

/** An image ref as written: `domain` is undefined when the ref names none (Docker Hub). */
export interface ImageRef {
  domain?: string;
  path: string;
  tag?: string;
  digest?: string;
}

/** An image ref with Docker's defaults filled in (docker.io, library/, latest). */
export interface NormalizedImageRef {
  domain: string;
  path: string;
  tag?: string;
  digest?: string;
}

/** What an image ref string denotes; see {@link classifyImageRef}. */
export type ImageRefClass =
  | { kind: 'id'; hex: string; full: boolean }
  | { kind: 'name'; ref: ImageRef; idPrefix?: string };

/** Input that is not a valid reference; the message quotes the input JSON-escaped. */
export class RefSyntaxError extends Error {
  override readonly name = 'RefSyntaxError';

  /**
   * @param input - the rejected text, verbatim
   * @param reason - what is wrong, in docker's words where it has any
   */
  constructor(readonly input: string, readonly reason: string) {
    // JSON.stringify escapes newlines and control characters, so hostile input
    // cannot forge log lines; truncation keeps a 1 MB argument out of messages.
    const shown = input.length > QUOTE_MAX ? `${input.slice(0, QUOTE_MAX)}…` : input;
    super(`${reason}: ${JSON.stringify(shown)}`);
  }
}

/** normalize.go splitDockerDomain: is the first path element a registry host? */
function looksLikeDomain(first: string): boolean {
  return first === 'localhost' || /[.:]/.test(first) || first.toLowerCase() !== first;
}

/** Why a string failed the reference regexp, as precisely as cheaply possible. */
function explain(input: string): string {
  if (/[\s\u0000-\u001f\u007f]/.test(input)) {
    return 'invalid reference format: contains whitespace or control characters';
  }
  if (input.includes('://')) return 'invalid reference format: a reference has no URL scheme';
  if (input.startsWith('/')) return 'invalid reference format: must not start with "/"';
  if (/[^A-Za-z0-9._:/@[\]-]/.test(input)) {
    return 'invalid reference format: contains characters not allowed in a reference';
  }
  const lower = input.toLowerCase();
  if (lower !== input && REFERENCE.test(lower)) {
    return 'invalid reference format: repository name must be lowercase';
  }
  return 'invalid reference format';
}

/** go-digest Digest.Validate for a string that already matched digestPat. */
function digestProblem(digest: string): string | undefined {
  const colon = digest.indexOf(':');
  const want = DIGEST_HEX_LENGTH.get(digest.slice(0, colon));
  const hex = digest.slice(colon + 1);
  if (want === undefined) return 'unsupported digest algorithm';
  if (hex.length !== want) return 'invalid checksum digest length';
  if (!/^[a-f0-9]+$/.test(hex)) return 'invalid checksum digest format';
  return undefined;
}

/**
 * Parses an image reference the way `docker pull`/`docker tag` do
 * (distribution/reference ParseNormalizedNamed), keeping the domain as written.
 *
 * @throws RefSyntaxError for anything docker would reject
 */
export function parseImageRef(input: string): ImageRef {
  const fail = (reason: string): never => {
    throw new RefSyntaxError(input, reason);
  };
  if (input === '') fail('invalid reference format: repository name must have at least one component');
  if (input.length > REF_INPUT_MAX) fail('invalid reference format: reference is too long');
  if (IDENTIFIER.test(input)) fail('invalid repository name, cannot specify 64-byte hexadecimal strings');
  const m = REFERENCE.exec(input) ?? fail(explain(input));
  const [, name = '', tagPart, digest] = m;
  if (name.length > NAME_TOTAL_LENGTH_MAX) {
    fail(`invalid reference format: repository name is too long (more than ${NAME_TOTAL_LENGTH_MAX} characters)`);
  }
  const problem = digest === undefined ? undefined : digestProblem(digest);
  if (problem) fail(`invalid reference format: ${problem}`);

  const ref: ImageRef = { path: name };
  const slash = name.indexOf('/');
  if (slash > 0 && looksLikeDomain(name.slice(0, slash))) {
    // As in Go, the domain finally comes from anchoredNameRegexp: a first element
    // that looks like a host but is not one (e.g. "a.b_c/x") stays in the path.
    const nm = ANCHORED_NAME.exec(name);
    if (nm?.[1]) {
      ref.domain = nm[1];
      ref.path = nm[2] ?? '';
    }
  }
  if (tagPart !== undefined) ref.tag = tagPart;
  if (digest !== undefined) ref.digest = digest;
  return ref;
}

/**
 * Fills in Docker's defaults: docker.io (index.docker.io folded into it),
 * `library/` for single-element Docker Hub paths, and tag `latest` only when
 * there is neither tag nor digest (normalize.go TagNameOnly). Idempotent.
 */
export function normalizeImageRef(ref: ImageRef): NormalizedImageRef {
  let domain = ref.domain ?? DEFAULT_DOMAIN;
  if (domain === LEGACY_DEFAULT_DOMAIN) domain = DEFAULT_DOMAIN;
  const path =
    domain === DEFAULT_DOMAIN && !ref.path.includes('/') ? OFFICIAL_REPO_PREFIX + ref.path : ref.path;
  const out: NormalizedImageRef = { domain, path };
  if (ref.tag !== undefined) out.tag = ref.tag;
  else if (ref.digest === undefined) out.tag = DEFAULT_TAG;
  if (ref.digest !== undefined) out.digest = ref.digest;
  return out;
}

/**
 * The repository name docker shows (normalize.go familiarizeName): no docker.io,
 * no `library/` for official images; other registries keep their host. No tag.
 */
export function familiarName(ref: ImageRef | string): string {
  const n = normalizeImageRef(typeof ref === 'string' ? parseImageRef(ref) : ref);
  if (n.domain !== DEFAULT_DOMAIN) return `${n.domain}/${n.path}`;
  if (n.path.startsWith(OFFICIAL_REPO_PREFIX)) {
    const rest = n.path.slice(OFFICIAL_REPO_PREFIX.length);
    // Only one level: "library/foo/bar" is not an official image and stays as is.
    if (!rest.includes('/')) return rest;
  }
  return n.path;
}

/**
 * The familiar string form (reference.FamiliarString): `nginx:latest`,
 * `team/app:1`, `127.0.0.1:5000/x/y:2`, `name@sha256:…`. Formats what it is
 * given; pass `normalizeImageRef(ref)` to get the implied `:latest`.
 */
export function formatImageRef(ref: ImageRef | string): string {
  const r = typeof ref === 'string' ? parseImageRef(ref) : ref;
  return `${familiarName(r)}${r.tag !== undefined ? `:${r.tag}` : ''}${r.digest !== undefined ? `@${r.digest}` : ''}`;
}

/** Parses a full image id (`sha256:<64 hex>` or 64 hex) or an id prefix; undefined otherwise. */
export function parseImageIdRef(input: string): { full: boolean; hex: string } | undefined {
  const full = FULL_IMAGE_ID.exec(input);
  if (full?.[1]) return { full: true, hex: full[1] };
  const prefix = IMAGE_ID_PREFIX.exec(input);
  if (prefix?.[1]) return { full: false, hex: prefix[1] };
  return undefined;
}

/** True when the input is a full image id or could be an id prefix (lowercase hex). */
export function isImageIdLike(input: string): boolean {
  return parseImageIdRef(input) !== undefined;
}

/**
 * Classifies an image ref in docker's order (ParseAnyReference): a full id is an
 * id; anything else must be a valid name. A short hex string (`deadbeef`,
 * `sha256:abc`) is both a valid name and an id prefix, so it comes back as a name
 * with `idPrefix`: callers try the name first, then the prefix, as the daemon does.
 *
 * @throws RefSyntaxError when it is neither
 */
export function classifyImageRef(input: string): ImageRefClass {
  const id = parseImageIdRef(input);
  if (id?.full) return { kind: 'id', hex: id.hex, full: true };
  const ref = parseImageRef(input);
  return id ? { kind: 'name', ref, idPrefix: id.hex } : { kind: 'name', ref };
}

/**
 * The ref to pull through a Docker Hub mirror. A mirror with a path gets
 * `<mirror>/<familiar ref>`; a bare host gets the Docker Hub path (official images
 * under `library/`). The tag defaults to `latest` so the result can be re-tagged.
 *
 * @param ref - a Docker Hub ref (no host, or docker.io / index.docker.io)
 * @param mirror - `host[:port][/path]`, no scheme, no query; one trailing "/" is ignored
 * @throws RefSyntaxError for a bad mirror, a bad ref, or a ref naming another registry
 */
export function mirrorRef(ref: string, mirror: string): string {
  const trimmed = mirror.endsWith('/') ? mirror.slice(0, -1) : mirror;
  const m = trimmed.length <= NAME_TOTAL_LENGTH_MAX ? MIRROR.exec(trimmed) : null;
  // A first element that is not host-like would make docker read the result as a
  // Docker Hub namespace ("mirror/library/nginx" = docker.io/mirror/library/nginx).
  if (!m?.[1] || !looksLikeDomain(m[1])) {
    throw new RefSyntaxError(
      mirror,
      'invalid mirror: expected host[:port][/path] without scheme or query, e.g. 127.0.0.1:5000 or mirror.example.com/library',
    );
  }
  const parsed = parseImageRef(ref);
  if (parsed.domain !== undefined && parsed.domain !== DEFAULT_DOMAIN && parsed.domain !== LEGACY_DEFAULT_DOMAIN) {
    throw new RefSyntaxError(ref, `reference already names registry ${parsed.domain}; a mirror applies to Docker Hub refs only`);
  }
  const n = normalizeImageRef(parsed);
  const repo = m[2] === undefined ? n.path : `${m[2]}/${familiarName(n)}`;
  const out = `${m[1]}/${repo}${n.tag !== undefined ? `:${n.tag}` : ''}${n.digest !== undefined ? `@${n.digest}` : ''}`;
  parseImageRef(out); // the combination must itself be valid (e.g. not too long)
  return out;
}

/**
 * Checks a container ref: a full id, an id prefix, or a name (daemon rule).
 *
 * @returns the input, unchanged
 * @throws RefSyntaxError otherwise
 */
export function validateContainerRef(input: string): string {
  const fail = (reason: string): never => {
    throw new RefSyntaxError(input, `invalid container reference: ${reason}`);
  };
  if (input === '') fail('empty');
  if (input.length > NAME_TOTAL_LENGTH_MAX) fail(`too long (more than ${NAME_TOTAL_LENGTH_MAX} characters)`);
  if (!CONTAINER_ID_OR_PREFIX.test(input) && !CONTAINER_NAME.test(input)) {
    fail('expected a container id, an id prefix, or a name matching [a-zA-Z0-9][a-zA-Z0-9_.-]+');
  }
  return input;
}

/**
 * Checks a new container name against the daemon's rule `^/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$`
 * (so at least two characters), capped at 255 characters like container refs.
 *
 * @returns the name, unchanged
 * @throws RefSyntaxError otherwise
 */
export function validateContainerName(name: string): string {
  if (name.length > NAME_TOTAL_LENGTH_MAX) {
    throw new RefSyntaxError(name, `invalid container name: too long (more than ${NAME_TOTAL_LENGTH_MAX} characters)`);
  }
  if (!CONTAINER_NAME.test(name)) {
    throw new RefSyntaxError(name, 'invalid container name: only [a-zA-Z0-9][a-zA-Z0-9_.-]+ are allowed');
  }
  return name;
}

/** moby stringid.TruncateID: drops any `algorithm:` prefix and keeps 12 characters. */
export function shortId(id: string): string {
  const colon = id.indexOf(':');
  const hex = colon >= 0 ? id.slice(colon + 1) : id;
  return hex.slice(0, 12);
}

/**
 * encodeURIComponent for one segment of a daemon URL (defence in depth behind the
 * validators). "." and ".." are escaped too: URL normalisation would resolve them.
 *
 * @throws RefSyntaxError for an empty segment or ill-formed Unicode
 */
export function encodePathSegment(s: string): string {
  if (s === '') throw new RefSyntaxError(s, 'empty path segment');
  let out: string;
  try {
    out = encodeURIComponent(s);
  } catch {
    throw new RefSyntaxError(s, 'path segment is not well-formed Unicode');
  }
  return out === '.' ? '%2E' : out === '..' ? '%2E%2E' : out;
}
