// What each funding stream's money may not buy, as a partnership's configurable rule set with
// defaults from the law. Each rule says which money it applies to (council or NHS, and how the
// money is held), which items it catches (category, words in the description, or a close
// relative in the household), and whether such an item is blocked or needs a recorded reason.
// Pure: no I/O.
//
// Sources (../shared/domain/DOMAIN.md):
// - 2.5: a personal health budget cannot be spent on alcohol, tobacco, gambling, debt repayment,
//   anything illegal, emergency or unplanned care, primary care (GP services, prescriptions),
//   dental treatment, or private procedures such as elective surgery (NHS England and CCG
//   guidance, verified).
// - 3.3: a social care direct payment must not pay a spouse, partner or close relative living in
//   the same household unless the council considers it necessary (SI 2014/2871 reg 3,
//   verified); direct payments do not buy long-term residential care (SI 2014/2871 reg 6, not
//   yet checked against the regulation: DOMAIN.md 9 item 3).
// - 2.4: an NHS direct payment may pay a family member or friend living in the same household
//   ("connected person") only in very limited circumstances (SI 2013/1617 as amended by
//   SI 2013/2354 and SI 2017/219).
import { z } from 'zod';
import {
  FUNDING_BODIES,
  HOLDING_OPTIONS,
  PLAN_ITEM_CATEGORIES,
  PLAN_ITEM_CATEGORY_LABELS,
  type FundingBody,
  type HoldingOption,
  type PlanItemCategory,
} from './items.js';

export const SPENDING_OUTCOMES = ['blocked', 'needs_reason'] as const;
export type SpendingOutcome = (typeof SPENDING_OUTCOMES)[number];

const text = (what: string) =>
  z
    .string()
    .trim()
    .min(1, { message: `Enter ${what}` })
    .max(1000);

export const spendingRuleSchema = z
  .object({
    id: z
      .string()
      .trim()
      .regex(/^[a-z0-9][a-z0-9_-]*$/, {
        message: 'A rule id must use only lower-case letters, numbers, hyphens and underscores',
      }),
    title: text('the name of the rule'),
    /** Shown to the worker: what the rule means and what to do. */
    message: text('what the rule means'),
    /** Where the rule comes from: the law or guidance, or the partnership's own policy. */
    source: text('where the rule comes from'),
    outcome: z.enum(SPENDING_OUTCOMES, { message: 'Choose blocked or needs a reason' }),
    appliesTo: z.object({
      bodies: z.array(z.enum(FUNDING_BODIES)).min(1, { message: 'Choose council or NHS money' }),
      holdings: z
        .array(z.enum(HOLDING_OPTIONS))
        .min(1, { message: 'Choose how the money is held' }),
    }),
    /**
     * Every condition given must hold (and); within a list any one will do (or). Keywords are
     * whole words or phrases in what the item is for and its details, any case, with or
     * without a plural "s".
     */
    when: z.object({
      categories: z.array(z.enum(PLAN_ITEM_CATEGORIES)).default([]),
      keywords: z.array(z.string().trim().min(1).max(100)).default([]),
      exceptCategories: z.array(z.enum(PLAN_ITEM_CATEGORIES)).default([]),
      closeRelativeInHousehold: z.boolean().default(false),
    }),
  })
  .refine(
    (r) =>
      r.when.categories.length > 0 || r.when.keywords.length > 0 || r.when.closeRelativeInHousehold,
    {
      message: 'A rule needs a category, a keyword or the close-relative condition',
      path: ['when'],
    },
  );
export type SpendingRule = z.infer<typeof spendingRuleSchema>;
export type SpendingRuleInput = z.input<typeof spendingRuleSchema>;

const ALL_HOLDINGS = [...HOLDING_OPTIONS];
/** A mixed budget may pay an item by direct payment, so direct payment rules cover it too. */
const PAID_DIRECTLY: HoldingOption[] = ['direct_payment', 'mixed'];
const PHB_SOURCE =
  'NHS England guidance on what a personal health budget cannot be spent on (DOMAIN.md 2.5)';
const RESIDENTIAL_WORDS = [
  'care home',
  'residential care',
  'residential home',
  'residential placement',
  'nursing home',
  'nursing care home',
];

