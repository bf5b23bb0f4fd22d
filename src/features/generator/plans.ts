// Support plans and reviews for the generated partnership (issue 4): for each person's latest
// assessment, an approved plan costed within the indicative budget, and the reviews the law
// requires; about 2 % of people also have a new version waiting for sign-off. As CSV lines for
// COPY, deterministic from the assessment rows. The generated world is "as of" a fixed day, so
// the same seed always gives the same rows: reviews due before it were done a week early.
import type { IndicativeBudget } from '../allocation/index.js';
import type { HoldingOption, PlanDocument } from '../planning/index.js';
import { csvLine } from './rules.js';

export const PLAN_COLUMNS = [
  'id',
  'partnership_id',
  'person_id',
  'sequence',
  'allocation_id',
  'status',
  'document',
  'total_annual_pence',
  'indicative_annual_pence',
  'route',
  'version',
  'created_by',
  'created_at',
  'updated_by',
  'updated_at',
  'submitted_by',
  'submitted_at',
  'approved_on',
  'approved_at',
  'person_agreed_at',
  'person_agreement',
] as const;

export const REVIEW_COLUMNS = [
  'id',
  'partnership_id',
  'person_id',
  'plan_id',
  'kind',
  'rule',
  'earliest_on',
  'due_on',
  'status',
  'document',
  'completed_on',
  'completed_by',
  'completed_at',
] as const;

const DAY = 86_400_000;
const isoDay = (d: Date) => d.toISOString().slice(0, 10);
const plusDays = (d: Date, n: number) => new Date(d.getTime() + n * DAY);
/** The civil date n months later, the corresponding day clamped to the month's end. */
function plusMonths(d: Date, n: number): Date {
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + n;
  const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return new Date(Date.UTC(y, m, Math.min(d.getUTCDate(), last)));
}

export interface PlanRowsContext {
  partnershipId: string;
  /** Assessment rows, in person order (a person's rows are next to each other). */
  count: number;
  personOfRow: (r: number) => number;
  budget: (r: number) => IndicativeBudget;
  completedDay: (r: number) => Date;
  personId: (person: number) => string;
  coordinatorId: (person: number) => string;
  allocationId: (r: number) => string;
  /** Ids for plan rows and review rows. */
  planId: (r: number, version: number) => string;
  reviewId: (r: number, k: number) => string;
  /** The day the generated world stands on. */
  asOf: Date;
}

/** Whether row r is its person's latest assessment (the rows of one person are adjacent). */
export function isLatest(ctx: Pick<PlanRowsContext, 'count' | 'personOfRow'>, r: number): boolean {
  return r === ctx.count - 1 || ctx.personOfRow(r + 1) !== ctx.personOfRow(r);
}

/**
 * How the first stream's money is held, from the row number: most council social care is a
 * direct payment (on a prepaid card), some goes to a third party or an individual service fund,
 * some is managed; NHS and section 117 streams are managed.
 */
export function holdingFor(r: number, kind: string): HoldingOption {
  if (kind !== 'socialCare') return 'managed';
  const k = (r * 7) % 25;
  return k < 20
    ? 'direct_payment'
    : k < 22
      ? 'third_party'
      : k < 23
        ? 'individual_service_fund'
        : 'managed';
}

/** The plan's items: a personal assistant (70 %), leisure (15 %) and transport (the rest). */
export const GENERATED_ITEMS = [
  {
    id: 'pa',
    what: 'Personal assistant',
    category: 'personal_assistant',
    provider: 'Synthetic Support Ltd',
    share: 70,
  },
  {
    id: 'leisure',
    what: 'Gym and swimming',
    category: 'leisure',
    provider: 'Synthetic Leisure Trust',
    share: 15,
  },
  {
    id: 'transport',
    what: 'Bus and train fares',
    category: 'transport',
    provider: 'Synthetic Travel',
    share: 15,
  },
] as const;

export function documentFor(budget: IndicativeBudget, share: number, r: number): PlanDocument {
  const weekly = Math.floor((budget.weekly * share) / 100);
  const stream = budget.streams[0];
  const pa = Math.floor((weekly * 70) / 100);
  const leisure = Math.floor((weekly * 15) / 100);
  const costs = [pa, leisure, weekly - pa - leisure];
  return {
    outcomes: [
      { id: 'goal', text: 'To stay well and do more of what matters to me', needIds: [], note: '' },
    ],
    items: stream
      ? GENERATED_ITEMS.map((item, k) => ({
          id: item.id,
          what: item.what,
          details: '',
          category: item.category,
          provider: { kind: 'provider' as const, name: item.provider },
          unitCostPence: costs[k] ?? 0,
          units: 1,
          frequency: 'weekly' as const,
          streamId: stream.id,
          outcomeIds: ['goal'],
          ruleReasons: {},
        }))
      : [],
    streams: budget.streams.map((s, i) => ({
      id: s.id,
      name: s.name,
      body: s.kind === 'socialCare' || s.id === 'section-117-council' ? 'council' : 'nhs',
      holding:
        i === 0 ? holdingFor(r, s.kind) : s.kind === 'socialCare' ? 'direct_payment' : 'managed',
      managedBy: 'person',
    })),
    crisis: { whoToCall: 'The crisis team', whatToDo: 'Call them', setAsidePence: 0 },
    risks: [],
    riskManagementProcedure: null,
    overBudgetJustification: '',
    startsOn: null,
  };
}

