// Helpers for versions.int.test.ts (never used by the application): a partnership with two
// finance officers, a first plan and new versions stored as planning stores them, payment runs
// with four eyes, and the invariants the tests and the property check.
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import {
  createPartnership,
  createUser,
  type TestPartnership,
  type TestUser,
} from '../../../test/support/factories.ts';
import { ctxFor } from '../../../test/support/submitted-plans.ts';
import { inPartnership, type Db } from '../../platform/db/database.ts';
import type { CivilDate } from '../../platform/dates.ts';
import { Conflict } from '../../platform/http/errors.ts';
import type { PlanDocument } from '../planning/index.ts';
import { doc, makeBudgets, now, paItem, personWithApprovedPlan } from './fixtures.int-support.ts';
import { createPaymentsService } from './payments.ts';
import { planBudgets, yearEnd } from './rules.ts';
import { createBudgetsForApprovedPlan } from './service.ts';
import { streamsForBudget } from './streams.ts';
import { bt } from './store.ts';
import type { BudgetTables } from './tables.ts';

export const APRIL = '2026-04-01' as CivilDate;

let db: Db;
/** The database the helpers use (the test's server's). */
export function useDb(d: Db): void {
  db = d;
}

export interface World {
  partnershipId: string;
  teamId: string;
  trustId: string;
  code: string;
  p: TestPartnership;
  a: TestUser;
  b: TestUser;
}

export async function world(): Promise<World> {
  const p = await createPartnership(db, 'Versions');
  return {
    partnershipId: p.id,
    teamId: p.teamId,
    trustId: p.trustId,
    code: p.code,
    p,
    a: await createUser(db, p, ['finance_officer']),
    b: await createUser(db, p, ['finance_officer']),
  };
}

export const dp = (weekly: number, stream = 'social-care', body: 'council' | 'nhs' = 'council') =>
  doc({
    startsOn: APRIL,
    streams: [{ id: stream, body, holding: 'direct_payment' }],
    items: [paItem(`pa-${stream}`, stream, weekly)],
  });

/** A person whose first plan is signed off (with its budgets made as approval makes them). */
export async function firstPlan(
  w: World,
  name: string,
  document: PlanDocument,
  approvedOn = APRIL,
) {
  const x = await personWithApprovedPlan(db, w, { familyName: name, document, approvedOn });
  await makeBudgets(db, w.partnershipId, x);
  return { person: x.person, planIds: [x.plan.id], sequence: 1 };
}

