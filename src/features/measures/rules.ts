// Outcome measures as pure rules (issue 4 point 8): scoring SWEMWBS, EQ-5D-5L and the ASCOT SCT4
// simple score, CLD employment and accommodation status, goal attainment for each plan outcome,
// and the change between a baseline and a review. Answers are item ids and levels only (never
// the licensed wording: see questionnaires.ts). Every score is an exact integer: SWEMWBS metric
// scores in hundredths, EQ-5D indices in thousandths. No I/O, no clock.
// Sources: ../shared/domain/DOMAIN.md sections 5.1, 5.3 and 7.
import { z } from 'zod';
import { EQ5D_UK_CROSSWALK_THOUSANDTHS } from './eq5d-uk-crosswalk.js';
import {
  ASCOT_DOMAINS,
  ASCOT_LEVELS,
  EQ5D_DIMENSIONS,
  SWEMWBS_ITEMS,
  type AscotDomain,
  type AscotLevel,
  type Eq5dDimension,
  type Instrument,
  type SwemwbsItem,
} from './questionnaires.js';

export type Refused = { readonly ok: false; readonly messages: readonly string[] };

/** A response level from 1 to 5 (SWEMWBS items and EQ-5D dimensions). */
export type Level5 = 1 | 2 | 3 | 4 | 5;

const level5 = z.literal([1, 2, 3, 4, 5], {
  message: 'Each answer must be a whole number from 1 to 5',
});
/** Absent or null means not answered. */
const unanswered = <T extends z.ZodType>(schema: T) => schema.nullable().optional();

function isLevel5(v: unknown): v is Level5 {
  return v === 1 || v === 2 || v === 3 || v === 4 || v === 5;
}

function issuesOf(error: z.ZodError): string[] {
  return error.issues.map((i) =>
    i.path.length === 0 ? i.message : `${i.path.join('.')}: ${i.message}`,
  );
}

// ---------------------------------------------------------------------------------------------
// Exact decimals for display

/**
 * An integer count of hundredths or thousandths as a decimal: formatFixed(1688, 2) is '16.88',
 * formatFixed(-285, 3) is '-0.285'. With `signed`, positive values get a '+' (for changes).
 * The minus is an ASCII hyphen-minus, as in money.ts, so shown values can be copied and re-read.
 */
export function formatFixed(value: number, places: 2 | 3, options?: { signed?: boolean }): string {
  if (!Number.isSafeInteger(value)) throw new RangeError(`not a whole number: ${String(value)}`);
  const scale = places === 2 ? 100 : 1000;
  const abs = Math.abs(value);
  const whole = Math.trunc(abs / scale);
  const part = String(abs % scale).padStart(places, '0');
  const sign = value < 0 ? '-' : options?.signed === true && value > 0 ? '+' : '';
  return `${sign}${String(whole)}.${part}`;
}

export const formatHundredths = (value: number, options?: { signed?: boolean }) =>
  formatFixed(value, 2, options);
export const formatThousandths = (value: number, options?: { signed?: boolean }) =>
  formatFixed(value, 3, options);

// ---------------------------------------------------------------------------------------------
// SWEMWBS (DOMAIN.md 7.4): 7 items scored 1–5, raw 7–35, converted with the Rasch table.

/** Rasch metric score × 100 for raw scores 7, 8, … 35 (29 rows, DOMAIN.md 7.4). */
export const SWEMWBS_METRIC_HUNDREDTHS: readonly number[] = [
  700, 951, 1125, 1240, 1333, 1408, 1475, 1532, 1584, 1636, 1688, 1743, 1798, 1859, 1925, 1998,
  2073, 2154, 2235, 2321, 2411, 2503, 2602, 2703, 2813, 2931, 3070, 3255, 3500,
];
export const SWEMWBS_RAW_MIN = 7;
export const SWEMWBS_RAW_MAX = 35;

