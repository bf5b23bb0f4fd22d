// Proportionate sign-off (issue 4 point 5): who must agree a support plan, configured per
// partnership. Within the indicative budget (or a small margin over it) the care coordinator
// signs off under delegated authority; further over, a team manager; a panel only above a high
// threshold and only if the partnership has one (TLAP's aim: delegated sign-off, not panels,
// DOMAIN.md 1.3 stage 5). A plan with a blocked item cannot be signed off at all. Pure: no I/O.
import { z } from 'zod';
import { formatPounds, pence, type Pence } from '../../platform/money.js';

/** Spelled as migrations/0004 spells support_plans.route and plan_decisions.step. */
export const SIGN_OFF_LEVELS = ['coordinator', 'team_manager', 'panel'] as const;
export type SignOffLevel = (typeof SIGN_OFF_LEVELS)[number];
export const SIGN_OFF_LEVEL_LABELS: Readonly<Record<SignOffLevel, string>> = {
  coordinator: 'the care coordinator',
  team_manager: 'a team manager',
  panel: 'the panel',
};

const wholePence = (what: string) =>
  z
    .number({ message: `${what} must be a number of pence` })
    .int({ message: `${what} must be a whole number of pence` })
    .min(0, { message: `${what} must not be negative` })
    .max(Number.MAX_SAFE_INTEGER, { message: `${what} is too large` });

/**
 * An amount over the indicative budget, as a percentage of it (basis points: 100 = 1%), a sum
 * of money, or both. With both, `combine` says whether the smaller or the larger applies
 * ("10% or £1,000, whichever is less"). With neither, the margin is nothing: any penny over.
 */
export const marginSchema = z.object({
  basisPoints: z
    .number({ message: 'The percentage must be a number of basis points' })
    .int({ message: 'The percentage must be a whole number of basis points' })
    .min(0, { message: 'The percentage must not be negative' })
    .max(100_000, { message: 'The percentage must be 1,000% or less' })
    .nullable()
    .default(null),
  pence: wholePence('The amount').nullable().default(null),
  combine: z.enum(['smaller', 'larger']).default('smaller'),
});
export type Margin = z.infer<typeof marginSchema>;
export type MarginInput = z.input<typeof marginSchema>;

/**
 * The margin in whole pence for an indicative budget. A percentage share is rounded down: since
 * amounts over are whole pence, "over by more than the rounded-down share" is exactly "over by
 * more than the exact share".
 */
export function marginPence(indicative: Pence, margin: Margin): Pence {
  const parts: bigint[] = [];
  if (margin.basisPoints !== null)
    parts.push((BigInt(indicative) * BigInt(margin.basisPoints)) / 10_000n);
  if (margin.pence !== null) parts.push(BigInt(margin.pence));
  if (parts.length === 0) return pence(0);
  const pick = parts.reduce((a, b) =>
    margin.combine === 'smaller' ? (b < a ? b : a) : b > a ? b : a,
  );
  return pence(Number(pick));
}

const ZERO_MARGIN: MarginInput = { basisPoints: 0, pence: null, combine: 'smaller' };

export const signOffPolicySchema = z
  .object({
    /** Over the indicative budget by more than this: a team manager. Default: any penny. */
    teamManagerAbove: marginSchema.default(ZERO_MARGIN as Margin),
    panel: z
      .object({
        /** Most partnerships should not need one (TLAP). */
        enabled: z.boolean().default(false),
        /** Over the indicative budget by more than this: the panel. */
        above: marginSchema.default({ basisPoints: 2_500, pence: null, combine: 'smaller' }),
        /** And any plan costing more than this a year, however it compares with the budget. */
        annualTotalAbovePence: wholePence('The panel amount').nullable().default(null),
      })
      .default({
        enabled: false,
        above: { basisPoints: 2_500, pence: null, combine: 'smaller' },
        annualTotalAbovePence: null,
      }),
    /**
     * The most a plan may cost a year for someone in the role to approve a plan they wrote
     * themselves; null for no limit. A user's own limit, where recorded, replaces these.
     */
    delegatedLimits: z
      .object({
        care_coordinator: wholePence('The care coordinator limit').nullable().default(null),
        team_manager: wholePence('The team manager limit').nullable().default(null),
      })
      .default({ care_coordinator: null, team_manager: null }),
    /** Who records the panel's decision. */
    panelDecisionsRecordedBy: z
      .array(z.enum(['team_manager', 'partnership_admin']))
      .min(1, { message: 'Choose who records the panel’s decisions' })
      .default(['team_manager']),
  })
  .superRefine((p, ctx) => {
    const tm = p.teamManagerAbove;
    const panel = p.panel.above;
    if (
      (tm.basisPoints !== null &&
        panel.basisPoints !== null &&
        panel.basisPoints < tm.basisPoints) ||
      (tm.pence !== null && panel.pence !== null && panel.pence < tm.pence)
    ) {
      ctx.addIssue({
        code: 'custom',
        message: 'The panel threshold must not be lower than the team manager margin',
        path: ['panel', 'above'],
      });
    }
  });
