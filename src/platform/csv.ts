// CSV for people to open in a spreadsheet (payment files, import reports): RFC 4180 cells with
// CRLF line ends, and no cell a spreadsheet would run as a formula.

/**
 * One CSV cell: a cell a spreadsheet would read as a formula (= + - @, or a tab or carriage
 * return first) is prefixed with ', and a cell with a comma, quote or line break is quoted.
 */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** A header and rows, each cell made safe, CRLF line ends (RFC 4180). */
export function csvFile(header: readonly string[], rows: Iterable<readonly string[]>): string {
  const lines = [header.map(csvCell).join(',')];
  for (const r of rows) lines.push(r.map(csvCell).join(','));
  return lines.join('\r\n') + '\r\n';
}