export const swemwbsAnswersSchema = z.strictObject(
  Object.fromEntries(SWEMWBS_ITEMS.map((item) => [item, unanswered(level5)])) as Record<
    SwemwbsItem,
    ReturnType<typeof unanswered<typeof level5>>
  >,
);
export type SwemwbsAnswers = Readonly<Partial<Record<SwemwbsItem, Level5 | null>>>;

/** The metric score (hundredths) for a raw score; RangeError unless a whole number 7–35. */
export function swemwbsMetricHundredths(raw: number): number {
  const metric = Number.isInteger(raw) ? SWEMWBS_METRIC_HUNDREDTHS[raw - SWEMWBS_RAW_MIN] : null;
  if (metric === undefined || metric === null) {
    throw new RangeError(`a SWEMWBS raw score is a whole number from 7 to 35, not ${String(raw)}`);
  }
  return metric;
}

/** How many of the given items are answered; RangeError for an answer outside 1–5. */
function countAnswered<K extends string>(
  items: readonly K[],
  answers: Readonly<Partial<Record<K, unknown>>>,
  valid: (v: unknown) => boolean,
  instrument: string,
): number {
  let answered = 0;
  for (const item of items) {
    const v = answers[item];
    if (v === undefined || v === null) continue;
    if (!valid(v)) throw new RangeError(`${instrument} ${item}: not a valid answer (${String(v)})`);
    answered += 1;
  }
  return answered;
}

/** Sum of the 7 items (7–35), or null unless all 7 are answered. No prorating. */
export function swemwbsRawScore(answers: SwemwbsAnswers): number | null {
  if (countAnswered(SWEMWBS_ITEMS, answers, isLevel5, 'SWEMWBS') < SWEMWBS_ITEMS.length) {
    return null;
  }
  return SWEMWBS_ITEMS.reduce((total, item) => total + (answers[item] ?? 0), 0);
}

export interface SwemwbsScore {
  readonly instrument: 'swemwbs';
  readonly answered: number;
  readonly raw: number | null;
  readonly metricHundredths: number | null;
}

export function scoreSwemwbs(answers: SwemwbsAnswers): SwemwbsScore {
  const raw = swemwbsRawScore(answers);
  return {
    instrument: 'swemwbs',
    answered: countAnswered(SWEMWBS_ITEMS, answers, isLevel5, 'SWEMWBS'),
    raw,
    metricHundredths: raw === null ? null : swemwbsMetricHundredths(raw),
  };
}

// ---------------------------------------------------------------------------------------------
// EQ-5D-5L (DOMAIN.md 7.2): a profile of 5 levels, the EQ VAS 0–100, and an index by value set.

export const EQ5D_VALUE_SETS = ['england2018', 'ukCrosswalk', 'uk2026'] as const;
export type Eq5dValueSet = (typeof EQ5D_VALUE_SETS)[number];

export const EQ5D_VALUE_SET_INFO: Readonly<
  Record<Eq5dValueSet, { readonly name: string; readonly source: string }>
> = {
  england2018: {
    name: 'England EQ-5D-5L value set',
    source: 'Devlin et al. 2018, Health Economics, doi:10.1002/hec.3564',
  },
  ukCrosswalk: {
    name: 'EQ-5D-5L mapped to the EQ-5D-3L UK value set (NICE-recommended)',
    source: 'van Hout et al. 2012, Value in Health, doi:10.1016/j.jval.2012.02.008',
  },
  uk2026: {
    name: 'UK EQ-5D-5L value set (2026)',
    source: 'Value in Health 2026, doi:10.1016/j.jval.2026.03.008',
  },
};

type Decrements = Readonly<Record<Eq5dDimension, readonly [0, number, number, number, number]>>;

/** Devlin 2018 England decrements × 1000 for levels 1–5 (DOMAIN.md 7.2, from eq5d VT.csv). */
const ENGLAND_2018: Decrements = {
  MO: [0, -58, -76, -207, -274],
  SC: [0, -50, -80, -164, -203],
  UA: [0, -50, -63, -162, -184],
  PD: [0, -63, -84, -276, -335],
  AD: [0, -78, -104, -285, -289],
};

