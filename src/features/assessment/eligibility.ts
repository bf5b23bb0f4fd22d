// Who is eligible, by law, for council care and support, and who has a legal right to an
// NHS personal health budget. Pure rules: no database, no web framework, no clock.
//
// Sources (see ../shared/domain/DOMAIN.md sections 2.1, 3.1 and 3.4):
// - Care Act: Care and Support (Eligibility Criteria) Regulations 2015 (SI 2015/313), reg 2.
// - NHS: NHS Standing Rules Regulations 2012 (SI 2012/2996) Part 6A: the legal right to have a
//   personal health budget for NHS continuing healthcare (since 1 October 2014) and for
//   section 117 Mental Health Act after-care (since 2 December 2019).
import { z } from 'zod';

/** Stored with every decision, so a decision can always be explained by the rules that made it. */
export const ELIGIBILITY_RULES_VERSION = 'eligibility-2026-11';

/** The ten specified outcomes of SI 2015/313 reg 2(2), in the order of the regulation. */
export const CARE_ACT_OUTCOMES = [
  { id: 'nutrition', code: 'a', label: 'getting enough to eat and drink' },
  { id: 'personal_hygiene', code: 'b', label: 'keeping yourself clean' },
  { id: 'toilet_needs', code: 'c', label: 'using the toilet' },
  { id: 'clothing', code: 'd', label: 'being dressed suitably' },
  { id: 'home_safety', code: 'e', label: 'using your home safely' },
  { id: 'habitable_home', code: 'f', label: 'keeping your home fit to live in' },
  {
    id: 'relationships',
    code: 'g',
    label: 'keeping up relationships with family and friends',
  },
  {
    id: 'work_education_volunteering',
    code: 'h',
    label: 'work, training, education or volunteering',
  },
  {
    id: 'community_services',
    code: 'i',
    label: 'using local services and facilities, including public transport',
  },
  { id: 'caring_for_a_child', code: 'j', label: 'caring for a child' },
] as const;

export type OutcomeId = (typeof CARE_ACT_OUTCOMES)[number]['id'];
export const OUTCOME_IDS = CARE_ACT_OUTCOMES.map((o) => o.id) as [OutcomeId, ...OutcomeId[]];

/**
 * Why an outcome counts as "unable to achieve" (reg 2(3)). The adult:
 * needs help, including prompting; or manages alone but only with significant pain, distress
 * or anxiety; or manages alone but it endangers, or is likely to endanger, their own or
 * someone else's health or safety; or manages alone but takes significantly longer than
 * would normally be expected.
 */
export const UNABLE_REASONS = [
  { id: 'needs_assistance', label: 'you need help or prompting' },
  {
    id: 'significant_pain_distress_anxiety',
    label: 'you can only do it with significant pain, distress or anxiety',
  },
  {
    id: 'endangers_health_or_safety',
    label: "doing it puts your health or safety, or someone else's, at risk",
  },
  {
    id: 'takes_significantly_longer',
    label: 'it takes you much longer than it would normally take',
  },
] as const;

export type UnableReasonId = (typeof UNABLE_REASONS)[number]['id'];
const UNABLE_REASON_IDS = UNABLE_REASONS.map((r) => r.id) as [UnableReasonId, ...UnableReasonId[]];

/**
 * Mental Health Act sections a person may have been detained under. After-care under
 * section 117 follows detention under 3, 37, 45A, 47 or 48 only; the others are here so that a
 * worker can record them and see plainly that they do not qualify (for example section 2).
 */
export const MHA_SECTIONS = ['2', '3', '4', '35', '36', '37', '38', '45A', '47', '48'] as const;
export type MhaSection = (typeof MHA_SECTIONS)[number];
export const SECTION_117_SECTIONS: readonly MhaSection[] = ['3', '37', '45A', '47', '48'];

const outcomeAnswerSchema = z.discriminatedUnion('achievable', [
  z.object({ achievable: z.literal(true) }),
  z.object({
    achievable: z.literal(false),
    reasons: z
      .array(z.enum(UNABLE_REASON_IDS))
      .min(1, 'Say why the outcome cannot be achieved')
      .refine((rs) => new Set(rs).size === rs.length, 'Give each reason once'),
  }),
]);
export type OutcomeAnswer = z.infer<typeof outcomeAnswerSchema>;

