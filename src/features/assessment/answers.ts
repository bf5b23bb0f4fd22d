// The integrated assessment's answers: one document per assessment, one part per section, each
// saved as its page is posted. Pure: no database, no web framework. A page checks only that
// what was given hangs together; what is still missing is listed on the check page, so a draft
// can be saved part-way and finished later.
import { z } from 'zod';
import {
  CARE_ACT_OUTCOMES,
  MHA_SECTIONS,
  OUTCOME_IDS,
  UNABLE_REASONS,
  eligibilityInputSchema,
  type EligibilityInput,
  type OutcomeId,
  type UnableReasonId,
} from './eligibility.js';

/** Who gave the answers in a section (so a supported self-assessment can be added later). */
export const RESPONDENTS = [
  { id: 'person', label: 'The person, in a supported self-assessment' },
  { id: 'representative', label: 'A representative, family member or advocate' },
  { id: 'worker', label: 'The worker, from what they know and were told' },
] as const;
export type Respondent = (typeof RESPONDENTS)[number]['id'];
const RESPONDENT_IDS = RESPONDENTS.map((r) => r.id) as [Respondent, ...Respondent[]];

/** The wellbeing principle's areas (Care Act 2014 s1(2)). */
export const WELLBEING_AREAS = [
  { id: 'dignity', label: 'Personal dignity, including being treated with respect' },
  { id: 'health', label: 'Physical and mental health and emotional wellbeing' },
  { id: 'protection', label: 'Protection from abuse and neglect' },
  { id: 'control', label: 'Control over day-to-day life, including care and support' },
  { id: 'participation', label: 'Work, education, training or recreation' },
  { id: 'social_economic', label: 'Social and economic wellbeing' },
  { id: 'relationships', label: 'Family and personal relationships' },
  { id: 'accommodation', label: 'Suitability of where they live' },
  { id: 'contribution', label: 'Their contribution to society' },
] as const;
export type WellbeingAreaId = (typeof WELLBEING_AREAS)[number]['id'];
export const WELLBEING_LEVELS = [
  { id: 'none', label: 'No impact' },
  { id: 'some', label: 'Some impact' },
  { id: 'significant', label: 'Significant impact' },
] as const;
export type WellbeingLevel = (typeof WELLBEING_LEVELS)[number]['id'];

export const CHC_STATUSES = [
  { id: 'eligible', label: 'Eligible for NHS continuing healthcare' },
  { id: 'not_eligible', label: 'Assessed and not eligible' },
  { id: 'not_assessed', label: 'Not assessed' },
] as const;
export type ChcStatus = (typeof CHC_STATUSES)[number]['id'];

export const CARER_ASSESSMENT = [
  { id: 'wanted', label: 'Yes, refer them for a carer’s assessment' },
  { id: 'already', label: 'They have had one, or one is booked' },
  { id: 'declined', label: 'They do not want one' },
] as const;
export type CarerAssessment = (typeof CARER_ASSESSMENT)[number]['id'];

export const SECTIONS = [
  { id: 'outcomes', title: 'Day-to-day outcomes' },
  { id: 'impairment', title: 'Impairment or illness' },
  { id: 'wellbeing', title: 'Impact on wellbeing' },
  { id: 'nhs', title: 'Health needs and NHS rights' },
  { id: 'recovery', title: 'Recovery, strengths and carers' },
  { id: 'budget', title: 'Support needed (budget questions)' },
] as const;
export type SectionId = (typeof SECTIONS)[number]['id'];
export const SECTION_IDS = SECTIONS.map((s) => s.id) as [SectionId, ...SectionId[]];

const NOTE_MAX = 5000;
const note = z
  .string()
  .trim()
  .max(NOTE_MAX, `Notes must be ${String(NOTE_MAX)} characters or fewer`);
const respondent = z.enum(RESPONDENT_IDS).optional();

const outcomeItem = z.object({
  achievable: z.boolean().optional(),
  reasons: z.array(
    z.enum(UNABLE_REASONS.map((r) => r.id) as [UnableReasonId, ...UnableReasonId[]]),
  ),
  notes: note,
});
export type OutcomeItem = z.infer<typeof outcomeItem>;

