/**
 * Hostile strings for fuzzing inputs, and the checks that tell a clean answer
 * from a leak: does a daemon request line carry a string raw (unencoded), does
 * a response show a stack, a source path or a socket path.
 */
import fc from 'fast-check';

const KB100 = 100 * 1024;

/** Hand-picked strings every fuzzed slot is tried with (fast-check `examples`), then random ones. */
export const HOSTILE_STRINGS: readonly string[] = [
  // path traversal, plain and as the daemon or a file system might see it
  '../',
  '../../../../../../etc/passwd',
  '..\\..\\..\\windows\\win.ini',
  '/etc/passwd',
  '....//....//etc/passwd',
  './.',
  '..',
  'x/../../y.tar',
  '../hostile.tar',
  // URL-significant characters and encodings (single, double, dot-segments)
  'a?b=c&d=e#f',
  '#',
  'x&force=1',
  '..%2F..%2Fhostile.tar',
  '%2e%2e%2f%2e%2e%2fhostile',
  '%252F%252e%252e',
  '%00',
  '%',
  // NUL, control characters, CRLF (header and request-line injection)
  'x\u0000y',
  '\u0000',
  '\u0001\u0007\u001b[31m\u007f',
  'x\r\nHost: evil',
  'x HTTP/1.1\r\nX-Injected: 1\r\n\r\nGET /',
  '\n',
  // unicode oddities: RTL override, fullwidth solidus, combining marks, lone surrogate, BOM
  'evil\u202Erat.tar',
  '..\uFF0F..\uFF0Fetc\uFF0Fpasswd',
  'a\u0301\u0302\u0303\u0304\u0305',
  '\uD800',
  '\uFEFFx',
  'ﬁle.tar',
  // sizes and blanks
  '',
  ' ',
  '\t \u00a0\u2003',
  'X'.repeat(KB100),
  '../'.repeat(Math.ceil(KB100 / 3)),
  // valid shapes that still need encoding in a URL ("/", ":", "@"), so they travel to the daemon
  'dockql-hostile/none:1',
  '127.0.0.1:5/x/y:z',
  `x@sha256:${'e'.repeat(64)}`,
  'container:dq-hostile-none',
  'hostile-valid.tar',
  // shapes that are almost valid for names, refs and modes
  '-rf.tar',
  '.hidden.tar',
  'container:../x',
  'x:y:z@sha256:zz',
];

/**
 * Hex-only strings (optionally `sha256:`-prefixed) are left out of the fuzz: the
 * daemon resolves them as id prefixes, so a destructive mutation could hit
 * another test's container or image. They need no URL encoding, so nothing is lost.
 */
export function mayResolveAsIdPrefix(value: string): boolean {
  return /^\s*(sha256:)?[0-9a-f]+\s*$/i.test(value);
}

/** The hand-picked strings mixed with fast-check's generic ones and combinations of both. */
export function hostileString(): fc.Arbitrary<string> {
  const picked = fc.constantFrom(...HOSTILE_STRINGS.filter((s) => s.length < 1000));
  return fc
    .oneof(
      { weight: 3, arbitrary: picked },
      { weight: 2, arbitrary: fc.string() },
      { weight: 2, arbitrary: fc.string({ unit: 'binary' }) },
      { weight: 1, arbitrary: fc.string({ unit: 'grapheme' }) },
      { weight: 2, arbitrary: fc.tuple(fc.string({ maxLength: 4 }), picked, fc.string({ maxLength: 4 })).map((parts) => parts.join('')) },
    )
    .filter((s) => !mayResolveAsIdPrefix(s));
}

/** True when `value` cannot appear in a URL as it is (encodeURIComponent would change it, or cannot encode it). */
export function needsEncoding(value: string): boolean {
  try {
    return encodeURIComponent(value) !== value;
  } catch {
    return true;
  }
}

/** The forms a correctly encoded value takes in a request line: a path segment or a query value, alone or inside JSON. */
function encodedForms(value: string): string[] {
  const forms: string[] = [];
  for (const text of [value, JSON.stringify(value).slice(1, -1)]) {
    try {
      forms.push(encodeURIComponent(text), encodeURIComponent(text).replace(/%20/g, '+'));
    } catch {
      // ill-formed Unicode has no encoded form; a raw occurrence is still found below
    }
  }
  return forms.filter((f) => f !== '').sort((a, b) => b.length - a.length);
}

/**
 * True when `line` (a daemon request line) carries `value` raw: the value needs
 * encoding, and it is still in the line once its encoded occurrences are taken
 * out. `fixedText` is request lines seen with benign values: a value found in
 * them (e.g. "/json") is part of the API's own paths and cannot be judged.
 */
export function carriesRaw(line: string, value: string, fixedText: readonly string[]): boolean {
  if (!needsEncoding(value) || fixedText.some((l) => l.includes(value))) return false;
  let rest = line;
  for (const form of encodedForms(value)) rest = rest.split(form).join('\u0001');
  return rest.includes(value);
}

/** What must never be in a response, unless the hostile value itself holds it (an echoed input is no leak). */
export function leaksIn(responseText: string, value: string, socketPaths: readonly string[]): string[] {
  const patterns = ['stacktrace', '/work/', '/src/', '.ts:', 'node_modules', ...socketPaths];
  return patterns.filter((p) => responseText.includes(p) && !value.includes(p));
}
