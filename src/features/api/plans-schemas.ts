// The API's view of support plans, their sign-off decisions and the reviews they schedule: the
// zod schemas it answers with and accepts (so they appear in the OpenAPI document), and the
// functions that turn the planning service's records into those shapes. Money is whole pence in
// fields ending Pence.
import { z } from 'zod';
import {
  planDocumentSchema,
  SIGN_OFF_LEVELS,
  type PlanRecord,
  type PlanView,
} from '../planning/index.js';
import { PLANNED_REVIEW_RULE_DETAILS, UNPLANNED_REVIEW_REASON_LABELS } from '../reviews/index.js';
import { allocationHref } from './assessments-schemas.js';
import { API_BASE } from './operations.js';

const instant = z.iso.datetime().meta({ description: 'An instant, ISO 8601 in UTC' });
const civilDate = z.iso.date().meta({ description: 'A calendar date, YYYY-MM-DD' });
const id = z.uuid();
const pence = (description: string) =>
  z
    .number()
    .int()
    .meta({ description: `${description}, in whole pence` });

export const planHref = (planId: string): string => `${API_BASE}/plans/${planId}`;
const personHref = (personId: string): string => `${API_BASE}/people/${personId}`;

const PLAN_STATUSES = ['draft', 'submitted', 'approved', 'refused', 'superseded'] as const;

// ---------------------------------------------------------------------------------------------
// Request bodies

const versionField = z
  .number({ error: 'Send the version of the plan you last read (a whole number from 1)' })
  .int('Version must be a whole number from 1')
  .min(1, 'Version must be a whole number from 1')
  .meta({
    description:
      'The version of the plan you last read. If someone has saved since, nothing is written and you get 409.',
  });

export const planSaveInputSchema = z.strictObject({
  version: versionField,
  document: planDocumentSchema.meta({
    description:
      'The whole plan document: outcomes, items, funding streams, crisis plan, risks, the NHS risk-management procedure, any over-budget justification and the start date. It replaces the one stored.',
  }),
});

export const planVersionInputSchema = z.strictObject({ version: versionField });

export const agreementInputSchema = z.strictObject({
  how: z
    .string({ error: 'Say how the person agreed to the plan' })
    .trim()
    .min(1, 'Say how the person agreed to the plan')
    .max(500, 'How they agreed must be 500 characters or fewer')
    .meta({ description: 'How they agreed, for example “Signed in person at home”' }),
  by: z
    .string({ error: 'Say who agreed: the person, or who for them' })
    .trim()
    .min(1, 'Say who agreed: the person, or who for them')
    .max(200, 'Who agreed must be 200 characters or fewer')
    .meta({ description: 'Who agreed: the person, or their representative' }),
});

// ---------------------------------------------------------------------------------------------
// Answers

const routeField = z
  .enum(SIGN_OFF_LEVELS)
  .nullable()
  .meta({ description: 'Who must sign it off (set when submitted), or null for a draft' });

export const planSummarySchema = z.strictObject({
  id,
  href: z.string(),
  sequence: z.number().int().min(1).meta({ description: '1 for the first plan, then 2, 3…' }),
  status: z.enum(PLAN_STATUSES),
  version: z.number().int().min(1),
  route: routeField,
  totalAnnualPence: pence('What the plan costs a year (as last saved)'),
  indicativeAnnualPence: pence('The indicative budget the plan started from')
    .nullable()
    .meta({ description: 'The indicative annual budget, in whole pence; null if there was none' }),
  createdAt: instant,
  updatedAt: instant,
  submittedAt: instant.nullable(),
  approvedOn: civilDate.nullable(),
});

export const planListSchema = z.strictObject({
  items: z.array(planSummarySchema).meta({ description: 'Newest version first' }),
});

export const planProblemSchema = z.strictObject({
  rule: z.string().meta({ description: 'The plan check rule’s ID, for example no_outcomes' }),
  title: z.string().meta({ description: 'The rule’s name (for a spending rule, its own)' }),
  message: z.string(),
  source: z.string().meta({ description: 'Where the rule comes from (law, guidance or policy)' }),
  itemId: z.string().nullable(),
  outcomeId: z.string().nullable(),
  field: z.string().nullable().meta({ description: 'For an item cost problem: which field' }),
  spendingRuleId: z.string().nullable(),
});

const decisionSchema = z.strictObject({
  id,
  step: z.enum(SIGN_OFF_LEVELS),
  outcome: z.enum(['approved', 'refused', 'escalated']),
  reason: z.string().nullable(),
  decidedByName: z.string().nullable(),
  decidedAt: instant,
});