/** The 2026 UK 5L decrements × 1000 for levels 1–5 (DOMAIN.md 7.2). */
const UK_2026: Decrements = {
  MO: [0, -32, -58, -179, -279],
  SC: [0, -38, -60, -162, -206],
  UA: [0, -49, -86, -184, -212],
  PD: [0, -56, -66, -371, -479],
  AD: [0, -41, -126, -313, -391],
};

/** Five digits 1–5 in the order MO, SC, UA, PD, AD, e.g. '21341'. */
export type Eq5dProfile = string & { readonly __brand: 'Eq5dProfile' };

export const eq5dProfileSchema = z
  .string({ message: 'An EQ-5D-5L profile must be text' })
  .regex(/^[1-5]{5}$/, {
    message: 'An EQ-5D-5L profile is 5 digits from 1 to 5, for example 21341',
  })
  .transform((s) => s as Eq5dProfile);

export function parseEq5dProfile(
  input: unknown,
): { readonly ok: true; readonly profile: Eq5dProfile } | Refused {
  const r = eq5dProfileSchema.safeParse(input);
  return r.success ? { ok: true, profile: r.data } : { ok: false, messages: issuesOf(r.error) };
}

/** The profile from the 5 answers, or null unless all 5 are answered. */
export function eq5dProfileFromLevels(
  levels: Readonly<Partial<Record<Eq5dDimension, Level5 | null>>>,
): Eq5dProfile | null {
  const answered = countAnswered(EQ5D_DIMENSIONS, levels, isLevel5, 'EQ-5D-5L');
  if (answered < EQ5D_DIMENSIONS.length) return null;
  return EQ5D_DIMENSIONS.map((d) => String(levels[d])).join('') as Eq5dProfile;
}

function levelsOf(profile: Eq5dProfile): Level5[] {
  if (!/^[1-5]{5}$/.test(profile)) throw new RangeError(`not an EQ-5D-5L profile: ${profile}`);
  return Array.from({ length: 5 }, (_, i) => (profile.charCodeAt(i) - 48) as Level5);
}

/** The index × 1000 of a profile by a value set. Never above 1000 (full health). */
export function eq5dIndexThousandths(profile: Eq5dProfile, valueSet: Eq5dValueSet): number {
  const levels = levelsOf(profile);
  switch (valueSet) {
    case 'england2018':
    case 'uk2026': {
      const table = valueSet === 'england2018' ? ENGLAND_2018 : UK_2026;
      let index = 1000;
      EQ5D_DIMENSIONS.forEach((d, i) => {
        const decrement = table[d][(levels[i] ?? 0) - 1];
        if (decrement === undefined) throw new RangeError(`not an EQ-5D-5L profile: ${profile}`);
        index += decrement;
      });
      return index;
    }
    case 'ukCrosswalk': {
      const position = levels.reduce((n, level) => n * 5 + (level - 1), 0);
      const value = EQ5D_UK_CROSSWALK_THOUSANDTHS[position];
      if (value === undefined) throw new RangeError(`no crosswalk value for ${profile}`);
      return value;
    }
  }
}

export const eq5dAnswersSchema = z.strictObject({
  ...(Object.fromEntries(EQ5D_DIMENSIONS.map((d) => [d, unanswered(level5)])) as Record<
    Eq5dDimension,
    ReturnType<typeof unanswered<typeof level5>>
  >),
  vas: unanswered(
    z
      .number({ message: 'The EQ VAS must be a number from 0 to 100' })
      .int({ message: 'The EQ VAS must be a whole number from 0 to 100' })
      .min(0, { message: 'The EQ VAS must be from 0 to 100' })
      .max(100, { message: 'The EQ VAS must be from 0 to 100' }),
  ),
});
export type Eq5dAnswers = Readonly<
  Partial<Record<Eq5dDimension, Level5 | null>> & { vas?: number | null }
>;

export interface Eq5dScore {
  readonly instrument: 'eq5d5l';
  readonly profile: Eq5dProfile | null;
  readonly vas: number | null;
  /** Index × 1000 by each value set; null unless all 5 dimensions are answered. */
  readonly indexThousandths: Readonly<Record<Eq5dValueSet, number>> | null;
}