export const sectionSchemas = {
  outcomes: z.object({
    respondent,
    items: z.partialRecord(z.enum(OUTCOME_IDS), outcomeItem),
  }),
  impairment: z.object({
    respondent,
    needsFromImpairmentOrIllness: z.boolean().optional(),
    notes: note,
  }),
  wellbeing: z.object({
    respondent,
    areas: z.partialRecord(
      z.enum(WELLBEING_AREAS.map((a) => a.id) as [WellbeingAreaId, ...WellbeingAreaId[]]),
      z.enum(['none', 'some', 'significant']),
    ),
    significantImpact: z.boolean().optional(),
    notes: note,
  }),
  nhs: z.object({
    respondent,
    detained: z.boolean().optional(),
    detentionSection: z.enum(MHA_SECTIONS).optional(),
    discharged: z.boolean().optional(),
    continuingHealthcare: z.enum(['eligible', 'not_eligible', 'not_assessed']).optional(),
    otherHealthNeeds: note,
  }),
  recovery: z.object({
    respondent,
    whatIsWorking: note,
    strengths: note,
    familyAndCommunitySupport: note,
    goals: note,
    hasUnpaidCarer: z.boolean().optional(),
    carerName: z.string().trim().max(200, 'The carer’s name must be 200 characters or fewer'),
    carerAssessment: z.enum(['wanted', 'already', 'declined']).optional(),
  }),
  budget: z.object({
    respondent,
    answers: z.record(z.string(), z.string()),
  }),
} as const;

export type Sections = { [K in SectionId]: z.infer<(typeof sectionSchemas)[K]> };
export type AssessmentAnswers = Partial<Sections>;

export const assessmentAnswersSchema = z.object(
  Object.fromEntries(SECTION_IDS.map((id) => [id, sectionSchemas[id].optional()])) as {
    [K in SectionId]: z.ZodOptional<(typeof sectionSchemas)[K]>;
  },
);

/** A question from the RAS, as the budget page needs it. */
export interface BudgetQuestion {
  id: string;
  text: string;
  answers: readonly { id: string; text: string; points: number }[];
}

/** Something still to answer before the assessment can be completed, with where to answer it. */
export interface MissingItem {
  section: SectionId;
  /** The field's id on its page, for the link's #anchor. */
  field: string;
  message: string;
}

/** Consistency problems in one section, as field → message, for the page's error summary. */
export function sectionProblems(
  section: SectionId,
  data: Sections[SectionId],
  questions: readonly BudgetQuestion[],
): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  switch (section) {
    case 'outcomes': {
      const d = data as Sections['outcomes'];
      for (const o of CARE_ACT_OUTCOMES) {
        const item = d.items[o.id];
        if (!item) continue;
        if (item.achievable === false && item.reasons.length === 0)
          problems.push({
            field: `${o.id}-reasons`,
            message: `Select why they cannot achieve ${o.label}`,
          });
        if (item.achievable === true && item.reasons.length > 0)
          problems.push({
            field: `${o.id}-reasons`,
            message: `You said they can achieve ${o.label}: clear the reasons, or change the answer to no`,
          });
      }
      break;
    }
    case 'nhs': {
      const d = data as Sections['nhs'];
      if (d.detained === true && d.detentionSection === undefined)
        problems.push({
          field: 'detentionSection',
          message: 'Select the section they were detained under',
        });
      if (d.detained === true && d.discharged === undefined)
        problems.push({ field: 'discharged', message: 'Select whether they have left hospital' });
      break;
    }
    case 'recovery': {
      const d = data as Sections['recovery'];
      if (d.hasUnpaidCarer === true && d.carerAssessment === undefined)
        problems.push({
          field: 'carerAssessment',
          message: 'Select whether the carer wants a carer’s assessment',
        });
      break;
    }
    case 'budget': {
      const d = data as Sections['budget'];
      for (const [qid, aid] of Object.entries(d.answers)) {
        const q = questions.find((x) => x.id === qid);
        if (!q)
          problems.push({ field: `q-${qid}`, message: `There is no budget question "${qid}"` });
        else if (!q.answers.some((a) => a.id === aid))
          problems.push({ field: `q-${qid}`, message: `Select one of the answers to “${q.text}”` });
      }
      break;
    }
    case 'impairment':
    case 'wellbeing':
      // Nothing on these pages depends on another answer.
      break;
  }
  return problems;
}

