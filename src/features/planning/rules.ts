// Support planning as pure rules (issue 4 points 2 to 5): the plan check (costing, the total
// against the indicative budget, spending rules, outcomes with support, funding streams, the
// NHS direct payment risk procedure) and, from the files beside it, frequencies, items and
// costing, spending rules, sign-off routing and risk enablement. No database, no web framework,
// no clock. Money is integer pence; dates are civil dates.
import { z } from 'zod';
import { formatPounds, pence, type Pence } from '../../platform/money.js';
import {
  costItem,
  totalCosts,
  type ItemCost,
  type PlanCostTotals,
  type PlanItemCategory,
  type FundingBody,
  type HoldingOption,
  type CostField,
} from './items.js';
import { missingRiskManagement, NHS_DP_RISK_RULE } from './risk.js';
import { marginPence, marginSchema, type Margin } from './sign-off.js';
import {
  checkSpending,
  DEFAULT_SPENDING_RULE_SET,
  type SpendingCheck,
  type SpendingRuleSet,
} from './spending-rules.js';

export * from './frequency.js';
export * from './items.js';
export * from './risk.js';
export * from './sign-off.js';
export * from './spending-rules.js';

// ---------------------------------------------------------------------------------------------
// The total against the indicative budget

export type BudgetStatus = 'under' | 'within' | 'over';

export interface BudgetComparison {
  readonly status: BudgetStatus;
  readonly total: Pence;
  readonly indicative: Pence;
  /** Total − indicative: negative when under. */
  readonly difference: Pence;
  /** How far either side of the indicative budget still counts as within it. */
  readonly tolerance: Pence;
}

/** No tolerance unless a partnership sets one: a plan a penny over is over (our choice). */
export const DEFAULT_BUDGET_TOLERANCE: Margin = marginSchema.parse({
  basisPoints: 0,
  pence: null,
});

/**
 * Under, within or over: within means no further from the indicative budget than the tolerance
 * (a percentage of the indicative budget and/or an amount), either side.
 */
export function compareWithBudget(
  total: Pence,
  indicative: Pence,
  tolerance: Margin = DEFAULT_BUDGET_TOLERANCE,
): BudgetComparison {
  const allowed = marginPence(indicative, tolerance);
  const difference = pence(total - indicative);
  const status: BudgetStatus =
    difference > allowed ? 'over' : indicative - total > allowed ? 'under' : 'within';
  return { status, total, indicative, difference, tolerance: allowed };
}

// ---------------------------------------------------------------------------------------------
// The plan check

export const PLAN_CHECK_RULES = {
  no_outcomes: {
    title: 'A plan needs at least one outcome',
    source:
      'Care Act 2014 section 25; NHS England personal health budget essentials (DOMAIN.md 2.2 and 3.2)',
  },
  outcome_without_support: {
    title: 'Every outcome needs support or a note',
    source: 'Issue 4 point 4',
  },
  item_cost: { title: 'Every item needs a cost that can be worked out', source: 'Issue 4 point 1' },
  item_funding_stream: {
    title: 'Every item needs a funding stream',
    source: 'Issue 4 point 1',
  },
  item_unknown_outcome: {
    title: 'An item can only support outcomes in this plan',
    source: 'Issue 4 point 1',
  },
  spending_blocked: {
    title: 'No item may break a spending rule',
    source: 'The spending rules (DOMAIN.md 2.5 and 3.3)',
  },
  spending_needs_reason: {
    title: 'An item a spending rule asks about needs a reason',
    source: 'The spending rules (DOMAIN.md 2.4 and 3.3)',
  },
  no_indicative_budget: {
    title: 'A plan is checked against an indicative budget',
    source: 'Care and Support Statutory Guidance para 11.24 (DOMAIN.md 3.2)',
  },
  over_budget_without_justification: {
    title: 'A plan over its indicative budget needs a justification',
    source: 'Issue 4 point 4',
  },
  [NHS_DP_RISK_RULE.id]: { title: NHS_DP_RISK_RULE.title, source: NHS_DP_RISK_RULE.source },
} as const;
export type PlanCheckRule = keyof typeof PLAN_CHECK_RULES;

