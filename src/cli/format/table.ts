/**
 * Tables laid out like the docker CLI's: Go's tabwriter with minwidth 10,
 * padding 3 and spaces (cli/command/formatter), so a column is as wide as its
 * widest cell plus 3, and at least 10; the last column is not padded.
 */

/** Docker's tabwriter settings. */
const MIN_WIDTH = 10;
const PADDING = 3;

/** Width in code points, as Go's tabwriter counts runes. */
export function textWidth(text: string): number {
  return [...text].length;
}

/**
 * The lines of a table (header first), without trailing newlines.
 * @param header column titles, e.g. ["REPOSITORY", "TAG", ...]
 * @param rows one array of cells per row, as many cells as titles
 */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const all = [header, ...rows];
  const widths = header.map((_, column) => Math.max(MIN_WIDTH, ...all.map((row) => textWidth(row[column] ?? '') + PADDING)));
  return all.map((row) =>
    row
      .map((cell, column) => (column === row.length - 1 ? cell : cell + ' '.repeat(widths[column]! - textWidth(cell))))
      .join(''),
  );
}
