// Civil dates are 'YYYY-MM-DD' strings (branded); instants are Date in UTC; display is Europe/London.
import { z } from 'zod';

export type CivilDate = string & { readonly __brand: 'CivilDate' };

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isCivilDate(value: string): value is CivilDate {
  const m = ISO_DATE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1) return false;
  return d <= daysInMonth(y, mo);
}

export function parseCivilDate(value: string): CivilDate {
  if (!isCivilDate(value)) throw new RangeError(`not a calendar date: ${value}`);
  return value;
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Build a civil date from day, month and year parts as typed into the NHS.UK date input. */
export function civilDateFromParts(
  day: string,
  month: string,
  year: string,
): CivilDate | undefined {
  if (
    !/^\d{1,2}$/.test(day.trim()) ||
    !/^\d{1,2}$/.test(month.trim()) ||
    !/^\d{4}$/.test(year.trim())
  ) {
    return undefined;
  }
  const s = `${year.trim()}-${month.trim().padStart(2, '0')}-${day.trim().padStart(2, '0')}`;
  return isCivilDate(s) ? s : undefined;
}

/** Today's civil date in England. */
// Building an Intl.DateTimeFormat is expensive (it loads locale and time-zone data): make each
// once. A page listing 50 dates made 50 of them, a quarter of its CPU time.
const LONDON_DAY = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});
const LONDON_DATE_TIME = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

export function todayInLondon(now: Date = new Date()): CivilDate {
  const parts = LONDON_DAY.formatToParts(now);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return parseCivilDate(`${get('year')}-${get('month')}-${get('day')}`);
}

/** The day `days` days after (or, if negative, before) a `YYYY-MM-DD` date, in UTC day arithmetic. */
export function addDays(date: string, days: number): CivilDate {
  if (!Number.isInteger(days)) throw new RangeError(`not a whole number of days: ${String(days)}`);
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d + days));
  if (t.getUTCFullYear() < 1 || t.getUTCFullYear() > 9999)
    throw new RangeError('date out of range');
  return t.toISOString().slice(0, 10) as CivilDate;
}

/** The financial year a day falls in, named by the calendar year it starts in (2026 = 2026/27). */
export function financialYearOf(d: string): number {
  const y = Number(d.slice(0, 4));
  return d.slice(5) >= '04-01' ? y : y - 1;
}

/** 1 April of a financial year. */
export function yearStart(year: number): CivilDate {
  return `${String(year).padStart(4, '0')}-04-01` as CivilDate;
}

export function compareCivilDates(a: CivilDate, b: CivilDate): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** '1980-01-31' → '31 January 1980' */
export function formatCivilDate(value: string): string {
  const m = ISO_DATE.exec(value);
  if (!m) return value;
  return `${Number(m[3])} ${MONTHS[Number(m[2]) - 1] ?? ''} ${m[1]}`;
}

export function formatDateTime(value: Date): string {
  return LONDON_DATE_TIME.format(value);
}

/** Whole years between a date of birth and a day. */
export function ageOn(dateOfBirth: CivilDate, on: CivilDate): number {
  const [by, bm, bd] = dateOfBirth.split('-').map(Number) as [number, number, number];
  const [y, m, d] = on.split('-').map(Number) as [number, number, number];
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

export const CivilDateSchema = z
  .string()
  .trim()
  .refine(isCivilDate, { message: 'Enter a real date in the format YYYY-MM-DD' })
  .transform((v) => v);
