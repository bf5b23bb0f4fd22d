// Budgets, client contributions, payment schedules and payment files: the pure rules (no I/O).
// Decisions: docs/decisions/0014-budgets-and-payment-runs.md.
//
// - The financial year runs 1 April to 31 March, in 13 four-weekly periods anchored on 1 April:
//   12 of 28 days, and a 13th running to 31 March (29 days, 30 in a leap year).
// - A recurring item's amount in a period of which the plan covers d days is its four-weekly
//   cost × d / 28, rounded half away from zero, worked out per item and period (so the parts
//   add up to the whole: commitments, payments and contributions sum to the budget exactly).
// - One-off items count once, in full, on the start date.
// - Direct payments, third-party budgets and individual service funds are paid four-weekly in
//   advance; managed budgets become commitments to providers; a mixed stream pays personal
//   assistants by direct payment and makes commitments to provider organisations.
// - A client contribution (a weekly amount from the financial assessment) applies to council
//   streams only, never to section 117 after-care (`section-117-*`) nor NHS money.
import { csvCell } from '../../platform/csv.js';
import { pence, plainPounds, type Pence } from '../../platform/money.js';
import { addDays, financialYearOf, yearStart, type CivilDate } from '../../platform/dates.js';

export type FundingBody = 'council' | 'nhs';
export type Holding =
  'direct_payment' | 'managed' | 'third_party' | 'individual_service_fund' | 'mixed';

// ---------------------------------------------------------------------------------------------
// Civil date arithmetic (UTC day numbers: never local time)

const DAY_MS = 86_400_000;

export function dayNumber(d: string): number {
  const [y, m, day] = d.split('-').map(Number) as [number, number, number];
  return Date.UTC(y, m - 1, day) / DAY_MS;
}

export function fromDayNumber(n: number): CivilDate {
  return new Date(n * DAY_MS).toISOString().slice(0, 10) as CivilDate;
}

export { addDays };

/** Days from a to b inclusive (0 when b is before a). */
export function daysInclusive(a: string, b: string): number {
  return Math.max(0, dayNumber(b) - dayNumber(a) + 1);
}

// ---------------------------------------------------------------------------------------------
// Financial years and four-weekly periods

// financialYearOf and yearStart live in platform/dates.ts (the ledger uses them too).
export { financialYearOf, yearStart };

export function financialYearLabel(year: number): string {
  return `${year}/${String((year + 1) % 100).padStart(2, '0')}`;
}

export function yearEnd(year: number): CivilDate {
  return `${String(year + 1).padStart(4, '0')}-03-31` as CivilDate;
}

export interface Period {
  /** 1 to 13. */
  readonly no: number;
  readonly start: CivilDate;
  readonly end: CivilDate;
  readonly days: number;
}

export const PERIODS_A_YEAR = 13;
export const PERIOD_DAYS = 28;

/** The 13 periods of a financial year: 12 of 28 days, the 13th to 31 March. */
export function periodsOf(year: number): Period[] {
  const first = dayNumber(yearStart(year));
  const last = dayNumber(yearEnd(year));
  const periods: Period[] = [];
  for (let i = 0; i < PERIODS_A_YEAR; i++) {
    const s = first + i * PERIOD_DAYS;
    const e = i === PERIODS_A_YEAR - 1 ? last : s + PERIOD_DAYS - 1;
    periods.push({ no: i + 1, start: fromDayNumber(s), end: fromDayNumber(e), days: e - s + 1 });
  }
  return periods;
}

/** The period a day falls in. */
export function periodOf(d: string): Period & { readonly year: number } {
  const year = financialYearOf(d);
  const i = Math.min(
    PERIODS_A_YEAR - 1,
    Math.floor((dayNumber(d) - dayNumber(yearStart(year))) / PERIOD_DAYS),
  );
  const p = periodsOf(year)[i];
  if (!p) throw new RangeError(`no period for ${d}`);
  return { ...p, year };
}

/** n × num / den rounded to the nearest integer, halves away from zero (den > 0). */
export function roundDivHalfAway(n: bigint, den: bigint): bigint {
  const neg = n < 0n;
  const a = neg ? -n : n;
  const q = (a * 2n + den) / (den * 2n);
  return neg ? -q : q;
}