const annualOf = (doc: PlanDocument) =>
  doc.items.reduce((t, i) => t + (i.unitCostPence ?? 0) * 52, 0);

export function planRows(ctx: PlanRowsContext) {
  /** Share of the weekly budget a person's plan costs, 60–95 %, from the row number. */
  const share = (r: number) => 60 + ((r * 37) % 36);
  const approvedDay = (r: number) => plusDays(ctx.completedDay(r), 14 + (r % 21));
  const waiting = (r: number) => r % 50 === 7;
  /** The day the first review of row r's plan was done, or null while due (1 in 10 overdue). */
  const firstReviewDoneOn = (r: number): Date | null => {
    const due = plusDays(approvedDay(r), 56);
    return due.getTime() >= ctx.asOf.getTime() || r % 10 === 3 ? null : plusDays(due, -7);
  };
  return {
    /** Row r's approved plan document (for the latest rows). */
    document: (r: number): PlanDocument => documentFor(ctx.budget(r), share(r), r),
    /** The day row r's plan was approved, or null when row r has none (not the latest). */
    approvedOn: (r: number): Date | null => (isLatest(ctx, r) ? approvedDay(r) : null),
    /** The first review of row r's plan and when it was done, or null if it is not done. */
    firstReviewDone: (r: number): { reviewId: string; on: Date } | null => {
      if (!isLatest(ctx, r)) return null;
      const on = firstReviewDoneOn(r);
      return on === null ? null : { reviewId: ctx.reviewId(r, 0), on };
    },
    plan: (r: number): string | null => {
      if (!isLatest(ctx, r)) return null;
      const person = ctx.personOfRow(r);
      const by = ctx.coordinatorId(person);
      const budget = ctx.budget(r);
      const doc = documentFor(budget, share(r), r);
      const total = annualOf(doc);
      const approved = approvedDay(r);
      const at = approved.toISOString();
      return csvLine([
        ctx.planId(r, 1),
        ctx.partnershipId,
        ctx.personId(person),
        1,
        ctx.allocationId(r),
        'approved',
        JSON.stringify(doc),
        total,
        budget.annual,
        'coordinator',
        3,
        by,
        at,
        by,
        at,
        by,
        at,
        isoDay(approved),
        at,
        at,
        JSON.stringify({ how: 'In person', by: 'the person' }),
      ]);
    },
    /** A second version waiting for sign-off, for about one person in 50. */
    waitingPlan: (r: number): string | null => {
      if (!isLatest(ctx, r) || !waiting(r)) return null;
      const person = ctx.personOfRow(r);
      const by = ctx.coordinatorId(person);
      const budget = ctx.budget(r);
      const over = r % 3 === 0;
      const doc = documentFor(budget, over ? 120 : 90, r);
      const total = annualOf(doc);
      const submitted = plusDays(ctx.asOf, -1 - (r % 30)).toISOString();
      return csvLine([
        ctx.planId(r, 2),
        ctx.partnershipId,
        ctx.personId(person),
        2,
        ctx.allocationId(r),
        'submitted',
        JSON.stringify({ ...doc, overBudgetJustification: over ? 'Needs changed' : '' }),
        total,
        budget.annual,
        over ? 'team_manager' : 'coordinator',
        2,
        by,
        submitted,
        by,
        submitted,
        by,
        submitted,
        null,
        null,
        null,
        null,
      ]);
    },
    /** The care plan's first review, and the annual one after it if the first is done. */
    reviews: (r: number): string | null => {
      if (!isLatest(ctx, r)) return null;
      const person = ctx.personOfRow(r);
      const by = ctx.coordinatorId(person);
      const approved = approvedDay(r);
      const due = plusDays(approved, 56);
      const earliest = plusDays(approved, 42);
      const planId = ctx.planId(r, 1);
      const done = firstReviewDoneOn(r);
      if (done === null) {
        // Not done yet (and one in ten overdue).
        return csvLine([
          ctx.reviewId(r, 0),
          ctx.partnershipId,
          ctx.personId(person),
          planId,
          'planned',
          'care_plan_first',
          isoDay(earliest),
          isoDay(due),
          'due',
          null,
          null,
          null,
          null,
        ]);
      }
      const next = plusMonths(done, 12);
      return (
        csvLine([
          ctx.reviewId(r, 0),
          ctx.partnershipId,
          ctx.personId(person),
          planId,
          'planned',
          'care_plan_first',
          isoDay(earliest),
          isoDay(due),
          'completed',
          JSON.stringify({ outcomes: [{ id: 'goal', achieved: 'partly' }], sufficient: true }),
          isoDay(done),
          by,
          done.toISOString(),
        ]) +
        csvLine([
          ctx.reviewId(r, 1),
          ctx.partnershipId,
          ctx.personId(person),
          planId,
          'planned',
          'care_plan_annual',
          null,
          isoDay(next),
          'due',
          null,
          null,
          null,
          null,
        ])
      );
    },
  };
}
