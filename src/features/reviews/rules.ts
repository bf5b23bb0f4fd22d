// When a support plan and its budgets must be reviewed, by the legal timetable. Pure rules: no
// database, no web framework, no clock ("today" is passed in). Dates are civil dates.
//
// Sources (../shared/domain/DOMAIN.md sections 1.3 stage 8, 2.4, 3.2, 3.3 and 5.1):
// - Care and support plan: Care Act 2014 s27 (keep plans under review) and the statutory
//   guidance's expectation of a light-touch review 6 to 8 weeks after sign-off, then at least
//   every 12 months (DOMAIN.md 3.2).
// - Social care direct payment: Care and Support (Direct Payments) Regulations 2014
//   (SI 2014/2871) reg 7: at least once in the first 6 months, then at intervals of no more than
//   12 months (DOMAIN.md 3.3).
// - NHS direct payment: NHS (Direct Payments) Regulations 2013 (SI 2013/1617) reg 14, understood
//   to keep the 2010 pilot timing (SI 2010/1000 reg 17, verified): at least once within the first
//   3 months of the direct payment, then at intervals of no more than 12 months (DOMAIN.md 2.4;
//   the 2013 wording is marked [R] there and still to be checked).
// - Other personal health budgets (notional or third party): the direct payment regulations do
//   not apply. We use the same "3 months, then 12 months" timetable (the issue and DOMAIN.md 1.3
//   stage 8), counted from the day the budget starts, because there is no payment to count from.
// - Unplanned reviews carry the Client Level Data review reasons exactly as NHS England spells
//   them (DOMAIN.md 5.1).
import { z } from 'zod';
import {
  CivilDateSchema,
  compareCivilDates,
  daysInMonth,
  addDays,
  parseCivilDate,
  type CivilDate,
} from '../../platform/dates.js';

// ---------------------------------------------------------------------------------------------
// Calendar arithmetic

function partsOf(date: CivilDate): [number, number, number] {
  const [y, m, d] = date.split('-').map(Number);
  return [y ?? 0, m ?? 0, d ?? 0];
}

function format(y: number, m: number, d: number): CivilDate {
  return parseCivilDate(
    `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`,
  );
}

/** The date `days` days after (or, if negative, before) `date`. */
export { addDays };

/**
 * The date `months` calendar months after (or before) `date`, by the "corresponding date" rule:
 * the same day number in the later month, or, when that month is too short, its last day.
 * So 31 January + 1 month = 28 February (29 February in a leap year), 31 August + 6 months =
 * the end of February, and 29 February 2028 + 12 months = 28 February 2029. This is how a
 * period of months is counted in English law (Dodds v Walker [1981]; general knowledge, not in
 * DOMAIN.md), and it never overshoots into the following month. Note that it is not
 * reversible: adding 1 month to 28 February gives 28 March, not 31 March.
 */
export function addMonths(date: CivilDate, months: number): CivilDate {
  if (!Number.isInteger(months)) {
    throw new RangeError(`not a whole number of months: ${String(months)}`);
  }
  const [y, m, d] = partsOf(date);
  const index = y * 12 + (m - 1) + months;
  const year = Math.floor(index / 12);
  const month = index - year * 12 + 1;
  if (year < 1 || year > 9999) throw new RangeError('date out of range');
  return format(year, month, Math.min(d, daysInMonth(year, month)));
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: CivilDate, to: CivilDate): number {
  const [y1, m1, d1] = partsOf(from);
  const [y2, m2, d2] = partsOf(to);
  return Math.round((Date.UTC(y2, m2 - 1, d2) - Date.UTC(y1, m1 - 1, d1)) / 86_400_000);
}

function later(a: CivilDate, b: CivilDate): CivilDate {
  return compareCivilDates(a, b) >= 0 ? a : b;
}

// ---------------------------------------------------------------------------------------------
// The timetable

/** Ids of the planned-review rules; `reviews.rule` in migrations/0004 stores these. */
export const PLANNED_REVIEW_RULES = [
  'care_plan_first',
  'care_plan_annual',
  'social_care_dp_first',
  'social_care_dp_annual',
  'nhs_dp_first',
  'nhs_dp_annual',
  'phb_first',
  'phb_annual',
] as const;
export type PlannedReviewRule = (typeof PLANNED_REVIEW_RULES)[number];

