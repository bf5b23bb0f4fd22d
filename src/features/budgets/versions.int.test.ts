// Budgets across plan versions and financial years, on a real database (PGlite, and PostgreSQL
// when DATABASE_URL is set): a plan signed off in April and replaced in September by a version
// with a higher, a lower and a different-stream budget; a managed budget's commitments cut at
// the change; renewal on 1 April, run again, stopped half way, and not for a replaced plan or
// one that starts later; a fast-check property over random sequences of approvals, new
// versions, renewals and payment runs; and the ended budget on the person's Budget panel.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { sql } from 'kysely';
import { startTestApp, TestClient, type TestApp } from '../../../test/support/app.ts';
import {
  createPartnership,
  createUser,
  type TestPartnership,
  type TestUser,
} from '../../../test/support/factories.ts';
import { ctxFor } from '../../../test/support/submitted-plans.ts';
import { inPartnership, type Db } from '../../platform/db/database.ts';
import { addDays, type CivilDate } from '../../platform/dates.ts';
import { Conflict } from '../../platform/http/errors.ts';
import type { PlanDocument } from '../planning/index.ts';
import {
  doc,
  makeBudgets,
  now,
  paItem,
  personWithApprovedPlan,
  providerItem,
} from './fixtures.int-support.ts';
import { budgetsForApi } from './api-reads.ts';
import { createPaymentsService } from './payments.ts';
import { renewBudgetsForYear } from './renew.ts';
import { planBudgets, yearStart } from './rules.ts';
import { createBudgetsForApprovedPlan, createBudgetsService } from './service.ts';
import { streamsForBudget } from './streams.ts';
import { bt } from './store.ts';
import type { BudgetTables } from './tables.ts';

// The year the tests' data is in (2026/27) and the next; the fixed clock is in November 2026.
const Y = 2026;
const APRIL = '2026-04-01' as CivilDate;
const SEPT = '2026-09-01' as CivilDate;

let t: TestApp;
let db: Db;

before(async () => {
  t = await startTestApp({}, undefined, now);
  db = t.db;
});
after(() => t.close());

interface World {
  partnershipId: string;
  teamId: string;
  trustId: string;
  code: string;
  p: TestPartnership;
  a: TestUser;
  b: TestUser;
}