function nhsNever(
  id: string,
  title: string,
  what: string,
  keywords: string[],
  except: PlanItemCategory[] = [],
): SpendingRuleInput {
  return {
    id,
    title,
    message: `NHS money cannot pay for ${what}.`,
    source: PHB_SOURCE,
    outcome: 'blocked',
    appliesTo: { bodies: ['nhs'], holdings: ALL_HOLDINGS },
    when: { keywords, exceptCategories: except },
  };
}

/** The rules the law sets. A partnership's own rule set must keep each (see the schema). */
export const LEGAL_SPENDING_RULES: readonly SpendingRule[] = [
  nhsNever('nhs_no_alcohol', 'No alcohol from NHS money', 'alcohol', [
    'alcohol',
    'alcoholic drink',
    'beer',
    'wine',
    'lager',
    'cider',
    'whisky',
    'vodka',
  ]),
  nhsNever('nhs_no_tobacco', 'No tobacco from NHS money', 'tobacco', [
    'tobacco',
    'cigarette',
    'cigar',
    'rolling tobacco',
  ]),
  nhsNever('nhs_no_gambling', 'No gambling from NHS money', 'gambling', [
    'gambling',
    'betting',
    'bet',
    'lottery ticket',
    'casino',
    'bingo',
    'scratchcard',
  ]),
  nhsNever('nhs_no_debt_repayment', 'No debt repayment from NHS money', 'paying off debts', [
    'debt repayment',
    'repay debt',
    'pay off debt',
    'paying off debt',
    'loan repayment',
    'arrears',
    'credit card bill',
    'overdraft',
  ]),
  nhsNever('nhs_no_illegal', 'Nothing illegal from NHS money', 'anything illegal', [
    'illegal',
    'unlawful',
    'cannabis',
    'cocaine',
    'heroin',
    'street drugs',
    'recreational drugs',
  ]),
  nhsNever(
    'nhs_no_emergency_care',
    'No emergency care from NHS money',
    'emergency or unplanned care, such as A&E: that stays with the NHS',
    [
      'a&e',
      'accident and emergency',
      'emergency department',
      'emergency care',
      'ambulance',
      'unplanned care',
      'urgent care',
    ],
    ['transport'],
  ),
  nhsNever(
    'nhs_no_gp_services',
    'No GP services from NHS money',
    'GP services or prescriptions: these are primary care, which the NHS provides',
    [
      'gp',
      'general practitioner',
      'gp appointment',
      'gp service',
      'prescriptions',
      'prescription charge',
      'prescription medicine',
      'prescription medication',
    ],
    ['transport'],
  ),
  nhsNever(
    'nhs_no_dental',
    'No dental treatment from NHS money',
    'dental treatment',
    ['dental', 'dentist', 'dentistry', 'dental treatment', 'orthodontic'],
    ['transport'],
  ),
  nhsNever(
    'nhs_no_elective_surgery',
    'No private procedures from NHS money',
    'private procedures such as elective surgery',
    ['elective surgery', 'cosmetic surgery', 'private surgery', 'private operation'],
  ),
  {
    id: 'sc_dp_close_relative',
    title: 'Paying a close relative in the household from a direct payment',
    message:
      'A direct payment can pay a spouse, partner or close relative who lives in the same household only if the council considers it necessary. Record why it is necessary.',
    source:
      'Care and Support (Direct Payments) Regulations 2014 (SI 2014/2871), regulation 3 (DOMAIN.md 3.3)',
    outcome: 'needs_reason',
    appliesTo: { bodies: ['council'], holdings: PAID_DIRECTLY },
    when: { categories: [], keywords: [], exceptCategories: [], closeRelativeInHousehold: true },
  },
  {
    id: 'nhs_dp_connected_person',
    title: 'Paying a family member or friend in the household from an NHS direct payment',
    message:
      'An NHS direct payment can pay a family member or friend who lives in the same household only in very limited circumstances. Record why they apply.',
    source:
      'NHS (Direct Payments) Regulations 2013 (SI 2013/1617) as amended by SI 2013/2354 and SI 2017/219 (DOMAIN.md 2.4)',
    outcome: 'needs_reason',
    appliesTo: { bodies: ['nhs'], holdings: PAID_DIRECTLY },
    when: { categories: [], keywords: [], exceptCategories: [], closeRelativeInHousehold: true },
  },
  {
    id: 'sc_dp_no_long_term_residential',
    title: 'No long-term residential care by direct payment',
    message:
      'A direct payment cannot pay for a long-term place in a care home. A short stay belongs under short breaks.',
    source:
      'Care and Support (Direct Payments) Regulations 2014 (SI 2014/2871), regulation 6 (DOMAIN.md 3.3; still to be checked against the regulation)',
    outcome: 'blocked',
    appliesTo: { bodies: ['council'], holdings: PAID_DIRECTLY },
    when: { keywords: RESIDENTIAL_WORDS, exceptCategories: ['short_breaks'] },
  },
  {
    id: 'sc_dp_care_home_short_stay',
    title: 'A short stay in a care home by direct payment',
    message:
      'A direct payment can pay only for short stays in a care home (DOMAIN.md 3.3 gives no more than 4 weeks in a row in 12 months, still to be checked). Record how this stay keeps within the limit.',
    source:
      'Care and Support (Direct Payments) Regulations 2014 (SI 2014/2871), regulation 6 (DOMAIN.md 3.3; still to be checked against the regulation)',
    outcome: 'needs_reason',
    appliesTo: { bodies: ['council'], holdings: PAID_DIRECTLY },
    when: { categories: ['short_breaks'], keywords: RESIDENTIAL_WORDS },
  },
].map((r) => spendingRuleSchema.parse(r));

