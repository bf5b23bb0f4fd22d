// Completed assessments for the generated partnership: the answers document, the eligibility
// decision (the real rules) and the allocation (the real RAS calculation), as CSV lines for
// COPY. A few dozen kinds of assessed need are decided once each and reused, so a million
// assessments cost a million RAS calculations and no more.
import {
  calculateIndicativeBudget,
  type RasAnswers,
  type RasVersion,
} from '../allocation/index.js';
import {
  decideEligibility,
  toEligibilityInput,
  type AssessmentAnswers,
} from '../assessment/index.js';
import { csvLine, ELIGIBILITY_PROFILES, type AssessmentPlan } from './rules.js';

const OUTCOMES = [
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
const UNABLE = [
  'needs_assistance',
  'significant_pain_distress_anxiety',
  'endangers_health_or_safety',
  'takes_significantly_longer',
] as const;
const WELLBEING = [
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
const LEVELS = ['none', 'some', 'significant'] as const;
const GOALS = [
  'To get back to work part time',
  'To see my friends again and go to the football',
  'To stay well and out of hospital',
  'To manage my own flat',
  'To go to college',
  'To sleep better and have a routine',
];
const WORKING = [
  'Seeing my support worker every week',
  'Going to the allotment',
  'My medication is settled now',
  'The peer support group on Thursdays',
];

/**
 * The answers of one profile (0 = least need), without the budget questions. Profiles with more
 * need have more day-to-day outcomes they cannot achieve. sectionDetained is the Mental Health
 * Act section of a person's past detention (they have been discharged), or null.
 */
export function profileAnswers(
  profile: number,
  sectionDetained: '3' | '37' | '45A' | '47' | '48' | null,
): Omit<Required<AssessmentAnswers>, 'budget'> {
  const notAchieved = Math.floor((profile * 7) / ELIGIBILITY_PROFILES);
  const items = Object.fromEntries(
    OUTCOMES.map((id, k) => {
      const position = (k - (profile % OUTCOMES.length) + OUTCOMES.length) % OUTCOMES.length;
      return position < notAchieved
        ? [
            id,
            {
              achievable: false,
              reasons: [UNABLE[(profile + k) % UNABLE.length] ?? 'needs_assistance'],
              notes: '',
            },
          ]
        : [id, { achievable: true, reasons: [], notes: '' }];
    }),
  );
  const significant = notAchieved >= 1 && profile % 7 !== 3;
  const areas = Object.fromEntries(
    WELLBEING.map((id, k) => [
      id,
      significant && k % 3 === profile % 3 ? 'significant' : (LEVELS[(k + profile) % 2] ?? 'none'),
    ]),
  );
  const carer = profile % 3 === 0;
  return {
    outcomes: { respondent: 'worker', items },
    impairment: {
      respondent: 'worker',
      needsFromImpairmentOrIllness: profile % 11 !== 5,
      notes: '',
    },
    wellbeing: { respondent: 'worker', areas, significantImpact: significant, notes: '' },
    nhs: {
      respondent: 'worker',
      detained: sectionDetained !== null,
      ...(sectionDetained === null ? {} : { detentionSection: sectionDetained, discharged: true }),
      continuingHealthcare:
        profile === ELIGIBILITY_PROFILES - 1
          ? 'eligible'
          : profile % 2 === 0
            ? 'not_assessed'
            : 'not_eligible',
      otherHealthNeeds: '',
    },
    recovery: {
      respondent: profile % 2 === 0 ? 'person' : 'representative',
      whatIsWorking: WORKING[profile % WORKING.length] ?? '',
      strengths: 'Kind, funny and good with animals',
      familyAndCommunitySupport: carer ? 'My mum helps most days' : '',
      goals: GOALS[profile % GOALS.length] ?? 'To stay well',
      hasUnpaidCarer: carer,
      carerName: carer ? 'Their mother' : '',
      ...(carer ? { carerAssessment: 'wanted' as const } : {}),
    },
  };
}

export interface AssessmentRowsContext {
  partnershipId: string;
  rasVersionId: string;
  ras: RasVersion;
  plan: AssessmentPlan;
  /** The ids of generated rows (assessment, decision and allocation share row numbers). */
  id: (kind: 'assessment' | 'decision' | 'allocation', row: number) => string;
  /** A person's id and coordinator's user id. */
  personId: (person: number) => string;
  coordinatorId: (person: number) => string;
  /** The section a person was detained under before section 117 after-care, or null. */
  sectionDetained: (person: number) => '3' | '37' | '45A' | '47' | '48' | null;
}

interface Decided {
  /** The answers document as JSON, open at the end for the budget part. */
  answersStart: string;
  decision: string;
  explanation: string;
  careActEligible: boolean;
  nhsRight: string;
  section117: boolean;
  rulesVersion: string;
}

const MS_A_DAY = 86_400_000;

/** The CSV lines of the three tables for row r of the plan. */
export function assessmentRows(ctx: AssessmentRowsContext) {
  const { plan, ras } = ctx;
  const effective = Date.parse(`${ras.effectiveFrom}T00:00:00Z`);
  const decided = new Map<string, Decided>();
  const decide = (r: number): Decided => {
    const section = ctx.sectionDetained(plan.person[r] ?? 0);
    const profile = plan.profile[r] ?? 0;
    const key = `${String(profile)}:${section ?? ''}`;
    let d = decided.get(key);
    if (!d) {
      const answers = profileAnswers(profile, section);
      const decision = decideEligibility(toEligibilityInput(answers));
      d = {
        answersStart: JSON.stringify(answers).slice(0, -1),
        decision: JSON.stringify(decision),
        explanation: decision.explanation,
        careActEligible: decision.careAct.eligible,
        nhsRight: decision.nhs.right,
        section117: decision.nhs.legalGrounds.includes('section_117'),
        rulesVersion: decision.rulesVersion,
      };
      decided.set(key, d);
    }
    return d;
  };
  const rasAnswers = (r: number): RasAnswers => {
    const out: Record<string, string> = {};
    ras.questions.forEach((q, k) => {
      const a = q.answers[plan.answers[r * plan.questions + k] ?? 0] ?? q.answers[0];
      if (a) out[q.id] = a.id;
    });
    return out;
  };
  const day = (r: number) => new Date(effective + (plan.day[r] ?? 0) * MS_A_DAY);
  const at = (r: number, hour: number) =>
    new Date(day(r).getTime() + hour * 3_600_000).toISOString();

  const budget = (r: number) => {
    const result = calculateIndicativeBudget(ras, rasAnswers(r), {
      section117: decide(r).section117,
    });
    if (!result.ok) throw new Error(`generated answers do not fit: ${result.messages.join('; ')}`);
    return result.budget;
  };

  return {
    /** The indicative budget of row r (what its allocation row stores). */
    budget,
    /** The day row r's assessment was completed, as a Date at midnight UTC. */
    completedDay: day,
    assessment: (r: number): string => {
      const person = plan.person[r] ?? 0;
      const d = decide(r);
      const answers = `${d.answersStart},"budget":{"respondent":"worker","answers":${JSON.stringify(rasAnswers(r))}}}`;
      const by = ctx.coordinatorId(person);
      return csvLine([
        ctx.id('assessment', r),
        ctx.partnershipId,
        ctx.personId(person),
        plan.sequence[r] ?? 1,
        'completed',
        answers,
        ctx.rasVersionId,
        1,
        by,
        at(r, 9),
        by,
        at(r, 11),
        by,
        at(r, 11),
      ]);
    },
    decision: (r: number): string => {
      const person = plan.person[r] ?? 0;
      const d = decide(r);
      return csvLine([
        ctx.id('decision', r),
        ctx.partnershipId,
        ctx.id('assessment', r),
        ctx.personId(person),
        d.rulesVersion,
        d.careActEligible ? 'true' : 'false',
        d.nhsRight,
        d.decision,
        d.explanation,
        ctx.coordinatorId(person),
        at(r, 11),
      ]);
    },
    allocation: (r: number): string => {
      const person = plan.person[r] ?? 0;
      const d = decide(r);
      const answers = rasAnswers(r);
      const result = calculateIndicativeBudget(ras, answers, { section117: d.section117 });
      if (!result.ok)
        throw new Error(`generated answers do not fit: ${result.messages.join('; ')}`);
      return csvLine([
        ctx.id('allocation', r),
        ctx.partnershipId,
        ctx.id('assessment', r),
        ctx.personId(person),
        ctx.rasVersionId,
        JSON.stringify(answers),
        d.section117 ? 'true' : 'false',
        JSON.stringify(result.budget),
        result.budget.totalPoints,
        result.budget.annual,
        ctx.coordinatorId(person),
        at(r, 11),
      ]);
    },
  };
}

export const ASSESSMENT_COLUMNS = [
  'id',
  'partnership_id',
  'person_id',
  'sequence',
  'status',
  'answers',
  'ras_version_id',
  'version',
  'started_by',
  'started_at',
  'updated_by',
  'updated_at',
  'completed_by',
  'completed_at',
] as const;
export const DECISION_COLUMNS = [
  'id',
  'partnership_id',
  'assessment_id',
  'person_id',
  'rules_version',
  'care_act_eligible',
  'nhs_right',
  'decision',
  'explanation',
  'decided_by',
  'decided_at',
] as const;
export const ALLOCATION_COLUMNS = [
  'id',
  'partnership_id',
  'assessment_id',
  'person_id',
  'ras_version_id',
  'answers',
  'section_117',
  'result',
  'total_points',
  'annual_pence',
  'calculated_by',
  'calculated_at',
] as const;
