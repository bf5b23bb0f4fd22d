// Light-touch monitoring of direct payment accounts (issue 5 point 7): which flags an account
// raises, the recovery a high balance suggests, and what a recovery's written notice must say.
// Pure: no I/O, no clock (today is passed in).
//
// Light touch (DOMAIN.md 3.3: monitoring no more than the statutory duties need, no undue
// requests for information): a flag is raised only on evidence in the statements or the ledger,
// never for a transaction Pooled cannot categorise, and a dismissed flag is not raised again
// for the same evidence (transactions) or, for account-level flags, within QUIET_DAYS.
import { formatPounds, pence } from '../../platform/money.js';
import { formatCivilDate, type CivilDate } from '../../platform/dates.js';
import { isNeverBuy, NEVER_BUY_BY_BODY, type FlagKind } from '../statements/index.js';

export const FLAG_KINDS: readonly FlagKind[] = [
  'balance_above_weeks',
  'outside_plan_categories',
  'never_buy_category',
  'no_activity',
  'overspend',
];

export const FLAG_LABELS: Readonly<Record<FlagKind, string>> = {
  balance_above_weeks: 'Money building up',
  outside_plan_categories: 'Spending outside the plan',
  never_buy_category: 'Spending on something the money may never buy',
  no_activity: 'No spending',
  overspend: 'Overspent',
};

export interface MonitoringSettings {
  /** Flag a balance above this many weeks of payments. */
  readonly balanceWeeks: number;
  /** Flag an account with money and no spending for this many weeks. */
  readonly noActivityWeeks: number;
}
export const DEFAULT_SETTINGS: MonitoringSettings = { balanceWeeks: 8, noActivityWeeks: 12 };

/** Days after a dismissal before an account-level flag of the same kind is raised again. */
export const QUIET_DAYS = 28;

export interface SpendTransaction {
  readonly id: string;
  readonly occurredOn: CivilDate;
  readonly description: string;
  /** Negative: money out. */
  readonly amountPence: number;
  readonly category: string | null;
  readonly planItemId: string | null;
}

/** What is known about one holding account on a day. */
export interface AccountPosition {
  readonly personId: string;
  readonly holdingAccountId: string;
  readonly body: 'council' | 'nhs';
  readonly balancePence: number;
  /** The regular payment into the account, a week; null when there is no schedule. */
  readonly weeklyPaymentPence: number | null;
  /** The latest card or bank transaction, or the first payment in when there is none. */
  readonly lastActivityOn: CivilDate | null;
  /** The plan item categories the stream's plan buys; null when no plan is linked to the account (then nothing is "outside the plan"). */
  readonly planCategories: readonly string[] | null;
  /** Recent spending that is categorised (unknown categories are never flagged). */
  readonly recentSpending: readonly SpendTransaction[];
}

/** Earlier flags of the person, for not raising the same thing twice. */
export interface FlagHistory {
  readonly kind: FlagKind;
  readonly status: string;
  readonly holdingAccountId: string | null;
  /** When a closed flag was closed (dismissed or resolved). */
  readonly closedOn: CivilDate | null;
  readonly transactionIds: readonly string[];
}

export interface FlagProposal {
  readonly kind: FlagKind;
  readonly personId: string;
  readonly holdingAccountId: string;
  readonly details: FlagDetails;
}

export type FlagDetails =
  | {
      readonly kind: 'balance_above_weeks';
      readonly balancePence: number;
      readonly weeklyPaymentPence: number;
      readonly weeks: number;
      readonly thresholdPence: number;
      readonly proposedRecoveryPence: number;
    }
  | {
      readonly kind: 'outside_plan_categories' | 'never_buy_category';
      readonly transactions: readonly {
        readonly id: string;
        readonly occurredOn: string;
        readonly description: string;
        readonly amountPence: number;
        readonly category: string;
      }[];
      readonly totalPence: number;
    }
  | {
      readonly kind: 'no_activity';
      readonly lastActivityOn: string | null;
      readonly weeks: number;
      readonly balancePence: number;
    }
  | { readonly kind: 'overspend'; readonly balancePence: number };

function daysBetween(a: CivilDate, b: CivilDate): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

/** The most a balance may be before it is flagged: weeks × the weekly payment. */
export function balanceThreshold(weeklyPaymentPence: number, weeks: number): number {
  return weeklyPaymentPence * weeks;
}

