/**
 * Sizes as the docker CLI prints them (go-units): decimal units (1 kB = 1000 B),
 * a few significant digits, no space before the unit: `docker images` uses 3
 * digits ("7.8MB", "124MB"), progress lines 4 ("21.23MB").
 */

const DECIMAL_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'] as const;

/**
 * Go's `fmt.Sprintf("%.<precision>g", value)`: `precision` significant digits,
 * trailing zeros dropped, exponent form (`1e+03`) when the decimal exponent is
 * below -4 or at least `precision`. Docker shows that form too (a size just
 * under 1000 of a unit rounds up to "1e+03MB"), so it is kept, not "fixed".
 */
export function goFormatG(value: number, precision: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const [mantissa, exponentText] = value.toExponential(precision - 1).split('e') as [string, string];
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= precision) {
    const sign = exponent < 0 ? '-' : '+';
    return `${trimFraction(mantissa)}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  return trimFraction(value.toFixed(Math.max(0, precision - 1 - exponent)));
}

function trimFraction(text: string): string {
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

/**
 * go-units `HumanSizeWithPrecision`: divides by 1000 until below 1000, then
 * prints `precision` significant digits and the unit, e.g. 4_260_000 → "4.26MB".
 * @param precision 3 for the SIZE column of `docker images`, 4 for progress (the default of go-units `HumanSize`).
 */
export function humanSize(bytes: number, precision = 3): string {
  let size = bytes;
  let unit = 0;
  while (size >= 1000 && unit < DECIMAL_UNITS.length - 1) {
    size /= 1000;
    unit++;
  }
  return `${goFormatG(size, precision)}${DECIMAL_UNITS[unit]}`;
}
