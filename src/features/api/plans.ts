// /api/v1 for support plans and the reviews their approval schedules. Every call goes through
// the planning service, which applies the people feature's access rule and audits in the same
// transaction as the data. A plan is saved, and submitted, only against the version the client
// last read.
//
// Sign-off decisions (approve, refuse, pass up) are not offered here: the law and the
// partnership's policy need a named member of staff, with their roles and delegated limits, to
// decide, and an API client is a system. The decisions made are read with the plan.
import { z } from 'zod';
import type { Db } from '../../platform/db/database.js';
import { createPlanningService, type PlanView } from '../planning/index.js';
import { defineOperation, type HandlerArgs, type Operation } from './operations.js';
import {
  agreementInputSchema,
  planHref,
  planSaveInputSchema,
  planSummaryToJson,
  planToJson,
  planVersionInputSchema,
  reviewToJson,
} from './plans-schemas.js';
import { parseOrInvalid } from './register.js';

export interface PlanApiDeps {
  db: Db;
  now: () => Date;
}

const planIdParams = z.strictObject({
  id: z.string().meta({ description: 'The support plan’s ID (a UUID)' }),
});
const personIdParams = z.strictObject({
  id: z.string().meta({ description: 'The person’s ID (a UUID)' }),
});

/** null means "no value": the same as leaving a field out (as for people and assessments). */
const withoutNulls = (body: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(body).filter(([, v]) => v !== null));

function sendPlan(args: HandlerArgs<unknown, unknown>, view: PlanView, status = 200) {
  return args.reply
    .status(status)
    .header('ETag', `"${String(view.plan.version)}"`)
    .header('Cache-Control', 'no-store')
    .send(planToJson(view));
}

const STALE_409 = {
  description: 'Someone saved the plan since the version you sent, or it is already submitted',
  schema: 'Problem',
};

