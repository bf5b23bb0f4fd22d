// The API's view of assessments, eligibility decisions and allocations: the zod schemas it
// answers with and accepts (so they appear in the OpenAPI document), and the functions that turn
// the services' records into those shapes. Money is whole pence in fields ending Pence.
import { z } from 'zod';
import type { StoredAllocation, StoredRasVersion } from '../allocation/index.js';
import {
  assessmentAnswersSchema,
  SECTIONS,
  sectionSchemas,
  type AssessmentView,
  type MissingItem,
  type PersonAssessments,
  type SectionId,
} from '../assessment/index.js';
import { API_BASE } from './operations.js';

const instant = z.iso.datetime().meta({ description: 'An instant, ISO 8601 in UTC' });
const civilDate = z.iso.date().meta({ description: 'A calendar date, YYYY-MM-DD' });
const id = z.uuid();
const pence = (description: string) =>
  z
    .number()
    .int()
    .meta({ description: `${description}, in whole pence` });

export const SECTION_IDS = SECTIONS.map((s) => s.id) as [SectionId, ...SectionId[]];

export const assessmentHref = (assessmentId: string): string =>
  `${API_BASE}/assessments/${assessmentId}`;
export const eligibilityHref = (assessmentId: string): string =>
  `${assessmentHref(assessmentId)}/eligibility`;
export const allocationHref = (allocationId: string): string =>
  `${API_BASE}/allocations/${allocationId}`;
const personHref = (personId: string): string => `${API_BASE}/people/${personId}`;

// ---------------------------------------------------------------------------------------------
// Where a problem is: the web pages name form fields; the API names places in the answers.

/**
 * A form field of a section's page as a dotted path inside that section's JSON:
 * 'nutrition-reasons' → 'items.nutrition.reasons', 'area-health' → 'areas.health',
 * 'q-medication' → 'answers.medication', 'outcomes-respondent' → 'respondent'.
 */
export function sectionPath(section: SectionId, field: string): string {
  if (field === `${section}-respondent`) return 'respondent';
  if (section === 'outcomes') {
    const m = /^(.+)-(achievable|reasons)$/.exec(field);
    if (m) return `items.${m[1] ?? ''}.${m[2] ?? ''}`;
  }
  if (section === 'wellbeing' && field.startsWith('area-')) return `areas.${field.slice(5)}`;
  if (section === 'budget' && field.startsWith('q-')) return `answers.${field.slice(2)}`;
  return field;
}

/** A missing item with its place in the whole answers document: 'outcomes.items.nutrition.achievable'. */
export function missingToJson(m: MissingItem) {
  return {
    section: m.section,
    field: `${m.section}.${sectionPath(m.section, m.field)}`,
    message: m.message,
  };
}

// ---------------------------------------------------------------------------------------------
// Request bodies

const versionField = z
  .number({ error: 'Send the version of the assessment you last read (a whole number from 1)' })
  .int('Version must be a whole number from 1')
  .min(1, 'Version must be a whole number from 1')
  .meta({
    description:
      'The version of the assessment you last read. If someone has saved since, nothing is written and you get 409.',
  });

/** One section's answers as the API accepts them: the assessment's own schema, plus version. */
export function sectionInputSchema(section: SectionId) {
  return z.strictObject({ ...sectionSchemas[section].shape, version: versionField });
}

/** The component name that documents a section's body: 'AssessmentOutcomesSection'. */
export const sectionComponent = (section: SectionId): string =>
  `Assessment${section.charAt(0).toUpperCase()}${section.slice(1)}Section`;

export const completeInputSchema = z.strictObject({ version: versionField });

export const JUDGEMENT_REASON_MIN = 10;
export const JUDGEMENT_REASON_MAX = 5000;

export const judgementInputSchema = z.strictObject({
  careActEligible: z
    .boolean({ error: 'Say whether, in your judgement, they are eligible: true or false' })
    .meta({
      description: 'Your judgement: whether they are eligible for Care Act care and support',
    }),
  reason: z
    .string({ error: 'Give the reason for your judgement' })
    .trim()
    .min(JUDGEMENT_REASON_MIN, 'Give the reason for your judgement, in at least 10 characters')
    .max(JUDGEMENT_REASON_MAX, 'The reason must be 5000 characters or fewer')
    .meta({ description: 'Why, in at least 10 characters. It is kept in the audit trail.' }),
});

// ---------------------------------------------------------------------------------------------
// Answers

const NHS_RIGHTS = ['section_117', 'continuing_healthcare', 'local_offer'] as const;

