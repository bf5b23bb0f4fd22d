// What a support plan buys: items with a category, who provides them, and a cost (unit cost ×
// units × how often) in weekly, four-weekly and annual pence; and the plan's funding streams with
// how each is held. Pure: no I/O. Money is integer pence (src/platform/money.ts).
//
// Rounding: an item's exact cost in a period is unit cost × units × times in that period, a
// fraction of a penny in general (a month is 52/12 weeks, and units may have 2 decimal places).
// Each of the weekly, four-weekly and annual figures is that exact amount rounded once to the
// nearest penny, half up; none is worked out from another rounded figure. So weekly × 52 can
// differ from the annual figure by up to 26p. A one-off item has no weekly or four-weekly
// figure: it counts once, in full, in the annual figure, and plan totals show it separately.
import { z } from 'zod';
import { formatPounds, pence, sum, type Pence } from '../../platform/money.js';
import type { RasVersion } from '../allocation/index.js';
import { readFrequency, timesPerYear, type Frequency } from './frequency.js';

export const PLAN_ITEM_CATEGORIES = [
  'personal_assistant',
  'agency_support',
  'day_or_community_activity',
  'education_or_training',
  'employment_support',
  'peer_support',
  'therapy',
  'equipment',
  'transport',
  'leisure',
  'short_breaks',
  'other',
] as const;
export type PlanItemCategory = (typeof PLAN_ITEM_CATEGORIES)[number];

export const PLAN_ITEM_CATEGORY_LABELS: Readonly<Record<PlanItemCategory, string>> = {
  personal_assistant: 'Personal assistant',
  agency_support: 'Support from an agency',
  day_or_community_activity: 'Day or community activity',
  education_or_training: 'Education or training',
  employment_support: 'Support to find or keep work',
  peer_support: 'Peer support',
  therapy: 'Therapy',
  equipment: 'Equipment',
  transport: 'Transport',
  leisure: 'Leisure',
  short_breaks: 'Short breaks',
  other: 'Other',
};

/**
 * How a funding stream's money is held (issue 4 point 1; DOMAIN.md 2.3 and 3.2), spelled as the
 * plan document (document.ts) spells them. Only a direct payment, or a mix that may include
 * one, is paid to the person: the direct payment rules and timetables apply to those two.
 */
export const HOLDING_OPTIONS = [
  'direct_payment',
  'managed',
  'third_party',
  'individual_service_fund',
  'mixed',
] as const;
export type HoldingOption = (typeof HOLDING_OPTIONS)[number];

/** Whose money a stream is: the council's (Care Act) or the NHS's (personal health budget). */
export const FUNDING_BODIES = ['council', 'nhs'] as const;
export type FundingBody = (typeof FUNDING_BODIES)[number];

export const MONEY_MANAGERS = [
  'person',
  'representative',
  'nominee',
  'broker_organisation',
] as const;
export type MoneyManager = (typeof MONEY_MANAGERS)[number];

const id = z
  .string()
  .trim()
  .regex(/^[a-z0-9][a-z0-9_-]*$/, {
    message: 'An id must use only lower-case letters, numbers, hyphens and underscores',
  });

export const planStreamSchema = z.object({
  id,
  name: z.string().trim().min(1, { message: 'Enter the name of the funding stream' }),
  body: z.enum(FUNDING_BODIES, { message: 'Choose whether this is council or NHS money' }),
  holding: z.enum(HOLDING_OPTIONS, { message: 'Choose how the money is held' }),
  managedBy: z.enum(MONEY_MANAGERS, { message: 'Choose who manages the money' }).nullable(),
});
export type PlanStream = z.infer<typeof planStreamSchema>;

/**
 * Whose money a RAS funding stream is. Section 117 after-care is split into the ids
 * `section117Streams` gives (allocation rules); any other section 117 or "other" stream cannot
 * be told apart, so null: the worker must say.
 */
export function fundingBodyOf(
  stream: Pick<RasVersion['fundingStreams'][number], 'id' | 'kind'>,
): FundingBody | null {
  switch (stream.kind) {
    case 'socialCare':
      return 'council';
    case 'nhsPersonalHealthBudget':
      return 'nhs';
    case 'section117':
      return stream.id === 'section-117-nhs'
        ? 'nhs'
        : stream.id === 'section-117-council'
          ? 'council'
          : null;
    case 'other':
      return null;
  }
}

