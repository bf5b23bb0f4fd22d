// Making budgets (decision 14): a plan's budgets from a day to the end of that day's financial
// year, with their schedule lines, commitments and ledger allocations, for approval and for a
// renewal. service.ts decides what to make (and what a new version ends); this makes it.
import { randomUUID } from 'node:crypto';
import type { Tx } from '../../platform/db/database.js';
import type { CivilDate } from '../../platform/dates.js';
import { negate, pence } from '../../platform/money.js';
import type { PlanDocument } from '../planning/index.js';
import { ensureAccounts, postMany, type AccountSpec, type PostingInput } from '../ledger/index.js';
import {
  carryInto,
  financialYearOf,
  lineReference,
  planBudgets,
  routeOf,
  type BudgetPlan,
  type FundingBody,
  type ScheduleLinePlan,
} from './rules.js';
import type { EndedBudget } from './replace.js';
import { streamsForBudget } from './streams.js';
import { bt, budgetsOf, ledgerAccountOfBudget, weeklyContributionsOf } from './store.js';

/** The plan as budgets need it (a PlanRecord from planning has these fields). */
export interface ApprovedPlan {
  id: string;
  personId: string;
  document: PlanDocument;
  approvedOn: string | null;
}

/** Whose budgets, from which plan, made by whom (the input of approval and of a renewal). */
export interface BudgetsInput {
  partnershipId: string;
  plan: ApprovedPlan;
  person: { id: string; name: string };
  userId: string | null;
  payees?: ReadonlyMap<string, { name: string; reference: string }>;
}

export interface CreatedBudgets {
  /** Budgets made now. */
  created: {
    budgetId: string;
    streamId: string;
    amount: number;
    lines: number;
    commitments: number;
    /** Paid ahead by a replaced budget of the stream and taken off this one's first payments. */
    carried: number;
  }[];
  /** Streams that already had a budget for the year (from this plan, or one still open). */
  existing: string[];
  /** Budgets of an earlier plan version that this approval ended. */
  ended?: EndedBudget[];
}

export const providerKey = (body: FundingBody, name: string) =>
  `provider:${body}:${name.trim().toLowerCase()}`;

/** The person's default payee: themselves, with their budget reference. */
export function defaultPayee(
  person: { id: string; name: string },
  streamId: string,
): { name: string; reference: string } {
  return {
    name: person.name,
    reference: `DP-${person.id.replace(/-/g, '').toUpperCase()}-${streamId}`,
  };
}

/**
 * The budgets of a plan from a day to the end of that day's financial year: the work of
 * approval (and of a renewal for a new year, without one-off items). Streams with an open
 * budget that year, or one from this plan, are reported in `existing`.
 *
 * With `until`, the budgets end on `until.endsOn` and are made already ended, replaced by
 * `until.replacedByPlanId`: a replaced version renewed for the weeks from 1 April to its
 * successor's start (renew.ts). The successor may already have its own open budget of the
 * stream that year, from its start, so then only this plan's own budgets count as existing.
 */
