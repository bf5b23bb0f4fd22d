// The demo's plans and money: plans signed off with their budgets, schedules, commitments and
// ledger allocations; two plans waiting for sign-off (one over budget, on the team manager's
// queue); a payment run prepared by one finance officer that only the other may approve; a card
// statement whose monitoring flags are open; reviews due soon and one overdue; all relative to
// the seed day, and nothing made twice.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.ts';
import type { AuditContext } from '../../platform/audit/audit.ts';
import { freshDb } from '../../../test/support/db.ts';
import { seedDemo, DEMO_PARTNERSHIP_CODE } from './seed.ts';
import { DEMO_PLANS } from './plan-specs.ts';
import { PENDING_RUN_DAYS_AHEAD } from './money.ts';
import { principalFor } from '../budgets/cli.ts';
import { addDays, createPaymentsService } from '../budgets/index.ts';
import { createPlanningService } from '../planning/index.ts';
import { createMonitoringService } from '../monitoring/index.ts';
import { Forbidden } from '../../platform/http/errors.ts';
import type { CivilDate } from '../../platform/dates.ts';

const TODAY = '2026-11-24' as CivilDate;
const now = () => new Date(`${TODAY}T10:00:00Z`);

let db: Db;
before(async () => {
  db = await freshDb();
  assert.equal(await seedDemo(db, { now }), true);
});
after(() => db.close());

const as = async (email: string): Promise<AuditContext> => ({
  principal: await principalFor(db, DEMO_PARTNERSHIP_CODE, email),
});

interface PlanRow {
  id: string;
  given_name: string;
  status: string;
  route: string | null;
  approved_on: string | null;
  document: { startsOn: string; streams: { id: string; holding: string }[] };
}
const plans = () =>
  sql<PlanRow>`select s.id, p.given_name, s.status, s.route, s.approved_on::text, s.document
                 from support_plans s join people p on p.id = s.person_id`
    .execute(db.system)
    .then((r) => r.rows);

test('approved demo plans have budgets, schedules, commitments and ledger allocations', async () => {
  const all = await plans();
  const approved = all.filter((p) => p.status === 'approved');
  assert.equal(approved.length, DEMO_PLANS.filter((s) => s.approver).length);
  for (const p of approved) {
    const budgets = await sql<{
      id: string;
      holding: string;
      amount_pence: number;
      ledger_account_id: string;
      holding_account_id: string | null;
      lines: number;
      commitments: number;
      allocated: number | string;
    }>`select b.id, b.holding, b.amount_pence, b.ledger_account_id, b.holding_account_id,
              (select count(*)::int from payment_schedule_lines l where l.budget_id = b.id) as lines,
              (select count(*)::int from commitments c where c.budget_id = b.id) as commitments,
              (select coalesce(sum(e.amount_pence), 0)::bigint from ledger_entries e
                 join ledger_transactions t on t.id = e.transaction_id
                where e.account_id = b.ledger_account_id and t.kind = 'allocation') as allocated
         from budgets b where b.plan_id = ${p.id}`.execute(db.system);
    assert.ok(budgets.rows.length > 0, `${p.given_name} has budgets`);
    for (const b of budgets.rows) {
      assert.equal(Number(b.allocated), b.amount_pence, 'the ledger allocates the whole budget');
      if (b.holding === 'direct_payment') {
        assert.ok(b.holding_account_id, 'a direct payment has a holding account');
        assert.ok(b.lines > 0, 'and a payment schedule');
      } else {
        assert.equal(b.holding, 'managed');
        assert.ok(b.commitments > 0, 'a managed budget has commitments to providers');
      }
    }
  }
  const holdings = new Set(approved.flatMap((p) => p.document.streams.map((s) => s.holding)));
  assert.ok(holdings.has('direct_payment') && holdings.has('managed'));
  // Section 117 after-care: its own streams, and no client contribution.
  const s117 = approved.find((p) => p.document.streams.some((s) => s.id.startsWith('section-117')));
  assert.ok(s117, 'one section 117 person');
  // The council-funded person with a weekly contribution from a financial assessment.
  const contributions = await sql<{ given_name: string; weekly: number; netted: number | string }>`
    select p.given_name, f.weekly_contribution_pence as weekly,
           (select coalesce(sum(l.contribution_pence), 0)::bigint from payment_schedule_lines l
              where l.person_id = p.id) as netted
      from financial_assessments f join people p on p.id = f.person_id`.execute(db.system);
  assert.equal(contributions.rows.length, 1);
  assert.ok(contributions.rows[0] && Number(contributions.rows[0].netted) > 0);
  // The ledger as a whole balances.
  const total = await sql<{ s: number | string }>`select coalesce(sum(amount_pence), 0)::bigint as s
                                           from ledger_entries`.execute(db.system);
  assert.equal(Number(total.rows[0]?.s), 0);
  // Plans carry a crisis plan and, for some, a positive risk-taking decision; some baselines.
  const measured = await sql<{ n: number }>`select count(distinct person_id)::int as n
                                              from outcome_measures`.execute(db.system);
  assert.ok((measured.rows[0]?.n ?? 0) >= 3);
});