export function planOperations(deps: PlanApiDeps): Operation[] {
  const service = createPlanningService({ db: deps.db, now: deps.now });

  return [
    defineOperation({
      method: 'GET',
      path: '/people/:id/plans',
      operationId: 'listPersonPlans',
      summary: 'List a person’s support plans',
      description:
        'Every version of their support plan, newest first, with its status, who must sign it off, what it costs a year and the indicative budget (in pence), and the date it was approved.',
      tag: 'Support plans',
      permission: 'plans:read',
      alsoNeeds: ['people:read'],
      params: personIdParams,
      responses: { 200: { description: 'The plans', schema: 'PlanList' } },
      async handler({ params, ctx, reply }) {
        const { plans } = await service.forPerson(ctx(), params.id);
        reply.header('Cache-Control', 'no-store');
        return { items: plans.map(planSummaryToJson) };
      },
    }),

    defineOperation({
      method: 'POST',
      path: '/people/:id/plans',
      operationId: 'startPlan',
      summary: 'Start a support plan, or get the one already open',
      description:
        'Starts a draft from the person’s current indicative budget (and from their last plan, if they have one). If a plan is already open (draft or waiting for sign-off), that plan is returned (200) and nothing is started. No body is needed.',
      tag: 'Support plans',
      permission: 'plans:write',
      alsoNeeds: ['people:write'],
      params: personIdParams,
      responses: {
        201: {
          description: 'Started',
          schema: 'Plan',
          headers: { Location: 'The new plan’s URL', ETag: 'The version' },
        },
        200: {
          description: 'The plan already open',
          schema: 'Plan',
          headers: { Location: 'The plan’s URL', ETag: 'The version' },
        },
        409: {
          description: 'The person has no completed assessment, so no indicative budget',
          schema: 'Problem',
        },
      },
      async handler(args) {
        const ctx = args.ctx();
        const started = await service.start(ctx, args.params.id);
        args.reply.header('Location', planHref(started.id));
        return sendPlan(args, await service.get(ctx, started.id), started.created ? 201 : 200);
      },
    }),

    defineOperation({
      method: 'GET',
      path: '/plans/:id',
      operationId: 'getPlan',
      summary: 'Read one support plan',
      description:
        'The plan document, its totals and the indicative budget, the plan check’s problems (each with its rule’s ID, title and source), the sign-off decisions made and the person’s agreement.',
      tag: 'Support plans',
      permission: 'plans:read',
      alsoNeeds: ['people:read'],
      params: planIdParams,
      responses: {
        200: { description: 'The plan', schema: 'Plan', headers: { ETag: 'The version' } },
      },
      async handler(args) {
        return sendPlan(args, await service.get(args.ctx(), args.params.id));
      },
    }),

    defineOperation({
      method: 'PUT',
      path: '/plans/:id',
      operationId: 'savePlan',
      summary: 'Save a draft plan’s document',
      description:
        'Replaces the whole plan document. A plan may be saved with problems still to put right: the plan check lists them. A document that is not well formed is refused with 400 and each field’s message.',
      tag: 'Support plans',
      permission: 'plans:write',
      alsoNeeds: ['people:write'],
      params: planIdParams,
      requestBody: {
        description: 'The version of the plan you last read, and the whole document.',
        schema: 'PlanSaveInput',
      },
      responses: {
        200: {
          description: 'Saved: the whole plan, with its new version',
          schema: 'Plan',
          headers: { ETag: 'The new version' },
        },
        409: STALE_409,
      },
      async handler(args) {
        const { version, document } = parseOrInvalid(
          planSaveInputSchema,
          withoutNulls(args.body),
          'body',
        );
        const ctx = args.ctx();
        await service.save(ctx, args.params.id, document, version);
        return sendPlan(args, await service.get(ctx, args.params.id));
      },
    }),

    defineOperation({
      method: 'POST',
      path: '/plans/:id/submit',
      operationId: 'submitPlan',
      summary: 'Submit a draft plan for sign-off',
      description:
        'Routes the plan by the partnership’s sign-off policy and answers with who must sign it off (`route`). While the plan check finds problems nothing is stored: the 400 problem lists each in `errors`. Sign-off itself is for signed-in staff, not API clients.',
      tag: 'Support plans',
      permission: 'plans:write',
      alsoNeeds: ['people:write'],
      params: planIdParams,
      requestBody: {
        description: 'The version of the plan you last read.',
        schema: 'PlanVersionInput',
      },
      responses: {
        200: { description: 'Submitted', schema: 'PlanSubmitted' },
        409: STALE_409,
      },
      async handler(args) {
        const { version } = parseOrInvalid(planVersionInputSchema, withoutNulls(args.body), 'body');
        const ctx = args.ctx();
        const route = await service.submit(ctx, args.params.id, version);
        const view = await service.get(ctx, args.params.id);
        return args.reply
          .header('ETag', `"${String(view.plan.version)}"`)
          .header('Cache-Control', 'no-store')
          .send({ route, plan: planToJson(view) });
      },
    }),

    defineOperation({
      method: 'POST',
      path: '/plans/:id/agreement',
      operationId: 'recordPlanAgreement',
      summary: 'Record that the person agreed to the plan',
      description:
        'How they agreed and who agreed (the person, or who for them). Kept in the audit trail.',
      tag: 'Support plans',
      permission: 'plans:write',
      alsoNeeds: ['people:write'],
      params: planIdParams,
      requestBody: { description: 'How and by whom.', schema: 'PlanAgreementInput' },
      responses: {
        200: { description: 'Recorded: the plan', schema: 'Plan' },
        409: { description: 'The plan version is refused or superseded', schema: 'Problem' },
      },
      async handler(args) {
        const agreement = parseOrInvalid(agreementInputSchema, withoutNulls(args.body), 'body');
        const ctx = args.ctx();
        await service.recordAgreement(ctx, args.params.id, agreement);
        return sendPlan(args, await service.get(ctx, args.params.id));
      },
    }),

    defineOperation({
      method: 'GET',
      path: '/people/:id/reviews',
      operationId: 'listPersonReviews',
      summary: 'List a person’s reviews',
      description:
        'The reviews scheduled when a plan was approved (each with the rule that requires it and its source) and any unplanned ones, by due date.',
      tag: 'Reviews',
      permission: 'plans:read',
      alsoNeeds: ['people:read'],
      params: personIdParams,
      responses: { 200: { description: 'The reviews', schema: 'ReviewList' } },
      async handler({ params, ctx, reply }) {
        const { reviews } = await service.forPerson(ctx(), params.id);
        reply.header('Cache-Control', 'no-store');
        return { items: reviews.map(reviewToJson) };
      },
    }),
  ];
}
