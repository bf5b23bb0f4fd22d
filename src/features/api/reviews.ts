// /api/v1 for one review: read it, record what it found (which schedules the next planned review
// on the same timetable), and ask for an unplanned review with its CLD reason. Every call goes
// through the reviews service, which applies the people feature's access rule and audits in the
// same transaction as the data. The list of a person's reviews is in plans.ts.
import { z } from 'zod';
import type { Db } from '../../platform/db/database.js';
import { todayInLondon, type CivilDate } from '../../platform/dates.js';
import { Invalid, type FieldError } from '../../platform/http/errors.js';
import {
  createReviewService,
  scheduleUnplannedReview,
  type ReviewPlan,
  type ReviewRecordInput,
} from '../reviews/index.js';
import { defineOperation, type Operation } from './operations.js';
import { fieldErrors, parseOrInvalid } from './register.js';
import {
  reviewDetailToJson,
  reviewHref,
  reviewRecordInputSchema,
  unplannedReviewInputSchema,
} from './reviews-schemas.js';

export interface ReviewApiDeps {
  db: Db;
  now: () => Date;
}

const reviewIdParams = z.strictObject({
  id: z.string().meta({ description: 'The review’s ID (a UUID)' }),
});
const personIdParams = z.strictObject({
  id: z.string().meta({ description: 'The person’s ID (a UUID)' }),
});

const blank = (v: unknown) => typeof v !== 'string' || v.trim() === '';

/**
 * The body as the service's input, or Invalid naming every field to fix: the body's own fields,
 * the notes or changes a false or true answer needs, and each of the plan's outcomes rated once.
 */
export function parseReviewRecord(
  body: Record<string, unknown>,
  plan: Pick<ReviewPlan, 'outcomes'>,
): ReviewRecordInput {
  const parsed = reviewRecordInputSchema.safeParse(body);
  const errors: FieldError[] = parsed.success ? [] : fieldErrors(parsed.error, 'body');
  const has = (field: string) => errors.some((e) => e.field === field);
  if (body.usedAsAgreed === false && blank(body.usedAsAgreedNotes) && !has('usedAsAgreedNotes'))
    errors.push({ field: 'usedAsAgreedNotes', message: 'Say how it is being used differently' });
  if (body.changesNeeded === true && blank(body.changes) && !has('changes'))
    errors.push({ field: 'changes', message: 'Say what needs to change' });
  const outcomes: ReviewRecordInput['outcomes'] = [];
  if (parsed.success) {
    const texts = new Map(plan.outcomes.map((o) => [o.id, o.text]));
    const seen = new Set<string>();
    parsed.data.outcomes.forEach((o, i) => {
      const text = texts.get(o.outcomeId);
      if (text === undefined)
        errors.push({
          field: `outcomes.${String(i)}.outcomeId`,
          message: `The plan has no outcome ${o.outcomeId}`,
        });
      else if (seen.has(o.outcomeId))
        errors.push({
          field: `outcomes.${String(i)}.outcomeId`,
          message: `Outcome ${o.outcomeId} is rated more than once`,
        });
      else outcomes.push({ outcomeId: o.outcomeId, text, achieved: o.achieved });
      seen.add(o.outcomeId);
    });
    const missing = plan.outcomes.filter((o) => !seen.has(o.id));
    if (missing.length > 0)
      errors.push({
        field: 'outcomes',
        message: `Say whether each outcome was achieved fully, partly or not: ${missing
          .map((o) => `“${o.text}” (${o.id})`)
          .join(', ')}`,
      });
  }
  if (errors.length > 0 || !parsed.success) throw new Invalid(errors);
  const v = parsed.data;
  return {
    outcomes,
    personView: v.personView,
    budgetSufficient: v.budgetSufficient,
    usedAsAgreed: v.usedAsAgreed,
    usedAsAgreedNotes: v.usedAsAgreed ? '' : (v.usedAsAgreedNotes ?? ''),
    changesNeeded: v.changesNeeded,
    changes: v.changesNeeded ? (v.changes ?? '') : '',
  };
}

