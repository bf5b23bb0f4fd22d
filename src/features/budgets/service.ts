// Budgets from an approved support plan (with their schedule lines, commitments and ledger
// allocations), financial assessments, provider invoices and a person's budget panel.
// Reads and writes of a person's money go through the people feature's access rule and are
// audited in the same transaction.
import { randomUUID } from 'node:crypto';
import { inPartnership, type Db, type Tx } from '../../platform/db/database.js';
import { audit, type AuditContext } from '../../platform/audit/audit.js';
import { todayInLondon, type CivilDate } from '../../platform/dates.js';
import { Forbidden, Invalid, NotFound } from '../../platform/http/errors.js';
import { formatPounds, pence } from '../../platform/money.js';
import { hasRole } from '../../platform/auth/principal.js';
import { withPerson, type PersonRecord } from '../people/index.js';
import { balances, post } from '../ledger/index.js';
import { financialYearOf, yearStart } from './rules.js';
import { makeBudgets, type BudgetsInput, type CreatedBudgets } from './make.js';
import { budgetsCutBefore, endBudget, type EndedBudget } from './replace.js';
import { streamsForBudget } from './streams.js';
import {
  bt,
  budgetsOf,
  commitmentsOf,
  linesOfBudgets,
  weeklyContributionsOf,
  type BudgetRecord,
  type CommitmentRecord,
  type LineRecord,
} from './store.js';

export { streamsForBudget };
export { defaultPayee, makeBudgets, providerKey } from './make.js';
export type { ApprovedPlan, BudgetsInput, CreatedBudgets } from './make.js';

export const BUDGET_NOT_FOUND = 'There is no such commitment in your partnership';

/**
 * Makes the budgets of an approved plan for the financial year its support starts in (the
 * plan's start date, or the approval date): a budget a stream, its four-weekly allocations and
 * client contributions on the ledger, the payment schedule (direct payments, third-party
 * budgets, ISFs, and personal assistants in a mix) and commitments to providers (managed
 * budgets, and provider organisations in a mix).
 *
 * A new version signed off while the person has open budgets from an earlier version in that
 * year replaces them from the later of its start date and its approval date (a new version
 * cannot change the past): the old budgets end the day before (see replace.ts) and the new ones
 * are made pro rata from that day; money the old budget of a stream paid ahead for days from
 * then is carried into the new budget of the same stream (its first payments are less by it).
 *
 * Idempotent: a stream that already has a budget from this plan for the year is left as it is
 * and reported in `existing`.
 *
 * For the integrator: call it inside planning's approval transaction, after markApproved.
 */
