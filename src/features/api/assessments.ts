// /api/v1 for integrated assessments, their eligibility decisions and the indicative budgets
// (allocations) worked out when they are completed. Every call goes through the assessment
// service (or, for an allocation, the people feature's access rule), which audits in the same
// transaction as the data. A section is saved, and an assessment completed, only against the
// version the client last read.
import { z } from 'zod';
import type { Db } from '../../platform/db/database.js';
import { Conflict, Invalid, NotFound } from '../../platform/http/errors.js';
import {
  createAssessmentService,
  sectionProblems,
  SECTIONS,
  type AssessmentView,
  type SectionId,
  type Sections,
} from '../assessment/index.js';
import { readAllocation } from './assessments-queries.js';
import {
  allocationToJson,
  assessmentHref,
  assessmentListToJson,
  assessmentToJson,
  completeInputSchema,
  eligibilityHref,
  eligibilityToJson,
  judgementInputSchema,
  missingToJson,
  sectionComponent,
  sectionInputSchema,
  sectionPath,
  SECTION_IDS,
} from './assessments-schemas.js';
import { defineOperation, type HandlerArgs, type Operation } from './operations.js';
import { parseOrInvalid } from './register.js';

export interface AssessmentApiDeps {
  db: Db;
  now: () => Date;
}

const assessmentIdParams = z.strictObject({
  id: z.string().meta({ description: 'The assessment’s ID (a UUID)' }),
});
const personIdParams = z.strictObject({
  id: z.string().meta({ description: 'The person’s ID (a UUID)' }),
});
const allocationIdParams = z.strictObject({
  id: z.string().meta({ description: 'The allocation’s ID (a UUID)' }),
});

/** null means "no value": the same as leaving an optional field out (as for people). */
const withoutNulls = (body: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(body).filter(([, v]) => v !== null));

const NO_DECISION = 'This assessment has no eligibility decision yet: complete it first.';
const COMPLETED =
  'This assessment is completed and cannot be changed. Start a reassessment instead.';

function sendAssessment(args: HandlerArgs<unknown, unknown>, view: AssessmentView, status = 200) {
  return args.reply
    .status(status)
    .header('ETag', `"${String(view.assessment.version)}"`)
    .header('Cache-Control', 'no-store')
    .send(assessmentToJson(view));
}

const STALE_409 = {
  description:
    'Someone saved the assessment since the version you sent, or it is already completed',
  schema: 'Problem',
};