export function scoreEq5d(answers: Eq5dAnswers): Eq5dScore {
  const profile = eq5dProfileFromLevels(answers);
  const vas = answers.vas ?? null;
  if (vas !== null && !(Number.isInteger(vas) && vas >= 0 && vas <= 100)) {
    throw new RangeError(`the EQ VAS is a whole number from 0 to 100, not ${String(vas)}`);
  }
  return {
    instrument: 'eq5d5l',
    profile,
    vas,
    indexThousandths:
      profile === null
        ? null
        : {
            england2018: eq5dIndexThousandths(profile, 'england2018'),
            ukCrosswalk: eq5dIndexThousandths(profile, 'ukCrosswalk'),
            uk2026: eq5dIndexThousandths(profile, 'uk2026'),
          },
  };
}

// ---------------------------------------------------------------------------------------------
// ASCOT SCT4 simple score (DOMAIN.md 7.1 and 5.3, as ASCOF 1A): 3/2/1/0 per domain, 0–24.

export const ASCOT_LEVEL_POINTS: Readonly<Record<AscotLevel, number>> = {
  ideal: 3,
  noNeeds: 2,
  someNeeds: 1,
  highNeeds: 0,
};

const ascotLevel = z.enum(ASCOT_LEVELS, {
  message: `Each answer must be one of ${ASCOT_LEVELS.join(', ')}`,
});
export const ascotAnswersSchema = z.strictObject(
  Object.fromEntries(ASCOT_DOMAINS.map((d) => [d, unanswered(ascotLevel)])) as Record<
    AscotDomain,
    ReturnType<typeof unanswered<typeof ascotLevel>>
  >,
);
export type AscotAnswers = Readonly<Partial<Record<AscotDomain, AscotLevel | null>>>;

const isAscotLevel = (v: unknown): v is AscotLevel =>
  typeof v === 'string' && (ASCOT_LEVELS as readonly string[]).includes(v);

/** The simple score 0–24, or null unless all 8 domains are answered. */
export function ascotSimpleScore(answers: AscotAnswers): number | null {
  if (countAnswered(ASCOT_DOMAINS, answers, isAscotLevel, 'ASCOT') < ASCOT_DOMAINS.length) {
    return null;
  }
  return ASCOT_DOMAINS.reduce((t, d) => t + ASCOT_LEVEL_POINTS[answers[d] ?? 'highNeeds'], 0);
}

export interface AscotScore {
  readonly instrument: 'ascot_sct4';
  readonly answered: number;
  readonly score: number | null;
}

export function scoreAscot(answers: AscotAnswers): AscotScore {
  return {
    instrument: 'ascot_sct4',
    answered: countAnswered(ASCOT_DOMAINS, answers, isAscotLevel, 'ASCOT'),
    score: ascotSimpleScore(answers),
  };
}

// ---------------------------------------------------------------------------------------------
// Employment and accommodation status: CLD defined lists, spelled exactly as DOMAIN.md 5.1.

export const EMPLOYMENT_STATUSES = [
  'Paid: Less than 16 hours a week',
  'Paid: 16 or more hours a week',
  'Paid: Hours per week unknown',
  'Not in Paid Employment (seeking work)',
  'Not in Paid Employment (not actively seeking work / retired)',
  'Not in Paid Employment (voluntary work only)',
  'Unknown',
] as const;
export type EmploymentStatus = (typeof EMPLOYMENT_STATUSES)[number];

/** In paid employment (the ASCOF 1F numerator): true for the 3 'Paid:' values, null if unknown. */
export function isPaidEmployment(status: EmploymentStatus): boolean | null {
  if (status === 'Unknown') return null;
  return status.startsWith('Paid:');
}

/**
 * The CLD list has 20 values; DOMAIN.md names only these 8 and 'Unknown' (the other 11 are not
 * in our sources, so they are not invented here). The first 6 are listed in DOMAIN.md at the
 * start of the CLD list, in its order.
 */