const detentionSchema = z.object({
  section: z.enum(MHA_SECTIONS),
  /** The person has since stopped being detained and left hospital. */
  discharged: z.boolean(),
});

/** Every answer the rules need. Parse with this schema; the rules accept nothing unparsed. */
export const eligibilityInputSchema = z
  .object({
    /** Condition (a): the needs arise from or relate to a physical or mental impairment or illness. */
    needsFromImpairmentOrIllness: z.boolean(),
    /** Condition (b): one answer for each of the ten outcomes, decided without regard to any carer's help. */
    outcomes: z.object(
      Object.fromEntries(OUTCOME_IDS.map((id) => [id, outcomeAnswerSchema])) as Record<
        OutcomeId,
        typeof outcomeAnswerSchema
      >,
    ),
    /** Condition (c): there is, or is likely to be, a significant impact on wellbeing. */
    significantWellbeingImpact: z.boolean(),
    nhs: z.object({
      detentions: z.array(detentionSchema),
      continuingHealthcareEligible: z.boolean(),
    }),
  })
  .brand<'EligibilityInput'>();
export type EligibilityInput = z.infer<typeof eligibilityInputSchema>;

/** The NHS legal rights, strongest first; 'local_offer' when neither applies. */
export type NhsRight = 'section_117' | 'continuing_healthcare' | 'local_offer';
export type NhsLegalGround = Exclude<NhsRight, 'local_offer'>;

export interface EligibilityDecision {
  readonly rulesVersion: typeof ELIGIBILITY_RULES_VERSION;
  readonly careAct: {
    readonly eligible: boolean;
    readonly conditions: {
      readonly impairmentOrIllness: boolean;
      readonly twoOrMoreOutcomesNotAchieved: boolean;
      readonly significantWellbeingImpact: boolean;
    };
    /** In the order of the regulation. */
    readonly outcomesNotAchieved: readonly OutcomeId[];
    readonly reasons: readonly string[];
  };
  readonly nhs: {
    /** The first legal ground, or the local offer when there is none. */
    readonly right: NhsRight;
    /** Every legal ground that applies (a person can have both). */
    readonly legalGrounds: readonly NhsLegalGround[];
    readonly reasons: readonly string[];
  };
  /** Addressed to the person, in plain English. */
  readonly explanation: string;
}

export function outcomeLabel(id: OutcomeId): string {
  return CARE_ACT_OUTCOMES.find((o) => o.id === id)?.label ?? id;
}

function unableReasonLabel(id: UnableReasonId): string {
  return UNABLE_REASONS.find((r) => r.id === id)?.label ?? id;
}

export function decideEligibility(input: EligibilityInput): EligibilityDecision {
  const careAct = decideCareAct(input);
  const nhs = decideNhs(input);
  return {
    rulesVersion: ELIGIBILITY_RULES_VERSION,
    careAct,
    nhs,
    explanation: [...careActExplanation(input, careAct), ...nhs.reasons].join('\n\n'),
  };
}

function decideCareAct(input: EligibilityInput): EligibilityDecision['careAct'] {
  const outcomesNotAchieved = OUTCOME_IDS.filter((id) => !input.outcomes[id].achievable);
  const conditions = {
    impairmentOrIllness: input.needsFromImpairmentOrIllness,
    twoOrMoreOutcomesNotAchieved: outcomesNotAchieved.length >= 2,
    significantWellbeingImpact: input.significantWellbeingImpact,
  };
  const eligible =
    conditions.impairmentOrIllness &&
    conditions.twoOrMoreOutcomesNotAchieved &&
    conditions.significantWellbeingImpact;

  const reasons = [
    conditions.impairmentOrIllness
      ? 'Your needs arise from or relate to a physical or mental impairment or illness.'
      : 'Your needs do not arise from or relate to a physical or mental impairment or illness.',
    outcomesSentence(outcomesNotAchieved),
    conditions.significantWellbeingImpact
      ? 'This has, or is likely to have, a significant impact on your wellbeing.'
      : 'This does not have, and is not likely to have, a significant impact on your wellbeing.',
  ];
  return { eligible, conditions, outcomesNotAchieved, reasons };
}