export function assessmentOperations(deps: AssessmentApiDeps): Operation[] {
  const service = createAssessmentService({ db: deps.db, now: deps.now });
  const sectionInputs = Object.fromEntries(
    SECTION_IDS.map((s) => [s, sectionInputSchema(s)]),
  ) as Record<SectionId, ReturnType<typeof sectionInputSchema>>;

  const sectionOperation = (section: SectionId, title: string) =>
    defineOperation({
      method: 'PUT',
      path: `/assessments/:id/sections/${section}`,
      operationId: `saveAssessment${sectionComponent(section).replace(/^Assessment|Section$/g, '')}`,
      summary: `Save the section “${title}” of a draft`,
      description:
        'Replaces this section’s answers. Answers may be left out and given later: `missing` on the answer lists what is still needed before completing. Answers that do not hang together, or were not offered, are refused with 400 and each field’s message.',
      tag: 'Assessments',
      permission: 'assessments:write',
      alsoNeeds: ['people:write'],
      params: assessmentIdParams,
      requestBody: {
        description: `The section’s answers, and the version of the assessment you last read.`,
        schema: sectionComponent(section),
      },
      responses: {
        200: {
          description: 'Saved: the whole assessment, with its new version',
          schema: 'Assessment',
          headers: { ETag: 'The new version' },
        },
        409: STALE_409,
      },
      async handler(args) {
        const { version, ...data } = parseOrInvalid(
          sectionInputs[section],
          withoutNulls(args.body),
          'body',
        );
        const ctx = args.ctx();
        const id = args.params.id;
        const view = await service.get(ctx, id, 'write');
        if (view.assessment.status !== 'draft') throw new Conflict(COMPLETED);
        const answers: Sections[SectionId] = data;
        const problems = sectionProblems(section, answers, view.questions);
        if (problems.length > 0)
          throw new Invalid(
            problems.map((p) => ({ field: sectionPath(section, p.field), message: p.message })),
          );
        await service.saveSection(ctx, id, section, answers, version);
        return sendAssessment(args, await service.get(ctx, id));
      },
    });

  return [
    defineOperation({
      method: 'GET',
      path: '/people/:id/assessments',
      operationId: 'listPersonAssessments',
      summary: 'List a person’s assessments',
      description:
        'The draft (if there is one) and every completed assessment, newest first, each with its eligibility decision and indicative budget in brief.',
      tag: 'Assessments',
      permission: 'assessments:read',
      alsoNeeds: ['people:read'],
      params: personIdParams,
      responses: { 200: { description: 'The assessments', schema: 'AssessmentList' } },
      async handler({ params, ctx, reply }) {
        const list = await service.forPerson(ctx(), params.id);
        reply.header('Cache-Control', 'no-store');
        return assessmentListToJson(list);
      },
    }),

    defineOperation({
      method: 'POST',
      path: '/people/:id/assessments',
      operationId: 'startAssessment',
      summary: 'Start an assessment, or get the draft already started',
      description:
        'Starts a draft with the partnership’s RAS version in force today. A reassessment starts from the answers of the last completed one. If the person already has a draft, that draft is returned (200) and nothing is started. No body is needed.',
      tag: 'Assessments',
      permission: 'assessments:write',
      alsoNeeds: ['people:write'],
      params: personIdParams,
      responses: {
        201: {
          description: 'Started',
          schema: 'Assessment',
          headers: { Location: 'The new assessment’s URL', ETag: 'The version' },
        },
        200: {
          description: 'The draft already started',
          schema: 'Assessment',
          headers: { Location: 'The draft’s URL', ETag: 'The version' },
        },
        409: {
          description: 'The partnership has no published RAS version in force today',
          schema: 'Problem',
        },
      },
      async handler(args) {
        const ctx = args.ctx();
        const started = await service.start(ctx, args.params.id);
        const view = await service.get(ctx, started.id);
        args.reply.header('Location', assessmentHref(started.id));
        return sendAssessment(args, view, started.created ? 201 : 200);
      },
    }),

    defineOperation({
      method: 'GET',
      path: '/assessments/:id',
      operationId: 'getAssessment',
      summary: 'Read one assessment',
      description:
        'The answers, what is still missing, the RAS questions of the budget section and, once completed, the eligibility decision and the indicative budget.',
      tag: 'Assessments',
      permission: 'assessments:read',
      alsoNeeds: ['people:read'],
      params: assessmentIdParams,
      responses: {
        200: {
          description: 'The assessment',
          schema: 'Assessment',
          headers: { ETag: 'The version' },
        },
      },
      async handler(args) {
        return sendAssessment(args, await service.get(args.ctx(), args.params.id));
      },
    }),

    ...SECTIONS.map((s) => sectionOperation(s.id, s.title)),

    defineOperation({
      method: 'POST',
      path: '/assessments/:id/complete',
      operationId: 'completeAssessment',
      summary: 'Complete a draft',
      description:
        'Applies the eligibility rules and works out the indicative budget, stored with the assessment in one transaction. While anything is missing nothing is stored: the 400 problem lists each missing answer in `errors` (field is its place in the answers).',
      tag: 'Assessments',
      permission: 'assessments:write',
      alsoNeeds: ['people:write'],
      params: assessmentIdParams,
      requestBody: {
        description: 'The version of the assessment you last read.',
        schema: 'AssessmentVersionInput',
      },
      responses: {
        200: {
          description: 'Completed: the assessment with its eligibility decision and budget',
          schema: 'Assessment',
          headers: { ETag: 'The version' },
        },
        409: STALE_409,
      },
      async handler(args) {
        const { version } = parseOrInvalid(completeInputSchema, withoutNulls(args.body), 'body');
        const ctx = args.ctx();
        const id = args.params.id;
        const view = await service.get(ctx, id, 'write');
        if (view.assessment.status !== 'draft')
          throw new Conflict('This assessment is already completed.');
        if (view.missing.length > 0)
          throw new Invalid(
            view.missing.map(missingToJson).map((m) => ({ field: m.field, message: m.message })),
          );
        return sendAssessment(args, await service.complete(ctx, id, version));
      },
    }),

    defineOperation({
      method: 'GET',
      path: '/assessments/:id/eligibility',
      operationId: 'getEligibilityDecision',
      summary: 'Read the eligibility decision of a completed assessment',
      description:
        'What the rules decided and why (with the rules’ version), the plain-English explanation for the person, and any different professional judgement with its reason.',
      tag: 'Eligibility',
      permission: 'assessments:read',
      alsoNeeds: ['people:read'],
      params: assessmentIdParams,
      responses: {
        200: { description: 'The decision', schema: 'Eligibility' },
        404: { description: 'No such assessment, or it is not completed yet', schema: 'Problem' },
      },
      async handler({ params, ctx, reply }) {
        const view = await service.get(ctx(), params.id);
        if (!view.decision) throw new NotFound(NO_DECISION);
        reply.header('Cache-Control', 'no-store');
        return eligibilityToJson(view.decision);
      },
    }),

    defineOperation({
      method: 'POST',
      path: '/assessments/:id/eligibility/judgements',
      operationId: 'recordEligibilityJudgement',
      summary: 'Record a different professional judgement on Care Act eligibility',
      description:
        'A worker may decide differently from the rules, with a reason (kept in the audit trail). The rules’ decision is kept; the newest judgement becomes `finalCareActEligible`.',
      tag: 'Eligibility',
      permission: 'assessments:write',
      alsoNeeds: ['people:write'],
      params: assessmentIdParams,
      requestBody: {
        description: 'The judgement and its reason.',
        schema: 'EligibilityJudgementInput',
      },
      responses: {
        201: {
          description: 'Recorded: the decision with the new judgement',
          schema: 'Eligibility',
          headers: { Location: 'The eligibility decision’s URL' },
        },
        409: { description: 'The assessment is not completed yet', schema: 'Problem' },
      },
      async handler(args) {
        const judgement = parseOrInvalid(judgementInputSchema, withoutNulls(args.body), 'body');
        const ctx = args.ctx();
        const id = args.params.id;
        const before = await service.get(ctx, id, 'write');
        if (!before.decision)
          throw new Conflict('Complete the assessment before recording a professional judgement.');
        if (judgement.careActEligible === before.decision.finalCareActEligible)
          throw new Invalid([
            {
              field: 'careActEligible',
              message: `That is already the decision: they are ${judgement.careActEligible ? '' : 'not '}eligible`,
            },
          ]);
        await service.recordJudgement(ctx, id, judgement);
        const after = await service.get(ctx, id);
        if (!after.decision) throw new Error('the decision vanished');
        return args.reply
          .status(201)
          .header('Location', eligibilityHref(id))
          .header('Cache-Control', 'no-store')
          .send(eligibilityToJson(after.decision));
      },
    }),

    defineOperation({
      method: 'GET',
      path: '/allocations/:id',
      operationId: 'getAllocation',
      summary: 'Read an indicative budget (allocation)',
      description:
        'How the budget was worked out: the RAS version, each answer with its points, the total, the amount before and after contingency and the minimum or maximum, the annual, four-weekly and weekly amounts, the split between funding streams, and any different figure a worker set.',
      tag: 'Allocations',
      permission: 'assessments:read',
      alsoNeeds: ['people:read'],
      params: allocationIdParams,
      responses: { 200: { description: 'The allocation', schema: 'Allocation' } },
      async handler({ params, ctx, reply }) {
        const { allocation, ras } = await readAllocation(deps, ctx(), params.id);
        reply.header('Cache-Control', 'no-store');
        return allocationToJson(allocation, ras);
      },
    }),
  ];
}
