// Money in one place (STYLE habit 7): integer pence, a safe-range guard, one formatter,
// one tolerant parser, largest-remainder splitting and period conversion. Pure: no I/O.

/** An amount of money in whole pence. Only `pence()` (and the functions here) make one. */
export type Pence = number & { readonly __brand: 'Pence' };

/**
 * The one way to make a Pence. Throws RangeError for non-integers and for values outside
 * ±Number.MAX_SAFE_INTEGER, where integer arithmetic on numbers stops being exact.
 * Negative zero becomes zero.
 */
export function pence(n: number): Pence {
  if (!Number.isSafeInteger(n)) {
    throw new RangeError(`not a whole, safe number of pence: ${String(n)}`);
  }
  return (n + 0) as Pence; // `+ 0` turns -0 into 0
}

export function isPence(n: unknown): n is Pence {
  return typeof n === 'number' && Number.isSafeInteger(n);
}

export const ZERO_PENCE: Pence = pence(0);

/** a + b; throws RangeError if the result leaves the safe range. */
export function add(a: Pence, b: Pence): Pence {
  return pence(a + b);
}

/** a − b; throws RangeError if the result leaves the safe range. */
export function subtract(a: Pence, b: Pence): Pence {
  return pence(a - b);
}

export function negate(a: Pence): Pence {
  return pence(0 - a);
}

/** Sum of any number of amounts; zero for none. Throws RangeError on leaving the safe range. */
export function sum(amounts: Iterable<Pence>): Pence {
  let total = ZERO_PENCE;
  for (const a of amounts) total = add(total, a);
  return total;
}

// ---------------------------------------------------------------------------------------------
// Formatting

/**
 * '£1,234.56'. Negative amounts are '-£12.50' with an ASCII hyphen-minus (U+002D), chosen over
 * the typographic minus (U+2212) so that a shown amount can be copied into a form, a CSV or a
 * spreadsheet and read back as the same number. `parsePounds` accepts both signs.
 */
export function formatPounds(p: Pence): string {
  const abs = Math.abs(p);
  const pp = abs % 100; // exact for safe integers
  const pounds = (abs - pp) / 100; // exact: abs − pp is a multiple of 100
  const grouped = String(pounds).replace(/\B(?=(\d{3})+$)/g, ',');
  return `${p < 0 ? '-' : ''}£${grouped}.${String(pp).padStart(2, '0')}`;
}

/**
 * Pounds for a file another system reads (a CSV, a payment file): '1234.56' or '-12.50', with no
 * £ sign and no thousands commas.
 */
export function plainPounds(p: Pence): string {
  const neg = p < 0;
  const a = Math.abs(p);
  return `${neg ? '-' : ''}${String(Math.floor(a / 100))}.${String(a % 100).padStart(2, '0')}`;
}

// ---------------------------------------------------------------------------------------------
// Parsing

export type ParseProblem =
  'empty' | 'too-many-decimals' | 'bad-grouping' | 'not-money' | 'too-large';

export type ParseResult =
  | { readonly ok: true; readonly value: Pence }
  | { readonly ok: false; readonly problem: ParseProblem; readonly message: string };

const MESSAGES: Record<ParseProblem, string> = {
  empty: 'Enter an amount',
  'too-many-decimals': 'Amount must have no more than 2 numbers after the decimal point',
  'bad-grouping': 'Commas must separate thousands, like £1,234.50',
  'not-money': 'Enter an amount in pounds and pence, like 12.50',
  'too-large': 'Amount is too large',
};

function problem(p: ParseProblem): ParseResult {
  return { ok: false, problem: p, message: MESSAGES[p] };
}

// After sign, brackets and '£' are removed: digits with optional thousands commas, then pence.
const NUMBER = /^(\d[\d,]*)?(?:\.(\d+))?$/;
// An optional sign, either side of an optional '£', then the rest.
const SIGN_AND_POUND = /^(?:([-−+])\s*)?(?:£\s*)?(?:([-−+])\s*)?(.*)$/s;
const GROUPED = /^\d{1,3}(,\d{3})+$/;

/**
 * Reads an amount typed into a form or found in a bank file. Accepts: '12.50', '12.5', '12',
 * '.50', '£1,234.50', ' £ 3 ', '-12.50', '−12.50' (U+2212), '-£12.50', '£-12.50', '+12.50',
 * and '(12.50)' / '(£12.50)' for a negative amount (accounting style). Spaces around the
 * parts are ignored. Rejects, with a reason: nothing, more than 2 decimals ('12.505'),
 * commas that are not thousands separators ('1,23.00'), anything else ('abc', '12.', '--1'),
 * and amounts outside the safe range. Never throws.
 */
export function parsePounds(text: string): ParseResult {
  let s = text.trim();
  if (s === '') return problem('empty');

  const bracketed = /^\((.*)\)$/.exec(s);
  if (bracketed) s = (bracketed[1] ?? '').trim();
  const parts = SIGN_AND_POUND.exec(s);
  const signBefore = parts?.[1];
  const signAfter = parts?.[2];
  if (signBefore !== undefined && signAfter !== undefined) return problem('not-money');
  const sign = signBefore ?? signAfter;
  if (bracketed && sign !== undefined) return problem('not-money');
  const negative = bracketed !== null || sign === '-' || sign === '−';
  s = parts?.[3] ?? s;

  if (s === '') return problem('not-money');
  const m = NUMBER.exec(s);
  if (!m) return problem('not-money');
  const whole = m[1] ?? '';
  const fraction = m[2];
  if (whole === '' && fraction === undefined) return problem('not-money');
  if (whole.includes(',') && !GROUPED.test(whole)) return problem('bad-grouping');
  if (fraction !== undefined && fraction.length > 2) return problem('too-many-decimals');

  const total =
    BigInt(whole.replaceAll(',', '') || '0') * 100n + BigInt((fraction ?? '').padEnd(2, '0'));
  if (total > BigInt(Number.MAX_SAFE_INTEGER)) return problem('too-large');
  return { ok: true, value: pence(Number(negative ? -total : total)) };
}

