/** `--filter key=value` flags, as docker takes them, checked against the keys a command knows. */
import { UsageError } from './errors';

/**
 * Groups `key=value` strings by key.
 * @param known the keys the command accepts
 * @throws UsageError for a missing "=" or an unknown key
 */
export function parseFilters(filters: readonly string[], known: readonly string[], command: string): Map<string, string[]> {
  const byKey = new Map<string, string[]>();
  for (const filter of filters) {
    const eq = filter.indexOf('=');
    if (eq <= 0) throw new UsageError(`${command}: bad filter ${JSON.stringify(filter)}: use key=value (keys: ${known.join(', ')})`);
    const key = filter.slice(0, eq).trim().toLowerCase();
    if (!known.includes(key)) throw new UsageError(`${command}: unknown filter key ${JSON.stringify(key)} (keys: ${known.join(', ')})`);
    byKey.set(key, [...(byKey.get(key) ?? []), filter.slice(eq + 1)]);
  }
  return byKey;
}

/** The one value of a key that takes a single value. */
export function single(filters: Map<string, string[]>, key: string, command: string): string | undefined {
  const values = filters.get(key);
  if (!values) return undefined;
  if (values.length > 1) throw new UsageError(`${command}: filter ${key} takes one value here`);
  return values[0];
}

/** "true"/"false" (also 1/0) as a boolean. */
export function booleanFilter(value: string | undefined, key: string, command: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new UsageError(`${command}: filter ${key} must be true or false`);
}
