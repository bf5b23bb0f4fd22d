// Completed assessments for about half the demo people, so that the demo shows decisions,
// indicative budgets, a reassessment comparison and a meaningful RAS impact preview. The
// answers are invented and deterministic; the decisions and budgets come from the real rules.
import type { Tx } from '../../platform/db/database.js';
import { calculateIndicativeBudget, type RasVersion } from '../allocation/index.js';
import {
  assessmentAnswersSchema,
  decideEligibility,
  toEligibilityInput,
  type AssessmentAnswers,
} from '../assessment/index.js';

const GOALS = [
  'I want to get back to work, even a few hours a week',
  'I would like to go swimming again and see my friends',
  'I want to manage my own money and keep my flat',
  'I want fewer crises and to sleep through the night',
  'I would like to finish my college course',
  'I want to be a good dad and take my son to football',
];

const OUTCOME_IDS = [
  'nutrition',
  'personal_hygiene',
  'toilet_needs',
  'clothing',
  'home_safety',
  'habitable_home',
  'relationships',
  'work_education_volunteering',
  'community_services',
  'caring_for_a_child',
] as const;
const WELLBEING_IDS = [
  'dignity',
  'health',
  'protection',
  'control',
  'participation',
  'social_economic',
  'relationships',
  'accommodation',
  'contribution',
] as const;
const REASONS = [
  'needs_assistance',
  'significant_pain_distress_anxiety',
  'endangers_health_or_safety',
  'takes_significantly_longer',
] as const;

export interface DemoPersonForAssessment {
  id: string;
  index: number;
  coordinatorId: string | null;
  s117: readonly [section: string, discharged: string] | undefined;
}

/** Invented but plausible answers for demo person i; `level` nudges need up for a reassessment. */
export function demoAnswers(i: number, ras: RasVersion, level = 0): AssessmentAnswers {
  const unable = (i * 7 + level * 2) % 6; // 0–5 outcomes not achieved
  const items = Object.fromEntries(
    OUTCOME_IDS.map((id, k) => {
      const no = k >= 5 && k - 5 < unable;
      return [
        id,
        {
          achievable: !no,
          reasons: no ? [REASONS[(i + k) % REASONS.length] ?? 'needs_assistance'] : [],
          notes: '',
        },
      ];
    }),
  );
  const significant = unable >= 2 || i % 4 === 0;
  const areas = Object.fromEntries(
    WELLBEING_IDS.map((id, k) => [
      id,
      significant && k === 1 ? 'significant' : (k + i) % 3 === 0 ? 'none' : 'some',
    ]),
  );
  const budget = Object.fromEntries(
    ras.questions.map((q, k) => {
      // A spread of needs: most answers low, some middling, a few high.
      const roll = (i * 31 + k * 17 + i * k + 5 * k * k) % 7;
      const need = roll < 3 ? 0 : roll < 5 ? 1 : roll < 6 ? 2 : 3;
      const pick = Math.min(q.answers.length - 1, need + level);
      return [q.id, q.answers[pick]?.id ?? q.answers[0]?.id ?? ''];
    }),
  );
  return assessmentAnswersSchema.parse({
    outcomes: { respondent: i % 3 === 0 ? 'worker' : 'person', items },
    impairment: {
      respondent: 'worker',
      needsFromImpairmentOrIllness: i % 13 !== 0,
      notes: '',
    },
    wellbeing: { respondent: 'person', areas, significantImpact: significant, notes: '' },
    nhs: {
      respondent: 'worker',
      detained: false,
      detentionSection: undefined,
      discharged: undefined,
      continuingHealthcare: i === 23 ? 'eligible' : 'not_assessed',
      otherHealthNeeds: '',
    },
    recovery: {
      respondent: 'person',
      whatIsWorking: 'Weekly contact with the team',
      strengths: 'Determined, and good company',
      familyAndCommunitySupport: i % 2 ? 'A sister nearby' : 'Not much at the moment',
      goals: GOALS[i % GOALS.length] ?? GOALS[0],
      hasUnpaidCarer: i % 5 === 1,
      carerName: i % 5 === 1 ? 'A family member' : '',
      carerAssessment: i % 5 === 1 ? 'wanted' : undefined,
    },
    budget: { respondent: i % 2 ? 'person' : 'representative', answers: budget },
  });
}

export async function seedDemoAssessments(
  tx: Tx,
  ctx: { partnershipId: string; rasVersionId: string; ras: RasVersion },
  people: readonly DemoPersonForAssessment[],
): Promise<void> {
  // Most of Priya's caseload, every other person on Sam's, and one reassessment (person 17).
  const chosen = people.filter(
    (p) => (p.index < 15 && p.index % 2 === 0 && p.index > 0) || (p.index >= 15 && p.index < 28),
  );
  for (const p of chosen) {
    const times = p.index === 17 ? 2 : 1;
    for (let sequence = 1; sequence <= times; sequence += 1) {
      const base = demoAnswers(p.index, ctx.ras, sequence - 1);
      const answers: AssessmentAnswers = p.s117
        ? {
            ...base,
            nhs: {
              respondent: 'worker',
              detained: true,
              detentionSection: p.s117[0] as '3',
              discharged: true,
              continuingHealthcare: 'not_assessed',
              otherHealthNeeds: '',
            },
          }
        : base;
      const completedAt = new Date(Date.UTC(2026, 4 + sequence * 2, 1 + (p.index % 27), 10));
      const a = await tx
        .insertInto('assessments')
        .values({
          partnership_id: ctx.partnershipId,
          person_id: p.id,
          sequence,
          status: 'completed',
          answers: JSON.stringify(answers),
          ras_version_id: ctx.rasVersionId,
          started_by: p.coordinatorId,
          started_at: completedAt,
          updated_by: p.coordinatorId,
          updated_at: completedAt,
          completed_by: p.coordinatorId,
          completed_at: completedAt,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const decision = decideEligibility(toEligibilityInput(answers));
      await tx
        .insertInto('eligibility_decisions')
        .values({
          partnership_id: ctx.partnershipId,
          assessment_id: a.id,
          person_id: p.id,
          rules_version: decision.rulesVersion,
          care_act_eligible: decision.careAct.eligible,
          nhs_right: decision.nhs.right,
          decision: JSON.stringify(decision),
          explanation: decision.explanation,
          decided_by: p.coordinatorId,
          decided_at: completedAt,
        })
        .execute();
      const section117 = decision.nhs.legalGrounds.includes('section_117');
      const rasAnswers = answers.budget?.answers ?? {};
      const budget = calculateIndicativeBudget(ctx.ras, rasAnswers, { section117 });
      if (!budget.ok)
        throw new Error(`demo answers do not fit the demo RAS: ${budget.messages.join('; ')}`);
      await tx
        .insertInto('allocations')
        .values({
          partnership_id: ctx.partnershipId,
          assessment_id: a.id,
          person_id: p.id,
          ras_version_id: ctx.rasVersionId,
          answers: JSON.stringify(rasAnswers),
          section_117: section117,
          result: JSON.stringify(budget.budget),
          total_points: budget.budget.totalPoints,
          annual_pence: budget.budget.annual,
          calculated_by: p.coordinatorId,
          calculated_at: completedAt,
        })
        .execute();
    }
  }
}