export type SignOffPolicy = z.infer<typeof signOffPolicySchema>;
export type SignOffPolicyInput = z.input<typeof signOffPolicySchema>;

export const DEFAULT_SIGN_OFF_POLICY: SignOffPolicy = signOffPolicySchema.parse({});

/** Checks a partnership's sign-off policy; never throws. */
export function parseSignOffPolicy(
  input: unknown,
):
  | { readonly ok: true; readonly policy: SignOffPolicy }
  | { readonly ok: false; readonly messages: readonly string[] } {
  const r = signOffPolicySchema.safeParse(input);
  if (r.success) return { ok: true, policy: r.data };
  return { ok: false, messages: r.error.issues.map((i) => i.message) };
}

export type SignOffRoute =
  | { readonly ok: false; readonly reason: 'blocked'; readonly message: string }
  | {
      readonly ok: true;
      readonly level: SignOffLevel;
      /** Total − indicative, 0 when within it; null when there is no indicative budget. */
      readonly overBy: Pence | null;
      readonly because: string;
    };

/**
 * Who must sign off a plan. Raising the total never routes it to a lower level. Exactly at a
 * margin stays at the lower level; one penny more goes up.
 */
export function routeSignOff(
  policy: SignOffPolicy,
  plan: {
    readonly totalAnnual: Pence;
    readonly indicativeAnnual: Pence | null;
    readonly blockedItems: number;
  },
): SignOffRoute {
  if (plan.blockedItems > 0) {
    return {
      ok: false,
      reason: 'blocked',
      message: `The plan cannot be signed off while ${plan.blockedItems === 1 ? 'an item is' : `${String(plan.blockedItems)} items are`} blocked by the spending rules: change or remove ${plan.blockedItems === 1 ? 'it' : 'them'} first`,
    };
  }
  const panel = policy.panel.enabled;
  const cost = formatPounds(plan.totalAnnual);
  const absolute = policy.panel.annualTotalAbovePence;
  const overAbsolute = absolute !== null && plan.totalAnnual > absolute;
  const noPanel =
    'would go to a panel, but this partnership has no panel, so a team manager signs it off';
  if (overAbsolute) {
    const why = `The plan costs ${cost} a year, more than ${formatPounds(pence(absolute))}, which`;
    return panel
      ? { ok: true, level: 'panel', overBy: overOf(plan), because: `${why} goes to the panel` }
      : { ok: true, level: 'team_manager', overBy: overOf(plan), because: `${why} ${noPanel}` };
  }
  if (plan.indicativeAnnual === null) {
    return {
      ok: true,
      level: 'team_manager',
      overBy: null,
      because:
        'There is no indicative budget to compare the plan with, so a team manager signs it off',
    };
  }
  const over = pence(plan.totalAnnual - plan.indicativeAnnual);
  if (over <= 0) {
    return {
      ok: true,
      level: 'coordinator',
      overBy: pence(0),
      because: 'The plan is within the indicative budget, so the care coordinator can sign it off',
    };
  }
  const by = `The plan is ${formatPounds(over)} over the indicative budget`;
  const tmMargin = marginPence(plan.indicativeAnnual, policy.teamManagerAbove);
  // Never lower than the team manager's margin, whatever mix of percentages and pounds.
  const panelMargin = pence(
    Math.max(tmMargin, marginPence(plan.indicativeAnnual, policy.panel.above)),
  );
  if (over > panelMargin) {
    const why = `${by}, more than ${formatPounds(panelMargin)} over, which`;
    return panel
      ? { ok: true, level: 'panel', overBy: over, because: `${why} goes to the panel` }
      : { ok: true, level: 'team_manager', overBy: over, because: `${why} ${noPanel}` };
  }
  if (over > tmMargin) {
    return {
      ok: true,
      level: 'team_manager',
      overBy: over,
      because: `${by}, more than the ${formatPounds(tmMargin)} a care coordinator may agree, so a team manager signs it off`,
    };
  }
  return {
    ok: true,
    level: 'coordinator',
    overBy: over,
    because: `${by}, within the ${formatPounds(tmMargin)} a care coordinator may agree`,
  };
}