function outcomesSentence(notAchieved: readonly OutcomeId[]): string {
  if (notAchieved.length === 0) return 'You can achieve all ten of the outcomes set out in law.';
  const names = notAchieved.map(outcomeLabel).join('; ');
  const count = notAchieved.length === 1 ? 'one' : String(notAchieved.length);
  return `You cannot achieve ${count} of the ten outcomes set out in law: ${names}.`;
}

function careActExplanation(
  input: EligibilityInput,
  careAct: EligibilityDecision['careAct'],
): string[] {
  const { conditions } = careAct;
  const paragraphs: string[] = [];
  if (careAct.eligible) {
    paragraphs.push(
      'You are eligible for care and support from the council because all three conditions in the law are met: ' +
        'your needs come from an impairment or illness, you cannot achieve two or more of the ten outcomes, ' +
        'and this has a significant impact on your wellbeing.',
    );
  } else {
    paragraphs.push(
      'You are not eligible for care and support from the council because not all three conditions in the law are met.',
    );
    if (!conditions.impairmentOrIllness)
      paragraphs.push('Your needs do not come from a physical or mental impairment or illness.');
    if (!conditions.twoOrMoreOutcomesNotAchieved)
      paragraphs.push(
        careAct.outcomesNotAchieved.length === 0
          ? 'You can achieve all ten outcomes. The law needs two or more that you cannot achieve.'
          : 'There is only one of the ten outcomes you cannot achieve. The law needs two or more.',
      );
    if (!conditions.significantWellbeingImpact)
      paragraphs.push('There is not a significant impact on your wellbeing.');
  }
  for (const id of careAct.outcomesNotAchieved) {
    const answer = input.outcomes[id];
    const why = answer.achievable ? [] : answer.reasons.map(unableReasonLabel);
    const label = outcomeLabel(id);
    paragraphs.push(
      `${label.charAt(0).toUpperCase()}${label.slice(1)} is an outcome you cannot achieve, because ${joinAnd(why)}.`,
    );
  }
  return paragraphs;
}

function decideNhs(input: EligibilityInput): EligibilityDecision['nhs'] {
  const legalGrounds: NhsLegalGround[] = [];
  const reasons: string[] = [];
  const qualifying = input.nhs.detentions.filter((d) => SECTION_117_SECTIONS.includes(d.section));
  const afterCare = qualifying.find((d) => d.discharged);
  if (afterCare) {
    legalGrounds.push('section_117');
    reasons.push(
      `You have a legal right to a personal health budget for your after-care under section 117 of the Mental Health Act, ` +
        `because you were detained under section ${afterCare.section} and have left hospital.`,
    );
  } else if (qualifying[0]) {
    reasons.push(
      `You were detained under section ${qualifying[0].section} of the Mental Health Act. ` +
        'When you leave hospital you will have a legal right to a personal health budget for your section 117 after-care.',
    );
  } else if (input.nhs.detentions.length > 0) {
    const sections = [...new Set(input.nhs.detentions.map((d) => d.section))];
    reasons.push(
      `Being detained under section ${joinAnd(sections)} of the Mental Health Act does not give a right to section 117 after-care.`,
    );
  }
  if (input.nhs.continuingHealthcareEligible) {
    legalGrounds.push('continuing_healthcare');
    reasons.push(
      'You have a legal right to a personal health budget because you are eligible for NHS continuing healthcare.',
    );
  }
  const right: NhsRight = legalGrounds[0] ?? 'local_offer';
  if (right === 'local_offer')
    reasons.push(
      'You do not have a legal right to a personal health budget, but you can ask for one under the local offer from the NHS and the council.',
    );
  return { right, legalGrounds, reasons };
}

function joinAnd(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.slice(-1).join('')}`;
}