export const ACCOMMODATION_STATUSES = [
  'Owner occupier or shared ownership scheme',
  'Tenant',
  'Tenant - private landlord',
  'Settled mainstream housing with family / friends',
  'Supported accommodation / supported lodgings / supported group home',
  'Shared Lives scheme',
  'Rough sleeper / squatting',
  'Registered care home',
  'Unknown',
] as const;
export type AccommodationStatus = (typeof ACCOMMODATION_STATUSES)[number];

/**
 * The SALT "settled accommodation" flag is 1 for the first 9 values of the CLD list. The first 6
 * values above are positions 1–6, so settled. Where the other two sit in the full list is not in
 * DOMAIN.md, so their flag is null (not known) rather than guessed; 'Unknown' is null too.
 */
const SETTLED: Readonly<Record<AccommodationStatus, boolean | null>> = {
  'Owner occupier or shared ownership scheme': true,
  Tenant: true,
  'Tenant - private landlord': true,
  'Settled mainstream housing with family / friends': true,
  'Supported accommodation / supported lodgings / supported group home': true,
  'Shared Lives scheme': true,
  'Rough sleeper / squatting': null,
  'Registered care home': null,
  Unknown: null,
};

export function isSettledAccommodation(status: AccommodationStatus): boolean | null {
  return SETTLED[status];
}

export const employmentAnswersSchema = z.strictObject({
  status: z.enum(EMPLOYMENT_STATUSES, { message: 'Choose an employment status from the list' }),
});
export const accommodationAnswersSchema = z.strictObject({
  status: z.enum(ACCOMMODATION_STATUSES, {
    message: 'Choose an accommodation status from the list',
  }),
});

export interface EmploymentScore {
  readonly instrument: 'employment';
  readonly status: EmploymentStatus;
  readonly paid: boolean | null;
}
export interface AccommodationScore {
  readonly instrument: 'accommodation';
  readonly status: AccommodationStatus;
  readonly settled: boolean | null;
}

// ---------------------------------------------------------------------------------------------
// Goal attainment, for each outcome of the plan, recorded at a review.
//
// The scale: the review records whether each outcome was achieved fully, partly or not (issue 4
// point 7), and may add a Goal Attainment Scaling (GAS) rating from −2 to +2: +2 much more than
// expected, +1 somewhat more, 0 the expected outcome, −1 somewhat less (some progress), −2 much
// less (no progress). The two must agree: a GAS rating of 0 or more is 'fully', −1 is 'partly'
// and −2 is 'not'. The summary counts each answer and gives the mean GAS rating; we do not
// compute a Kiresuk T-score, which needs weights and an assumed correlation between goals.

export const GOAL_ACHIEVEMENTS = ['fully', 'partly', 'not'] as const;
export type GoalAchievement = (typeof GOAL_ACHIEVEMENTS)[number];
export type GasRating = -2 | -1 | 0 | 1 | 2;

export function achievementForGas(gas: GasRating): GoalAchievement {
  return gas >= 0 ? 'fully' : gas === -1 ? 'partly' : 'not';
}

const goalRatingSchema = z
  .strictObject({
    outcomeId: z
      .string({ message: 'Each rating must name its outcome' })
      .trim()
      .min(1, { message: 'Each rating must name its outcome' })
      .max(100, { message: 'An outcome id must be 100 characters or fewer' }),
    achieved: z.enum(GOAL_ACHIEVEMENTS, {
      message: 'Say whether the outcome was achieved fully, partly or not',
    }),
    gas: unanswered(
      z.literal([-2, -1, 0, 1, 2], { message: 'A GAS rating is a whole number from -2 to 2' }),
    ),
  })
  .refine((r) => r.gas === undefined || r.gas === null || achievementForGas(r.gas) === r.achieved, {
    message: 'The GAS rating does not match: 0 to 2 is fully, -1 is partly and -2 is not achieved',
    path: ['gas'],
  });