test('the plan over budget is on the team manager’s queue; the other waits for its coordinator', async () => {
  const waiting = (await plans()).filter((p) => p.status === 'submitted');
  assert.deepEqual(waiting.map((p) => p.route).sort(), ['coordinator', 'team_manager']);
  const planning = createPlanningService({ db, now });
  const manager = await planning.queue(await as('manager@demo.pooled.test'));
  const over = waiting.find((p) => p.route === 'team_manager');
  assert.ok(over && manager.entries.some((e) => e.planId === over.id));
  const entry = manager.entries.find((e) => e.planId === over.id);
  assert.ok(entry?.indicativeAnnual && entry.totalAnnual > entry.indicativeAnnual);
  const priya = await planning.queue(await as('coordinator2@demo.pooled.test'));
  const within = waiting.find((p) => p.route === 'coordinator');
  assert.ok(within && priya.entries.some((e) => e.planId === within.id));
});

test('reviews: one overdue and some due in the next four weeks, from the seed day', async () => {
  const reviews = await sql<{ due_on: string }>`select due_on::text from reviews
                                                  where status = 'due'`.execute(db.system);
  const due = reviews.rows.map((r) => r.due_on);
  assert.ok(
    due.some((d) => d < TODAY),
    'one overdue',
  );
  assert.ok(
    due.some((d) => d >= TODAY && d <= addDays(TODAY, 28)),
    'some due soon',
  );
});

test('monitoring flags from the card statement are open on the finance queue', async () => {
  const finance = await principalFor(db, DEMO_PARTNERSHIP_CODE, 'finance@demo.pooled.test');
  const queue = await createMonitoringService({ db, now }).queue(finance);
  const kinds = new Set(queue.map((f) => f.kind));
  for (const k of ['never_buy_category', 'outside_plan_categories', 'balance_above_weeks'])
    assert.ok(kinds.has(k as never), `a ${k} flag`);
  assert.ok(queue.length >= 3 && queue.length <= 8, `${String(queue.length)} flags: a handful`);
  assert.ok(queue.every((f) => f.status === 'open'));
  // The statement imported whole, through the import (its record, no bad rows).
  const imports = await sql<{ status: string; imported_count: number; bad_count: number }>`
    select status, imported_count, bad_count from statement_imports`.execute(db.system);
  assert.equal(imports.rows.length, 1);
  assert.equal(imports.rows[0]?.status, 'finished');
  assert.equal(imports.rows[0]?.bad_count, 0);
  assert.ok((imports.rows[0]?.imported_count ?? 0) >= 10);
});

test('a payment run prepared by one finance officer waits for the other', async () => {
  const payments = createPaymentsService({ db, now });
  const chris = await as('finance@demo.pooled.test');
  const dana = await as('finance2@demo.pooled.test');
  const runs = await payments.list(chris);
  assert.ok(runs.filter((r) => r.status === 'posted').length >= 2, 'earlier runs were paid');
  const pending = runs.filter((r) => r.status === 'prepared');
  assert.equal(pending.length, 1);
  const run = pending[0];
  assert.ok(run);
  assert.equal(run.dueUpTo, addDays(TODAY, PENDING_RUN_DAYS_AHEAD));
  assert.ok(run.lineCount > 0);
  await assert.rejects(payments.approve(chris, run.id), Forbidden);
  await payments.approve(dana, run.id);
  const { paid } = await payments.post(dana, run.id);
  assert.equal(paid, run.lineCount);
});

test('seeding again changes nothing', async () => {
  const count = async () =>
    (
      await sql<{ n: number }>`select (select count(*) from support_plans)
                                   + (select count(*) from budgets)
                                   + (select count(*) from payment_runs)
                                   + (select count(*) from monitoring_flags)
                                   + (select count(*) from card_transactions) as n`.execute(
        db.system,
      )
    ).rows[0]?.n;
  const before = await count();
  assert.equal(await seedDemo(db, { now }), false);
  assert.equal(await count(), before);
});

test('the demo seeds on any day: just after a new financial year starts', async () => {
  const other = await freshDb();
  try {
    const april = '2027-04-09' as CivilDate;
    assert.equal(await seedDemo(other, { now: () => new Date(`${april}T10:00:00Z`) }), true);
    const runs = await sql<{ status: string }>`select status from payment_runs`.execute(
      other.system,
    );
    assert.ok(runs.rows.some((r) => r.status === 'prepared'));
    const flags = await sql<{ kind: string }>`select kind from monitoring_flags`.execute(
      other.system,
    );
    assert.ok(flags.rows.some((f) => f.kind === 'never_buy_category'));
  } finally {
    await other.close();
  }
});