export const judgementSchema = z.strictObject({
  id,
  careActEligible: z.boolean(),
  reason: z.string(),
  recordedByName: z
    .string()
    .nullable()
    .meta({ description: 'The worker, or null for an API client' }),
  recordedAt: instant,
});

export const eligibilitySchema = z.strictObject({
  id,
  href: z.string(),
  assessmentId: id,
  assessmentHref: z.string(),
  rulesVersion: z
    .string()
    .meta({ description: 'The version of the eligibility rules that decided' }),
  decidedAt: instant,
  careAct: z.strictObject({
    eligible: z.boolean().meta({ description: 'What the rules decided (before any judgement)' }),
    conditions: z.strictObject({
      impairmentOrIllness: z.boolean(),
      twoOrMoreOutcomesNotAchieved: z.boolean(),
      significantWellbeingImpact: z.boolean(),
    }),
    outcomesNotAchieved: z
      .array(z.string())
      .meta({ description: 'The outcomes they cannot achieve, in the order of the regulation' }),
    reasons: z.array(z.string()),
  }),
  nhs: z.strictObject({
    right: z.enum(NHS_RIGHTS).meta({
      description: 'The strongest legal right to a personal health budget, or local_offer',
    }),
    legalGrounds: z.array(z.enum(['section_117', 'continuing_healthcare'])),
    reasons: z.array(z.string()),
  }),
  explanation: z.string().meta({
    description: 'Addressed to the person, in plain English; paragraphs split by a blank line',
  }),
  judgements: z
    .array(judgementSchema)
    .meta({ description: 'Different professional judgements, newest first' }),
  finalCareActEligible: z
    .boolean()
    .meta({ description: 'The newest judgement, or the rules’ decision when there is none' }),
});

const streamSchema = z.strictObject({
  id: z.string(),
  kind: z.enum(['socialCare', 'nhsPersonalHealthBudget', 'section117', 'other']),
  name: z.string(),
  shareBasisPoints: z.number().int().meta({ description: 'The share, in basis points (100 = 1%)' }),
  annualPence: pence('This stream’s part of the annual amount'),
});

export const allocationSchema = z.strictObject({
  id,
  href: z.string(),
  assessmentId: id,
  assessmentHref: z.string(),
  personId: id,
  personHref: z.string(),
  rasVersion: z.strictObject({
    code: z.string(),
    name: z.string().nullable().meta({ description: 'Null if the version can no longer be read' }),
  }),
  calculatedAt: instant,
  section117: z.boolean().meta({
    description: 'Section 117 after-care: the budget is split between the NHS and council',
  }),
  answers: z
    .record(z.string(), z.string())
    .meta({ description: 'The RAS answers: question id → answer id' }),
  scoredAnswers: z.array(
    z.strictObject({
      questionId: z.string(),
      questionText: z.string().nullable(),
      answerId: z.string(),
      answerText: z.string().nullable(),
      points: z.number().int(),
    }),
  ),
  totalPoints: z.number().int(),
  baseAnnualPence: pence('From the points, before contingency and limits'),
  contingency: z.strictObject({
    mode: z.enum(['added', 'held']).meta({
      description: 'added: given on top; held: kept back by the partnership for changes',
    }),
    amountPence: pence('The contingency'),
  }),
  beforeLimitsPence: pence('The base plus any added contingency, before the minimum and maximum'),
  clamped: z
    .enum(['minimum', 'maximum'])
    .nullable()
    .meta({ description: 'Whether the RAS minimum or maximum applied' }),
  annualPence: pence('The indicative annual budget'),
  fourWeeklyPence: pence('The annual amount per four weeks'),
  weeklyPence: pence('The annual amount per week'),
  streams: z
    .array(streamSchema)
    .meta({ description: 'The split between funding streams; the parts add up to annualPence' }),
  overrides: z
    .array(
      z.strictObject({
        id,
        annualPence: pence('The figure the worker set'),
        reason: z.string(),
        recordedByName: z.string().nullable(),
        recordedAt: instant,
      }),
    )
    .meta({ description: 'Different figures a worker set, newest first' }),
  currentAnnualPence: pence('The newest override, or the RAS figure when there is none'),
});

const eligibilitySummarySchema = z.strictObject({
  href: z.string(),
  finalCareActEligible: z.boolean(),
  rulesCareActEligible: z.boolean(),
  nhsRight: z.enum(NHS_RIGHTS),
  rulesVersion: z.string(),
});

