/**
 * Mutation arguments as an audit line may carry them: secrets removed, size
 * bounded. This is the first line of defence; the logger's `redact` paths
 * (src/logger.ts) are the second.
 */

/** What replaces a secret value. */
export const REDACTED = '[redacted]';

/** Keys whose whole value is a secret (registry `auth`, passwords, tokens, API keys...). Over-matching (e.g. `author`) only hides more. */
const SECRET_KEY = /pass(w(or)?d|phrase)|secret|token|^auth|authoriz|credential|api[-_]?key|private[-_]?key|cookie/i;

/** Keys holding `KEY=value` lists (container and exec environments): keys stay, values go. */
const ENV_KEY = /^(env|environment|build[-_]?args)$/i;

/** Keys holding Dockerfile instructions (importImage `changes`): `ENV` lines carry values like env does. */
const CHANGES_KEY = /^changes$/i;

/** Bounds that keep one audit line small whatever the input (the fuzz suite sends 100 KB strings). */
const MAX_STRING = 256;
const MAX_ITEMS = 50;
const MAX_DEPTH = 8;

/**
 * A copy of `args` fit for a log line: values of secret-looking keys and of
 * environment entries replaced with `[redacted]`, credentials in URLs
 * (`scheme://user:pass@host`) removed, strings cut at 256 characters and
 * lists at 50 entries.
 */
export function redactArgs(args: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return redactObject(args, 0);
}

function redactObject(value: object, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (item === undefined) continue;
    if (SECRET_KEY.test(key)) out[key] = item === null ? null : REDACTED;
    else if (ENV_KEY.test(key) && Array.isArray(item)) out[key] = redactList(item, redactEnvEntry);
    else if (CHANGES_KEY.test(key) && Array.isArray(item)) out[key] = redactList(item, redactChange);
    else out[key] = redactValue(item, depth + 1);
  }
  return out;
}

function redactValue(value: unknown, depth: number): unknown {
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'string') return clip(withoutUrlCredentials(value));
  if (typeof value === 'bigint') return String(value);
  if (value instanceof Date) return value.toISOString();
  if (depth > MAX_DEPTH) return '[too deep]';
  if (Array.isArray(value)) return redactList(value, (item) => redactValue(item, depth + 1));
  if (typeof value === 'object') return redactObject(value, depth);
  return `[${typeof value}]`;
}

function redactList(items: readonly unknown[], each: (item: unknown) => unknown): unknown[] {
  const out = items.slice(0, MAX_ITEMS).map(each);
  if (items.length > MAX_ITEMS) out.push(`[+${items.length - MAX_ITEMS} more]`);
  return out;
}

/** `KEY=value` → `KEY=[redacted]`; a bare `KEY` (passed through from the daemon's environment) stays. */
function redactEnvEntry(entry: unknown): unknown {
  if (typeof entry !== 'string') return REDACTED;
  const eq = entry.indexOf('=');
  return eq < 0 ? clip(entry) : `${clip(entry.slice(0, eq))}=${REDACTED}`;
}

/** `ENV K=v ...` → `ENV [redacted]`; other instructions are kept (clipped). */
function redactChange(entry: unknown): unknown {
  if (typeof entry !== 'string') return REDACTED;
  return /^\s*env\b/i.test(entry) ? `${entry.trim().slice(0, 3)} ${REDACTED}` : clip(withoutUrlCredentials(entry));
}

/** `scheme://user:pass@host` → `scheme://[redacted]@host`; no scheme in the pattern, so it stays linear on long strings. */
function withoutUrlCredentials(text: string): string {
  return text.replace(/\/\/[^/\s@]+@/g, `//${REDACTED}@`);
}

function clip(text: string): string {
  return text.length <= MAX_STRING ? text : `${text.slice(0, MAX_STRING)}…[+${text.length - MAX_STRING} chars]`;
}
