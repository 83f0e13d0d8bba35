/** Text cells as the docker CLI shows them: truncated ids, ellipsized and quoted commands. */

/**
 * docker's TruncateID: the first 12 hex digits, without any "sha256:" prefix.
 */
export function truncateId(id: string): string {
  const hex = id.includes(':') ? id.slice(id.indexOf(':') + 1) : id;
  return hex.slice(0, 12);
}

/**
 * docker's `Ellipsis(s, max)`: unchanged when it fits, else its first
 * `max - 1` characters and "…". Counts code points (docker also counts East
 * Asian wide characters twice; those do not occur in commands often enough to
 * carry a width table here).
 */
export function ellipsis(text: string, max: number): string {
  if (max <= 0) return '';
  const chars = [...text];
  if (max === 1) return chars[0] ?? '';
  if (chars.length <= max) return text;
  return `${chars.slice(0, max - 1).join('')}…`;
}

const GO_ESCAPES: Readonly<Record<string, string>> = {
  '\u0007': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '"': '\\"',
  '\\': '\\\\',
};

/** Go's strconv.Quote for the text docker puts in cells: double quotes, Go escapes for control characters. */
export function goQuote(text: string): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (GO_ESCAPES[ch] !== undefined) out += GO_ESCAPES[ch];
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code >= 0x80 && code <= 0x9f) out += `\\u00${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** The COMMAND column of `docker ps`: ellipsized to 20 characters, then quoted. */
export function commandCell(command: string, truncate = true): string {
  return goQuote(truncate ? ellipsis(command, 20) : command);
}
