// Risk enablement in a support plan (issue 4 point 3; DOMAIN.md 1.3 stage 4 and section 8).
// Each risk is written down with the person's view and the approach agreed; a decision to take
// a risk because the gain is worth it is recorded as a positive risk-taking decision, with who
// made it and why, never as a refusal. For an NHS direct payment the regulations require the
// risks to be explained and a risk-management procedure agreed and written into the plan
// (SI 2013/1617 reg 8, replacing SI 2010/1000 reg 11, DOMAIN.md 2.4). Pure: no I/O.
import { z } from 'zod';
import { CivilDateSchema } from '../../platform/dates.js';
import type { FundingBody, HoldingOption } from './items.js';

/**
 * A five-point scale each way, as in the common NHS risk matrix (general knowledge; DOMAIN.md
 * names no scale), in plain words.
 */
export const LIKELIHOODS = ['rare', 'unlikely', 'possible', 'likely', 'almost_certain'] as const;
export const LIKELIHOOD_LABELS: Readonly<Record<(typeof LIKELIHOODS)[number], string>> = {
  rare: 'Very unlikely',
  unlikely: 'Unlikely',
  possible: 'Possible',
  likely: 'Likely',
  almost_certain: 'Almost certain',
};
export const IMPACTS = ['negligible', 'minor', 'moderate', 'major', 'severe'] as const;
export const IMPACT_LABELS: Readonly<Record<(typeof IMPACTS)[number], string>> = {
  negligible: 'Very small',
  minor: 'Small',
  moderate: 'Moderate',
  major: 'Serious',
  severe: 'Very serious',
};
export const AFFECTED = [
  'the_person',
  'family_or_carers',
  'personal_assistants_or_staff',
  'other_people',
] as const;

/** The kinds of risk SI 2010/1000 reg 11 lists for an NHS direct payment (DOMAIN.md 2.4). */
export const NHS_DP_RISK_KINDS = [
  'health',
  'from_the_service_bought',
  'employing_someone',
  'provider_without_complaints_procedure',
] as const;

const text = (what: string, max = 2000) =>
  z
    .string()
    .trim()
    .min(1, { message: `Enter ${what}` })
    .max(max, {
      message: `${what[0]?.toUpperCase() ?? ''}${what.slice(1)} must be ${max.toLocaleString('en-GB')} characters or fewer`,
    });
const names = (what: string) =>
  z.array(z.string().trim().min(1).max(200)).min(1, { message: `Say ${what}` });

export const positiveRiskTakingSchema = z.object({
  /** What was decided, for example "Sam will travel to college alone". */
  decision: text('what was decided'),
  /** Why taking the risk is worth it: what the person gains. */
  benefits: text('why the risk is worth taking'),
  decidedBy: names('who made the decision'),
  decidedOn: CivilDateSchema,
  /** When the decision will be looked at again; null for at the next review. */
  revisitOn: CivilDateSchema.nullable().default(null),
});

export const riskSchema = z.object({
  id: z
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9_-]*$/, {
      message: 'A risk id must use only lower-case letters, numbers, hyphens and underscores',
    }),
  risk: text('the risk', 500),
  whatCouldHappen: text('what could happen'),
  likelihood: z.enum(LIKELIHOODS, { message: 'Choose how likely it is' }),
  impact: z.enum(IMPACTS, { message: 'Choose how serious it would be' }),
  whoIsAffected: z.array(z.enum(AFFECTED)).min(1, { message: 'Choose who could be affected' }),
  whoIsAffectedDetails: z.string().trim().max(500).default(''),
  /** Which of the NHS direct payment risk kinds this is, if any. */
  nhsDirectPaymentKind: z.enum(NHS_DP_RISK_KINDS).nullable().default(null),
  personsView: text("the person's view"),
  agreedApproach: text('the approach agreed'),
  agreedBy: names('who agreed the approach'),
  agreedOn: CivilDateSchema,
  /** Recorded when the agreed approach is to take the risk. */
  positiveRiskTaking: positiveRiskTakingSchema.nullable().default(null),
});
export type Risk = z.infer<typeof riskSchema>;
export type RiskInput = z.input<typeof riskSchema>;

/** The procedure for managing risk that an NHS direct payment's plan must contain. */
export const riskManagementProcedureSchema = z.object({
  procedure: text('the risk-management procedure', 5000),
  /** That the significant risks, their consequences and how to reduce them were explained. */
  risksExplained: z.literal(true, { message: 'Confirm the risks were explained to the person' }),
  agreedWith: names('who the procedure was agreed with'),
  agreedOn: CivilDateSchema,
});
export type RiskManagementProcedure = z.infer<typeof riskManagementProcedureSchema>;

export const NHS_DP_RISK_RULE = {
  id: 'nhs_dp_risk_management_procedure',
  title: 'An NHS direct payment needs a risk-management procedure in the plan',
  source:
    'NHS (Direct Payments) Regulations 2013 (SI 2013/1617), regulation 8 (as SI 2010/1000, regulation 11; DOMAIN.md 2.4)',
} as const;

/**
 * Whether the plan has what an NHS direct payment requires. Any NHS stream held as a direct
 * payment, or as a mix that may include one, needs a procedure: either the structured record
 * above, complete, or the procedure as text (the plan document's `nhsRiskManagementProcedure`),
 * not blank. Returns the message to show, or null when nothing is missing.
 */
export function missingRiskManagement(plan: {
  readonly streams: readonly { readonly body: FundingBody; readonly holding: HoldingOption }[];
  readonly riskManagementProcedure?: unknown;
}): string | null {
  const needed = plan.streams.some(
    (s) => s.body === 'nhs' && (s.holding === 'direct_payment' || s.holding === 'mixed'),
  );
  if (!needed) return null;
  const p = plan.riskManagementProcedure;
  if (p === undefined || p === null || (typeof p === 'string' && p.trim() === '')) {
    return 'Add the risk-management procedure agreed with the person: an NHS direct payment needs one in the plan';
  }
  if (typeof p === 'string') return null;
  const r = riskManagementProcedureSchema.safeParse(p);
  if (r.success) return null;
  return `The risk-management procedure is not complete: ${r.error.issues.map((i) => i.message).join('; ')}`;
}