export const LEGAL_SPENDING_RULE_IDS = LEGAL_SPENDING_RULES.map((r) => r.id);

const STRICTNESS: Readonly<Record<SpendingOutcome, number>> = { needs_reason: 1, blocked: 2 };

/**
 * A partnership's spending rules. It may add its own rules and change a legal rule's words
 * (keywords, title, message), but must keep every legal rule, no less strict and covering at
 * least the same money.
 */
export const spendingRuleSetSchema = z
  .object({ rules: z.array(spendingRuleSchema) })
  .superRefine((set, ctx) => {
    const issue = (message: string) => ctx.addIssue({ code: 'custom', message, path: ['rules'] });
    const seen = new Set<string>();
    for (const r of set.rules) {
      if (seen.has(r.id)) issue(`Rule id "${r.id}" is used more than once`);
      seen.add(r.id);
    }
    for (const legal of LEGAL_SPENDING_RULES) {
      const r = set.rules.find((x) => x.id === legal.id);
      if (!r) {
        issue(`The rule "${legal.title}" is the law and cannot be removed (${legal.source})`);
        continue;
      }
      if (STRICTNESS[r.outcome] < STRICTNESS[legal.outcome]) {
        issue(`The rule "${legal.title}" is the law and cannot be made less strict`);
      }
      const covers = (wide: readonly string[], narrow: readonly string[]) =>
        narrow.every((x) => wide.includes(x));
      if (
        !covers(r.appliesTo.bodies, legal.appliesTo.bodies) ||
        !covers(r.appliesTo.holdings, legal.appliesTo.holdings)
      ) {
        issue(`The rule "${legal.title}" is the law and must still apply to the same money`);
      }
      if (r.when.closeRelativeInHousehold !== legal.when.closeRelativeInHousehold) {
        issue(`The rule "${legal.title}" is the law: its close-relative condition cannot change`);
      }
    }
  });
export type SpendingRuleSet = z.infer<typeof spendingRuleSetSchema>;

export const DEFAULT_SPENDING_RULE_SET: SpendingRuleSet = { rules: [...LEGAL_SPENDING_RULES] };

/** Checks a partnership's rule set; never throws. */
export function parseSpendingRuleSet(
  input: unknown,
):
  | { readonly ok: true; readonly ruleSet: SpendingRuleSet }
  | { readonly ok: false; readonly messages: readonly string[] } {
  const r = spendingRuleSetSchema.safeParse(input);
  if (r.success) return { ok: true, ruleSet: r.data };
  return { ok: false, messages: r.error.issues.map((i) => i.message) };
}

