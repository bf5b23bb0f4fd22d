// The API's view of one review: what it answers with (the review, the plan outcomes it rates,
// what was recorded) and what it accepts (recording a review, asking for an unplanned one). The
// list of a person's reviews is in plans-schemas.ts, with the plans that schedule them.
import { z } from 'zod';
import { GOAL_ACHIEVEMENTS } from '../measures/index.js';
import {
  UNPLANNED_REVIEW_REASONS,
  UNPLANNED_REVIEW_TRIGGERS,
  type ReviewPlan,
  type ReviewRecord,
  type UnplannedReviewTrigger,
} from '../reviews/index.js';
import { API_BASE } from './operations.js';
import { planHref, reviewSchema, reviewToJson } from './plans-schemas.js';

const civilDate = z.iso.date().meta({ description: 'A calendar date, YYYY-MM-DD' });
const id = z.uuid();

export const reviewHref = (reviewId: string): string => `${API_BASE}/reviews/${reviewId}`;

const TRIGGERS = Object.keys(UNPLANNED_REVIEW_TRIGGERS) as [
  UnplannedReviewTrigger,
  ...UnplannedReviewTrigger[],
];

const text = (what: string, max: number) =>
  z
    .string({ error: `${what} must be text` })
    .trim()
    .max(max, `${what} must be ${max.toLocaleString('en-GB')} characters or fewer`);

// ---------------------------------------------------------------------------------------------
// Request bodies

const outcomeRatingSchema = z.strictObject({
  outcomeId: z
    .string({ error: 'Name the plan outcome (its id)' })
    .min(1, 'Name the plan outcome (its id)')
    .max(100, 'An outcome id must be 100 characters or fewer'),
  achieved: z.enum(GOAL_ACHIEVEMENTS, {
    error: 'Say whether the outcome was achieved fully, partly or not',
  }),
});

const yesNo = (message: string) => z.boolean({ error: message });

export const reviewRecordInputSchema = z.strictObject({
  outcomes: z
    .array(outcomeRatingSchema, { error: 'Rate each of the plan’s outcomes (a list)' })
    .max(200, 'Rate 200 outcomes or fewer')
    .meta({
      description: 'Each outcome of the plan, once: whether it was achieved fully, partly or not',
    }),
  personView: text('The person’s view', 5000)
    .min(1, 'Write down what the person said')
    .meta({ description: 'What the person said, in their words' }),
  budgetSufficient: yesNo('Say whether the budget is still enough (true or false)'),
  usedAsAgreed: yesNo('Say whether the budget is used as agreed (true or false)'),
  usedAsAgreedNotes: text('How it is used differently', 5000)
    .optional()
    .meta({ description: 'How it is being used differently: needed when usedAsAgreed is false' }),
  changesNeeded: yesNo('Say whether the plan needs to change (true or false)'),
  changes: text('What needs to change', 5000)
    .optional()
    .meta({ description: 'What needs to change: needed when changesNeeded is true' }),
});
export type ReviewRecordBody = z.output<typeof reviewRecordInputSchema>;

export const unplannedReviewInputSchema = z.strictObject({
  reason: z
    .enum(UNPLANNED_REVIEW_REASONS, {
      error: `Choose why the review is needed: one of ${UNPLANNED_REVIEW_REASONS.join('; ')}`,
    })
    .meta({ description: 'The CLD review reason, spelled as NHS England spells it' }),
  trigger: z
    .enum(TRIGGERS, { error: `Choose what led to the review: one of ${TRIGGERS.join(', ')}` })
    .nullable()
    .optional()
    .meta({ description: 'What the law says calls for the review, if one of these; optional' }),
  details: text('What has happened', 2000)
    .min(1, 'Say what has happened')
    .meta({ description: 'What has happened' }),
  dueOn: z.iso
    .date({ error: 'The date the review is due must be a real date, YYYY-MM-DD' })
    .nullable()
    .optional()
    .meta({ description: 'When it is due, today or later; 4 weeks from today if left out' }),
});

// ---------------------------------------------------------------------------------------------
// Answers

const recordSchema = z.strictObject({
  outcomes: z.array(
    z.strictObject({
      outcomeId: z.string(),
      text: z.string(),
      achieved: z.enum(GOAL_ACHIEVEMENTS),
    }),
  ),
  personView: z.string(),
  budgetSufficient: z.boolean(),
  usedAsAgreed: z.boolean(),
  usedAsAgreedNotes: z.string(),
  changesNeeded: z.boolean(),
  changes: z.string(),
});

const requestSchema = z.strictObject({
  details: z.string(),
  trigger: z.enum(TRIGGERS).nullable(),
  source: z.string().nullable().meta({ description: 'The law behind the trigger, if any' }),
  requestedOn: civilDate,
});

export const reviewDetailSchema = z.strictObject({
  ...reviewSchema.shape,
  href: z.string(),
  personId: id,
  planId: id,
  planHref: z.string(),
  earliestOn: civilDate.nullable().meta({ description: 'The earliest it should be held' }),
  completedByName: z
    .string()
    .nullable()
    .meta({ description: 'Who recorded it: a member of staff, or “API client <name>”' }),
  planOutcomes: z
    .array(z.strictObject({ id: z.string(), text: z.string() }))
    .meta({ description: 'The outcomes of the plan reviewed: rate each when recording' }),
  record: recordSchema.nullable().meta({ description: 'What the review found, once recorded' }),
  request: requestSchema
    .nullable()
    .meta({ description: 'For an unplanned review: why it was asked for' }),
});

export const reviewRecordedSchema = z.strictObject({
  review: reviewDetailSchema,
  nextDueOn: civilDate.nullable().meta({
    description:
      'When the next planned review is due (scheduled on the same timetable); null for an unplanned review',
  }),
});

// ---------------------------------------------------------------------------------------------
// Records → JSON

const recordOf = (doc: Record<string, unknown> | null) => {
  const r = recordSchema.safeParse(doc?.record);
  return r.success ? r.data : null;
};
const requestOf = (doc: Record<string, unknown> | null) => {
  const r = requestSchema.safeParse(doc?.request);
  return r.success ? r.data : null;
};

export function reviewDetailToJson(review: ReviewRecord, plan: ReviewPlan) {
  return {
    ...reviewToJson(review),
    href: reviewHref(review.id),
    personId: review.personId,
    planId: review.planId,
    planHref: planHref(review.planId),
    earliestOn: review.earliestOn,
    completedByName: review.completedByName,
    planOutcomes: plan.outcomes.map((o) => ({ id: o.id, text: o.text })),
    record: recordOf(review.document),
    request: requestOf(review.document),
  };
}

/** The schemas the document names for this part of the API, by component name. */
export const REVIEW_OUTPUT_SCHEMAS = {
  ReviewDetail: reviewDetailSchema,
  ReviewRecorded: reviewRecordedSchema,
};

export const REVIEW_INPUT_SCHEMAS: Record<string, () => z.ZodType> = {
  ReviewRecordInput: () => reviewRecordInputSchema,
  UnplannedReviewInput: () => unplannedReviewInputSchema,
};
