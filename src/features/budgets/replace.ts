// Ending a budget when a new plan version is signed off in the same financial year
// (decision 14, addendum "New years and new plan versions"). The old budget keeps what it
// covered before the new version's start; what it would have covered from then on is taken
// back on the ledger (reversals of whole periods, adjustments for the period split by the
// start), its unpaid schedule lines from then on are cancelled, and its commitments shrink to
// what they covered. Nothing paid is touched: money paid in advance for days from the start is
// reported as `paidAhead`, for the new budget of the same stream to carry.
import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database.js';
import { addDays, type CivilDate } from '../../platform/dates.js';
import { pence } from '../../platform/money.js';
import { randomUUID } from 'node:crypto';
import { ensureAccounts, postMany, reverse, type PostingInput } from '../ledger/index.js';
import { planDocumentSchema } from '../planning/index.js';
import { lineReference, planBudgets, periodsOf, type BudgetPlan } from './rules.js';
import { streamsForBudget } from './streams.js';
import {
  bt,
  commitmentsOf,
  linesOfBudgets,
  weeklyContributionsOf,
  type BudgetRecord,
} from './store.js';

export interface EndedBudget {
  budgetId: string;
  streamId: string;
  holdingAccountId: string | null;
  /** The budget's allocation now: what it covers up to its end. */
  amount: number;
  /** Paid (or in a run) for days from the new start: what the new budget may carry. */
  paidAhead: number;
}

const potKey = (body: string) => `pot:${body}`;
const contributionsKey = (body: string) => `contributions:${body}`;

/** The keys of a budget's allocation and contribution postings, as approval posts them. */
function allocationKeys(budgetId: string): string[] {
  const keys = [`allocation:${budgetId}:one-off`];
  for (let p = 1; p <= 13; p++)
    keys.push(`allocation:${budgetId}:${String(p)}`, `contribution:${budgetId}:${String(p)}`);
  return keys;
}

/**
 * Ends an open budget on the day before `from`. Idempotent per budget: a budget already ended
 * is left alone (every posting also has its own key).
 */