// ---------------------------------------------------------------------------------------------
// Checking an item

export interface SpendingItem {
  readonly what: string;
  readonly details?: string;
  readonly category: PlanItemCategory;
  readonly provider: {
    readonly kind: string;
    readonly closeRelativeInHousehold?: boolean;
    /** The reason for paying a close relative: counts for the close-relative rules. */
    readonly necessaryReason?: string;
  };
  /** Reasons recorded for rules that need one, by rule id. */
  readonly ruleReasons?: Readonly<Record<string, string>>;
}

export interface SpendingHit {
  readonly ruleId: string;
  readonly title: string;
  readonly outcome: SpendingOutcome;
  readonly message: string;
  readonly source: string;
  /** Why the rule caught the item, in plain English. */
  readonly because: string;
  /** The reason recorded for a rule that needs one; null if none. */
  readonly reason: string | null;
}

export type SpendingStatus = 'allowed' | 'allowed_with_reason' | 'needs_reason' | 'blocked';

export interface SpendingCheck {
  readonly status: SpendingStatus;
  readonly hits: readonly SpendingHit[];
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The first keyword found as a whole word or phrase (optional plural "s"), or null. */
export function findKeyword(text: string, keywords: readonly string[]): string | null {
  const haystack = text.toLowerCase();
  for (const k of keywords) {
    const body = k
      .toLowerCase()
      .trim()
      .split(/\s+/)
      .map(escape)
      .join(String.raw`\s+`);
    if (new RegExp(String.raw`(?<![a-z0-9])${body}(?:s|es)?(?![a-z0-9])`).test(haystack)) return k;
  }
  return null;
}

function matches(rule: SpendingRule, item: SpendingItem): string | null {
  const w = rule.when;
  if (w.exceptCategories.includes(item.category)) return null;
  const because: string[] = [];
  if (w.categories.length > 0) {
    if (!w.categories.includes(item.category)) return null;
    because.push(`its category, ${PLAN_ITEM_CATEGORY_LABELS[item.category].toLowerCase()}`);
  }
  if (w.keywords.length > 0) {
    const found = findKeyword(`${item.what}\n${item.details ?? ''}`, w.keywords);
    if (found === null) return null;
    because.push(`the words "${found}"`);
  }
  if (w.closeRelativeInHousehold) {
    if (
      item.provider.kind !== 'personal_assistant' ||
      item.provider.closeRelativeInHousehold !== true
    ) {
      return null;
    }
    because.push('it pays a close relative living in the same household');
  }
  return because.join(' and ');
}

/**
 * Which rules catch an item paid from a stream. Blocked if any blocking rule catches it; needs a
 * reason if a rule that needs one catches it and no reason is recorded; allowed with a reason
 * when every such rule has one. An item whose stream is unknown is not checked here (the plan
 * check reports the missing stream).
 */
export function checkSpending(
  ruleSet: SpendingRuleSet,
  item: SpendingItem,
  stream: { readonly body: FundingBody; readonly holding: HoldingOption },
): SpendingCheck {
  const hits: SpendingHit[] = [];
  for (const rule of ruleSet.rules) {
    if (!rule.appliesTo.bodies.includes(stream.body)) continue;
    if (!rule.appliesTo.holdings.includes(stream.holding)) continue;
    const because = matches(rule, item);
    if (because === null) continue;
    const own = item.ruleReasons?.[rule.id]?.trim() ?? '';
    const relative = rule.when.closeRelativeInHousehold
      ? (item.provider.necessaryReason?.trim() ?? '')
      : '';
    const reason = own !== '' ? own : relative;
    hits.push({
      ruleId: rule.id,
      title: rule.title,
      outcome: rule.outcome,
      message: rule.message,
      source: rule.source,
      because,
      reason: rule.outcome === 'needs_reason' && reason !== '' ? reason : null,
    });
  }
  const status: SpendingStatus = hits.some((h) => h.outcome === 'blocked')
    ? 'blocked'
    : hits.some((h) => h.reason === null)
      ? 'needs_reason'
      : hits.length > 0
        ? 'allowed_with_reason'
        : 'allowed';
  return { status, hits };
}