/** What one account's position raises today, given the person's earlier flags. */
export function evaluate(
  position: AccountPosition,
  settings: MonitoringSettings,
  today: CivilDate,
  history: readonly FlagHistory[],
): FlagProposal[] {
  const out: FlagProposal[] = [];
  const mine = history.filter(
    (h) => h.holdingAccountId === null || h.holdingAccountId === position.holdingAccountId,
  );
  const quiet = (kind: FlagKind) =>
    mine.some(
      (h) =>
        h.kind === kind &&
        h.status === 'dismissed' &&
        h.closedOn !== null &&
        daysBetween(h.closedOn, today) < QUIET_DAYS,
    );
  const flagged = (kind: FlagKind) =>
    new Set(mine.filter((h) => h.kind === kind).flatMap((h) => h.transactionIds));
  const propose = (details: FlagDetails) =>
    out.push({
      kind: details.kind,
      personId: position.personId,
      holdingAccountId: position.holdingAccountId,
      details,
    });

  // Money building up.
  if (position.weeklyPaymentPence !== null && position.weeklyPaymentPence > 0) {
    const threshold = balanceThreshold(position.weeklyPaymentPence, settings.balanceWeeks);
    if (position.balancePence > threshold && !quiet('balance_above_weeks'))
      propose({
        kind: 'balance_above_weeks',
        balancePence: position.balancePence,
        weeklyPaymentPence: position.weeklyPaymentPence,
        weeks: settings.balanceWeeks,
        thresholdPence: threshold,
        proposedRecoveryPence: position.balancePence - threshold,
      });
  }

  // Overspent: more has gone out than came in.
  if (position.balancePence < 0 && !quiet('overspend'))
    propose({ kind: 'overspend', balancePence: position.balancePence });

  // No spending for a long time while money is there.
  if (position.balancePence > 0 && position.lastActivityOn !== null) {
    const days = daysBetween(position.lastActivityOn, today);
    if (days >= settings.noActivityWeeks * 7 && !quiet('no_activity'))
      propose({
        kind: 'no_activity',
        lastActivityOn: position.lastActivityOn,
        weeks: Math.floor(days / 7),
        balancePence: position.balancePence,
      });
  }

  // Spending: never-buy categories for this stream's funding body, and plan categories the
  // plan does not buy. Refunds (money in) and unknown categories raise nothing.
  const neverBuy = new Set<string>(NEVER_BUY_BY_BODY[position.body]);
  const plan = position.planCategories === null ? null : new Set(position.planCategories);
  const seenNever = flagged('never_buy_category');
  const seenOutside = flagged('outside_plan_categories');
  const never = position.recentSpending.filter(
    (t) =>
      t.amountPence < 0 && t.category !== null && neverBuy.has(t.category) && !seenNever.has(t.id),
  );
  const outside = position.recentSpending.filter(
    (t) =>
      plan !== null &&
      t.amountPence < 0 &&
      t.category !== null &&
      !isNeverBuy(t.category) &&
      t.planItemId === null &&
      !plan.has(t.category) &&
      !seenOutside.has(t.id),
  );
  const listed = (ts: readonly SpendTransaction[]) =>
    [...ts]
      .sort((a, b) => (a.occurredOn < b.occurredOn ? -1 : a.occurredOn > b.occurredOn ? 1 : 0))
      .map((t) => ({
        id: t.id,
        occurredOn: t.occurredOn,
        description: t.description,
        amountPence: t.amountPence,
        category: t.category ?? '',
      }));
  const total = (ts: readonly SpendTransaction[]) => ts.reduce((s, t) => s + t.amountPence, 0);
  if (never.length)
    propose({ kind: 'never_buy_category', transactions: listed(never), totalPence: total(never) });
  if (outside.length)
    propose({
      kind: 'outside_plan_categories',
      transactions: listed(outside),
      totalPence: total(outside),
    });
  return out;
}

/** The transaction ids a flag's details name (for not flagging them twice). */
export function transactionIdsOf(details: unknown): string[] {
  if (typeof details !== 'object' || details === null || !('transactions' in details)) return [];
  const ts = details.transactions;
  if (!Array.isArray(ts)) return [];
  return ts.flatMap((t) =>
    typeof t === 'object' && t !== null && typeof (t as { id?: unknown }).id === 'string'
      ? [(t as { id: string }).id]
      : [],
  );
}