/** A four-weekly amount for d days: fourWeekly × d / 28, rounded half away from zero. */
export function proRata(fourWeekly: Pence, days: number): Pence {
  return pence(Number(roundDivHalfAway(BigInt(fourWeekly) * BigInt(days), 28n)));
}

/** A weekly amount for d days: weekly × d / 7, rounded half away from zero. */
export function weeklyForDays(weekly: Pence, days: number): Pence {
  return pence(Number(roundDivHalfAway(BigInt(weekly) * BigInt(days), 7n)));
}

/**
 * The days of each period the support covers, from `from` to the end of the year (or to `to`,
 * inclusive, when the support ends earlier: a budget replaced by a new plan version).
 */
export function coveredPeriods(
  year: number,
  from: string,
  to?: string,
): { period: Period; coveredFrom: CivilDate; days: number }[] {
  const out: { period: Period; coveredFrom: CivilDate; days: number }[] = [];
  for (const p of periodsOf(year)) {
    if (p.end < from) continue;
    if (to !== undefined && p.start > to) continue;
    const coveredFrom = (from > p.start ? from : p.start) as CivilDate;
    const coveredTo = to !== undefined && to < p.end ? to : p.end;
    const days = daysInclusive(coveredFrom, coveredTo);
    if (days > 0) out.push({ period: p, coveredFrom, days });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Budgets from a plan

/** Section 117 after-care is free: no charge, whichever body pays (Mental Health Act s117). */
export function isSection117(streamId: string): boolean {
  return streamId.startsWith('section-117-');
}

/** Whether a client contribution may be taken from this stream. */
export function contributionApplies(stream: { id: string; body: FundingBody }): boolean {
  return stream.body === 'council' && !isSection117(stream.id);
}

/** How an item's money goes out: paid to the person's holding account, or committed to a provider. */
export type Route = 'payment' | 'commitment';

export function routeOf(holding: Holding, providerKind: 'provider' | 'personal_assistant'): Route {
  switch (holding) {
    case 'direct_payment':
    case 'third_party':
    case 'individual_service_fund':
      return 'payment';
    case 'managed':
      return 'commitment';
    case 'mixed':
      return providerKind === 'personal_assistant' ? 'payment' : 'commitment';
  }
}

export interface CostedItem {
  readonly id: string;
  readonly what: string;
  readonly providerKind: 'provider' | 'personal_assistant';
  readonly providerName: string;
  /** Null for a one-off item. */
  readonly fourWeekly: Pence | null;
  readonly oneOff: boolean;
  /** For a one-off item, its whole cost. */
  readonly annual: Pence;
}

export interface StreamForBudget {
  readonly id: string;
  readonly name: string;
  readonly body: FundingBody;
  readonly holding: Holding;
  readonly items: readonly CostedItem[];
}

export interface PeriodPlan {
  readonly periodNo: number;
  readonly start: CivilDate;
  readonly coveredFrom: CivilDate;
  readonly days: number;
  /** Allocated to the budget in this period (recurring items; one-offs are separate). */
  readonly allocation: Pence;
  /** Of which paid to the holding account, before the contribution. */
  readonly payable: Pence;
  /** The client contribution taken in this period (never more than payable). */
  readonly contribution: Pence;
}

export interface ScheduleLinePlan {
  readonly kind: 'periodic' | 'one_off';
  readonly periodNo: number;
  readonly dueOn: CivilDate;
  readonly amount: Pence;
  readonly contribution: Pence;
  readonly description: string;
}

export interface CommitmentPlan {
  readonly itemId: string;
  readonly what: string;
  readonly providerName: string;
  readonly amount: Pence;
}

export interface BudgetPlan {
  readonly streamId: string;
  readonly streamName: string;
  readonly body: FundingBody;
  readonly holding: Holding;
  readonly financialYear: number;
  readonly startsOn: CivilDate;
  /** The whole budget for the year: allocations + one-offs. */
  readonly amount: Pence;
  readonly periods: readonly PeriodPlan[];
  /** One-off items, allocated on the start date. */
  readonly oneOffAllocation: Pence;
  readonly lines: readonly ScheduleLinePlan[];
  readonly commitments: readonly CommitmentPlan[];
}

/** The weekly contribution in effect on a day: the latest assessment effective on or before it. */
export function weeklyContributionOn(
  assessments: readonly { effectiveFrom: string; weeklyPence: Pence }[],
  on: string,
): Pence {
  let best: { effectiveFrom: string; weeklyPence: Pence } | undefined;
  for (const a of assessments)
    if (a.effectiveFrom <= on && (!best || a.effectiveFrom >= best.effectiveFrom)) best = a;
  return best?.weeklyPence ?? pence(0);
}

/**
 * The budgets of a plan for the financial year its support starts in: for each stream with
 * items, the period allocations, the schedule lines (payment routes) and the commitments
 * (commitment routes). The weekly contribution is taken once per period, from the council
 * streams it applies to in plan order, each up to what that stream pays the person that period.
 */
export function planBudgets(input: {
  readonly startsOn: CivilDate;
  readonly streams: readonly StreamForBudget[];
  readonly contributions: readonly { effectiveFrom: string; weeklyPence: Pence }[];
  /** The last day covered, when before 31 March (a budget ended by a new plan version). */
  readonly endsOn?: CivilDate;
  /**
   * Whether one-off items count (true by default). A renewal for a new financial year leaves
   * them out: a set-up cost was met in the plan's first year.
   */
  readonly oneOffs?: boolean;
}): BudgetPlan[] {
  const year = financialYearOf(input.startsOn);
  const covered = coveredPeriods(year, input.startsOn, input.endsOn);
  const withOneOffs = (input.oneOffs ?? true) && (input.endsOn ?? input.startsOn) >= input.startsOn;
  // Contribution left to take in each period, shared across streams in plan order.
  const contributionLeft = covered.map(({ coveredFrom, days }) =>
    Number(weeklyForDays(weeklyContributionOn(input.contributions, coveredFrom), days)),
  );
  const budgets: BudgetPlan[] = [];
  for (const s of input.streams) {
    if (s.items.length === 0) continue;
    const periods: PeriodPlan[] = [];
    const lines: ScheduleLinePlan[] = [];
    const committed = new Map<string, number>();
    covered.forEach(({ period, coveredFrom, days }, i) => {
      let allocation = 0;
      let payable = 0;
      for (const item of s.items) {
        if (item.oneOff || item.fourWeekly === null) continue;
        const a = Number(proRata(item.fourWeekly, days));
        allocation += a;
        if (routeOf(s.holding, item.providerKind) === 'payment') payable += a;
        else committed.set(item.id, (committed.get(item.id) ?? 0) + a);
      }
      let contribution = 0;
      if (contributionApplies(s)) {
        contribution = Math.min(contributionLeft[i] ?? 0, payable);
        contributionLeft[i] = (contributionLeft[i] ?? 0) - contribution;
      }
      periods.push({
        periodNo: period.no,
        start: period.start,
        coveredFrom,
        days,
        allocation: pence(allocation),
        payable: pence(payable),
        contribution: pence(contribution),
      });
      if (payable - contribution > 0)
        lines.push({
          kind: 'periodic',
          periodNo: period.no,
          dueOn: coveredFrom,
          amount: pence(payable - contribution),
          contribution: pence(contribution),
          description: `${s.name}: period ${period.no} (${days} days)`,
        });
    });
    let oneOff = 0;
    for (const item of s.items) {
      if (!item.oneOff || !withOneOffs) continue;
      oneOff += item.annual;
      if (routeOf(s.holding, item.providerKind) === 'payment') {
        if (item.annual > 0)
          lines.push({
            kind: 'one_off',
            periodNo: covered[0]?.period.no ?? 1,
            dueOn: input.startsOn,
            amount: item.annual,
            contribution: pence(0),
            description: `${s.name}: ${item.what} (one-off)`,
          });
      } else committed.set(item.id, (committed.get(item.id) ?? 0) + item.annual);
    }
    const commitments: CommitmentPlan[] = s.items
      .filter((item) => committed.has(item.id))
      .map((item) => ({
        itemId: item.id,
        what: item.what,
        providerName: item.providerName,
        amount: pence(committed.get(item.id) ?? 0),
      }));
    const allocated = periods.reduce((t, p) => t + p.allocation, 0);
    budgets.push({
      streamId: s.id,
      streamName: s.name,
      body: s.body,
      holding: s.holding,
      financialYear: year,
      startsOn: input.startsOn,
      amount: pence(allocated + oneOff),
      periods,
      oneOffAllocation: pence(oneOff),
      lines: lines.sort((a, b) => (a.dueOn < b.dueOn ? -1 : a.dueOn > b.dueOn ? 1 : 0)),
      commitments,
    });
  }
  return budgets;
}

/** A schedule less an amount already paid, taken from its earliest lines (none left at £0). */
export function carryInto(
  lines: readonly ScheduleLinePlan[],
  paidAhead: number,
): { lines: ScheduleLinePlan[]; carried: number } {
  let left = Math.max(0, paidAhead);
  const out: ScheduleLinePlan[] = [];
  for (const l of lines) {
    const take = Math.min(left, l.amount);
    left -= take;
    if (l.amount - take > 0) out.push({ ...l, amount: pence(l.amount - take) });
  }
  return { lines: out, carried: Math.max(0, paidAhead) - left };
}

// ---------------------------------------------------------------------------------------------
// Payment runs

/**
 * A stable reference for a schedule line, from its id: `PB` and the first 16 hex digits (64 bits:
 * a clash is unlikely below billions of lines, where 12 digits gave even odds at about 16
 * million), 18 characters, the longest a Bacs payment reference may be. Unique in the database.
 */
export function lineReference(lineId: string): string {
  return `PB${lineId.replace(/-/g, '').slice(0, 16).toUpperCase()}`;
}

/** The four-eyes rule: a run is approved by a finance officer who did not prepare it. */
export function mayApproveRun(
  run: { preparedBy: string; status: string },
  approver: { userId: string; roles: readonly string[] },
): { ok: true } | { ok: false; message: string } {
  if (!approver.roles.includes('finance_officer'))
    return { ok: false, message: 'Only a finance officer can approve a payment run.' };
  if (approver.userId === run.preparedBy)
    return {
      ok: false,
      message:
        'A payment run must be approved by a different finance officer from the one who prepared it.',
    };
  if (run.status !== 'prepared')
    return { ok: false, message: 'This payment run is not waiting for approval.' };
  return { ok: true };
}

export interface RunLine {
  readonly payee: string;
  readonly accountReference: string;
  readonly amount: Pence;
  readonly reference: string;
  readonly body: FundingBody;
}

export interface RunSummary {
  readonly count: number;
  readonly total: Pence;
  readonly byBody: readonly { body: FundingBody; count: number; total: Pence }[];
}

export function summarise(lines: Iterable<Pick<RunLine, 'amount' | 'body'>>): RunSummary {
  let count = 0;
  let total = 0;
  const by = new Map<FundingBody, { count: number; total: number }>();
  for (const l of lines) {
    count++;
    total += l.amount;
    const b = by.get(l.body) ?? { count: 0, total: 0 };
    b.count++;
    b.total += l.amount;
    by.set(l.body, b);
  }
  return {
    count,
    total: pence(total),
    byBody: (['council', 'nhs'] as const)
      .filter((b) => by.has(b))
      .map((b) => ({ body: b, count: by.get(b)?.count ?? 0, total: pence(by.get(b)?.total ?? 0) })),
  };
}

export { plainPounds };

// The payment file's cells (platform/csv.ts; the tests here check it).
export { csvCell };

export const PAYMENT_FILE_HEADER = 'payee,account_reference,amount,reference';

/** The payment file: a header and one row a line, CRLF line ends (RFC 4180). */
export function paymentFile(lines: Iterable<RunLine>): string {
  const rows = [PAYMENT_FILE_HEADER];
  for (const l of lines)
    rows.push(
      [l.payee, l.accountReference, plainPounds(l.amount), l.reference].map(csvCell).join(','),
    );
  return rows.join('\r\n') + '\r\n';
}
