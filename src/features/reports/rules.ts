// Counts for commissioners, with small numbers hidden so nobody can be picked out. Pure.
//
// Primary suppression: a count from 1 to 4 shows as "fewer than 5". Secondary suppression: when a
// breakdown adds up to a total that is shown, a single hidden cell could be worked out by
// subtraction, so the next smallest cell is hidden too ("not shown").

export const SMALL_NUMBER_LIMIT = 5;
export const FEWER_THAN = `fewer than ${SMALL_NUMBER_LIMIT}`;
export const NOT_SHOWN = 'not shown';

export interface Cell {
  label: string;
  /** The count when it may be shown, otherwise null. */
  count: number | null;
  display: string;
}

const fmt = new Intl.NumberFormat('en-GB');

export function isSmall(count: number): boolean {
  return count > 0 && count < SMALL_NUMBER_LIMIT;
}

export function suppressOne(label: string, count: number): Cell {
  return isSmall(count)
    ? { label, count: null, display: FEWER_THAN }
    : { label, count, display: fmt.format(count) };
}

/** Suppress a breakdown whose counts add up to a total that is shown elsewhere on the page. */
export function suppressBreakdown(rows: readonly { label: string; count: number }[]): Cell[] {
  const cells = rows.map((r) => suppressOne(r.label, r.count));
  const hidden = cells.filter((c) => c.count === null).length;
  if (hidden === 1) {
    let smallest = -1;
    rows.forEach((r, i) => {
      const cell = cells[i];
      if (!cell || cell.count === null || r.count === 0) return;
      const best = rows[smallest];
      if (smallest === -1 || (best && r.count < best.count)) smallest = i;
    });
    const target = cells[smallest];
    if (target) cells[smallest] = { label: target.label, count: null, display: NOT_SHOWN };
  }
  return cells;
}

export interface SummaryCounts {
  total: number;
  bySupportReason: { label: string; count: number }[];
  byTeam: { label: string; count: number }[];
  section117: { label: string; count: number }[];
  consent: { label: string; count: number }[];
}

export interface SummaryTable {
  id: string;
  caption: string;
  heading: string;
  cells: Cell[];
}

export function summaryTables(counts: SummaryCounts): { total: Cell; tables: SummaryTable[] } {
  return {
    total: suppressOne('Everyone', counts.total),
    tables: [
      {
        id: 'support-reason',
        caption: 'People by primary support reason',
        heading: 'Primary support reason',
        cells: suppressBreakdown(counts.bySupportReason),
      },
      {
        id: 'team',
        caption: 'People by team',
        heading: 'Team',
        cells: suppressBreakdown(counts.byTeam),
      },
      {
        id: 'section-117',
        caption: 'People with section 117 after-care',
        heading: 'Section 117 after-care',
        cells: suppressBreakdown(counts.section117),
      },
      {
        id: 'consent',
        caption: 'People with current consent to share between NHS and council',
        heading: 'Current consent to share',
        cells: suppressBreakdown(counts.consent),
      },
    ],
  };
}

const csvField = (v: string): string => {
  // Quote always; neutralise spreadsheet formulas in labels typed by people.
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return `"${safe.replaceAll('"', '""')}"`;
};

/** One CSV: measure, group, count (as displayed, so suppression carries into the file). */
export function summaryCsv(summary: { total: Cell; tables: SummaryTable[] }): string {
  const lines = [['measure', 'group', 'people']];
  lines.push(['All people', 'Everyone', summary.total.display]);
  for (const t of summary.tables)
    for (const c of t.cells)
      lines.push([t.caption, c.label, c.count === null ? c.display : String(c.count)]);
  return lines.map((l) => l.map(csvField).join(',')).join('\r\n') + '\r\n';
}