// ---------------------------------------------------------------------------------------------
// Splitting

/** An exact non-negative rational weight as a BigInt numerator over 2^k. */
function dyadic(w: number): { n: bigint; k: number } {
  let x = w;
  let k = 0;
  // A finite double is m·2^e; doubling a non-integer double is exact and stays below 2^53.
  while (!Number.isInteger(x)) {
    x *= 2;
    k += 1;
  }
  return { n: BigInt(x), k };
}

/**
 * Splits `total` into parts proportional to `weights`, by largest remainder: every part is its
 * exact share rounded down, and the pennies left over go one each to the parts with the largest
 * remainders, ties to the lower index. So the parts always sum exactly to `total`, each part is
 * within 1p of its exact share, a zero weight always gets 0, and the result depends only on the
 * inputs. Weights may be integers or fractions (shares like 0.25); they are used exactly.
 * A negative total is split as its size and negated. Throws RangeError when there are no
 * weights, any weight is negative or not finite, or all weights are zero.
 */
export function splitLargestRemainder(total: Pence, weights: readonly number[]): Pence[] {
  if (weights.length === 0) throw new RangeError('cannot split between no parts');
  for (const w of weights) {
    if (!Number.isFinite(w) || w < 0) {
      throw new RangeError(`split weights must be finite and not negative: ${String(w)}`);
    }
  }
  const exact = weights.map(dyadic);
  const scale = Math.max(...exact.map((e) => e.k));
  const ws = exact.map((e) => e.n << BigInt(scale - e.k));
  const whole = ws.reduce((a, b) => a + b, 0n);
  if (whole === 0n) throw new RangeError('cannot split by weights that are all zero');

  const size = BigInt(Math.abs(total));
  const floors = ws.map((w) => (size * w) / whole);
  const remainders = ws.map((w) => (size * w) % whole);
  let left = size - floors.reduce((a, b) => a + b, 0n);
  const order = ws
    .map((_, i) => i)
    .sort((i, j) => {
      const ri = remainders[i] ?? 0n;
      const rj = remainders[j] ?? 0n;
      return ri === rj ? i - j : ri > rj ? -1 : 1;
    });
  const parts = [...floors];
  for (const i of order) {
    if (left === 0n) break;
    parts[i] = (parts[i] ?? 0n) + 1n;
    left -= 1n;
  }
  const sign = total < 0 ? -1 : 1;
  return parts.map((p) => pence(sign * Number(p)));
}

// ---------------------------------------------------------------------------------------------
// Periods

export type Period = 'weekly' | 'fourWeekly' | 'annual';

/**
 * Weeks in each period. A year is 52 weeks, not 365/7 (52.14…): budgets here are paid weekly or
 * four-weekly, and with 52 a year is exactly 13 four-weekly periods, so weekly × 52 and
 * four-weekly × 13 give the same annual figure and going up (weekly → four-weekly → annual) is
 * exact multiplication with no rounding. The day (two in a leap year) beyond 52 weeks is not
 * counted. Going down (annual → weekly) divides and rounds to the nearest penny, half away from
 * zero (so converting −x gives −(converting x)). That is the only rounding rule. When the
 * smaller amounts are to be paid and must add up to the larger, use `splitLargestRemainder`
 * (e.g. an annual amount over 13 equal weights) instead of converting.
 */
export const WEEKS_IN: Readonly<Record<Period, number>> = {
  weekly: 1,
  fourWeekly: 4,
  annual: 52,
};

/** Divides a by b (b > 0), rounding to the nearest integer, half away from zero. */
function divideRounded(a: bigint, b: bigint): bigint {
  const size = a < 0n ? -a : a;
  const q = (size * 2n + b) / (b * 2n);
  return a < 0n ? -q : q;
}

/** Converts an amount from one period to another (see WEEKS_IN for the rule). */
export function convertPeriod(amount: Pence, from: Period, to: Period): Pence {
  const scaled = BigInt(amount) * BigInt(WEEKS_IN[to]);
  const result = divideRounded(scaled, BigInt(WEEKS_IN[from]));
  if (result > BigInt(Number.MAX_SAFE_INTEGER) || result < -BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(`amount too large to convert from ${from} to ${to}`);
  }
  return pence(Number(result));
}

export const weeklyToFourWeekly = (p: Pence): Pence => convertPeriod(p, 'weekly', 'fourWeekly');
export const weeklyToAnnual = (p: Pence): Pence => convertPeriod(p, 'weekly', 'annual');
export const fourWeeklyToAnnual = (p: Pence): Pence => convertPeriod(p, 'fourWeekly', 'annual');
export const fourWeeklyToWeekly = (p: Pence): Pence => convertPeriod(p, 'fourWeekly', 'weekly');
export const annualToWeekly = (p: Pence): Pence => convertPeriod(p, 'annual', 'weekly');
export const annualToFourWeekly = (p: Pence): Pence => convertPeriod(p, 'annual', 'fourWeekly');