export const PLANNED_REVIEW_RULE_DETAILS: Readonly<
  Record<PlannedReviewRule, { readonly label: string; readonly source: string }>
> = {
  care_plan_first: {
    label: 'First review of the care and support plan, 6 to 8 weeks after sign-off',
    source:
      'Care Act 2014 section 27 and the Care and Support Statutory Guidance (review 6 to 8 weeks after sign-off)',
  },
  care_plan_annual: {
    label: 'Review of the care and support plan, at least every 12 months',
    source: 'Care Act 2014 section 27 and the Care and Support Statutory Guidance',
  },
  social_care_dp_first: {
    label: 'First review of the direct payment, within 6 months of the first payment',
    source: 'Care and Support (Direct Payments) Regulations 2014 (SI 2014/2871), regulation 7',
  },
  social_care_dp_annual: {
    label: 'Review of the direct payment, at least every 12 months',
    source: 'Care and Support (Direct Payments) Regulations 2014 (SI 2014/2871), regulation 7',
  },
  nhs_dp_first: {
    label: 'First review of the NHS direct payment, within 3 months of the first payment',
    source:
      'National Health Service (Direct Payments) Regulations 2013 (SI 2013/1617), regulation 14 (timing as in SI 2010/1000, regulation 17)',
  },
  nhs_dp_annual: {
    label: 'Review of the NHS direct payment, at least every 12 months',
    source:
      'National Health Service (Direct Payments) Regulations 2013 (SI 2013/1617), regulation 14 (timing as in SI 2010/1000, regulation 17)',
  },
  phb_first: {
    label: 'First review of the personal health budget, within 3 months of it starting',
    source:
      'Partnership timetable for notional and third-party personal health budgets, following the NHS direct payment regulations (SI 2013/1617)',
  },
  phb_annual: {
    label: 'Review of the personal health budget, at least every 12 months',
    source:
      'Partnership timetable for notional and third-party personal health budgets, following the NHS direct payment regulations (SI 2013/1617)',
  },
};

/**
 * How a budget's money is held (issue 4 point 1; DOMAIN.md 2.3 and 3.2). The same list as
 * planning's (a test checks); kept here because a rules file may not import another feature.
 */
export const HOLDING_OPTIONS = [
  'direct_payment',
  'managed',
  'third_party',
  'individual_service_fund',
  'mixed',
] as const;
export type HoldingOption = (typeof HOLDING_OPTIONS)[number];

/** Which body's money a funding stream is: the council's (Care Act) or the NHS's. */
export const FUNDING_BODIES = ['council', 'nhs'] as const;
export type FundingBody = (typeof FUNDING_BODIES)[number];

/** A funding stream of the signed-off plan, as far as the review timetable needs it. */
export interface ReviewStream {
  readonly id: string;
  readonly body: FundingBody;
  readonly holding: HoldingOption;
  /** The day the first direct payment was made; null or absent until it has been. */
  readonly firstPaymentOn?: CivilDate | null;
  /** For an NHS budget not (only) paid directly: the day it started; absent = the sign-off. */
  readonly startsOn?: CivilDate | null;
}

/** A review that has been carried out, of this plan version or an earlier one. */
export interface CompletedReview {
  readonly completedOn: CivilDate;
  /**
   * What it reviewed. Absent means everything: the plan and every budget. A review counts for a
   * timetable only if it covered it and was completed on or after that timetable's start.
   */
  readonly covers?: { readonly carePlan: boolean; readonly streamIds: readonly string[] };
}

export type ReviewStatus = 'upcoming' | 'due' | 'overdue';

export interface ReviewRequirement {
  readonly rule: PlannedReviewRule;
  readonly label: string;
  readonly source: string;
  /** The funding stream the rule is about; null for the care and support plan itself. */
  readonly streamId: string | null;
  /** What the due date is counted from. */
  readonly countedFrom: {
    readonly event: 'sign_off' | 'first_payment' | 'budget_start' | 'last_review';
    readonly on: CivilDate;
  };
  /** The start of the review window, where the rule sets one (6 weeks after sign-off). */
  readonly earliestOn: CivilDate | null;
  readonly dueOn: CivilDate;
  readonly status: ReviewStatus;
  /** Days past the due date; 0 unless overdue. */
  readonly daysOverdue: number;
}

