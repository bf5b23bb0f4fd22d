// How often a support plan item happens, read from what a worker types ("twice a week",
// "4-weekly", "3 times a year", "once") or given in a structured form, and turned into an exact
// number of times a year for costing. Pure: no I/O.
//
// The year is 52 weeks, as in src/platform/money.ts: so a day is 1/364 of a year, a weekday
// 1/260, a week 1/52 and a month 1/12 (a month is 52/12 weeks, issue 4).
import { z } from 'zod';

export const FREQUENCY_UNITS = ['day', 'weekday', 'week', 'month', 'year'] as const;
export type FrequencyUnit = (typeof FREQUENCY_UNITS)[number];

/** Most times per period, and most periods between, that a plan item may have. */
export const MAX_TIMES = 100;
export const MAX_EVERY = 100;

/**
 * `once`: a one-off purchase. `recurring`: `times` occasions every `every` units, so
 * "twice a week" is { times: 2, every: 1, unit: 'week' } and "every 4 weeks" is
 * { times: 1, every: 4, unit: 'week' }.
 */
export const frequencySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('once') }),
  z.object({
    kind: z.literal('recurring'),
    times: z
      .number({ message: 'How many times must be a number' })
      .int({ message: 'How many times must be a whole number' })
      .min(1, { message: 'How many times must be at least 1' })
      .max(MAX_TIMES, { message: `How many times must be ${String(MAX_TIMES)} or fewer` }),
    every: z
      .number({ message: 'How many weeks, months or other periods apart must be a number' })
      .int({ message: 'How many periods apart must be a whole number' })
      .min(1, { message: 'How many periods apart must be at least 1' })
      .max(MAX_EVERY, { message: `How many periods apart must be ${String(MAX_EVERY)} or fewer` }),
    unit: z.enum(FREQUENCY_UNITS, { message: 'Choose day, weekday, week, month or year' }),
  }),
]);
export type Frequency = z.infer<typeof frequencySchema>;

const PER_YEAR: Readonly<Record<FrequencyUnit, number>> = {
  day: 364,
  weekday: 260,
  week: 52,
  month: 12,
  year: 1,
};

/** Times a (52-week) year as an exact fraction; null for a one-off. */
export function timesPerYear(f: Frequency): { numerator: bigint; denominator: bigint } | null {
  if (f.kind === 'once') return null;
  return {
    numerator: BigInt(f.times) * BigInt(PER_YEAR[f.unit]),
    denominator: BigInt(f.every),
  };
}

const TIMES_WORDS: Readonly<Record<number, string>> = { 1: 'once', 2: 'twice' };
const ADVERBS: Readonly<Record<FrequencyUnit, string>> = {
  day: 'daily',
  weekday: 'each weekday',
  week: 'weekly',
  month: 'monthly',
  year: 'once a year',
};

/** Plain English that `parseFrequency` reads back to the same frequency. */
export function formatFrequency(f: Frequency): string {
  if (f.kind === 'once') return 'once';
  const plural = (n: number) => (n === 1 ? f.unit : `${String(n)} ${f.unit}s`);
  const times = TIMES_WORDS[f.times] ?? `${String(f.times)} times`;
  if (f.every === 1) {
    if (f.times === 1) return ADVERBS[f.unit];
    return `${times} ${f.unit === 'weekday' ? 'each' : 'a'} ${f.unit}`;
  }
  return f.times === 1 ? `every ${plural(f.every)}` : `${times} every ${plural(f.every)}`;
}

export type FrequencyResult =
  | { readonly ok: true; readonly frequency: Frequency }
  | { readonly ok: false; readonly message: string };

export const FREQUENCY_HELP =
  'Enter how often, like "weekly", "twice a week", "every 2 weeks", "monthly", "3 times a year" or "once"';

const NUMBER_WORDS: Readonly<Record<string, number>> = {
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
};

/** A unit word and how many of the base unit it stands for. */
const UNIT_WORDS: Readonly<Record<string, [FrequencyUnit, number]>> = {
  day: ['day', 1],
  weekday: ['weekday', 1],
  week: ['week', 1],
  fortnight: ['week', 2],
  month: ['month', 1],
  quarter: ['month', 3],
  year: ['year', 1],
  annum: ['year', 1],
};
const ADVERB_WORDS: Readonly<Record<string, [FrequencyUnit, number]>> = {
  daily: ['day', 1],
  weekly: ['week', 1],
  fortnightly: ['week', 2],
  monthly: ['month', 1],
  quarterly: ['month', 3],
  yearly: ['year', 1],
  annually: ['year', 1],
  annual: ['year', 1],
};

const ONE_OFF = new Set([
  'once',
  'one off',
  'a one off',
  'one time',
  'once only',
  'just once',
  'single',
  'a single payment',
  'one off payment',
  'one off purchase',
]);
const WEEKDAYS = new Set([
  'weekdays',
  'on weekdays',
  'weekdays only',
  'each weekday',
  'every weekday',
  'monday to friday',
  'mon to fri',
  'mon fri',
  'monday friday',
]);