export const goalAttainmentAnswersSchema = z
  .strictObject({
    outcomes: z.array(goalRatingSchema).max(200, { message: 'Rate 200 outcomes or fewer' }),
  })
  .superRefine((answers, ctx) => {
    const seen = new Set<string>();
    answers.outcomes.forEach((r, i) => {
      if (seen.has(r.outcomeId)) {
        ctx.addIssue({
          code: 'custom',
          message: `Outcome ${r.outcomeId} is rated more than once`,
          path: ['outcomes', i, 'outcomeId'],
        });
      }
      seen.add(r.outcomeId);
    });
  });
export type GoalAttainmentAnswers = z.infer<typeof goalAttainmentAnswersSchema>;

export interface GoalAttainmentScore {
  readonly instrument: 'goal_attainment';
  readonly outcomes: number;
  readonly fully: number;
  readonly partly: number;
  readonly not: number;
  readonly gasRated: number;
  readonly gasTotal: number;
  /** Mean GAS rating × 100, rounded half away from zero; null when none is rated. */
  readonly gasMeanHundredths: number | null;
}

/** a ÷ b rounded half away from zero, for integers (b > 0). */
function divideRounded(a: number, b: number): number {
  const q = Math.floor((2 * Math.abs(a) + b) / (2 * b));
  return a < 0 ? -q : q;
}

export function summariseGoalAttainment(answers: GoalAttainmentAnswers): GoalAttainmentScore {
  const count = (a: GoalAchievement) => answers.outcomes.filter((r) => r.achieved === a).length;
  const gas = answers.outcomes.flatMap((r) =>
    r.gas === undefined || r.gas === null ? [] : [r.gas],
  );
  const gasTotal = gas.reduce<number>((t, g) => t + g, 0);
  return {
    instrument: 'goal_attainment',
    outcomes: answers.outcomes.length,
    fully: count('fully'),
    partly: count('partly'),
    not: count('not'),
    gasRated: gas.length,
    gasTotal,
    gasMeanHundredths: gas.length === 0 ? null : divideRounded(gasTotal * 100, gas.length),
  };
}

// ---------------------------------------------------------------------------------------------
// One measurement of any instrument, as stored in outcome_measures (instrument, answers, score).

export const measureInputSchema = z.discriminatedUnion('instrument', [
  z.strictObject({ instrument: z.literal('swemwbs'), answers: swemwbsAnswersSchema }),
  z.strictObject({ instrument: z.literal('eq5d5l'), answers: eq5dAnswersSchema }),
  z.strictObject({ instrument: z.literal('ascot_sct4'), answers: ascotAnswersSchema }),
  z.strictObject({ instrument: z.literal('employment'), answers: employmentAnswersSchema }),
  z.strictObject({ instrument: z.literal('accommodation'), answers: accommodationAnswersSchema }),
  z.strictObject({
    instrument: z.literal('goal_attainment'),
    answers: goalAttainmentAnswersSchema,
  }),
]);
export type MeasureInput = z.infer<typeof measureInputSchema>;

/** Checks one measurement's answers; never throws. Messages name the field. */
export function parseMeasure(
  input: unknown,
): { readonly ok: true; readonly measure: MeasureInput } | Refused {
  const r = measureInputSchema.safeParse(input);
  return r.success ? { ok: true, measure: r.data } : { ok: false, messages: issuesOf(r.error) };
}

export type MeasureScore =
  | SwemwbsScore
  | Eq5dScore
  | AscotScore
  | EmploymentScore
  | AccommodationScore
  | GoalAttainmentScore;

export function scoreMeasure(measure: MeasureInput): MeasureScore {
  switch (measure.instrument) {
    case 'swemwbs':
      return scoreSwemwbs(measure.answers);
    case 'eq5d5l':
      return scoreEq5d(measure.answers);
    case 'ascot_sct4':
      return scoreAscot(measure.answers);
    case 'employment':
      return {
        instrument: 'employment',
        status: measure.answers.status,
        paid: isPaidEmployment(measure.answers.status),
      };
    case 'accommodation':
      return {
        instrument: 'accommodation',
        status: measure.answers.status,
        settled: isSettledAccommodation(measure.answers.status),
      };
    case 'goal_attainment':
      return summariseGoalAttainment(measure.answers);
  }
}