/** A timetable that cannot start yet: a direct payment not paid for the first time. */
export interface WaitingRequirement {
  readonly rule: PlannedReviewRule;
  readonly streamId: string;
  readonly message: string;
}

export interface ReviewSchedule {
  /** Every requirement, soonest due first. */
  readonly requirements: readonly ReviewRequirement[];
  /** The soonest due requirement, or null when there is none. */
  readonly next: ReviewRequirement | null;
  readonly waiting: readonly WaitingRequirement[];
}

export interface ScheduleInput {
  /** The day this version of the plan was signed off. */
  readonly signedOffOn: CivilDate;
  readonly streams: readonly ReviewStream[];
  readonly completedReviews: readonly CompletedReview[];
  readonly today: CivilDate;
  /**
   * A requirement with no window of its own counts as due this many days before its due date
   * (default 28), so a team sees it coming. Overdue is always the day after the due date.
   */
  readonly dueSoonDays?: number;
}

export const DEFAULT_DUE_SOON_DAYS = 28;

interface Timetable {
  readonly first: PlannedReviewRule;
  readonly annual: PlannedReviewRule;
  readonly streamId: string | null;
  readonly start: ReviewRequirement['countedFrom'];
  readonly firstWindow: (start: CivilDate) => { earliestOn: CivilDate | null; dueOn: CivilDate };
}

function counts(review: CompletedReview, t: Timetable): boolean {
  if (compareCivilDates(review.completedOn, t.start.on) < 0) return false;
  if (!review.covers) return true;
  return t.streamId === null
    ? review.covers.carePlan
    : review.covers.streamIds.includes(t.streamId);
}

/** Due within n months of the start, no window. */
const withinMonths =
  (n: number) =>
  (start: CivilDate): { earliestOn: CivilDate | null; dueOn: CivilDate } => ({
    earliestOn: null,
    dueOn: addMonths(start, n),
  });

function timetables(input: ScheduleInput, waiting: WaitingRequirement[]): Timetable[] {
  const out: Timetable[] = [
    {
      first: 'care_plan_first',
      annual: 'care_plan_annual',
      streamId: null,
      start: { event: 'sign_off', on: input.signedOffOn },
      firstWindow: (start) => ({ earliestOn: addDays(start, 42), dueOn: addDays(start, 56) }),
    },
  ];
  for (const s of input.streams) {
    const paidDirectly = s.holding === 'direct_payment' || s.holding === 'mixed';
    if (paidDirectly) {
      const [first, annual, months]: [PlannedReviewRule, PlannedReviewRule, number] =
        s.body === 'council'
          ? ['social_care_dp_first', 'social_care_dp_annual', 6]
          : ['nhs_dp_first', 'nhs_dp_annual', 3];
      if (s.firstPaymentOn) {
        out.push({
          first,
          annual,
          streamId: s.id,
          start: { event: 'first_payment', on: s.firstPaymentOn },
          firstWindow: withinMonths(months),
        });
      } else {
        waiting.push({
          rule: first,
          streamId: s.id,
          message: `Waiting for the first direct payment: the first review is due within ${String(months)} months of it`,
        });
      }
    }
    // An NHS budget held (wholly or partly) by the NHS or a third party starts when it starts,
    // not when something is paid; a mixed one has both timetables and one review can meet both.
    if (s.body === 'nhs' && s.holding !== 'direct_payment') {
      out.push({
        first: 'phb_first',
        annual: 'phb_annual',
        streamId: s.id,
        start: { event: 'budget_start', on: s.startsOn ?? input.signedOffOn },
        firstWindow: withinMonths(3),
      });
    }
  }
  return out;
}

/** Where a requirement stands on `today`. */
export function reviewStatus(
  req: { readonly earliestOn: CivilDate | null; readonly dueOn: CivilDate },
  today: CivilDate,
  dueSoonDays: number = DEFAULT_DUE_SOON_DAYS,
): ReviewStatus {
  if (compareCivilDates(today, req.dueOn) > 0) return 'overdue';
  const opens = req.earliestOn ?? addDays(req.dueOn, -dueSoonDays);
  return compareCivilDates(today, opens) >= 0 ? 'due' : 'upcoming';
}