export function reviewOperations(deps: ReviewApiDeps): Operation[] {
  const service = createReviewService({ db: deps.db, now: deps.now });

  return [
    defineOperation({
      method: 'GET',
      path: '/reviews/:id',
      operationId: 'getReview',
      summary: 'Read one review',
      description:
        'The review (the rule that requires it, or its CLD reason), the outcomes of the plan it reviews, and what it found once recorded; for an unplanned review, why it was asked for.',
      tag: 'Reviews',
      permission: 'plans:read',
      alsoNeeds: ['people:read'],
      params: reviewIdParams,
      responses: { 200: { description: 'The review', schema: 'ReviewDetail' } },
      async handler({ params, ctx, reply }) {
        const { review, plan } = await service.get(ctx(), params.id);
        reply.header('Cache-Control', 'no-store');
        return reviewDetailToJson(review, plan);
      },
    }),

    defineOperation({
      method: 'POST',
      path: '/reviews/:id/record',
      operationId: 'recordReview',
      summary: 'Record what a review found',
      description:
        'Closes a due review with each plan outcome achieved fully, partly or not (kept as a goal attainment measure), the person’s view, whether the budget is still enough and used as agreed, and any changes needed (which are made in a new plan version). A planned review schedules the next one on the same timetable, at least every 12 months; `nextDueOn` says when. Each field to fix is named in the 400 problem.',
      tag: 'Reviews',
      permission: 'plans:write',
      alsoNeeds: ['people:write'],
      params: reviewIdParams,
      requestBody: { description: 'What the review found.', schema: 'ReviewRecordInput' },
      responses: {
        200: { description: 'Recorded', schema: 'ReviewRecorded' },
        409: { description: 'The review is already completed or cancelled', schema: 'Problem' },
      },
      async handler({ params, body, ctx, reply }) {
        const c = ctx();
        const { plan } = await service.get(c, params.id, 'write');
        const record = parseReviewRecord(body, plan);
        const { nextDueOn } = await service.complete(c, params.id, record);
        const view = await service.get(c, params.id);
        return reply
          .header('Cache-Control', 'no-store')
          .send({ review: reviewDetailToJson(view.review, view.plan), nextDueOn });
      },
    }),

    defineOperation({
      method: 'POST',
      path: '/people/:id/reviews',
      operationId: 'requestUnplannedReview',
      summary: 'Ask for an unplanned review',
      description:
        'An unplanned review of the person’s signed-off support plan, with its CLD review reason, what has happened and, optionally, what led to it and when it is due (4 weeks from today if not said).',
      tag: 'Reviews',
      permission: 'plans:write',
      alsoNeeds: ['people:write'],
      params: personIdParams,
      requestBody: {
        description: 'Why the review is needed.',
        schema: 'UnplannedReviewInput',
      },
      responses: {
        201: {
          description: 'Asked for: the new review',
          schema: 'ReviewDetail',
          headers: { Location: 'The review’s URL' },
        },
        409: { description: 'The person has no signed-off support plan', schema: 'Problem' },
      },
      async handler({ params, body, ctx, reply }) {
        const input = parseOrInvalid(unplannedReviewInputSchema, body, 'body');
        const today: CivilDate = todayInLondon(deps.now());
        const checked = scheduleUnplannedReview({
          reason: input.reason,
          trigger: input.trigger ?? null,
          details: input.details,
          requestedOn: today,
          dueOn: input.dueOn ?? null,
        });
        if (!checked.ok)
          throw new Invalid([
            { field: 'dueOn', message: 'The date the review is due must be today or later' },
          ]);
        const c = ctx();
        const id = await service.createUnplanned(c, params.id, checked.review);
        const view = await service.get(c, id);
        return reply
          .status(201)
          .header('Location', reviewHref(id))
          .header('Cache-Control', 'no-store')
          .send(reviewDetailToJson(view.review, view.plan));
      },
    }),
  ];
}