// ---------------------------------------------------------------------------------------------
// Change between a baseline and a review

/** At most one score per instrument, e.g. everything taken at one review. */
export type MeasureSet = {
  readonly [I in Instrument]?: Extract<MeasureScore, { instrument: I }>;
};

/** Gathers scores into a set; RangeError if an instrument appears twice. */
export function measureSet(scores: readonly MeasureScore[]): MeasureSet {
  const set: Partial<Record<Instrument, MeasureScore>> = {};
  for (const s of scores) {
    if (set[s.instrument] !== undefined) {
      throw new RangeError(`${s.instrument} appears more than once in one set of measures`);
    }
    set[s.instrument] = s;
  }
  return set as MeasureSet;
}

export interface NumberChange {
  readonly from: number | null;
  readonly to: number | null;
  /** to − from; null when either side is missing or incomplete. */
  readonly change: number | null;
}

export interface StatusChange<S> {
  readonly from: S | null;
  readonly to: S | null;
  /** null when either side is missing. */
  readonly changed: boolean | null;
}

export interface MeasureChanges {
  readonly swemwbsMetricHundredths: NumberChange;
  readonly eq5dValueSet: Eq5dValueSet;
  readonly eq5dIndexThousandths: NumberChange;
  readonly eq5dVas: NumberChange;
  readonly ascotScore: NumberChange;
  readonly employment: StatusChange<EmploymentStatus> & {
    readonly paidFrom: boolean | null;
    readonly paidTo: boolean | null;
  };
  readonly accommodation: StatusChange<AccommodationStatus> & {
    readonly settledFrom: boolean | null;
    readonly settledTo: boolean | null;
  };
  /** Outcomes are rated at the review itself, so this is the review's summary, not a change. */
  readonly goalAttainment: GoalAttainmentScore | null;
}

function numberChange(
  from: number | null | undefined,
  to: number | null | undefined,
): NumberChange {
  const a = from ?? null;
  const b = to ?? null;
  return { from: a, to: b, change: a === null || b === null ? null : b - a };
}

function statusChange<S>(from: S | undefined, to: S | undefined): StatusChange<S> {
  const a = from ?? null;
  const b = to ?? null;
  return { from: a, to: b, changed: a === null || b === null ? null : a !== b };
}

/**
 * Per-instrument change from a baseline to a review: SWEMWBS metric score, EQ-5D index (by the
 * chosen value set, England by default) and EQ VAS, ASCOT simple score, employment and
 * accommodation status. A change is null when either side is missing or incomplete.
 */
export function changesBetween(
  baseline: MeasureSet,
  review: MeasureSet,
  options?: { readonly eq5dValueSet?: Eq5dValueSet },
): MeasureChanges {
  const valueSet = options?.eq5dValueSet ?? 'england2018';
  return {
    swemwbsMetricHundredths: numberChange(
      baseline.swemwbs?.metricHundredths,
      review.swemwbs?.metricHundredths,
    ),
    eq5dValueSet: valueSet,
    eq5dIndexThousandths: numberChange(
      baseline.eq5d5l?.indexThousandths?.[valueSet],
      review.eq5d5l?.indexThousandths?.[valueSet],
    ),
    eq5dVas: numberChange(baseline.eq5d5l?.vas, review.eq5d5l?.vas),
    ascotScore: numberChange(baseline.ascot_sct4?.score, review.ascot_sct4?.score),
    employment: {
      ...statusChange(baseline.employment?.status, review.employment?.status),
      paidFrom: baseline.employment?.paid ?? null,
      paidTo: review.employment?.paid ?? null,
    },
    accommodation: {
      ...statusChange(baseline.accommodation?.status, review.accommodation?.status),
      settledFrom: baseline.accommodation?.settled ?? null,
      settledTo: review.accommodation?.settled ?? null,
    },
    goalAttainment: review.goal_attainment ?? null,
  };
}