export async function makeBudgets(
  tx: Tx,
  input: BudgetsInput,
  options: {
    from: CivilDate;
    oneOffs: boolean;
    ended?: readonly EndedBudget[];
    until?: { endsOn: CivilDate; replacedByPlanId: string; at: Date };
  },
): Promise<CreatedBudgets> {
  const { plan, person, partnershipId } = input;
  const startsOn = options.from;
  const year = financialYearOf(startsOn);
  const contributions = (await weeklyContributionsOf(tx, person.id)).map((c) => ({
    effectiveFrom: c.effectiveFrom,
    weeklyPence: pence(c.weeklyPence),
  }));
  const plans = planBudgets({
    startsOn,
    streams: streamsForBudget(plan.document),
    contributions,
    oneOffs: options.oneOffs,
    ...(options.until ? { endsOn: options.until.endsOn } : {}),
  }).filter((b) => options.oneOffs || b.amount > 0);
  const until = options.until;
  const have = new Set(
    (await budgetsOf(tx, person.id, year))
      .filter((b) => b.planId === plan.id || (until === undefined && b.endsOn === null))
      .map((b) => b.streamId),
  );
  const todo = plans.filter((b) => !have.has(b.streamId));
  const result: CreatedBudgets = {
    created: [],
    existing: plans.filter((b) => have.has(b.streamId)).map((b) => b.streamId),
  };
  if (todo.length === 0) return result;

  const ids = new Map(todo.map((b) => [b.streamId, randomUUID()]));
  const idOf = (b: BudgetPlan) => ids.get(b.streamId) ?? '';
  const payeeOf = (b: BudgetPlan) =>
    input.payees?.get(b.streamId) ?? defaultPayee(person, b.streamId);
  const pays = (b: BudgetPlan) =>
    plan.document.items.some(
      (i) => i.streamId === b.streamId && routeOf(b.holding, i.provider.kind) === 'payment',
    );
  const specs: AccountSpec[] = [];
  for (const b of todo) {
    specs.push(
      {
        key: `pot:${b.body}`,
        kind: 'stream_pot',
        name: b.body === 'council' ? 'Council pot' : 'NHS pot',
        fundingBody: b.body,
      },
      {
        key: `contributions:${b.body}`,
        kind: 'contributions',
        name: `Client contributions (${b.body})`,
        fundingBody: b.body,
      },
      {
        key: `budget:${idOf(b)}`,
        kind: 'person_budget',
        name: `${person.name}: ${b.streamName} ${year}`,
        fundingBody: b.body,
        personId: person.id,
        budgetId: idOf(b),
      },
    );
    if (pays(b))
      specs.push({
        key: `holding:${person.id}:${b.streamId}`,
        kind: 'holding_account',
        name: `${person.name}: ${b.streamName} (${payeeOf(b).name})`,
        fundingBody: b.body,
        personId: person.id,
        reference: payeeOf(b).reference,
      });
    for (const c of b.commitments)
      specs.push({
        key: providerKey(b.body, c.providerName),
        kind: 'provider_payable',
        name: c.providerName,
        fundingBody: b.body,
        reference: c.providerName,
      });
  }
  const accounts = await ensureAccounts(tx, partnershipId, dedupe(specs));
  const acc = (key: string) => {
    const id = accounts.get(key);
    if (!id) throw new Error(`ledger account ${key} was not made`);
    return id;
  };

  const db = bt(tx);
  const postings: PostingInput[] = [];
  for (const b of todo) {
    const budgetId = idOf(b);
    const payee = payeeOf(b);
    const budgetAcc = acc(`budget:${budgetId}`);
    const holdingAcc = pays(b) ? acc(`holding:${person.id}:${b.streamId}`) : null;
    await db
      .insertInto('budgets')
      .values({
        id: budgetId,
        partnership_id: partnershipId,
        person_id: person.id,
        plan_id: plan.id,
        stream_id: b.streamId,
        stream_name: b.streamName,
        funding_body: b.body,
        holding: b.holding,
        financial_year: b.financialYear,
        starts_on: b.startsOn,
        amount_pence: b.amount,
        ledger_account_id: budgetAcc,
        holding_account_id: holdingAcc,
        payee_name: holdingAcc ? payee.name : null,
        payee_reference: holdingAcc ? payee.reference : null,
        created_by: input.userId,
        ...(until
          ? {
              ends_on: until.endsOn,
              replaced_by_plan_id: until.replacedByPlanId,
              ended_at: until.at,
            }
          : {}),
      })
      .execute();
    // Money the replaced budget of this stream paid ahead (into the same holding account) for
    // days this budget covers: its first payments are less by it, and it moves from this
    // budget to the old one on the ledger, so each budget's balance stays what it has left.
    // (Two may have: a replaced version's weeks before its successor, and the successor's.)
    let lines: readonly ScheduleLinePlan[] = b.lines;
    let carried = 0;
    for (const from of (options.ended ?? []).filter(
      (e) => e.streamId === b.streamId && holdingAcc !== null && e.holdingAccountId === holdingAcc,
    )) {
      const c = carryInto(lines, from.paidAhead);
      lines = c.lines;
      carried += c.carried;
      if (c.carried === 0) continue;
      const oldAcc = await ledgerAccountOfBudget(tx, from.budgetId);
      postings.push({
        idempotencyKey: `carry:${from.budgetId}:${budgetId}`,
        kind: 'adjustment',
        occurredOn: b.startsOn,
        description: `${b.streamName}: paid ahead by the replaced budget, carried into the new one`,
        lines: [
          { accountId: oldAcc, amountPence: pence(c.carried) },
          { accountId: budgetAcc, amountPence: negate(pence(c.carried)) },
        ],
        postedBy: input.userId,
      });
    }
    if (lines.length > 0)
      await db
        .insertInto('payment_schedule_lines')
        .values(
          lines.map((l) => {
            const id = randomUUID();
            return {
              id,
              partnership_id: partnershipId,
              budget_id: budgetId,
              person_id: person.id,
              kind: l.kind,
              period_no: l.periodNo,
              due_on: l.dueOn,
              amount_pence: l.amount,
              contribution_pence: l.contribution,
              description: l.description,
              reference: lineReference(id),
            };
          }),
        )
        .execute();
    if (b.commitments.length > 0)
      await db
        .insertInto('commitments')
        .values(
          b.commitments.map((c) => ({
            partnership_id: partnershipId,
            budget_id: budgetId,
            person_id: person.id,
            item_id: c.itemId,
            what: c.what,
            provider_name: c.providerName,
            provider_account_id: acc(providerKey(b.body, c.providerName)),
            amount_pence: c.amount,
          })),
        )
        .execute();
    const pot = acc(`pot:${b.body}`);
    const contributionsAcc = acc(`contributions:${b.body}`);
    for (const p of b.periods) {
      if (p.allocation > 0)
        postings.push({
          idempotencyKey: `allocation:${budgetId}:${p.periodNo}`,
          kind: 'allocation',
          occurredOn: p.coveredFrom,
          description: `${b.streamName} budget, period ${p.periodNo} (${p.days} days)`,
          lines: [
            { accountId: budgetAcc, amountPence: p.allocation },
            { accountId: pot, amountPence: negate(p.allocation) },
          ],
          postedBy: input.userId,
        });
      if (p.contribution > 0)
        postings.push({
          idempotencyKey: `contribution:${budgetId}:${p.periodNo}`,
          kind: 'contribution',
          occurredOn: p.coveredFrom,
          description: `Client contribution, period ${p.periodNo} (${p.days} days)`,
          lines: [
            { accountId: contributionsAcc, amountPence: p.contribution },
            { accountId: budgetAcc, amountPence: negate(p.contribution) },
          ],
          postedBy: input.userId,
        });
    }
    if (b.oneOffAllocation > 0)
      postings.push({
        idempotencyKey: `allocation:${budgetId}:one-off`,
        kind: 'allocation',
        occurredOn: b.startsOn,
        description: `${b.streamName} budget, one-off items`,
        lines: [
          { accountId: budgetAcc, amountPence: b.oneOffAllocation },
          { accountId: pot, amountPence: negate(b.oneOffAllocation) },
        ],
        postedBy: input.userId,
      });
    result.created.push({
      budgetId,
      streamId: b.streamId,
      amount: b.amount,
      carried,
      lines: lines.length,
      commitments: b.commitments.length,
    });
  }
  if (postings.length > 0) await postMany(tx, partnershipId, postings);
  return result;
}

function dedupe(specs: readonly AccountSpec[]): AccountSpec[] {
  const seen = new Map<string, AccountSpec>();
  for (const s of specs) if (!seen.has(s.key)) seen.set(s.key, s);
  return [...seen.values()];
}