/** Everything still missing, in page order. Empty means the assessment can be completed. */
export function missingItems(
  answers: AssessmentAnswers,
  questions: readonly BudgetQuestion[],
): MissingItem[] {
  const missing: MissingItem[] = [];
  const need = (section: SectionId, field: string, message: string) => {
    missing.push({ section, field, message });
  };
  const o = answers.outcomes;
  if (!o?.respondent)
    need('outcomes', 'outcomes-respondent', 'Day-to-day outcomes: say who answered');
  for (const out of CARE_ACT_OUTCOMES) {
    const item = o?.items[out.id];
    if (item?.achievable === undefined)
      need('outcomes', `${out.id}-achievable`, `Say whether they can achieve ${out.label}`);
    else if (!item.achievable && item.reasons.length === 0)
      need('outcomes', `${out.id}-reasons`, `Say why they cannot achieve ${out.label}`);
  }
  const i = answers.impairment;
  if (!i?.respondent)
    need('impairment', 'impairment-respondent', 'Impairment or illness: say who answered');
  if (i?.needsFromImpairmentOrIllness === undefined)
    need(
      'impairment',
      'needsFromImpairmentOrIllness',
      'Say whether the needs arise from an impairment or illness',
    );
  const w = answers.wellbeing;
  if (!w?.respondent)
    need('wellbeing', 'wellbeing-respondent', 'Impact on wellbeing: say who answered');
  for (const area of WELLBEING_AREAS) {
    if (!w?.areas[area.id])
      need('wellbeing', `area-${area.id}`, `Say what the impact is on ${area.label.toLowerCase()}`);
  }
  if (w?.significantImpact === undefined)
    need(
      'wellbeing',
      'significantImpact',
      'Say whether there is a significant impact on their wellbeing',
    );
  const n = answers.nhs;
  if (!n?.respondent) need('nhs', 'nhs-respondent', 'Health needs: say who answered');
  if (n?.detained === undefined)
    need('nhs', 'detained', 'Say whether they have been detained under the Mental Health Act');
  else if (n.detained) {
    if (n.detentionSection === undefined)
      need('nhs', 'detentionSection', 'Select the section they were detained under');
    if (n.discharged === undefined)
      need('nhs', 'discharged', 'Say whether they have left hospital');
  }
  if (n?.continuingHealthcare === undefined)
    need(
      'nhs',
      'continuingHealthcare',
      'Say whether they are eligible for NHS continuing healthcare',
    );
  const r = answers.recovery;
  if (!r?.respondent) need('recovery', 'recovery-respondent', 'Recovery: say who answered');
  if (!r?.goals) need('recovery', 'goals', 'Write down the person’s goals, in their own words');
  if (r?.hasUnpaidCarer === undefined)
    need('recovery', 'hasUnpaidCarer', 'Say whether they have an unpaid carer');
  else if (r.hasUnpaidCarer && r.carerAssessment === undefined)
    need('recovery', 'carerAssessment', 'Say whether the carer wants a carer’s assessment');
  const b = answers.budget;
  if (!b?.respondent) need('budget', 'budget-respondent', 'Support needed: say who answered');
  for (const q of questions) {
    const a = b?.answers[q.id];
    if (a === undefined || !q.answers.some((x) => x.id === a))
      need('budget', `q-${q.id}`, `Answer “${q.text}”`);
  }
  return missing;
}

/** The eligibility rules' input. Call only when missingItems() is empty. */
export function toEligibilityInput(answers: AssessmentAnswers): EligibilityInput {
  const items: Partial<Record<OutcomeId, OutcomeItem>> = answers.outcomes?.items ?? {};
  const outcomes = Object.fromEntries(
    OUTCOME_IDS.map((id: OutcomeId) => {
      const item = items[id];
      return [
        id,
        item?.achievable === false
          ? { achievable: false, reasons: item.reasons }
          : { achievable: true },
      ];
    }),
  );
  const n = answers.nhs;
  return eligibilityInputSchema.parse({
    needsFromImpairmentOrIllness: answers.impairment?.needsFromImpairmentOrIllness === true,
    outcomes,
    significantWellbeingImpact: answers.wellbeing?.significantImpact === true,
    nhs: {
      detentions:
        n?.detained && n.detentionSection
          ? [{ section: n.detentionSection, discharged: n.discharged === true }]
          : [],
      continuingHealthcareEligible: n?.continuingHealthcare === 'eligible',
    },
  });
}

/** Reads a stored answers document; anything unreadable is dropped rather than trusted. */
export function readAnswers(stored: unknown): AssessmentAnswers {
  const out: AssessmentAnswers = {};
  if (typeof stored !== 'object' || stored === null) return out;
  for (const id of SECTION_IDS) {
    const raw = (stored as Record<string, unknown>)[id];
    if (raw === undefined) continue;
    const parsed = sectionSchemas[id].safeParse(raw);
    if (parsed.success) (out as Record<string, unknown>)[id] = parsed.data;
  }
  return out;
}

export function sectionTitle(id: SectionId): string {
  return SECTIONS.find((s) => s.id === id)?.title ?? id;
}