/** A new version signed off on a day: stored as planning stores it, then its budgets made. */
export async function newVersion(
  w: World,
  x: { person: { id: string; name: string }; planIds: string[]; sequence: number },
  document: PlanDocument,
  approvedOn: CivilDate,
) {
  x.sequence++;
  await db.system
    .updateTable('support_plans')
    .set({ status: 'superseded' })
    .where('person_id', '=', x.person.id)
    .where('status', '=', 'approved')
    .execute();
  const plan = await db.system
    .insertInto('support_plans')
    .values({
      partnership_id: w.partnershipId,
      person_id: x.person.id,
      sequence: x.sequence,
      status: 'approved',
      document: JSON.stringify(document),
      submitted_at: new Date(),
      approved_on: approvedOn,
      approved_at: new Date(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  x.planIds.push(plan.id);
  return inPartnership(db, w.partnershipId, (tx) =>
    createBudgetsForApprovedPlan(tx, {
      partnershipId: w.partnershipId,
      plan: { id: plan.id, personId: x.person.id, document, approvedOn },
      person: x.person,
      userId: null,
    }),
  );
}

/** A payment run of everything due up to a day, prepared by one officer and approved by another. */
export async function payUpTo(w: World, upTo: CivilDate): Promise<number> {
  const payments = createPaymentsService({ db, now });
  const a = ctxFor(w.p, w.a, ['finance_officer']);
  const b = ctxFor(w.p, w.b, ['finance_officer']);
  try {
    const run = await payments.prepare(a, upTo);
    await payments.approve(b, run.id);
    return (await payments.post(b, run.id)).paid;
  } catch (error) {
    if (error instanceof Conflict) return 0; // nothing due
    throw error;
  }
}

export interface BudgetRow {
  id: string;
  plan_id: string;
  stream_id: string;
  financial_year: number;
  starts_on: CivilDate;
  ends_on: CivilDate | null;
  amount_pence: number;
  ledger_account_id: string;
  holding_account_id: string | null;
}

export async function budgetsOfPerson(w: World, personId: string): Promise<BudgetRow[]> {
  return inPartnership(db, w.partnershipId, (tx) =>
    bt(tx)
      .selectFrom('budgets')
      .select([
        'id',
        'plan_id',
        'stream_id',
        'financial_year',
        'starts_on',
        'ends_on',
        'amount_pence',
        'ledger_account_id',
        'holding_account_id',
      ])
      .where('person_id', '=', personId)
      .orderBy('financial_year')
      .orderBy('starts_on')
      .orderBy('created_at')
      .execute(),
  );
}

export async function linesOf(w: World, budgetId: string) {
  return inPartnership(db, w.partnershipId, (tx) =>
    bt(tx)
      .selectFrom('payment_schedule_lines')
      .select(['id', 'period_no', 'due_on', 'amount_pence', 'status'])
      .where('budget_id', '=', budgetId)
      .orderBy('due_on')
      .orderBy('created_at')
      .execute(),
  );
}

export async function balanceOf(w: World, accountId: string): Promise<number> {
  const r = await inPartnership(db, w.partnershipId, (tx) =>
    sql<{ n: number | null }>`
      select sum(amount_pence)::bigint as n from ledger_entries where account_id = ${accountId}::uuid`.execute(
      tx,
    ),
  );
  return r.rows[0]?.n ?? 0;
}

/** The budget's allocation on the ledger: its allocations, less what was taken back. */
export async function netAllocation(w: World, b: BudgetRow): Promise<number> {
  const r = await inPartnership(db, w.partnershipId, (tx) =>
    sql<{ n: number | null }>`
      select sum(e.amount_pence)::bigint as n
        from ledger_entries e join ledger_transactions t on t.id = e.transaction_id
       where e.account_id = ${b.ledger_account_id}::uuid
         and (t.idempotency_key like ${`allocation:${b.id}:%`}
              or t.idempotency_key like ${`end:${b.id}:allocation:%`})`.execute(tx),
  );
  return r.rows[0]?.n ?? 0;
}

/** What the rules give a budget for the days it covers (no one-off items in these plans). */
export async function proRataFigure(w: World, b: BudgetRow): Promise<number> {
  const plan = await db.system
    .selectFrom('support_plans')
    .select('document')
    .where('id', '=', b.plan_id)
    .executeTakeFirstOrThrow();
  // A renewal (the plan had a budget in an earlier year) leaves one-off items out.
  const earlier = await db.system
    .withTables<BudgetTables>()
    .selectFrom('budgets')
    .select('id')
    .where('plan_id', '=', b.plan_id)
    .where('financial_year', '<', b.financial_year)
    .executeTakeFirst();
  const plans = planBudgets({
    startsOn: b.starts_on,
    ...(b.ends_on ? { endsOn: b.ends_on } : {}),
    streams: streamsForBudget(plan.document as PlanDocument),
    contributions: [],
    oneOffs: earlier === undefined,
  });
  return plans.find((x) => x.streamId === b.stream_id)?.amount ?? 0;
}

/** The invariants that hold whatever happened: see the property at the end. */
export async function checkInvariants(w: World, personId: string): Promise<void> {
  await inPartnership(db, w.partnershipId, async (tx) => {
    const unbalanced = await sql<{ n: number }>`
      select count(*)::int as n from (select transaction_id from ledger_entries
        where partnership_id = ${w.partnershipId}::uuid
        group by transaction_id having sum(amount_pence) <> 0) x`.execute(tx);
    assert.equal(unbalanced.rows[0]?.n, 0, 'every transaction balances');
    const total = await sql<{ n: number | null }>`
      select sum(amount_pence)::bigint as n from ledger_entries
       where partnership_id = ${w.partnershipId}::uuid`.execute(tx);
    assert.equal(total.rows[0]?.n ?? 0, 0, 'the ledger sums to zero');
    // Each paid line has exactly one payment, of its amount; nothing else pays.
    const paid = await sql<{ id: string; amount_pence: number; n: number; posted: number | null }>`
      select l.id, l.amount_pence,
             (select count(*)::int from ledger_transactions t
               where t.idempotency_key = 'payment-line:' || l.id::text) as n,
             (select sum(e.amount_pence)::bigint from ledger_entries e
               where e.transaction_id = l.ledger_transaction_id and e.amount_pence > 0) as posted
        from payment_schedule_lines l
       where l.person_id = ${personId}::uuid and l.status = 'paid'`.execute(tx);
    for (const l of paid.rows) {
      assert.equal(l.n, 1, 'a paid line is paid once');
      assert.equal(l.posted, l.amount_pence, 'for its amount');
    }
    const payments = await sql<{ n: number }>`
      select count(*)::int as n from ledger_transactions t
       where t.partnership_id = ${w.partnershipId}::uuid and t.kind = 'payment'`.execute(tx);
    assert.ok((payments.rows[0]?.n ?? 0) >= paid.rows.length);
  });
  // The held balance is every payment made into the account (nothing is spent in these tests).
  const budgets = await budgetsOfPerson(w, personId);
  const holdings = new Set(
    budgets.flatMap((b) => (b.holding_account_id ? [b.holding_account_id] : [])),
  );
  for (const h of holdings) {
    let paidIn = 0;
    for (const b of budgets.filter((x) => x.holding_account_id === h))
      for (const l of await linesOf(w, b.id)) if (l.status === 'paid') paidIn += l.amount_pence;
    assert.equal(await balanceOf(w, h), paidIn, 'the held balance carries on');
  }
  // No two budgets of a stream cover the same day (a day is paid for once).
  for (const [i, a] of budgets.entries())
    for (const b of budgets.slice(i + 1)) {
      if (a.stream_id !== b.stream_id || a.financial_year !== b.financial_year) continue;
      const end = (x: BudgetRow) => x.ends_on ?? yearEnd(x.financial_year);
      if (end(a) < a.starts_on || end(b) < b.starts_on) continue; // one covers no day
      const overlap = a.starts_on <= end(b) && b.starts_on <= end(a);
      assert.ok(!overlap, `${a.starts_on}–${end(a)} and ${b.starts_on}–${end(b)} overlap`);
    }
  for (const b of budgets) {
    assert.equal(await netAllocation(w, b), await proRataFigure(w, b), 'allocations are pro rata');
    assert.equal(b.amount_pence, await proRataFigure(w, b), 'the budget says so too');
    if (b.ends_on === null) {
      // An open budget holds exactly what it is still to pay or has committed.
      const due = (await linesOf(w, b.id))
        .filter((l) => l.status === 'due' || l.status === 'in_run')
        .reduce((s, l) => s + l.amount_pence, 0);
      const committed = await inPartnership(db, w.partnershipId, (tx) =>
        sql<{ n: number | null }>`
          select sum(coalesce(ce.amount_pence, c.amount_pence))::bigint as n
            from commitments c left join commitment_ends ce on ce.commitment_id = c.id
           where c.budget_id = ${b.id}::uuid`.execute(tx),
      );
      assert.equal(await balanceOf(w, b.ledger_account_id), due + (committed.rows[0]?.n ?? 0));
    } else {
      // An ended budget has no unpaid line from its end on.
      for (const l of await linesOf(w, b.id))
        if (l.status === 'due') assert.ok(l.due_on <= b.ends_on, 'no unpaid line after the end');
    }
  }
}

export async function ledgerCount(w: World, kind?: string): Promise<number> {
  const r = await inPartnership(db, w.partnershipId, (tx) =>
    sql<{ n: number }>`select count(*)::int as n from ledger_transactions
      where partnership_id = ${w.partnershipId}::uuid
      ${kind ? sql`and kind = ${kind}` : sql``}`.execute(tx),
  );
  return r.rows[0]?.n ?? 0;
}