/**
 * The Client Level Data "Delivery Mechanism" of a council stream (DOMAIN.md 5.1). A third-party
 * budget or individual service fund is reported as a council-managed personal budget (our
 * reading, DOMAIN.md is silent: the money is the council's, held for the person by someone
 * else). NHS money is not reported in CLD, and a mix is derived from its parts: both null.
 */
export function cldDeliveryMechanism(
  stream: Pick<PlanStream, 'body' | 'holding'>,
): 'Direct Payment' | 'CASSR Managed Personal Budget' | null {
  if (stream.body !== 'council') return null;
  switch (stream.holding) {
    case 'direct_payment':
      return 'Direct Payment';
    case 'managed':
    case 'third_party':
    case 'individual_service_fund':
      return 'CASSR Managed Personal Budget';
    case 'mixed':
      return null;
  }
}

export const providerSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('provider'),
    name: z.string().trim().min(1, { message: 'Enter the name of the provider' }).max(200),
  }),
  z.object({
    kind: z.literal('personal_assistant'),
    name: z
      .string()
      .trim()
      .min(1, { message: 'Enter the name of the personal assistant' })
      .max(200),
    /** A spouse, partner or close relative living in the same household (SI 2014/2871 reg 3). */
    closeRelativeInHousehold: z.boolean().default(false),
    /** Why paying them is necessary, when they are such a relative. */
    necessaryReason: z.string().trim().max(2000).default(''),
  }),
]);
export type Provider = z.infer<typeof providerSchema>;

// ---------------------------------------------------------------------------------------------
// Costing

/** The most one unit may cost: £100,000. */
export const MAX_UNIT_COST_PENCE = 10_000_000;
/** The most one item may cost in a year (or once, for a one-off): £1,000,000. */
export const MAX_ITEM_ANNUAL_PENCE = 100_000_000;
/** The most units on one occasion. */
export const MAX_UNITS = 10_000;

export type CostField = 'unitCost' | 'units' | 'frequency';
export interface CostProblem {
  readonly field: CostField;
  readonly message: string;
}

export interface ItemCost {
  readonly frequency: Frequency;
  readonly oneOff: boolean;
  /** Unit cost × units, for one occasion. */
  readonly perOccasion: Pence;
  /** Null for a one-off item. */
  readonly weekly: Pence | null;
  readonly fourWeekly: Pence | null;
  /** For a one-off item, its whole cost, counted once. */
  readonly annual: Pence;
}

export type CostResult =
  | { readonly ok: true; readonly cost: ItemCost }
  | { readonly ok: false; readonly problems: readonly CostProblem[] };

/** Units as hundredths, or a problem. Accepts a number or the text typed into a form. */
export function readUnits(
  input: unknown,
):
  | { readonly ok: true; readonly hundredths: number }
  | { readonly ok: false; readonly message: string } {
  const problem = (message: string) => ({ ok: false as const, message });
  let n: number;
  if (typeof input === 'string') {
    const t = input.trim();
    if (t === '') return problem('Enter how many units');
    if (!/^\d+(\.\d+)?$/.test(t)) return problem('Units must be a number, like 3 or 7.5');
    n = Number(t);
  } else if (typeof input === 'number' && Number.isFinite(input)) {
    n = input;
  } else {
    return problem('Units must be a number, like 3 or 7.5');
  }
  const hundredths = Math.round(n * 100);
  if (Math.abs(n * 100 - hundredths) > 1e-6) {
    return problem('Units must have no more than 2 numbers after the decimal point');
  }
  if (hundredths <= 0) return problem('Units must be more than 0');
  if (n > MAX_UNITS) return problem('Units must be 10,000 or fewer');
  return { ok: true, hundredths };
}

/** numerator / denominator rounded to the nearest integer, half up (both not negative). */
function roundHalfUp(numerator: bigint, denominator: bigint): Pence {
  return pence(Number((numerator * 2n + denominator) / (denominator * 2n)));
}

/**
 * Costs one item: unit cost in pence × units × how often (text as typed, or structured).
 * Refuses, one problem per field: a unit cost that is not a whole number of pence, is negative
 * or is over £100,000; units that are not a positive number with at most 2 decimals or are over
 * 10,000; a frequency that does not parse; and an item costing over £1,000,000 a year. Never
 * throws. A unit cost of 0 is allowed (something free still belongs in the plan).
 */