export const planSchema = z.strictObject({
  ...planSummarySchema.shape,
  version: z.number().int().min(1).meta({
    description: 'Goes up by one on every save. Send it back to save or submit.',
  }),
  personId: id,
  personHref: z.string(),
  allocationId: id.nullable(),
  allocationHref: z.string().nullable(),
  document: planDocumentSchema,
  totals: z.strictObject({
    weeklyPence: pence('Recurring items a week'),
    fourWeeklyPence: pence('Recurring items every four weeks'),
    recurringAnnualPence: pence('Recurring items a year'),
    oneOffPence: pence('One-off items, each counted once'),
    annualPence: pence('Recurring a year plus one-off: compared with the indicative budget'),
  }),
  budget: z
    .strictObject({
      status: z.enum(['under', 'within', 'over']),
      indicativePence: pence('The indicative annual budget'),
      differencePence: pence('The total less the indicative budget (negative when under)'),
      tolerancePence: pence('How far either side still counts as within'),
    })
    .nullable()
    .meta({ description: 'The total against the indicative budget; null without one' }),
  check: z.strictObject({
    ok: z.boolean().meta({ description: 'True when nothing needs putting right to submit' }),
    problems: z.array(planProblemSchema),
  }),
  decisions: z.array(decisionSchema).meta({ description: 'The sign-off decisions made' }),
  personAgreement: z
    .strictObject({ how: z.string(), by: z.string(), agreedAt: instant })
    .nullable()
    .meta({ description: 'The person’s agreement to the plan, or null until recorded' }),
});

export const submittedSchema = z.strictObject({
  route: z.enum(SIGN_OFF_LEVELS).meta({ description: 'Who must sign it off' }),
  plan: planSchema,
});

export const reviewSchema = z.strictObject({
  id,
  kind: z.enum(['planned', 'unplanned']),
  rule: z.string().meta({
    description: 'The rule that requires a planned review, or the reason for an unplanned one',
  }),
  label: z.string().nullable(),
  source: z.string().nullable().meta({ description: 'The law or guidance behind the rule' }),
  dueOn: civilDate,
  status: z.enum(['due', 'completed', 'cancelled']),
  completedOn: civilDate.nullable(),
});

export const reviewListSchema = z.strictObject({
  items: z.array(reviewSchema).meta({ description: 'By due date, earliest first' }),
});

// ---------------------------------------------------------------------------------------------
// Records → JSON

export function planSummaryToJson(p: PlanRecord) {
  return {
    id: p.id,
    href: planHref(p.id),
    sequence: p.sequence,
    status: p.status,
    version: p.version,
    route: p.route,
    totalAnnualPence: p.totalAnnual,
    indicativeAnnualPence: p.indicativeAnnual,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
    submittedAt: p.submittedAt?.toISOString() ?? null,
    approvedOn: p.approvedOn,
  };
}

export function planToJson(view: PlanView) {
  const p = view.plan;
  const { totals, budget } = view.check;
  return {
    ...planSummaryToJson(p),
    personId: view.person.id,
    personHref: personHref(view.person.id),
    allocationId: p.allocationId,
    allocationHref: p.allocationId ? allocationHref(p.allocationId) : null,
    document: p.document,
    totals: {
      weeklyPence: totals.weekly,
      fourWeeklyPence: totals.fourWeekly,
      recurringAnnualPence: totals.recurringAnnual,
      oneOffPence: totals.oneOff,
      annualPence: totals.annual,
    },
    budget: budget
      ? {
          status: budget.status,
          indicativePence: budget.indicative,
          differencePence: budget.difference,
          tolerancePence: budget.tolerance,
        }
      : null,
    check: {
      ok: view.check.ok,
      problems: view.check.problems.map((x) => ({
        rule: x.rule,
        title: x.title,
        message: x.message,
        source: x.source,
        itemId: x.itemId ?? null,
        outcomeId: x.outcomeId ?? null,
        field: x.field ?? null,
        spendingRuleId: x.spendingRuleId ?? null,
      })),
    },
    decisions: view.decisions.map((d) => ({
      id: d.id,
      step: d.step,
      outcome: d.outcome,
      reason: d.reason,
      decidedByName: d.decidedByName,
      decidedAt: d.decidedAt.toISOString(),
    })),
    personAgreement:
      p.personAgreement && p.personAgreedAt
        ? { ...p.personAgreement, agreedAt: p.personAgreedAt.toISOString() }
        : null,
  };
}

interface ReviewRecord {
  id: string;
  kind: string;
  rule: string;
  dueOn: string;
  status: string;
  completedOn: string | null;
}

export function reviewToJson(r: ReviewRecord) {
  const planned = (
    PLANNED_REVIEW_RULE_DETAILS as Record<string, { label: string; source: string }>
  )[r.rule];
  const unplanned = (UNPLANNED_REVIEW_REASON_LABELS as Record<string, string>)[r.rule];
  return {
    id: r.id,
    kind: r.kind,
    rule: r.rule,
    label: planned?.label ?? unplanned ?? null,
    source: planned?.source ?? null,
    dueOn: r.dueOn,
    status: r.status,
    completedOn: r.completedOn,
  };
}

/** The schemas the document names for this part of the API, by component name. */
export const PLAN_OUTPUT_SCHEMAS = {
  Plan: planSchema,
  PlanSummary: planSummarySchema,
  PlanList: planListSchema,
  PlanProblem: planProblemSchema,
  PlanSubmitted: submittedSchema,
  Review: reviewSchema,
  ReviewList: reviewListSchema,
};

export const PLAN_INPUT_SCHEMAS: Record<string, () => z.ZodType> = {
  PlanSaveInput: () => planSaveInputSchema,
  PlanVersionInput: () => planVersionInputSchema,
  PlanAgreementInput: () => agreementInputSchema,
};