/** Lower case, plain spaces and hyphens, "3x" as "3 times"; number words left as words. */
function tidy(text: string): string {
  let s = text.toLowerCase().normalize('NFKC').trim();
  s = s.replace(/[\u2010-\u2015]/g, '-').replace(/[.!]+$/, '');
  s = s
    .replace(/(\d)\s*(?:x|×)(?=\s|$)/g, '$1 times')
    .replace(/(?:^|\s)(?:x|×)\s*(\d+)/g, ' $1 times');
  s = s.replace(/\//g, ' per ').replace(/-/g, ' ').replace(/,/g, ' ');
  return s.replace(/\s+/g, ' ').trim();
}

/** Number words one to twelve as digits. */
function digits(s: string): string {
  return s
    .split(' ')
    .map((w) => (w in NUMBER_WORDS ? String(NUMBER_WORDS[w]) : w))
    .join(' ');
}

function recurring(times: number, every: number, unit: FrequencyUnit): FrequencyResult {
  if (times < 1) return { ok: false, message: 'How often must be at least once' };
  if (every < 1) return { ok: false, message: 'The time between must be at least 1' };
  if (times > MAX_TIMES) {
    return { ok: false, message: `Enter no more than ${String(MAX_TIMES)} times` };
  }
  if (every > MAX_EVERY) {
    return { ok: false, message: `Enter no more than ${String(MAX_EVERY)} periods apart` };
  }
  return { ok: true, frequency: { kind: 'recurring', times, every, unit } };
}

// Before "a week": "3", "3 times", "3 days", "twice". Before "weekly" a bare number is the gap
// ("4 weekly" is every 4 weeks), so there only "3 times" or "twice".
const TIMES = String.raw`(?:(?<n>\d+)(?: (?:times?|sessions?|visits?|days?))?|(?<word>once|twice|thrice))`;
const STRICT_TIMES = String.raw`(?:(?<n>\d+) times?|(?<word>once|twice|thrice))`;
const RATE = new RegExp(
  String.raw`^(?:${TIMES} )?(?<link>a|an|per|each|every|in a|in each) (?:(?<gap>\d+|other) )?(?<unit>[a-z]+?)s?$`,
);
const ADVERB = new RegExp(String.raw`^(?:${STRICT_TIMES} )?(?:(?<gap>\d+) )?(?<adverb>[a-z]+)$`);

function readTimes(g: Record<string, string | undefined>): number | undefined {
  if (g['n'] !== undefined) return Number(g['n']);
  if (g['word'] !== undefined) return { once: 1, twice: 2, thrice: 3 }[g['word']];
  return undefined;
}

/**
 * Reads how often from what a worker typed. Accepts, in any case and spacing: "once" (and
 * "one-off"), "daily", "weekly", "fortnightly", "monthly", "quarterly", "yearly"/"annually";
 * "twice a week", "3 times a year", "2 days a week", "3x per week", "3/week", "once a
 * fortnight"; "every week", "every 2 weeks", "every other week", "every 3 months"; "4-weekly",
 * "four weekly", "2-monthly" (every 4 weeks, every 2 months); "twice weekly", "3 times daily";
 * "each weekday", "weekdays", "Monday to Friday"; numbers 1 to 12 as words. Refuses anything
 * else with a message saying what to type, never guessing (so "bi-weekly" is refused as
 * ambiguous, and "10 hours a week" is told to put the hours in the units).
 */
export function parseFrequency(text: string): FrequencyResult {
  const words = tidy(text);
  if (words === '') return { ok: false, message: 'Enter how often' };
  if (/(?:^|\s)[-−]\s*\d/.test(text))
    return { ok: false, message: 'How often must be at least once' };
  if (ONE_OFF.has(words)) return { ok: true, frequency: { kind: 'once' } };
  if (WEEKDAYS.has(words)) return recurring(1, 1, 'weekday');
  const s = digits(words);
  if (/\b(?:bi ?weekly|bi ?monthly|bi ?annual(?:ly)?|semi ?monthly)\b/.test(s)) {
    return {
      ok: false,
      message:
        'Say exactly how often, like "twice a week" or "every 2 weeks": words like "bi-weekly" can mean either',
    };
  }
  if (/\b(?:hours?|hrs?|minutes?|mins?)\b/.test(s)) {
    return {
      ok: false,
      message:
        'Put the number of hours in the units, and say here how often, like "weekly" or "twice a week"',
    };
  }
  if (/\b(?:as and when|as needed|as required|when needed|ad hoc|occasionally)\b/.test(s)) {
    return {
      ok: false,
      message:
        'Say how often on average, like "monthly" or "3 times a year", so the plan can be costed',
    };
  }

  const rate = RATE.exec(s);
  const rateUnit = rate?.groups?.['unit'];
  if (rate?.groups && rateUnit !== undefined && rateUnit in UNIT_WORDS) {
    const g = rate.groups;
    const times = readTimes(g);
    const link = g['link'];
    const gap = g['gap'];
    // "a week" alone means nothing; a gap ("every 2 weeks") needs "every".
    if (
      !(times === undefined && link !== 'every' && link !== 'each') &&
      !(gap && link !== 'every')
    ) {
      const [unit, size] = UNIT_WORDS[rateUnit] ?? ['week', 1];
      const apart = gap === undefined ? 1 : gap === 'other' ? 2 : Number(gap);
      if (unit === 'year' && rateUnit === 'annum' && link !== 'per') {
        return { ok: false, message: FREQUENCY_HELP };
      }
      return recurring(times ?? 1, apart * size, unit);
    }
  }

  const adverb = ADVERB.exec(s);
  const word = adverb?.groups?.['adverb'];
  if (adverb?.groups && word !== undefined && word in ADVERB_WORDS) {
    const g = adverb.groups;
    const [unit, size] = ADVERB_WORDS[word] ?? ['week', 1];
    const gap = g['gap'];
    return recurring(readTimes(g) ?? 1, (gap === undefined ? 1 : Number(gap)) * size, unit);
  }
  return { ok: false, message: FREQUENCY_HELP };
}

/** A frequency as typed (text) or structured; text is parsed, structured is checked. */
export function readFrequency(input: unknown): FrequencyResult {
  if (typeof input === 'string') return parseFrequency(input);
  const r = frequencySchema.safeParse(input);
  if (r.success) return { ok: true, frequency: r.data };
  return { ok: false, message: r.error.issues[0]?.message ?? FREQUENCY_HELP };
}