export function costItem(input: {
  readonly unitCostPence: unknown;
  readonly units: unknown;
  readonly frequency: unknown;
}): CostResult {
  const problems: CostProblem[] = [];
  const c = input.unitCostPence;
  let unitCost: number | null = null;
  if (typeof c !== 'number' || !Number.isFinite(c)) {
    problems.push({ field: 'unitCost', message: 'Enter the unit cost in pounds and pence' });
  } else if (!Number.isInteger(c)) {
    problems.push({ field: 'unitCost', message: 'The unit cost must be in whole pence' });
  } else if (c < 0) {
    problems.push({ field: 'unitCost', message: 'The unit cost must not be negative' });
  } else if (c > MAX_UNIT_COST_PENCE) {
    problems.push({
      field: 'unitCost',
      message: `The unit cost must be ${formatPounds(pence(MAX_UNIT_COST_PENCE))} or less`,
    });
  } else {
    unitCost = c;
  }
  const units = readUnits(input.units);
  if (!units.ok) problems.push({ field: 'units', message: units.message });
  const frequency = readFrequency(input.frequency);
  if (!frequency.ok) problems.push({ field: 'frequency', message: frequency.message });
  if (unitCost === null || !units.ok || !frequency.ok) return { ok: false, problems };

  // Exact amounts as fractions of hundredths of a penny.
  const occasion = BigInt(unitCost) * BigInt(units.hundredths);
  const rate = timesPerYear(frequency.frequency);
  const yearN = rate === null ? occasion : occasion * rate.numerator;
  const yearD = rate === null ? 100n : 100n * rate.denominator;
  const annual = roundHalfUp(yearN, yearD);
  if (annual > MAX_ITEM_ANNUAL_PENCE) {
    const cost = `${formatPounds(annual)}${rate === null ? '' : ' a year'}`;
    return {
      ok: false,
      problems: [
        {
          field: 'unitCost',
          message: `This item would cost ${cost}, but the most one item may cost is ${formatPounds(pence(MAX_ITEM_ANNUAL_PENCE))} a year: check the unit cost, units and how often`,
        },
      ],
    };
  }
  return {
    ok: true,
    cost: {
      frequency: frequency.frequency,
      oneOff: rate === null,
      perOccasion: roundHalfUp(occasion, 100n),
      weekly: rate === null ? null : roundHalfUp(yearN, yearD * 52n),
      fourWeekly: rate === null ? null : roundHalfUp(yearN * 4n, yearD * 52n),
      annual,
    },
  };
}

export interface PlanCostTotals {
  /** Recurring items only. */
  readonly weekly: Pence;
  readonly fourWeekly: Pence;
  readonly recurringAnnual: Pence;
  /** One-off items, each counted once. */
  readonly oneOff: Pence;
  /** Recurring annual + one-off: what is compared with the indicative budget. */
  readonly annual: Pence;
}

/** Plan totals: the sums of the items' own rounded figures, so that what is shown adds up. */
export function totalCosts(costs: readonly ItemCost[]): PlanCostTotals {
  const recurring = costs.filter((c) => !c.oneOff);
  const recurringAnnual = sum(recurring.map((c) => c.annual));
  const oneOff = sum(costs.filter((c) => c.oneOff).map((c) => c.annual));
  return {
    weekly: sum(recurring.map((c) => c.weekly ?? pence(0))),
    fourWeekly: sum(recurring.map((c) => c.fourWeekly ?? pence(0))),
    recurringAnnual,
    oneOff,
    annual: sum([recurringAnnual, oneOff]),
  };
}

// ---------------------------------------------------------------------------------------------
// Items

export const planItemSchema = z.object({
  id,
  what: z
    .string()
    .trim()
    .min(1, { message: 'Say what the money is for' })
    .max(200, { message: 'What the money is for must be 200 characters or fewer' }),
  details: z
    .string()
    .trim()
    .max(2000, { message: 'The details must be 2,000 characters or fewer' })
    .default(''),
  category: z.enum(PLAN_ITEM_CATEGORIES, { message: 'Choose a category' }),
  provider: providerSchema,
  unitCostPence: z.number({ message: 'Enter the unit cost in pounds and pence' }),
  units: z.union([z.number(), z.string()], { message: 'Enter how many units' }),
  frequency: z.union([z.string(), z.record(z.string(), z.unknown())], {
    message: 'Enter how often',
  }),
  /** Null until the worker chooses; the plan check reports it. */
  streamId: z.string().nullable().default(null),
  outcomeIds: z.array(z.string()).default([]),
  /** Reasons recorded for spending rules that need one, by rule id. */
  ruleReasons: z.record(z.string(), z.string().trim().max(2000)).default({}),
});
export type PlanItem = z.infer<typeof planItemSchema>;
export type PlanItemInput = z.input<typeof planItemSchema>;