export interface PlanProblem {
  readonly rule: PlanCheckRule;
  /** The rule's name; for a spending problem, the spending rule's. */
  readonly title: string;
  readonly message: string;
  readonly source: string;
  readonly itemId?: string;
  readonly outcomeId?: string;
  /** For an item cost problem: which of the item's fields. */
  readonly field?: CostField;
  readonly spendingRuleId?: string;
}

export interface PlanForCheck {
  readonly outcomes: readonly {
    readonly id: string;
    readonly text: string;
    /** Why no item is needed, for example "Met by my sister at no cost". */
    readonly note?: string | null;
  }[];
  readonly items: readonly {
    readonly id: string;
    readonly what: string;
    readonly details?: string;
    readonly category: PlanItemCategory;
    readonly provider: { readonly kind: string; readonly closeRelativeInHousehold?: boolean };
    readonly unitCostPence: unknown;
    readonly units: unknown;
    readonly frequency: unknown;
    readonly streamId?: string | null;
    readonly outcomeIds: readonly string[];
    readonly ruleReasons?: Readonly<Record<string, string>>;
  }[];
  readonly streams: readonly {
    readonly id: string;
    readonly name: string;
    readonly body: FundingBody;
    readonly holding: HoldingOption;
  }[];
  readonly indicativeAnnualPence: number | null;
  readonly overBudgetJustification?: string | null;
  readonly riskManagementProcedure?: unknown;
}

export interface CheckedItem {
  readonly id: string;
  /** Null when the cost could not be worked out (see the problems). */
  readonly cost: ItemCost | null;
  /** Null when the item has no known funding stream. */
  readonly spending: SpendingCheck | null;
}

export interface PlanCheck {
  /** True when there is nothing to put right before the plan is submitted. */
  readonly ok: boolean;
  readonly problems: readonly PlanProblem[];
  readonly items: readonly CheckedItem[];
  /** Of the items whose cost could be worked out. */
  readonly totals: PlanCostTotals;
  readonly budget: BudgetComparison | null;
  /** Items blocked by a spending rule. */
  readonly blockedItems: number;
  /** Every item a spending rule caught, blocked, needing a reason, or with its reason given. */
  readonly flagged: readonly CheckedItem[];
}

/**
 * Checks a plan and lists every problem, each naming its rule: items whose cost cannot be
 * worked out, with no or an unknown funding stream, linked to outcomes not in the plan, blocked
 * by a spending rule or needing a reason not given; outcomes with neither an item nor a note; no
 * outcomes at all; no indicative budget; a total over the indicative budget (beyond the
 * tolerance) without a justification; and an NHS direct payment without a risk-management
 * procedure. Never throws; a plan with problems is still costed as far as it can be.
 */