/** One line describing a flag, in plain words, for the queue. */
export function describeFlag(details: FlagDetails): string {
  switch (details.kind) {
    case 'balance_above_weeks':
      return `${formatPounds(pence(details.balancePence))} in the account: more than ${String(details.weeks)} weeks of payments (${formatPounds(pence(details.thresholdPence))}). Suggested recovery ${formatPounds(pence(details.proposedRecoveryPence))}.`;
    case 'overspend':
      return `The account is overdrawn by ${formatPounds(pence(-details.balancePence))}.`;
    case 'no_activity':
      return `No spending for ${String(details.weeks)} weeks${details.lastActivityOn ? ` (since ${formatCivilDate(details.lastActivityOn)})` : ''}, with ${formatPounds(pence(details.balancePence))} in the account.`;
    case 'never_buy_category':
    case 'outside_plan_categories': {
      const n = details.transactions.length;
      return `${String(n)} transaction${n === 1 ? '' : 's'}, ${formatPounds(pence(-details.totalPence))} in all.`;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Recoveries

/** The law a recovery is made under, by funding body (DOMAIN.md 2.4 and 3.3). */
export const RECOVERY_LAW: Readonly<Record<'council' | 'nhs', string>> = {
  nhs: 'The National Health Service (Direct Payments) Regulations 2013, regulation 15',
  council:
    'The Care Act 2014, section 33, and the Care and Support (Direct Payments) Regulations 2014',
};

export const DEFAULT_RECONSIDERATION =
  'You can ask us to look at this decision again. Tell us why within 28 days, by phone, email or letter, and we will not ask for the money back while we reconsider.';

/** The reasons the regulations name for asking for money back (NHS reg 15; the same for councils). */
export const RECOVERY_REASONS = {
  unused_funds:
    'Money has built up in the account that has not been needed for the support in the plan',
  outside_plan: 'Money was used for things that are not in the care and support plan',
  never_buy: 'Money was used for something a direct payment may never be used for',
  change_of_circumstances:
    'There has been a substantial change to the plan or to your circumstances',
} as const;
export type RecoveryReason = keyof typeof RECOVERY_REASONS;

export interface RecoveryInput {
  readonly amountPence: number | null;
  readonly reasons: string;
  readonly repayBy: CivilDate | null;
  readonly whoMustRepay: string;
  readonly reconsideration: string;
}

export interface RecoveryProblem {
  readonly field: 'amount' | 'reasons' | 'repayBy' | 'whoMustRepay' | 'reconsideration';
  readonly message: string;
}

/** The least time a person is given to repay. */
export const MIN_REPAY_DAYS = 14;

/**
 * Every problem with a proposed recovery: the written notice must give the reasons, the amount,
 * the time limit and who must repay, and say how to ask for reconsideration (reg 15); and a
 * recovery may never take more than the account holds.
 */
export function checkRecovery(
  input: RecoveryInput,
  balancePence: number,
  today: CivilDate,
): RecoveryProblem[] {
  const problems: RecoveryProblem[] = [];
  if (input.amountPence === null || input.amountPence <= 0)
    problems.push({ field: 'amount', message: 'Enter the amount to recover, more than £0' });
  else if (input.amountPence > balancePence)
    problems.push({
      field: 'amount',
      message: `The amount to recover must not be more than the ${formatPounds(pence(Math.max(0, balancePence)))} in the account`,
    });
  if (input.reasons.trim().length < 10)
    problems.push({ field: 'reasons', message: 'Give the reasons for the recovery' });
  if (input.repayBy === null)
    problems.push({
      field: 'repayBy',
      message: 'Enter the date by which the money must be repaid',
    });
  else if (daysBetween(today, input.repayBy) < MIN_REPAY_DAYS)
    problems.push({
      field: 'repayBy',
      message: `The date to repay by must be at least ${String(MIN_REPAY_DAYS)} days from today`,
    });
  if (input.whoMustRepay.trim() === '')
    problems.push({ field: 'whoMustRepay', message: 'Say who must repay the money' });
  if (input.reconsideration.trim().length < 10)
    problems.push({
      field: 'reconsideration',
      message: 'Say how the person can ask for the decision to be reconsidered',
    });
  return problems;
}

/** The written notice, as plain text: what the regulations require it to say. */
export function recoveryNotice(r: {
  readonly body: 'council' | 'nhs';
  readonly amountPence: number;
  readonly reasons: string;
  readonly repayBy: CivilDate;
  readonly whoMustRepay: string;
  readonly reconsideration: string;
}): string[] {
  return [
    `We are asking for ${formatPounds(pence(r.amountPence))} to be repaid from the direct payment account.`,
    `Why: ${r.reasons.trim()}`,
    `Who must repay: ${r.whoMustRepay.trim()}`,
    `Repay by: ${formatCivilDate(r.repayBy)}`,
    `Asking us to reconsider: ${r.reconsideration.trim()}`,
    `The law: ${RECOVERY_LAW[r.body]}.`,
  ];
}