function overOf(plan: { totalAnnual: Pence; indicativeAnnual: Pence | null }): Pence | null {
  if (plan.indicativeAnnual === null) return null;
  return pence(Math.max(0, plan.totalAnnual - plan.indicativeAnnual));
}

const LEVEL_ORDER: Readonly<Record<SignOffLevel, number>> = {
  coordinator: 0,
  team_manager: 1,
  panel: 2,
};

/** Compares levels: negative when a is lower than b. */
export function compareLevels(a: SignOffLevel, b: SignOffLevel): number {
  return LEVEL_ORDER[a] - LEVEL_ORDER[b];
}

/** The levels at which someone holding these roles may approve. */
export function levelsFor(policy: SignOffPolicy, roles: readonly string[]): SignOffLevel[] {
  const levels = new Set<SignOffLevel>();
  if (roles.includes('care_coordinator')) levels.add('coordinator');
  if (roles.includes('team_manager')) {
    levels.add('coordinator');
    levels.add('team_manager');
  }
  if (roles.some((r) => (policy.panelDecisionsRecordedBy as readonly string[]).includes(r))) {
    levels.add('panel');
  }
  return SIGN_OFF_LEVELS.filter((l) => levels.has(l));
}

/**
 * Whether a user may approve a plan routed to `level`. They must hold a role that acts at that
 * level (a team manager may also approve what a coordinator could). And nobody may approve a plan
 * they wrote when it costs more a year than their own delegated limit: the user's own limit if
 * recorded (`delegatedLimitAnnualPence`, null for none), otherwise their role's in the policy.
 */
export function mayApprove(
  policy: SignOffPolicy,
  request: {
    readonly level: SignOffLevel;
    readonly totalAnnual: Pence;
    readonly writtenBy: readonly string[];
    readonly approver: {
      readonly userId: string;
      readonly roles: readonly string[];
      readonly delegatedLimitAnnualPence?: number | null;
    };
  },
): { readonly ok: true } | { readonly ok: false; readonly message: string } {
  const { approver, level } = request;
  if (!levelsFor(policy, approver.roles).includes(level)) {
    return {
      ok: false,
      message: `This plan must be signed off by ${SIGN_OFF_LEVEL_LABELS[level]}, and you cannot do that`,
    };
  }
  if (!request.writtenBy.includes(approver.userId)) return { ok: true };
  const limit =
    approver.delegatedLimitAnnualPence !== undefined
      ? approver.delegatedLimitAnnualPence
      : roleLimit(policy, approver.roles);
  if (limit !== null && request.totalAnnual > limit) {
    return {
      ok: false,
      message: `You wrote this plan, and it costs ${formatPounds(request.totalAnnual)} a year, more than your delegated limit of ${formatPounds(pence(limit))}: someone else must approve it`,
    };
  }
  return { ok: true };
}

/** The most generous limit among the user's roles; null (no limit) beats any amount. */
function roleLimit(policy: SignOffPolicy, roles: readonly string[]): number | null {
  const limits: (number | null)[] = [];
  if (roles.includes('care_coordinator')) limits.push(policy.delegatedLimits.care_coordinator);
  if (roles.includes('team_manager')) limits.push(policy.delegatedLimits.team_manager);
  if (limits.length === 0 || limits.includes(null)) return limits.length === 0 ? 0 : null;
  return Math.max(...(limits as number[]));
}