export function checkPlan(
  plan: PlanForCheck,
  options: { readonly spendingRules?: SpendingRuleSet; readonly tolerance?: Margin } = {},
): PlanCheck {
  const rules = options.spendingRules ?? DEFAULT_SPENDING_RULE_SET;
  const problems: PlanProblem[] = [];
  const problem = (rule: PlanCheckRule, message: string, extra: Partial<PlanProblem> = {}) =>
    problems.push({ rule, ...PLAN_CHECK_RULES[rule], message, ...extra });
  const outcomeIds = new Set(plan.outcomes.map((o) => o.id));
  const streams = new Map(plan.streams.map((s) => [s.id, s]));

  if (plan.outcomes.length === 0) {
    problem('no_outcomes', "Add at least one outcome, in the person's own words");
  }
  const items = plan.items.map((item): CheckedItem => {
    const label = item.what.trim() === '' ? 'An item' : `"${item.what.trim()}"`;
    const costed = costItem(item);
    if (!costed.ok) {
      for (const p of costed.problems) {
        problem('item_cost', `${label}: ${p.message}`, { itemId: item.id, field: p.field });
      }
    }
    for (const o of item.outcomeIds) {
      if (!outcomeIds.has(o)) {
        problem(
          'item_unknown_outcome',
          `${label} is linked to an outcome that is not in the plan`,
          {
            itemId: item.id,
          },
        );
      }
    }
    const stream = item.streamId ? streams.get(item.streamId) : undefined;
    if (!item.streamId) {
      problem('item_funding_stream', `${label}: choose which funding stream pays for it`, {
        itemId: item.id,
      });
    } else if (!stream) {
      problem('item_funding_stream', `${label}: its funding stream is not one of this plan's`, {
        itemId: item.id,
      });
    }
    const spending = stream ? checkSpending(rules, item, stream) : null;
    for (const hit of spending?.hits ?? []) {
      const extra = {
        itemId: item.id,
        title: hit.title,
        source: hit.source,
        spendingRuleId: hit.ruleId,
      };
      if (hit.outcome === 'blocked') {
        problem(
          'spending_blocked',
          `${label} cannot be paid from ${stream?.name ?? 'this stream'}: ${hit.message} (caught by ${hit.because})`,
          extra,
        );
      } else if (hit.reason === null) {
        problem('spending_needs_reason', `${label}: ${hit.message}`, extra);
      }
    }
    return { id: item.id, cost: costed.ok ? costed.cost : null, spending };
  });

  for (const o of plan.outcomes) {
    const supported = plan.items.some((i) => i.outcomeIds.includes(o.id));
    if (!supported && (o.note ?? '').trim() === '') {
      problem(
        'outcome_without_support',
        `The outcome "${o.text.trim()}" has no support: link an item to it, or add a note saying how it will be met`,
        { outcomeId: o.id },
      );
    }
  }

  const totals = totalCosts(items.flatMap((i) => (i.cost ? [i.cost] : [])));
  let budget: BudgetComparison | null = null;
  if (plan.indicativeAnnualPence === null) {
    problem(
      'no_indicative_budget',
      'There is no indicative budget to check the plan against: complete the assessment first',
    );
  } else {
    budget = compareWithBudget(totals.annual, pence(plan.indicativeAnnualPence), options.tolerance);
    if (budget.status === 'over' && (plan.overBudgetJustification ?? '').trim() === '') {
      problem(
        'over_budget_without_justification',
        `The plan costs ${formatPounds(totals.annual)} a year, ${formatPounds(budget.difference)} over the indicative budget of ${formatPounds(budget.indicative)}: say why the extra is needed`,
      );
    }
  }
  const risk = missingRiskManagement(plan);
  if (risk !== null) problem(NHS_DP_RISK_RULE.id, risk);

  return {
    ok: problems.length === 0,
    problems,
    items,
    totals,
    budget,
    blockedItems: items.filter((i) => i.spending?.status === 'blocked').length,
    flagged: items.filter((i) => (i.spending?.hits.length ?? 0) > 0),
  };
}

/** The plan document's outcome, as the person says it. */
export const planOutcomeSchema = z.object({
  id: z
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9_-]*$/, {
      message: 'An outcome id must use only lower-case letters, numbers, hyphens and underscores',
    }),
  text: z
    .string()
    .trim()
    .min(1, { message: "Write the outcome in the person's own words" })
    .max(1000, { message: 'An outcome must be 1,000 characters or fewer' }),
  /** The assessed needs it meets (Care Act outcome ids or the assessment's own ids). */
  needIds: z.array(z.string()).default([]),
  note: z
    .string()
    .trim()
    .max(2000, { message: 'The note must be 2,000 characters or fewer' })
    .default(''),
});
export type PlanOutcome = z.infer<typeof planOutcomeSchema>;
