// A support plan's content: one document per plan version, written by the person with their
// coordinator, saved part by part like the assessment. Pure: zod only. Costing, spending rules,
// the plan check and sign-off routing are in rules.ts; this file says only what a plan holds.
import { z } from 'zod';

const NOTE_MAX = 5000;
const text = (max = NOTE_MAX) =>
  z
    .string()
    .trim()
    .max(max, `This must be ${String(max)} characters or fewer`);
const id = z
  .string()
  .regex(/^[a-z0-9-]{1,40}$/, 'An id is lower-case letters, numbers and hyphens');

/** Item categories (issue 4 point 1). */
export const ITEM_CATEGORIES = [
  { id: 'personal_assistant', label: 'Personal assistant' },
  { id: 'agency_support', label: 'Agency support' },
  { id: 'day_or_community_activity', label: 'Day or community activity' },
  { id: 'education_or_training', label: 'Education or training' },
  { id: 'employment_support', label: 'Employment support' },
  { id: 'peer_support', label: 'Peer support' },
  { id: 'therapy', label: 'Therapy' },
  { id: 'equipment', label: 'Equipment' },
  { id: 'transport', label: 'Transport' },
  { id: 'leisure', label: 'Leisure' },
  { id: 'short_breaks', label: 'Short breaks' },
  { id: 'other', label: 'Other' },
] as const;
export type ItemCategory = (typeof ITEM_CATEGORIES)[number]['id'];
const CATEGORY_IDS = ITEM_CATEGORIES.map((c) => c.id) as [ItemCategory, ...ItemCategory[]];

/** How a funding stream's money is held (CLD delivery mechanisms, in plain words). */
export const HOLDING_OPTIONS = [
  { id: 'direct_payment', label: 'Direct payment to the person or their representative' },
  { id: 'managed', label: 'Managed by the council or the NHS (a notional budget)' },
  { id: 'third_party', label: 'Held by a third party organisation' },
  { id: 'individual_service_fund', label: 'Individual service fund held by a provider' },
  { id: 'mixed', label: 'A mix of these' },
] as const;
export type HoldingOption = (typeof HOLDING_OPTIONS)[number]['id'];
const HOLDING_IDS = HOLDING_OPTIONS.map((h) => h.id) as [HoldingOption, ...HoldingOption[]];

export const MONEY_MANAGERS = [
  { id: 'person', label: 'The person' },
  { id: 'representative', label: 'A representative' },
  { id: 'nominee', label: 'A nominee' },
  { id: 'broker_organisation', label: 'A broker organisation' },
] as const;
export type MoneyManager = (typeof MONEY_MANAGERS)[number]['id'];
const MANAGER_IDS = MONEY_MANAGERS.map((m) => m.id) as [MoneyManager, ...MoneyManager[]];

export const LIKELIHOODS = ['unlikely', 'possible', 'likely'] as const;
export const IMPACTS = ['low', 'medium', 'high'] as const;

export const outcomeSchema = z.object({
  id,
  /** In the person's own words. */
  words: text(1000).min(1, 'Write the outcome in the person’s own words'),
  /** Which assessed needs it meets: Care Act outcome ids or wellbeing area ids, or free text. */
  meetsNeeds: z.array(z.string().max(100)).max(30),
  /** Why there is no support item for it, when there is none (for example, met by family). */
  note: text(),
});
export type PlanOutcome = z.infer<typeof outcomeSchema>;

export const itemSchema = z.object({
  id,
  what: text(500).min(1, 'Say what the support is'),
  category: z.enum(CATEGORY_IDS),
  provider: z.object({
    kind: z.enum(['provider', 'personal_assistant']),
    name: text(200),
    /** A close relative living in the same household (Care and Support (Direct Payments) Regulations 2014 reg 3). */
    closeRelativeInHousehold: z.boolean(),
    /** Why paying them is necessary, when they are such a relative. */
    necessaryReason: text(),
  }),
  /** Whole pence per unit. */
  unitCostPence: z.number().int().min(0),
  units: z.number().positive().max(10_000),
  /** As the worker typed it ("twice a week", "4-weekly", "once"); parsed by the rules. */
  frequency: text(100).min(1, 'Say how often'),
  /** The funding stream paying for it (the indicative budget's stream id). */
  streamId: z.string().max(100),
  outcomeIds: z.array(id).max(30),
});
export type PlanItem = z.infer<typeof itemSchema>;

export const streamHoldingSchema = z.object({
  streamId: z.string().max(100),
  holding: z.enum(HOLDING_IDS),
  managedBy: z.enum(MANAGER_IDS),
  /** The organisation or person holding the money, for third parties, ISFs and nominees. */
  holderName: text(200),
});
export type StreamHolding = z.infer<typeof streamHoldingSchema>;

export const riskSchema = z.object({
  id,
  risk: text(500).min(1, 'Describe the risk'),
  whatCouldHappen: text(),
  likelihood: z.enum(LIKELIHOODS),
  impact: z.enum(IMPACTS),
  whoIsAffected: text(500),
  personsView: text(),
  agreedApproach: text(),
  whoAgreed: text(500),
  /** A positive risk-taking decision: recorded as a decision, never a reason to refuse. */
  positiveRiskTaking: z.boolean(),
});
export type PlanRisk = z.infer<typeof riskSchema>;

export const planDocumentSchema = z.object({
  outcomes: z.array(outcomeSchema).max(50),
  items: z.array(itemSchema).max(200),
  streams: z.array(streamHoldingSchema).max(20),
  crisis: z.object({
    whoToCall: text(),
    whatToDo: text(),
    /** Money set aside for a crisis, a year, in whole pence. */
    setAsidePence: z.number().int().min(0),
  }),
  risks: z.array(riskSchema).max(50),
  /** For an NHS direct payment: the risk-management procedure the regulations require. */
  nhsRiskManagementProcedure: text(),
  /** Why a plan costs more than the indicative budget. */
  overBudgetJustification: text(),
  /** When the support starts (the first payment date, until payments exist). */
  startsOn: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .nullable(),
});
export type PlanDocument = z.infer<typeof planDocumentSchema>;

export const EMPTY_PLAN: PlanDocument = {
  outcomes: [],
  items: [],
  streams: [],
  crisis: { whoToCall: '', whatToDo: '', setAsidePence: 0 },
  risks: [],
  nhsRiskManagementProcedure: '',
  overBudgetJustification: '',
  startsOn: null,
};

/** Reads a stored document; anything unreadable becomes an empty plan part, never a crash. */
export function readPlanDocument(stored: unknown): PlanDocument {
  const r = planDocumentSchema.safeParse(stored);
  return r.success ? r.data : { ...EMPTY_PLAN };
}