async function world(): Promise<World> {
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

const dp = (weekly: number, stream = 'social-care', body: 'council' | 'nhs' = 'council') =>
  doc({
    startsOn: APRIL,
    streams: [{ id: stream, body, holding: 'direct_payment' }],
    items: [paItem(`pa-${stream}`, stream, weekly)],
  });

/** A person whose first plan is signed off (with its budgets made as approval makes them). */
async function firstPlan(w: World, name: string, document: PlanDocument, approvedOn = APRIL) {
  const x = await personWithApprovedPlan(db, w, { familyName: name, document, approvedOn });
  await makeBudgets(db, w.partnershipId, x);
  return { person: x.person, planIds: [x.plan.id], sequence: 1 };
}

/** A new version signed off on a day: stored as planning stores it, then its budgets made. */
async function newVersion(
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
async function payUpTo(w: World, upTo: CivilDate): Promise<number> {
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

interface BudgetRow {
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

async function budgetsOfPerson(w: World, personId: string): Promise<BudgetRow[]> {
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

async function linesOf(w: World, budgetId: string) {
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

async function balanceOf(w: World, accountId: string): Promise<number> {
  const r = await inPartnership(db, w.partnershipId, (tx) =>
    sql<{ n: number | null }>`
      select sum(amount_pence)::bigint as n from ledger_entries where account_id = ${accountId}::uuid`.execute(
      tx,
    ),
  );
  return r.rows[0]?.n ?? 0;
}

/** The budget's allocation on the ledger: its allocations, less what was taken back. */
async function netAllocation(w: World, b: BudgetRow): Promise<number> {
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
async function proRataFigure(w: World, b: BudgetRow): Promise<number> {
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
async function checkInvariants(w: World, personId: string): Promise<void> {
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

// Four-weekly: £100 a week is £400 a period. Periods of 2026/27 start 1 Apr, 29 Apr, 27 May,
// 24 Jun, 22 Jul, 19 Aug, 16 Sep, … 3 Mar. Paid up to 1 September: periods 1 to 6. The new
// version from 1 September splits period 6 (19 Aug – 15 Sep): 13 days before, 15 from.
const KEPT_P6 = 18_571; // £400 × 13 / 28
const KEPT = 5 * 40_000 + KEPT_P6;
const PAID_AHEAD = 40_000 - KEPT_P6; // period 6 was paid in advance, 15 days of it for the new one

const CASES: {
  name: string;
  next: PlanDocument;
  /** The new budget's stream, and whether the paid-ahead money is carried into it. */
  stream: string;
  carries: boolean;
}[] = [
  { name: 'a higher budget', next: dp(15_000), stream: 'social-care', carries: true },
  { name: 'a lower budget', next: dp(2_000), stream: 'social-care', carries: true },
  {
    name: 'a different stream',
    next: dp(10_000, 'nhs-phb', 'nhs'),
    stream: 'nhs-phb',
    carries: false,
  },
];

for (const c of CASES) {
  test(`signed off in April, replaced on 1 September by ${c.name}`, async () => {
    const w = await world();
    const x = await firstPlan(w, `Version ${c.name}`, dp(10_000));
    assert.equal(await payUpTo(w, SEPT), 6);
    const made = await newVersion(w, x, c.next, SEPT);
    const [old, next, ...rest] = await budgetsOfPerson(w, x.person.id);
    assert.ok(old && next);
    assert.equal(rest.length, 0);
    assert.equal(old.ends_on, '2026-08-31', 'the old budget ends the day before');
    assert.equal(old.amount_pence, KEPT, 'and keeps what it covered');
    assert.equal(next.starts_on, SEPT, 'the new one starts on the approval day, not 1 April');
    assert.equal(next.stream_id, c.stream);
    const expected = planBudgets({
      startsOn: SEPT,
      streams: streamsForBudget(c.next),
      contributions: [],
    })[0];
    assert.ok(expected);
    assert.equal(next.amount_pence, expected.amount, 'pro rata from 1 September');
    assert.equal(made.ended?.[0]?.paidAhead, PAID_AHEAD);
    const carried = c.carries ? Math.min(PAID_AHEAD, expected.amount) : 0;
    assert.equal(made.created[0]?.carried, carried);

    const oldLines = await linesOf(w, old.id);
    assert.deepEqual(
      oldLines.map((l) => l.status),
      [...Array<string>(6).fill('paid'), ...Array<string>(7).fill('cancelled')],
      'what was paid stays paid; the rest is stopped',
    );
    const newLines = await linesOf(w, next.id);
    assert.equal(
      newLines.reduce((s, l) => s + l.amount_pence, 0),
      expected.amount - carried,
      'the new schedule is the new budget less what was paid ahead',
    );
    assert.equal(await balanceOf(w, old.ledger_account_id), carried - PAID_AHEAD);

    // Paying the rest of the year pays exactly the pro-rata figures, no line twice.
    await payUpTo(w, '2027-03-31' as CivilDate);
    await payUpTo(w, '2027-03-31' as CivilDate);
    const heldOld = old.holding_account_id ? await balanceOf(w, old.holding_account_id) : 0;
    const heldNew = next.holding_account_id ? await balanceOf(w, next.holding_account_id) : 0;
    if (c.carries) assert.equal(heldNew, KEPT + expected.amount);
    else {
      assert.equal(heldOld, 6 * 40_000, 'the old stream keeps what was paid into it');
      assert.equal(heldNew, expected.amount);
    }
    await checkInvariants(w, x.person.id);

    // Approving the same version again makes nothing twice.
    const again = await inPartnership(db, w.partnershipId, (tx) =>
      createBudgetsForApprovedPlan(tx, {
        partnershipId: w.partnershipId,
        plan: { id: next.plan_id, personId: x.person.id, document: c.next, approvedOn: SEPT },
        person: x.person,
        userId: null,
      }),
    );
    assert.deepEqual(again.created, []);
  });
}

test('a managed budget replaced mid-year: its commitment shrinks to what it covered', async () => {
  const w = await world();
  const managed = (weekly: number) =>
    doc({
      startsOn: APRIL,
      streams: [{ id: 'nhs-phb', body: 'nhs', holding: 'managed' }],
      items: [providerItem('therapy', 'nhs-phb', weekly, 'Talking Therapies CIC')],
    });
  const x = await firstPlan(w, 'Managed', managed(5_000));
  await newVersion(w, x, managed(7_000), SEPT);
  const [old, next] = await budgetsOfPerson(w, x.person.id);
  assert.ok(old && next);
  const panel = await inPartnership(db, w.partnershipId, (tx) =>
    bt(tx)
      .selectFrom('commitments as c')
      .leftJoin('commitment_ends as ce', 'ce.commitment_id', 'c.id')
      .select(['c.budget_id', 'c.amount_pence', 'ce.amount_pence as ended'])
      .where('c.person_id', '=', x.person.id)
      .execute(),
  );
  const oldC = panel.find((r) => r.budget_id === old.id);
  const newC = panel.find((r) => r.budget_id === next.id);
  // £50 a week: £200 a period, five whole periods and 13 days of the sixth.
  assert.equal(oldC?.ended, 5 * 20_000 + 9_286);
  assert.equal(newC?.amount_pence, next.amount_pence);
  assert.equal(newC?.ended, null);
  assert.equal(await balanceOf(w, old.ledger_account_id), 5 * 20_000 + 9_286);
  // The API says when each ended and what each item was planned to cost up to then.
  const api = await inPartnership(db, w.partnershipId, (tx) => budgetsForApi(tx, x.person.id, Y));
  const oldApi = api.find((b) => b.budget.id === old.id);
  assert.equal(oldApi?.endsOn, '2026-08-31');
  assert.equal(oldApi?.items[0]?.plannedPence, 5 * 20_000 + 9_286);
  assert.equal(api.find((b) => b.budget.id === next.id)?.endsOn, '2027-03-31');
  await checkInvariants(w, x.person.id);
});

test('renewal on 1 April: next year from the plan in force, contributions, no one-offs, nothing paid', async () => {
  const w = await world();
  const withSetUp = doc({
    startsOn: APRIL,
    streams: [{ id: 'social-care', body: 'council', holding: 'direct_payment' }],
    items: [
      paItem('pa', 'social-care', 10_000),
      {
        id: 'laptop',
        what: 'Laptop',
        category: 'equipment',
        provider: { kind: 'personal_assistant', name: 'Shop' },
        unitCostPence: 50_000,
        units: 1,
        frequency: 'one_off',
        streamId: 'social-care',
      },
    ],
  });
  const renewed = await firstPlan(w, 'Renewed', withSetUp);
  await createBudgetsService({ db, now }).recordFinancialAssessment(
    ctxFor(w.p, w.a, ['finance_officer']),
    renewed.person.id,
    { weeklyPence: 1_000, effectiveFrom: '2026-01-01' as CivilDate },
  );
  // Replaced by a later version: only the version in force is renewed.
  const replaced = await firstPlan(w, 'Replaced', dp(10_000));
  await newVersion(w, replaced, dp(12_000), '2026-10-01' as CivilDate);
  // A plan whose support starts after 1 April 2027 is not renewed (approval makes its budget).
  const later = await firstPlan(
    w,
    'Later',
    doc({
      startsOn: '2027-05-01',
      streams: [{ id: 'social-care', body: 'council', holding: 'direct_payment' }],
      items: [paItem('pa', 'social-care', 10_000)],
    }),
    '2026-11-01' as CivilDate,
  );

  const paymentsBefore = await ledgerCount(w, 'payment');
  const r = await renewBudgetsForYear(db, w.partnershipId, Y + 1);
  assert.deepEqual({ people: r.people, budgets: r.budgets }, { people: 2, budgets: 2 });
  const [b26, b27] = await budgetsOfPerson(w, renewed.person.id);
  assert.ok(b26 && b27);
  assert.equal(b27.financial_year, Y + 1);
  assert.equal(b27.starts_on, yearStart(Y + 1));
  // £400 a period for 12 periods of 28 days, and the 13th of 30 days (to 31 March 2028, a
  // leap year); no laptop this time.
  assert.equal(b27.amount_pence, 12 * 40_000 + 42_857);
  const lines = await linesOf(w, b27.id);
  assert.equal(lines.length, 13);
  assert.equal(lines[0]?.amount_pence, 40_000 - 4_000, 'net of the £10 a week contribution');
  assert.ok(
    lines.every((l) => l.status === 'due'),
    'renewal pays nothing',
  );
  const rep = await budgetsOfPerson(w, replaced.person.id);
  assert.deepEqual(
    rep.filter((b) => b.financial_year === Y + 1).map((b) => b.plan_id),
    [replaced.planIds[1]],
  );
  assert.equal((await budgetsOfPerson(w, later.person.id)).length, 1);
  assert.equal(await ledgerCount(w, 'payment'), paymentsBefore, 'no payment posted');

  // Run again: nothing twice.
  const again = await renewBudgetsForYear(db, w.partnershipId, Y + 1);
  assert.equal(again.budgets, 0);
  assert.equal((await budgetsOfPerson(w, renewed.person.id)).length, 2);
  await checkInvariants(w, renewed.person.id);
});

async function ledgerCount(w: World, kind?: string): Promise<number> {
  const r = await inPartnership(db, w.partnershipId, (tx) =>
    sql<{ n: number }>`select count(*)::int as n from ledger_transactions
      where partnership_id = ${w.partnershipId}::uuid
      ${kind ? sql`and kind = ${kind}` : sql``}`.execute(tx),
  );
  return r.rows[0]?.n ?? 0;
}

test('renewal stopped half way and run again ends as one uninterrupted run', async () => {
  const w = await world();
  const people = [];
  for (let i = 0; i < 5; i++) people.push(await firstPlan(w, `Batch ${String(i)}`, dp(10_000 + i)));
  const stop = new Error('stopped');
  await assert.rejects(
    renewBudgetsForYear(db, w.partnershipId, Y + 1, {
      batchSize: 2,
      onBatch: (r) => {
        if (r.batches === 1) throw stop;
      },
    }),
    (e) => e === stop,
  );
  const half = await inPartnership(db, w.partnershipId, (tx) =>
    bt(tx)
      .selectFrom('budgets')
      .select('id')
      .where('financial_year', '=', Y + 1)
      .execute(),
  );
  assert.equal(half.length, 2, 'the first batch was made, in its own transaction');
  const rest = await renewBudgetsForYear(db, w.partnershipId, Y + 1, { batchSize: 2 });
  assert.equal(rest.budgets, 3);
  for (const x of people) {
    const next = (await budgetsOfPerson(w, x.person.id)).filter((b) => b.financial_year === Y + 1);
    assert.equal(next.length, 1);
    const expected = planBudgets({
      startsOn: yearStart(Y + 1),
      streams: streamsForBudget(dp(10_000)),
      contributions: [],
    })[0];
    assert.equal((await linesOf(w, next[0]?.id ?? '')).length, expected?.lines.length);
    await checkInvariants(w, x.person.id);
  }
});

test('the Budget panel shows the replaced budget as ended, in plain English', async () => {
  const w = await world();
  const x = await firstPlan(w, 'Panel', dp(10_000));
  await payUpTo(w, SEPT);
  await newVersion(w, x, dp(15_000), SEPT);
  const client = new TestClient(t.url);
  assert.equal((await client.signIn(w.a.email, w.a.password)).status, 303);
  const page = await client.get(`/people/${x.person.id}`);
  assert.equal(page.status, 200);
  const text = page.text.replace(/\s+/g, ' ');
  assert.match(text, /social-care \(ended\)/);
  assert.match(
    text,
    /This budget ended on 31 August 2026 because a new version of the support plan was signed off\. The new version’s budget runs from 1 September 2026\./,
  );
  assert.match(text, /Budget from 1 April 2026 to 31 August 2026/);
});

// The property: after any sequence of first approval, new versions, renewals and payment runs,
// the ledger balances, no schedule line is paid twice, the held balance is what was paid in,
// and every budget's allocations are the pro-rata figures for the days it covers.
type Step =
  | { op: 'version'; gap: number; weekly: number; stream: 0 | 1; managed: boolean }
  | { op: 'pay'; gap: number }
  | { op: 'renew' };
const STREAMS = [
  { id: 'social-care', body: 'council' as const },
  { id: 'nhs-phb', body: 'nhs' as const },
] as const;
function planFor(s: { weekly: number; stream: 0 | 1; managed: boolean }): PlanDocument {
  const stream = s.stream === 0 ? STREAMS[0] : STREAMS[1];
  return doc({
    startsOn: APRIL,
    streams: [
      { id: stream.id, body: stream.body, holding: s.managed ? 'mixed' : 'direct_payment' },
    ],
    items: [
      paItem('pa', stream.id, s.weekly),
      ...(s.managed ? [providerItem('agency', stream.id, 1_500, 'Good Care Ltd')] : []),
    ],
  });
}
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    op: fc.constant('version' as const),
    gap: fc.integer({ min: 0, max: 90 }),
    weekly: fc.integer({ min: 100, max: 30_000 }),
    stream: fc.constantFrom<0 | 1>(0, 1),
    managed: fc.boolean(),
  }),
  fc.record({ op: fc.constant('pay' as const), gap: fc.integer({ min: 0, max: 90 }) }),
  fc.record({ op: fc.constant('renew' as const) }),
);

test('property: versions, renewals and payment runs keep the ledger exact', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(step, { minLength: 1, maxLength: 6 }),
      fc.boolean(),
      async (steps, contributes) => {
        const w = await world();
        const x = await firstPlan(w, 'Property', dp(10_000));
        if (contributes)
          await createBudgetsService({ db, now }).recordFinancialAssessment(
            ctxFor(w.p, w.a, ['finance_officer']),
            x.person.id,
            { weeklyPence: 1_500, effectiveFrom: '2026-01-01' as CivilDate },
          );
        let d = 0;
        for (const s of steps) {
          if (s.op !== 'renew') d = Math.min(364, d + s.gap);
          const on = addDays(APRIL, d);
          if (s.op === 'version') await newVersion(w, x, planFor(s), on);
          else if (s.op === 'pay') await payUpTo(w, on);
          else await renewBudgetsForYear(db, w.partnershipId, Y + 1);
        }
        await payUpTo(w, '2027-03-31' as CivilDate);
        await checkInvariants(w, x.person.id);
      },
    ),
    { numRuns: 25 },
  );
});
