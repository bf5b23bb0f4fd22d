// Pages of a long list: which page was asked for, and the links and "Showing 51 to 100 of 812"
// words the NHS.UK pagination component needs. Pure.

/** Rows on one page of a work list. */
export const LIST_PAGE_SIZE = 50;

/** The page asked for in `?page=`: a whole number from 1; anything else is page 1. */
export function readPage(value: unknown): number {
  if (typeof value !== 'string' || !/^[1-9]\d{0,5}$/.test(value)) return 1;
  return Number(value);
}

export interface Paging {
  readonly page: number;
  readonly pageSize: number;
  readonly total: number;
  /** 1-based positions of the first and last row shown; 0 and 0 when nothing is shown. */
  readonly from: number;
  readonly to: number;
  readonly previousUrl: string | null;
  readonly nextUrl: string | null;
  readonly pageCount: number;
}

/**
 * Links to the neighbouring pages of `path` with the other query `params` kept. A page past the
 * end shows nothing, with a link back to the last page.
 */
export function paging(
  path: string,
  params: Readonly<Record<string, string>>,
  page: number,
  total: number,
  pageSize: number = LIST_PAGE_SIZE,
): Paging {
  const pageCount = Math.max(1, Math.ceil(total / pageSize));
  const url = (p: number): string => {
    const q = new URLSearchParams(params);
    if (p > 1) q.set('page', String(p));
    const s = q.toString();
    return s ? `${path}?${s}` : path;
  };
  const first = (page - 1) * pageSize + 1;
  const shown = first <= total;
  return {
    page,
    pageSize,
    total,
    from: shown ? first : 0,
    to: shown ? Math.min(total, page * pageSize) : 0,
    previousUrl: page > 1 ? url(Math.min(page - 1, pageCount)) : null,
    nextUrl: page < pageCount ? url(page + 1) : null,
    pageCount,
  };
}