const allocationSummarySchema = z.strictObject({
  id,
  href: z.string(),
  rasVersionCode: z.string(),
  totalPoints: z.number().int(),
  annualPence: pence('The RAS figure'),
  currentAnnualPence: pence('The newest override, or the RAS figure'),
});

export const assessmentSummarySchema = z.strictObject({
  id,
  href: z.string(),
  sequence: z.number().int().min(1).meta({ description: '1 for the first assessment, then 2, 3…' }),
  status: z.enum(['draft', 'completed']),
  version: z.number().int().min(1),
  startedAt: instant,
  updatedAt: instant,
  completedAt: instant.nullable(),
  eligibility: eligibilitySummarySchema.nullable(),
  allocation: allocationSummarySchema.nullable(),
});

export const assessmentListSchema = z.strictObject({
  items: z
    .array(assessmentSummarySchema)
    .meta({ description: 'Newest first: the draft (if any), then completed assessments' }),
});

const budgetQuestionSchema = z.strictObject({
  id: z.string(),
  text: z.string(),
  answers: z.array(z.strictObject({ id: z.string(), text: z.string(), points: z.number().int() })),
});

export const missingItemSchema = z.strictObject({
  section: z.enum(SECTION_IDS),
  field: z.string().meta({
    description: 'Where in the answers, as a dotted path: outcomes.items.nutrition.achievable',
  }),
  message: z.string(),
});

export const assessmentSchema = z.strictObject({
  id,
  href: z.string(),
  personId: id,
  personHref: z.string(),
  sequence: z.number().int().min(1),
  status: z.enum(['draft', 'completed']),
  version: z.number().int().min(1).meta({
    description: 'Goes up by one on every save. Send it back with a section or to complete.',
  }),
  startedAt: instant,
  startedByName: z.string().nullable(),
  updatedAt: instant,
  completedAt: instant.nullable(),
  completedByName: z.string().nullable(),
  rasVersion: z.strictObject({ code: z.string(), name: z.string(), effectiveFrom: civilDate }),
  budgetQuestions: z.array(budgetQuestionSchema).meta({
    description: 'The RAS questions the budget section answers (question id → answer id)',
  }),
  answers: assessmentAnswersSchema,
  missing: z.array(missingItemSchema).meta({
    description: 'What is still to answer before it can be completed (always empty once completed)',
  }),
  eligibility: eligibilitySchema.nullable().meta({ description: 'Null until completed' }),
  allocation: allocationSchema.nullable().meta({ description: 'Null until completed' }),
});

// ---------------------------------------------------------------------------------------------
// Records → JSON

type Decision = NonNullable<AssessmentView['decision']>;

export function eligibilityToJson(d: Decision) {
  const { careAct, nhs } = d.decision;
  return {
    id: d.id,
    href: eligibilityHref(d.assessmentId),
    assessmentId: d.assessmentId,
    assessmentHref: assessmentHref(d.assessmentId),
    rulesVersion: d.rulesVersion,
    decidedAt: d.decidedAt.toISOString(),
    careAct: {
      eligible: careAct.eligible,
      conditions: { ...careAct.conditions },
      outcomesNotAchieved: [...careAct.outcomesNotAchieved],
      reasons: [...careAct.reasons],
    },
    nhs: { right: nhs.right, legalGrounds: [...nhs.legalGrounds], reasons: [...nhs.reasons] },
    explanation: d.explanation,
    judgements: d.judgements.map((j) => ({
      id: j.id,
      careActEligible: j.careActEligible,
      reason: j.reason,
      recordedByName: j.recordedByName,
      recordedAt: j.recordedAt.toISOString(),
    })),
    finalCareActEligible: d.finalCareActEligible,
  };
}