export async function endBudget(
  tx: Tx,
  input: {
    partnershipId: string;
    budget: BudgetRecord;
    from: CivilDate;
    replacedByPlanId: string;
    userId: string | null;
    at: Date;
  },
): Promise<EndedBudget> {
  const { partnershipId, budget: old, from } = input;
  const endsOn = addDays(from, -1);
  // A budget that had not started yet ends the day before its start (it covers nothing).
  const storedEnd = endsOn < old.startsOn ? addDays(old.startsOn, -1) : endsOn;
  const db = bt(tx);

  // What the budget has on the ledger, by posting key: the amount on the budget's account.
  const posted = new Map(
    (
      await sql<{ id: string; idempotency_key: string; amount_pence: number }>`
        select t.id, t.idempotency_key, e.amount_pence
          from ledger_transactions t
          join ledger_entries e on e.transaction_id = t.id and e.account_id = ${old.ledgerAccountId}::uuid
         where t.partnership_id = ${partnershipId}::uuid
           and t.idempotency_key = any(${allocationKeys(old.id)}::text[])`.execute(tx)
    ).rows.map((r) => [r.idempotency_key, { id: r.id, amount: r.amount_pence }]),
  );
  const oneOffPosted = posted.get(`allocation:${old.id}:one-off`);

  // What the old plan gives the stream up to the end, by the same rules as approval.
  const planRow = await db
    .selectFrom('support_plans')
    .select('document')
    .where('id', '=', old.planId)
    .executeTakeFirst();
  const doc = planDocumentSchema.safeParse(planRow?.document ?? {});
  const contributions = (await weeklyContributionsOf(tx, old.personId)).map((c) => ({
    effectiveFrom: c.effectiveFrom,
    weeklyPence: pence(c.weeklyPence),
  }));
  const kept: BudgetPlan | undefined = doc.success
    ? planBudgets({
        startsOn: old.startsOn,
        endsOn,
        streams: streamsForBudget(doc.data),
        contributions,
        oneOffs: oneOffPosted !== undefined,
      }).find((b) => b.streamId === old.streamId)
    : undefined;
  const keptPeriod = (no: number) => kept?.periods.find((p) => p.periodNo === no);

  const accounts = await ensureAccounts(tx, partnershipId, [
    {
      key: potKey(old.body),
      kind: 'stream_pot',
      name: old.body === 'council' ? 'Council pot' : 'NHS pot',
      fundingBody: old.body,
    },
    {
      key: contributionsKey(old.body),
      kind: 'contributions',
      name: `Client contributions (${old.body})`,
      fundingBody: old.body,
    },
  ]);
  const pot = accounts.get(potKey(old.body)) ?? '';
  const contributionsAcc = accounts.get(contributionsKey(old.body)) ?? '';
  const reason = `the plan was replaced from ${from}`;

  // Periods that end before the new start are left exactly as posted; the others are cut.
  let removed = 0;
  const adjustments: PostingInput[] = [];
  const reversals: { id: string; key: string }[] = [];
  for (const period of periodsOf(old.financialYear)) {
    if (period.end < from) continue;
    const k = keptPeriod(period.no);
    const alloc = posted.get(`allocation:${old.id}:${String(period.no)}`);
    const contrib = posted.get(`contribution:${old.id}:${String(period.no)}`);
    const postedAlloc = alloc?.amount ?? 0;
    const postedContrib = -(contrib?.amount ?? 0);
    const keptAlloc = k?.allocation ?? 0;
    const keptContrib = k?.contribution ?? 0;
    removed += postedAlloc - keptAlloc;
    if (alloc && keptAlloc === 0)
      reversals.push({ id: alloc.id, key: `end:${old.id}:allocation:${String(period.no)}` });
    else if (postedAlloc !== keptAlloc)
      adjustments.push({
        idempotencyKey: `end:${old.id}:allocation:${String(period.no)}`,
        kind: 'adjustment',
        occurredOn: from,
        description: `${old.streamName} budget, period ${String(period.no)}: ${reason}`,
        lines: [
          { accountId: old.ledgerAccountId, amountPence: -(postedAlloc - keptAlloc) },
          { accountId: pot, amountPence: postedAlloc - keptAlloc },
        ],
        postedBy: input.userId,
      });
    if (contrib && keptContrib === 0)
      reversals.push({ id: contrib.id, key: `end:${old.id}:contribution:${String(period.no)}` });
    else if (postedContrib !== keptContrib)
      adjustments.push({
        idempotencyKey: `end:${old.id}:contribution:${String(period.no)}`,
        kind: 'adjustment',
        occurredOn: from,
        description: `Client contribution, period ${String(period.no)}: ${reason}`,
        lines: [
          { accountId: old.ledgerAccountId, amountPence: postedContrib - keptContrib },
          { accountId: contributionsAcc, amountPence: -(postedContrib - keptContrib) },
        ],
        postedBy: input.userId,
      });
  }
  // One-off items were allocated on the start date: taken back only if the new version
  // starts on or before it (the old budget then covers nothing).
  if (oneOffPosted && from <= old.startsOn) {
    removed += oneOffPosted.amount;
    reversals.push({ id: oneOffPosted.id, key: `end:${old.id}:allocation:one-off` });
  }
  for (const r of reversals)
    await reverse(tx, partnershipId, r.id, {
      idempotencyKey: r.key,
      occurredOn: from,
      reason,
      postedBy: input.userId,
    });
  if (adjustments.length > 0) await postMany(tx, partnershipId, adjustments);

  // Schedule lines: unpaid ones from the new start are cancelled; the unpaid line of the period
  // the new start splits is replaced by one for the days before it; paid ones stay paid.
  let paidAhead = 0;
  const replacements: {
    id: string;
    periodNo: number;
    dueOn: CivilDate;
    amount: number;
    contribution: number;
    description: string;
  }[] = [];
  const cancel: string[] = [];
  for (const line of await linesOfBudgets(tx, [old.id])) {
    if (line.status === 'cancelled') continue;
    const period = periodsOf(old.financialYear)[line.periodNo - 1];
    const cut = line.kind === 'one_off' ? line.dueOn >= from : (period?.end ?? '') >= from;
    if (!cut) continue;
    const keptLine =
      line.kind === 'one_off'
        ? 0
        : (kept?.lines.find((l) => l.kind === 'periodic' && l.periodNo === line.periodNo)?.amount ??
          0);
    if (line.status === 'due') {
      cancel.push(line.id);
      const k = keptPeriod(line.periodNo);
      if (keptLine > 0 && k)
        replacements.push({
          id: randomUUID(),
          periodNo: line.periodNo,
          dueOn: line.dueOn,
          amount: keptLine,
          contribution: k.contribution,
          description: `${old.streamName}: period ${String(line.periodNo)} (${String(k.days)} days, to ${endsOn})`,
        });
    } else paidAhead += Math.max(0, line.amount - keptLine);
  }
  if (cancel.length > 0)
    await db
      .updateTable('payment_schedule_lines')
      .set({ status: 'cancelled' })
      .where('id', 'in', cancel)
      .where('status', '=', 'due')
      .execute();
  if (replacements.length > 0)
    await db
      .insertInto('payment_schedule_lines')
      .values(
        replacements.map((r) => ({
          id: r.id,
          partnership_id: partnershipId,
          budget_id: old.id,
          person_id: old.personId,
          kind: 'periodic' as const,
          period_no: r.periodNo,
          due_on: r.dueOn,
          amount_pence: r.amount,
          contribution_pence: r.contribution,
          description: r.description,
          reference: lineReference(r.id),
        })),
      )
      .execute();

  // Commitments shrink to what they covered, never below what was invoiced.
  const ends = (await commitmentsOf(tx, { budgetIds: [old.id] }))
    .filter((c) => c.endsOn === null)
    .map((c) => {
      const keptAmount = kept?.commitments.find((x) => x.itemId === c.itemId)?.amount ?? 0;
      return { c, amount: Math.max(keptAmount, c.invoiced) };
    })
    .filter(({ c, amount }) => amount !== c.amount);
  if (ends.length > 0)
    await db
      .insertInto('commitment_ends')
      .values(
        ends.map(({ c, amount }) => ({
          commitment_id: c.id,
          partnership_id: partnershipId,
          ends_on: storedEnd,
          amount_pence: amount,
        })),
      )
      .execute();

  const amount = old.amount - removed;
  await db
    .updateTable('budgets')
    .set({
      ends_on: storedEnd,
      replaced_by_plan_id: input.replacedByPlanId,
      ended_at: input.at,
      amount_pence: amount,
    })
    .where('id', '=', old.id)
    // An open budget, or one made ended (a replaced version's weeks before its successor)
    // that a version starting sooner cuts shorter.
    .where((eb) => eb.or([eb('ends_on', 'is', null), eb('ends_on', '>', storedEnd)]))
    .execute();
  return {
    budgetId: old.id,
    streamId: old.streamId,
    holdingAccountId: old.holdingAccountId,
    amount,
    paidAhead,
  };
}

/**
 * Of these ended budgets, those already cut by a new version (they have `end:` postings):
 * endBudget works out a cut from the budget's own allocations, so it cuts a budget once. A
 * budget made ended (by a renewal, to its successor's start) has none, and may still be cut.
 */
export async function budgetsCutBefore(tx: Tx, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const r = await sql<{ id: string }>`
    select b.id from budgets b
     where b.id = any(${ids}::uuid[])
       and exists (select 1 from ledger_transactions t
                    where t.partnership_id = b.partnership_id
                      and t.idempotency_key like 'end:' || b.id::text || ':%')`.execute(tx);
  return new Set(r.rows.map((x) => x.id));
}