export async function createBudgetsForApprovedPlan(
  tx: Tx,
  input: BudgetsInput & {
    /** When the approval happens (for the time an old budget is marked ended). */
    at?: Date;
  },
): Promise<CreatedBudgets> {
  const { plan, person } = input;
  const startsOn = (plan.document.startsOn ?? plan.approvedOn) as CivilDate | null;
  if (!startsOn) throw new Invalid([{ field: 'startsOn', message: 'The plan has no start date' }]);
  const approvedOn = (plan.approvedOn ?? startsOn) as CivilDate;
  const latest = approvedOn > startsOn ? approvedOn : startsOn;
  const firstYear = financialYearOf(latest);
  // Open budgets of an earlier version: this year's, and a later year's already renewed; and
  // a replaced version's budget for the weeks before its successor's start (made ended by a
  // renewal) that still covers days from this version's start.
  const replaced = (await budgetsOf(tx, person.id)).filter(
    (b) =>
      b.planId !== plan.id &&
      b.financialYear >= firstYear &&
      (b.endsOn === null || b.endsOn >= latest),
  );
  const cutBefore = await budgetsCutBefore(
    tx,
    replaced.filter((b) => b.endsOn !== null).map((b) => b.id),
  );
  for (let i = replaced.length - 1; i >= 0; i--)
    if (cutBefore.has(replaced[i]?.id ?? '')) replaced.splice(i, 1);
  if (replaced.length === 0) return makeBudgets(tx, input, { from: startsOn, oneOffs: true });
  const at = input.at ?? new Date();
  const endAll = async (year: number, from: CivilDate) => {
    const ended: EndedBudget[] = [];
    for (const b of replaced.filter((x) => x.financialYear === year))
      ended.push(
        await endBudget(tx, {
          partnershipId: input.partnershipId,
          budget: b,
          from,
          replacedByPlanId: plan.id,
          userId: input.userId,
          at,
        }),
      );
    return ended;
  };
  const ended = await endAll(firstYear, latest);
  const made = await makeBudgets(tx, input, { from: latest, oneOffs: true, ended });
  const result: CreatedBudgets = { ...made, ended };
  // A later year renewed from the earlier version is made again from this one, as a renewal.
  const later = [...new Set(replaced.map((b) => b.financialYear))].filter((y) => y > firstYear);
  for (const year of later.sort((a, b) => a - b)) {
    const endedLater = await endAll(year, yearStart(year));
    const again = await makeBudgets(tx, input, {
      from: yearStart(year),
      oneOffs: false,
      ended: endedLater,
    });
    result.created.push(...again.created);
    result.ended?.push(...endedLater);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// The service

export interface BudgetPanel {
  financialYear: number;
  streams: {
    budget: BudgetRecord;
    /** What is left in the budget on the ledger. */
    balance: number;
    /** What the holding account holds (null when nothing is paid to one). */
    held: number | null;
    nextPayment: LineRecord | null;
    paid: number;
    contributions: number;
    commitments: (CommitmentRecord & { remaining: number })[];
  }[];
}

export interface BudgetsServiceDeps {
  db: Db;
  now: () => Date;
}

function requireFinance(ctx: AuditContext): string {
  const p = ctx.principal;
  if (p.kind !== 'user' || !hasRole(p, 'finance_officer'))
    throw new Forbidden('Only finance officers can do this.');
  return p.userId;
}

/**
 * The Budget panel's figures inside a transaction the caller has opened with the access rule:
 * this financial year's budgets (or the latest year's when there are none this year).
 */
export async function budgetPanelIn(
  tx: Tx,
  personId: string,
  today: CivilDate,
): Promise<BudgetPanel> {
  const year = financialYearOf(today);
  const all = await budgetsOf(tx, personId);
  const shown = all.filter((b) => b.financialYear === year);
  const budgets =
    shown.length > 0 ? shown : all.filter((b) => b.financialYear === all[0]?.financialYear);
  const ids = budgets.map((b) => b.id);
  const [lines, commitments, bal] = await Promise.all([
    linesOfBudgets(tx, ids),
    commitmentsOf(tx, { budgetIds: ids }),
    balances(
      tx,
      budgets.flatMap((b) => [
        b.ledgerAccountId,
        ...(b.holdingAccountId ? [b.holdingAccountId] : []),
      ]),
    ),
  ]);
  return {
    financialYear: budgets[0]?.financialYear ?? year,
    streams: budgets.map((b) => {
      const mine = lines.filter((l) => l.budgetId === b.id);
      return {
        budget: b,
        balance: bal.get(b.ledgerAccountId) ?? 0,
        held: b.holdingAccountId ? (bal.get(b.holdingAccountId) ?? 0) : null,
        nextPayment: mine.find((l) => l.status === 'due' || l.status === 'in_run') ?? null,
        paid: mine.filter((l) => l.status === 'paid').reduce((t, l) => t + l.amount, 0),
        contributions: mine.reduce((t, l) => t + l.contribution, 0),
        commitments: commitments
          .filter((c) => c.budgetId === b.id)
          .map((c) => ({ ...c, remaining: c.amount - c.invoiced })),
      };
    }),
  };
}

export function createBudgetsService(deps: BudgetsServiceDeps) {
  const { db, now } = deps;

  return {
    /** A person's budgets this financial year: balances by stream, next payment, commitments. */
    async panel(
      ctx: AuditContext,
      personId: string,
      /** 'list' for the panel on the person's page, as the other panels audit. */
      auditAs: 'read' | 'list' = 'read',
    ): Promise<BudgetPanel> {
      const at = now();
      return withPerson(db, ctx, personId, 'read', at, async (tx) => {
        const panel = await budgetPanelIn(tx, personId, todayInLondon(at));
        await audit(tx, ctx, {
          action: auditAs,
          recordType: 'budget',
          personId,
          detail: { financialYear: panel.financialYear, budgets: panel.streams.length },
        });
        return panel;
      });
    },

    /** A commitment with its invoices, for the invoice page (finance officers). */
    async commitment(
      ctx: AuditContext,
      commitmentId: string,
    ): Promise<{ commitment: CommitmentRecord & { remaining: number }; person: PersonRecord }> {
      requireFinance(ctx);
      const found = await inPartnership(db, ctx.principal.partnershipId, (tx) =>
        commitmentsOf(tx, { id: commitmentId }),
      );
      const c0 = found[0];
      if (!c0) throw new NotFound(BUDGET_NOT_FOUND);
      return withPerson(db, ctx, c0.personId, 'read', now(), async (tx, { person }) => {
        const [c] = await commitmentsOf(tx, { id: commitmentId });
        if (!c) throw new NotFound(BUDGET_NOT_FOUND);
        await audit(tx, ctx, {
          action: 'read',
          recordType: 'commitment',
          recordId: c.id,
          personId: c.personId,
        });
        return { commitment: { ...c, remaining: c.amount - c.invoiced }, person };
      });
    },

    /** The person and their financial assessments, newest first (finance officers). */
    async financialAssessments(
      ctx: AuditContext,
      personId: string,
    ): Promise<{
      person: PersonRecord;
      assessments: { effectiveFrom: CivilDate; weeklyPence: number; recordedAt: Date }[];
    }> {
      requireFinance(ctx);
      return withPerson(db, ctx, personId, 'read', now(), async (tx, { person }) => {
        const assessments = (await weeklyContributionsOf(tx, personId)).reverse();
        await audit(tx, ctx, {
          action: 'read',
          recordType: 'financial_assessment',
          personId,
        });
        return { person, assessments };
      });
    },

    /** Records a financial assessment: the weekly contribution from a date. */
    async recordFinancialAssessment(
      ctx: AuditContext,
      personId: string,
      input: { weeklyPence: number; effectiveFrom: CivilDate },
    ): Promise<void> {
      const userId = requireFinance(ctx);
      if (!Number.isSafeInteger(input.weeklyPence) || input.weeklyPence < 0)
        throw new Invalid([
          {
            field: 'weekly',
            message: 'Enter the weekly contribution in pounds and pence, 0 or more',
          },
        ]);
      // 'read': a financial record, not the person's details (which only casework staff change).
      await withPerson(db, ctx, personId, 'read', now(), async (tx) => {
        const r = await bt(tx)
          .insertInto('financial_assessments')
          .values({
            partnership_id: ctx.principal.partnershipId,
            person_id: personId,
            weekly_contribution_pence: input.weeklyPence,
            effective_from: input.effectiveFrom,
            recorded_by: userId,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        await audit(tx, ctx, {
          action: 'create',
          recordType: 'financial_assessment',
          recordId: r.id,
          personId,
          detail: { weeklyPence: input.weeklyPence, effectiveFrom: input.effectiveFrom },
        });
      });
    },

    /**
     * A provider's invoice against a commitment: posted to the ledger (budget to the provider's
     * payable account). Refused when it is more than the commitment has left, or when the same
     * invoice number was recorded against this commitment before.
     */
    async recordInvoice(
      ctx: AuditContext,
      commitmentId: string,
      input: { number: string; date: CivilDate; amountPence: number },
    ): Promise<{ invoiceId: string; remaining: number }> {
      const userId = requireFinance(ctx);
      const found = await inPartnership(db, ctx.principal.partnershipId, (tx) =>
        commitmentsOf(tx, { id: commitmentId }),
      );
      const c0 = found[0];
      if (!c0) throw new NotFound(BUDGET_NOT_FOUND);
      return withPerson(db, ctx, c0.personId, 'read', now(), async (tx) => {
        const [c] = await commitmentsOf(tx, { id: commitmentId });
        if (!c) throw new NotFound(BUDGET_NOT_FOUND);
        const number = input.number.trim();
        const problems = [];
        if (number === '') problems.push({ field: 'number', message: 'Enter the invoice number' });
        if (!Number.isSafeInteger(input.amountPence) || input.amountPence <= 0)
          problems.push({ field: 'amount', message: 'Enter the amount, more than £0' });
        else if (input.amountPence > c.amount - c.invoiced)
          problems.push({
            field: 'amount',
            message: `The invoice is more than the ${formatPounds(pence(c.amount - c.invoiced))} left of this commitment`,
          });
        if (c.invoices.some((i) => i.number === number))
          problems.push({ field: 'number', message: 'This invoice has already been recorded' });
        if (problems.length > 0) throw new Invalid(problems);
        const [budget] = (await budgetsOf(tx, c.personId)).filter((b) => b.id === c.budgetId);
        if (!budget) throw new NotFound(BUDGET_NOT_FOUND);
        const invoiceId = randomUUID();
        const posted = await post(tx, ctx.principal.partnershipId, {
          idempotencyKey: `invoice:${invoiceId}`,
          kind: 'invoice',
          occurredOn: input.date,
          description: `${c.providerName} invoice ${number}: ${c.what}`,
          lines: [
            {
              accountId: budget.ledgerAccountId,
              amountPence: -input.amountPence,
              sourceRef: `invoice:${invoiceId}`,
            },
            {
              accountId: c.providerAccountId,
              amountPence: input.amountPence,
              sourceRef: `invoice:${invoiceId}`,
            },
          ],
          postedBy: userId,
        });
        await bt(tx)
          .insertInto('provider_invoices')
          .values({
            id: invoiceId,
            partnership_id: ctx.principal.partnershipId,
            commitment_id: c.id,
            invoice_number: number,
            invoice_date: input.date,
            amount_pence: input.amountPence,
            ledger_transaction_id: posted.transactionId,
            recorded_by: userId,
          })
          .execute();
        await audit(tx, ctx, {
          action: 'create',
          recordType: 'provider_invoice',
          recordId: invoiceId,
          personId: c.personId,
          detail: { commitmentId: c.id, amountPence: input.amountPence },
        });
        return { invoiceId, remaining: c.amount - c.invoiced - input.amountPence };
      });
    },
  };
}

export type BudgetsService = ReturnType<typeof createBudgetsService>;
