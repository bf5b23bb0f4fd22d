// Completed assessments for tests: the assessment, its eligibility decision and its allocation,
// written with the system connection. The allocation's result is the real calculation with the
// RAS version stored in the database, so it recalculates identically.
import type { Db } from '../../src/platform/db/database.ts';
import {
  calculateIndicativeBudget,
  rasVersionSchema,
  type IndicativeBudget,
  type RasAnswers,
} from '../../src/features/allocation/index.ts';
import {
  toEligibilityInput,
  type AssessmentAnswers,
} from '../../src/features/assessment/answers.ts';
import { decideEligibility } from '../../src/features/assessment/eligibility.ts';

export interface CompletedAssessmentInput {
  partnershipId: string;
  personId: string;
  /** The database id of a RAS version (publishRas gives one). */
  rasVersionId: string;
  /** Question id → answer id, as the RAS version expects. */
  rasAnswers: RasAnswers;
  /** Whether the person has a right to section 117 after-care (detained under section 3). */
  section117?: boolean;
  /** Defaults to one more than the person's latest assessment (1 for the first). */
  sequence?: number;
  /** When it was completed (and the budget calculated); defaults to now. */
  completedAt?: Date;
}

export interface CompletedAssessment {
  assessmentId: string;
  decisionId: string;
  allocationId: string;
  sequence: number;
  budget: IndicativeBudget;
}

/** A whole, consistent answers document: eligible for care and support, with the budget answers. */
export function completedAnswers(rasAnswers: RasAnswers, section117 = false): AssessmentAnswers {
  return {
    outcomes: {
      respondent: 'worker',
      items: {
        nutrition: { achievable: false, reasons: ['needs_assistance'], notes: '' },
        home_safety: { achievable: false, reasons: ['endangers_health_or_safety'], notes: '' },
        personal_hygiene: { achievable: true, reasons: [], notes: '' },
        toilet_needs: { achievable: true, reasons: [], notes: '' },
        clothing: { achievable: true, reasons: [], notes: '' },
        habitable_home: { achievable: true, reasons: [], notes: '' },
        relationships: { achievable: true, reasons: [], notes: '' },
        work_education_volunteering: { achievable: true, reasons: [], notes: '' },
        community_services: { achievable: true, reasons: [], notes: '' },
        caring_for_a_child: { achievable: true, reasons: [], notes: '' },
      },
    },
    impairment: { respondent: 'worker', needsFromImpairmentOrIllness: true, notes: '' },
    wellbeing: {
      respondent: 'worker',
      areas: {
        dignity: 'some',
        health: 'significant',
        protection: 'none',
        control: 'some',
        participation: 'significant',
        social_economic: 'some',
        relationships: 'some',
        accommodation: 'none',
        contribution: 'none',
      },
      significantImpact: true,
      notes: '',
    },
    nhs: {
      respondent: 'worker',
      detained: section117,
      ...(section117 ? { detentionSection: '3' as const, discharged: true } : {}),
      continuingHealthcare: 'not_assessed',
      otherHealthNeeds: '',
    },
    recovery: {
      respondent: 'person',
      whatIsWorking: 'Seeing my support worker every week',
      strengths: 'Good with people',
      familyAndCommunitySupport: 'My sister visits',
      goals: 'Get back to college',
      hasUnpaidCarer: false,
      carerName: '',
    },
    budget: { respondent: 'worker', answers: { ...rasAnswers } },
  };
}

/**
 * Inserts a completed assessment with its eligibility decision and its allocation. Throws if the
 * RAS answers do not fit the RAS version (a test mistake).
 */
export async function createCompletedAssessment(
  db: Db,
  input: CompletedAssessmentInput,
): Promise<CompletedAssessment> {
  const section117 = input.section117 ?? false;
  const at = input.completedAt ?? new Date();
  const ras = await db.system
    .selectFrom('ras_versions')
    .select('definition')
    .where('id', '=', input.rasVersionId)
    .executeTakeFirstOrThrow();
  const version = rasVersionSchema.parse(ras.definition);
  const calculated = calculateIndicativeBudget(version, input.rasAnswers, { section117 });
  if (!calculated.ok)
    throw new Error(`RAS answers do not fit ${version.id}: ${calculated.messages.join('; ')}`);
  const budget = calculated.budget;

  let sequence = input.sequence;
  if (sequence === undefined) {
    const latest = await db.system
      .selectFrom('assessments')
      .select((eb) => eb.fn.max('sequence').as('n'))
      .where('person_id', '=', input.personId)
      .executeTakeFirst();
    sequence = (latest?.n ?? 0) + 1;
  }

  const answers = completedAnswers(input.rasAnswers, section117);
  const decision = decideEligibility(toEligibilityInput(answers));
  const assessment = await db.system
    .insertInto('assessments')
    .values({
      partnership_id: input.partnershipId,
      person_id: input.personId,
      sequence,
      status: 'completed',
      answers: JSON.stringify(answers),
      ras_version_id: input.rasVersionId,
      started_at: at,
      updated_at: at,
      completed_at: at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const decisionRow = await db.system
    .insertInto('eligibility_decisions')
    .values({
      partnership_id: input.partnershipId,
      assessment_id: assessment.id,
      person_id: input.personId,
      rules_version: decision.rulesVersion,
      care_act_eligible: decision.careAct.eligible,
      nhs_right: decision.nhs.right,
      decision: JSON.stringify(decision),
      explanation: decision.explanation,
      decided_at: at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const allocation = await db.system
    .insertInto('allocations')
    .values({
      partnership_id: input.partnershipId,
      assessment_id: assessment.id,
      person_id: input.personId,
      ras_version_id: input.rasVersionId,
      answers: JSON.stringify(input.rasAnswers),
      section_117: section117,
      result: JSON.stringify(budget),
      total_points: budget.totalPoints,
      annual_pence: budget.annual,
      calculated_at: at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return {
    assessmentId: assessment.id,
    decisionId: decisionRow.id,
    allocationId: allocation.id,
    sequence,
    budget,
  };
}