export function allocationToJson(a: StoredAllocation, ras: StoredRasVersion | undefined) {
  const b = a.budget;
  const questions = ras?.definition.questions ?? [];
  return {
    id: a.id,
    href: allocationHref(a.id),
    assessmentId: a.assessmentId,
    assessmentHref: assessmentHref(a.assessmentId),
    personId: a.personId,
    personHref: personHref(a.personId),
    rasVersion: { code: a.rasVersionCode, name: ras?.definition.name ?? null },
    calculatedAt: a.calculatedAt.toISOString(),
    section117: a.section117,
    answers: { ...a.answers },
    scoredAnswers: b.answers.map((s) => {
      const q = questions.find((x) => x.id === s.questionId);
      return {
        questionId: s.questionId,
        questionText: q?.text ?? null,
        answerId: s.answerId,
        answerText: q?.answers.find((x) => x.id === s.answerId)?.text ?? null,
        points: s.points,
      };
    }),
    totalPoints: b.totalPoints,
    baseAnnualPence: b.baseAnnual,
    contingency: { mode: b.contingency.mode, amountPence: b.contingency.amount },
    beforeLimitsPence: b.beforeLimits,
    clamped: b.clamped,
    annualPence: b.annual,
    fourWeeklyPence: b.fourWeekly,
    weeklyPence: b.weekly,
    streams: b.streams.map((s) => ({
      id: s.id,
      kind: s.kind,
      name: s.name,
      shareBasisPoints: s.shareBasisPoints,
      annualPence: s.annual,
    })),
    overrides: a.overrides.map((o) => ({
      id: o.id,
      annualPence: o.annual,
      reason: o.reason,
      recordedByName: o.recordedByName,
      recordedAt: o.recordedAt.toISOString(),
    })),
    currentAnnualPence: a.currentAnnual,
  };
}

export function assessmentToJson(view: AssessmentView) {
  const a = view.assessment;
  return {
    id: a.id,
    href: assessmentHref(a.id),
    personId: view.person.id,
    personHref: personHref(view.person.id),
    sequence: a.sequence,
    status: a.status,
    version: a.version,
    startedAt: a.startedAt.toISOString(),
    startedByName: a.startedByName,
    updatedAt: a.updatedAt.toISOString(),
    completedAt: a.completedAt?.toISOString() ?? null,
    completedByName: a.completedByName,
    rasVersion: {
      code: view.ras.definition.id,
      name: view.ras.definition.name,
      effectiveFrom: view.ras.definition.effectiveFrom,
    },
    budgetQuestions: view.questions.map((q) => ({
      id: q.id,
      text: q.text,
      answers: q.answers.map((x) => ({ id: x.id, text: x.text, points: x.points })),
    })),
    answers: a.answers,
    missing: view.missing.map(missingToJson),
    eligibility: view.decision ? eligibilityToJson(view.decision) : null,
    allocation: view.allocation ? allocationToJson(view.allocation, view.ras) : null,
  };
}

export function assessmentListToJson(list: PersonAssessments) {
  const completed = list.completed.map(({ assessment: a, decision, allocation }) => ({
    id: a.id,
    href: assessmentHref(a.id),
    sequence: a.sequence,
    status: a.status,
    version: a.version,
    startedAt: a.startedAt.toISOString(),
    updatedAt: a.updatedAt.toISOString(),
    completedAt: a.completedAt?.toISOString() ?? null,
    eligibility: decision
      ? {
          href: eligibilityHref(a.id),
          finalCareActEligible: decision.finalCareActEligible,
          rulesCareActEligible: decision.careActEligible,
          nhsRight: decision.nhsRight,
          rulesVersion: decision.rulesVersion,
        }
      : null,
    allocation: allocation
      ? {
          id: allocation.id,
          href: allocationHref(allocation.id),
          rasVersionCode: allocation.rasVersionCode,
          totalPoints: allocation.budget.totalPoints,
          annualPence: allocation.budget.annual,
          currentAnnualPence: allocation.currentAnnual,
        }
      : null,
  }));
  const d = list.draft;
  const draft = d
    ? [
        {
          id: d.id,
          href: assessmentHref(d.id),
          sequence: d.sequence,
          status: d.status,
          version: d.version,
          startedAt: d.startedAt.toISOString(),
          updatedAt: d.updatedAt.toISOString(),
          completedAt: null,
          eligibility: null,
          allocation: null,
        },
      ]
    : [];
  return { items: [...draft, ...completed] };
}

/** The schemas the document names for this part of the API, by component name. */
export const ASSESSMENT_OUTPUT_SCHEMAS = {
  Assessment: assessmentSchema,
  AssessmentSummary: assessmentSummarySchema,
  AssessmentList: assessmentListSchema,
  AssessmentAnswers: assessmentAnswersSchema,
  MissingItem: missingItemSchema,
  Eligibility: eligibilitySchema,
  EligibilityJudgement: judgementSchema,
  Allocation: allocationSchema,
};

export const ASSESSMENT_INPUT_SCHEMAS: Record<string, () => z.ZodType> = {
  ...Object.fromEntries(SECTION_IDS.map((s) => [sectionComponent(s), () => sectionInputSchema(s)])),
  AssessmentVersionInput: () => completeInputSchema,
  EligibilityJudgementInput: () => judgementInputSchema,
};