/**
 * The planned reviews a signed-off plan needs next, one per timetable: the care and support
 * plan, and each funding stream with its own legal timetable (direct payments; NHS personal
 * health budgets). For each: if no covering review has been completed since the timetable
 * started, the first review (6 to 8 weeks, 6 months or 3 months); otherwise 12 months after the
 * latest covering review. Any completed review counts, planned or unplanned, even one held
 * before a window opens: the law sets the latest date, not the earliest. A new version of the
 * plan has its own sign-off, so it gets its own 6 to 8 week review.
 */
export function scheduleReviews(input: ScheduleInput): ReviewSchedule {
  const dueSoonDays = input.dueSoonDays ?? DEFAULT_DUE_SOON_DAYS;
  if (!Number.isInteger(dueSoonDays) || dueSoonDays < 0) {
    throw new RangeError('dueSoonDays must be a whole number, 0 or more');
  }
  const waiting: WaitingRequirement[] = [];
  const requirements = timetables(input, waiting).map((t): ReviewRequirement => {
    const done = input.completedReviews.filter((r) => counts(r, t));
    const latest = done.reduce<CivilDate | null>(
      (a, r) => (a === null ? r.completedOn : later(a, r.completedOn)),
      null,
    );
    const rule = latest === null ? t.first : t.annual;
    const countedFrom: ReviewRequirement['countedFrom'] =
      latest === null ? t.start : { event: 'last_review', on: latest };
    const window =
      latest === null
        ? t.firstWindow(t.start.on)
        : { earliestOn: null, dueOn: addMonths(latest, 12) };
    const status = reviewStatus(window, input.today, dueSoonDays);
    return {
      rule,
      ...PLANNED_REVIEW_RULE_DETAILS[rule],
      streamId: t.streamId,
      countedFrom,
      ...window,
      status,
      daysOverdue: status === 'overdue' ? daysBetween(window.dueOn, input.today) : 0,
    };
  });
  const order = (r: PlannedReviewRule) => PLANNED_REVIEW_RULES.indexOf(r);
  requirements.sort(
    (a, b) =>
      compareCivilDates(a.dueOn, b.dueOn) ||
      order(a.rule) - order(b.rule) ||
      (a.streamId ?? '').localeCompare(b.streamId ?? ''),
  );
  return { requirements, next: requirements[0] ?? null, waiting };
}

// ---------------------------------------------------------------------------------------------
// Unplanned reviews

/** Client Level Data "Review Reason" values, exactly as NHS England spells them (DOMAIN.md 5.1). */
export const CLD_REVIEW_REASONS = [
  'Planned',
  'Unplanned - Hospital (Planned and unplanned episodes)',
  'Unplanned - Carer related',
  'Unplanned - Safeguarding concern',
  'Unplanned - Other Reason',
  'Unplanned - Provider Failure',
  'Unplanned - Change in Commissioning arrangements',
] as const;
export type CldReviewReason = (typeof CLD_REVIEW_REASONS)[number];

export const UNPLANNED_REVIEW_REASONS = CLD_REVIEW_REASONS.filter(
  (r): r is Exclude<CldReviewReason, 'Planned'> => r !== 'Planned',
) as [Exclude<CldReviewReason, 'Planned'>, ...Exclude<CldReviewReason, 'Planned'>[]];
export type UnplannedReviewReason = (typeof UNPLANNED_REVIEW_REASONS)[number];

/** Plain-English labels for the unplanned reasons, for forms and lists. */
export const UNPLANNED_REVIEW_REASON_LABELS: Readonly<Record<UnplannedReviewReason, string>> = {
  'Unplanned - Hospital (Planned and unplanned episodes)': 'A stay in hospital, planned or not',
  'Unplanned - Carer related': 'Something has changed for a carer',
  'Unplanned - Safeguarding concern': 'A safeguarding concern',
  'Unplanned - Other Reason': 'Another reason',
  'Unplanned - Provider Failure': 'A provider has stopped or failed',
  'Unplanned - Change in Commissioning arrangements': 'A change in how support is commissioned',
};

/**
 * Events the law says call for a review outside the timetable, with the CLD reason each is
 * reported under. Recording one is optional; it explains why the review was held.
 */
export const UNPLANNED_REVIEW_TRIGGERS = {
  person_asked: {
    label: 'The person, or someone on their behalf, asked for a review',
    source: 'Care Act 2014 section 27(1)(b)',
    reportedAs: 'Unplanned - Other Reason',
  },
  dp_condition_breached: {
    label: 'A condition of the direct payment may have been broken',
    source: 'Care and Support (Direct Payments) Regulations 2014 (SI 2014/2871), regulation 7',
    reportedAs: 'Unplanned - Other Reason',
  },
  dp_capacity_or_conditions_changed: {
    label: "The person's capacity, or the conditions for a direct payment, have changed",
    source: 'Care and Support (Direct Payments) Regulations 2014 (SI 2014/2871), regulation 7',
    reportedAs: 'Unplanned - Other Reason',
  },
  dp_misuse_concern: {
    label: 'Someone is worried the direct payment is being misused',
    source: 'Care and Support (Direct Payments) Regulations 2014 (SI 2014/2871), regulation 7',
    reportedAs: 'Unplanned - Safeguarding concern',
  },
  nhs_health_changed: {
    label: "The person's health has changed significantly",
    source: 'NHS direct payment regulations (SI 2010/1000 regulation 17; SI 2013/1617)',
    reportedAs: 'Unplanned - Other Reason',
  },
  nhs_dp_insufficient: {
    label: 'The NHS direct payment has not been enough',
    source: 'NHS direct payment regulations (SI 2010/1000 regulation 17; SI 2013/1617)',
    reportedAs: 'Unplanned - Other Reason',
  },
} as const satisfies Record<
  string,
  { label: string; source: string; reportedAs: UnplannedReviewReason }
>;
export type UnplannedReviewTrigger = keyof typeof UNPLANNED_REVIEW_TRIGGERS;

/** Without a due date, an unplanned review is due 4 weeks after it is asked for (our choice). */
export const DEFAULT_UNPLANNED_DUE_DAYS = 28;

export const unplannedReviewSchema = z
  .object({
    reason: z.enum(UNPLANNED_REVIEW_REASONS, { message: 'Choose why the review is needed' }),
    trigger: z
      .enum(
        Object.keys(UNPLANNED_REVIEW_TRIGGERS) as [
          UnplannedReviewTrigger,
          ...UnplannedReviewTrigger[],
        ],
        { message: 'Choose what led to the review from the list' },
      )
      .nullable()
      .default(null),
    details: z
      .string()
      .trim()
      .min(1, { message: 'Say what has happened' })
      .max(2000, { message: 'What has happened must be 2,000 characters or fewer' }),
    requestedOn: CivilDateSchema,
    dueOn: CivilDateSchema.nullable().default(null),
  })
  .superRefine((v, ctx) => {
    if (v.dueOn !== null && compareCivilDates(v.dueOn, v.requestedOn) < 0) {
      ctx.addIssue({
        code: 'custom',
        message: 'The date the review is due must be on or after the date it was asked for',
        path: ['dueOn'],
      });
    }
  });
export type UnplannedReviewInput = z.input<typeof unplannedReviewSchema>;

export interface UnplannedReview {
  readonly kind: 'unplanned';
  /** The CLD review reason; `reviews.rule` stores it for an unplanned review. */
  readonly rule: UnplannedReviewReason;
  readonly trigger: UnplannedReviewTrigger | null;
  readonly source: string | null;
  readonly details: string;
  readonly requestedOn: CivilDate;
  readonly earliestOn: null;
  readonly dueOn: CivilDate;
}

/** Checks and dates an unplanned review; refuses with one message per problem, never throws. */
export function scheduleUnplannedReview(
  input: unknown,
):
  | { readonly ok: true; readonly review: UnplannedReview }
  | { readonly ok: false; readonly messages: readonly string[] } {
  const r = unplannedReviewSchema.safeParse(input);
  if (!r.success) return { ok: false, messages: r.error.issues.map((i) => i.message) };
  const v = r.data;
  const requestedOn = v.requestedOn;
  return {
    ok: true,
    review: {
      kind: 'unplanned',
      rule: v.reason,
      trigger: v.trigger,
      source: v.trigger === null ? null : UNPLANNED_REVIEW_TRIGGERS[v.trigger].source,
      details: v.details,
      requestedOn,
      earliestOn: null,
      dueOn: v.dueOn ?? addDays(requestedOn, DEFAULT_UNPLANNED_DUE_DAYS),
    },
  };
}
