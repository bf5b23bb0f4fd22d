// Budgets from an approved plan, contributions, commitments and invoices, and a payment run with
// four eyes, on a real database (PGlite, and PostgreSQL when DATABASE_URL is set).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { freshDb } from '../../../test/support/db.ts';
import {
  createPartnership,
  createUser,
  publishRas,
  type TestPartnership,
  type TestUser,
} from '../../../test/support/factories.ts';
import { approve, ctxFor, submittedPlan } from '../../../test/support/submitted-plans.ts';
import { inPartnership, type Db } from '../../platform/db/database.ts';
import { todayInLondon, type CivilDate } from '../../platform/dates.ts';
import { Conflict, Forbidden, Invalid } from '../../platform/http/errors.ts';
import { pence } from '../../platform/money.ts';
import { balanceByKey } from '../ledger/index.ts';
import { createPlanningService } from '../planning/index.ts';
import {
  doc,
  makeBudgets,
  paItem,
  personWithApprovedPlan,
  providerItem,
} from './fixtures.int-support.ts';
import { createPaymentsService } from './payments.ts';
import { financialYearOf, planBudgets } from './rules.ts';
import { createBudgetsForApprovedPlan, createBudgetsService, streamsForBudget } from './service.ts';
import { bt } from './store.ts';

let db: Db;
let p: TestPartnership;
let coordinator: TestUser;
let manager: TestUser;
let financeA: TestUser;
let financeB: TestUser;
const now = () => new Date();

before(async () => {
  db = await freshDb();
  p = await createPartnership(db);
  coordinator = await createUser(db, p, ['care_coordinator']);
  manager = await createUser(db, p, ['team_manager']);
  financeA = await createUser(db, p, ['finance_officer'], { name: 'Fran Finance' });
  financeB = await createUser(db, p, ['finance_officer'], { name: 'Bo Books' });
});
after(() => db.close());

const fx = () => ({ partnershipId: p.id, teamId: p.teamId, trustId: p.trustId });

test('an approved plan (through the planning service) gets its budgets, schedule and allocations', async () => {
  const rasId = await publishRas(db, p.id);
  const author = ctxFor(p, coordinator, ['care_coordinator']);
  const submitted = await submittedPlan(db, p, {
    rasId,
    coordinatorId: coordinator.id,
    author,
  });
  // A financial assessment before approval: £10 a week.
  const budgets = createBudgetsService({ db, now });
  const fin = ctxFor(p, financeA, ['finance_officer']);
  await budgets.recordFinancialAssessment(fin, submitted.personId, {
    weeklyPence: 1_000,
    effectiveFrom: '2020-01-01' as CivilDate,
  });
  await approve(db, ctxFor(p, manager, ['team_manager']), submitted.planId);
  const view = await createPlanningService({ db, now }).get(author, submitted.planId);
  assert.equal(view.plan.status, 'approved');
  const person = { id: view.person.id, name: `${view.person.givenName} ${view.person.familyName}` };
  const made = await inPartnership(db, p.id, (tx) =>
    createBudgetsForApprovedPlan(tx, {
      partnershipId: p.id,
      plan: view.plan,
      person,
      userId: manager.id,
    }),
  );
  const today = todayInLondon();
  const expected = planBudgets({
    startsOn: today,
    streams: streamsForBudget(view.plan.document),
    contributions: [{ effectiveFrom: '2020-01-01', weeklyPence: pence(1_000) }],
  });
  assert.equal(made.created.length, expected.length);
  assert.ok(made.created.length >= 1);
  const first = expected[0];
  assert.ok(first);
  const created = made.created.find((c) => c.streamId === first.streamId);
  assert.ok(created);
  assert.equal(created.amount, first.amount);
  assert.equal(created.lines, first.lines.length);

  await inPartnership(db, p.id, async (tx) => {
    const rows = await bt(tx)
      .selectFrom('budgets')
      .selectAll()
      .where('person_id', '=', person.id)
      .execute();
    assert.equal(rows.length, made.created.length);
    const b = rows.find((r) => r.stream_id === first.streamId);
    assert.ok(b);
    assert.equal(b.financial_year, financialYearOf(today));
    assert.equal(b.plan_id, view.plan.id);
    const lines = await bt(tx)
      .selectFrom('payment_schedule_lines')
      .select(['due_on', 'amount_pence', 'status'])
      .where('budget_id', '=', b.id)
      .orderBy('due_on')
      .execute();
    assert.equal(lines[0]?.due_on, today, 'the first payment is due on the start date');
    assert.ok(lines.every((l) => l.status === 'due'));
    // On the ledger: the budget holds its allocations less contributions; the pot paid them.
    const contributions = first.periods.reduce((t, x) => t + x.contribution, 0);
    const bal = await balanceByKey(tx, p.id, [`budget:${b.id}`]);
    assert.equal(bal.get(`budget:${b.id}`), first.amount - contributions);
    assert.equal(
      lines.reduce((t, l) => t + l.amount_pence, 0) + contributions,
      first.amount,
      'the schedule plus contributions is the budget',
    );
  });

  // Idempotent: asking again makes nothing new.
  const again = await inPartnership(db, p.id, (tx) =>
    createBudgetsForApprovedPlan(tx, {
      partnershipId: p.id,
      plan: view.plan,
      person,
      userId: null,
    }),
  );
  assert.deepEqual(again.created, []);
  assert.deepEqual(again.existing.sort(), made.created.map((c) => c.streamId).sort());

  // The budget panel: balances by stream and the next payment, read through the access rule.
  const panel = await budgets.panel(author, person.id);
  assert.equal(panel.streams.length, made.created.length);
  assert.equal(
    panel.streams.find((s) => s.budget.streamId === first.streamId)?.nextPayment?.dueOn,
    today,
  );
  const audited = await db.system
    .selectFrom('audit_events')
    .select('action')
    .where('record_type', '=', 'budget')
    .where('person_id', '=', person.id)
    .execute();
  assert.deepEqual(
    audited.map((a) => a.action),
    ['read'],
  );
});

test('managed, mixed and section 117 streams: commitments, personal assistants paid, no charge for s117', async () => {
  const x = await personWithApprovedPlan(db, fx(), {
    familyName: 'Mixed',
    document: doc({
      startsOn: '2026-04-01',
      streams: [
        { id: 'section-117-council', body: 'council', holding: 'direct_payment' },
        { id: 'social-care', body: 'council', holding: 'mixed' },
        { id: 'nhs-phb', body: 'nhs', holding: 'managed' },
      ],
      items: [
        paItem('s117-pa', 'section-117-council', 7_000),
        paItem('care-pa', 'social-care', 7_000),
        providerItem('care-agency', 'social-care', 3_500, 'Good Care Ltd'),
        providerItem('phb-therapy', 'nhs-phb', 5_000, 'Talking Therapies CIC'),
      ],
    }),
  });
  const budgets = createBudgetsService({ db, now });
  const fin = ctxFor(p, financeA, ['finance_officer']);
  await budgets.recordFinancialAssessment(fin, x.person.id, {
    weeklyPence: 2_000,
    effectiveFrom: '2026-01-01' as CivilDate,
  });
  const made = await makeBudgets(db, p.id, x);
  assert.equal(made.created.length, 3);
  await inPartnership(db, p.id, async (tx) => {
    const rows = await bt(tx)
      .selectFrom('budgets')
      .selectAll()
      .where('person_id', '=', x.person.id)
      .execute();
    const by = new Map(rows.map((r) => [r.stream_id, r]));
    const s117 = by.get('section-117-council');
    const care = by.get('social-care');
    const phb = by.get('nhs-phb');
    assert.ok(s117 && care && phb);
    assert.equal(
      phb.holding_account_id,
      null,
      'nothing is paid to the person from a managed budget',
    );
    const lines = await bt(tx)
      .selectFrom('payment_schedule_lines')
      .select(['budget_id', 'amount_pence', 'contribution_pence', 'period_no'])
      .where('person_id', '=', x.person.id)
      .execute();
    const of = (id: string) => lines.filter((l) => l.budget_id === id);
    // £70 a week = £280 every four weeks; the 13th period (29 days) is £290.
    assert.equal(of(s117.id).length, 13);
    assert.ok(
      of(s117.id).every((l) => l.contribution_pence === 0),
      'section 117 after-care is free',
    );
    assert.equal(of(s117.id).find((l) => l.period_no === 1)?.amount_pence, 28_000);
    // The £20 a week (£80 a period) comes off the council's mixed stream's PA payment.
    assert.equal(of(care.id).find((l) => l.period_no === 1)?.amount_pence, 28_000 - 8_000);
    assert.equal(of(care.id).find((l) => l.period_no === 1)?.contribution_pence, 8_000);
    assert.equal(of(phb.id).length, 0);
    const commitments = await bt(tx)
      .selectFrom('commitments')
      .select(['budget_id', 'provider_name', 'amount_pence'])
      .where('person_id', '=', x.person.id)
      .orderBy('provider_name')
      .execute();
    assert.deepEqual(
      commitments.map((c) => [c.budget_id, c.provider_name, c.amount_pence]),
      [
        [care.id, 'Good Care Ltd', 12 * 14_000 + 14_500],
        [phb.id, 'Talking Therapies CIC', 12 * 20_000 + 20_714],
      ],
    );
  });

  // A provider invoice against a commitment; more than is left is refused; remaining shown.
  // Finance officers in the person's team see the budget panel (the people access rule).
  const coord = ctxFor(p, coordinator, ['care_coordinator']);
  const before = await budgets.panel(fin, x.person.id);
  const phb = before.streams.find((s) => s.budget.streamId === 'nhs-phb');
  const therapy = phb?.commitments[0];
  assert.ok(phb && therapy);
  await assert.rejects(
    budgets.recordInvoice(fin, therapy.id, {
      number: 'INV-1',
      date: '2026-05-01' as CivilDate,
      amountPence: therapy.remaining + 1,
    }),
    Invalid,
  );
  await assert.rejects(
    budgets.recordInvoice(coord, therapy.id, {
      number: 'INV-1',
      date: '2026-05-01' as CivilDate,
      amountPence: 100,
    }),
    Forbidden,
  );
  const r = await budgets.recordInvoice(fin, therapy.id, {
    number: 'INV-1',
    date: '2026-05-01' as CivilDate,
    amountPence: 20_000,
  });
  assert.equal(r.remaining, therapy.amount - 20_000);
  await assert.rejects(
    budgets.recordInvoice(fin, therapy.id, {
      number: 'INV-1',
      date: '2026-05-02' as CivilDate,
      amountPence: 100,
    }),
    Invalid,
    'the same invoice twice is refused',
  );
  const afterPanel = await budgets.panel(fin, x.person.id);
  const phbAfter = afterPanel.streams.find((s) => s.budget.streamId === 'nhs-phb');
  assert.equal(phbAfter?.commitments[0]?.remaining, therapy.amount - 20_000);
  assert.equal(phbAfter?.balance, (phb.balance ?? 0) - 20_000);
  const payable = await inPartnership(db, p.id, (tx) =>
    balanceByKey(tx, p.id, ['provider:nhs:talking therapies cic']),
  );
  assert.equal(payable.get('provider:nhs:talking therapies cic'), 20_000);
});

test('a payment run: preview, four eyes (service and database), posting, the file; a re-post pays nothing', async () => {
  for (const n of [1, 2, 3])
    await makeBudgets(
      db,
      p.id,
      await personWithApprovedPlan(db, fx(), {
        familyName: `Runner${n}`,
        document: doc({
          startsOn: '2025-06-10',
          streams: [
            { id: 'social-care', body: 'council', holding: 'direct_payment' },
            { id: 'nhs-phb', body: 'nhs', holding: 'third_party' },
          ],
          items: [paItem('pa', 'social-care', 7_000 * n), paItem('nhs-pa', 'nhs-phb', 3_500)],
        }),
      }),
    );
  const payments = createPaymentsService({ db, now });
  const a = ctxFor(p, financeA, ['finance_officer']);
  const b = ctxFor(p, financeB, ['finance_officer']);
  await assert.rejects(
    payments.prepare(ctxFor(p, coordinator, ['care_coordinator']), '2025-07-31' as CivilDate),
    Forbidden,
  );
  const run = await payments.prepare(a, '2025-07-31' as CivilDate);
  // 10 June is in period 3 (27 May – 23 June): 14 days; period 4 starts 24 June; 5 on 22 July.
  // Each person: 3 lines a stream = 6; 18 in all.
  assert.equal(run.lineCount, 18);
  const preview = await payments.preview(a, run.id);
  assert.equal(preview.lines.length, 18);
  assert.equal(
    preview.summary.total,
    preview.lines.reduce((t, l) => t + l.amount, 0),
  );
  const council = preview.summary.byBody.find((x) => x.body === 'council');
  // First line pro-rata: £280n × 14 / 28 = £140n; then £280n twice: £700n for n = 1, 2, 3.
  assert.equal(council?.total, 70_000 * (1 + 2 + 3));
  assert.equal(council?.count, 9);

  // A second run at the same time gets none of these lines.
  await assert.rejects(payments.prepare(b, '2025-07-31' as CivilDate), Conflict);

  await assert.rejects(payments.approve(a, run.id), Forbidden, 'the preparer cannot approve');
  await assert.rejects(payments.post(b, run.id), Conflict, 'not paid before approval');
  // The database refuses it too.
  await assert.rejects(
    inPartnership(db, p.id, (tx) =>
      sql`update payment_runs set status = 'approved', approved_by = prepared_by, approved_at = now()
           where id = ${run.id}::uuid`.execute(tx),
    ),
    /payment_runs_four_eyes/,
  );
  const refusal = await db.system
    .selectFrom('audit_events')
    .select('action')
    .where('record_id', '=', run.id)
    .where('action', '=', 'access_refused')
    .execute();
  assert.equal(refusal.length, 1, 'the refusal is audited');

  await payments.approve(b, run.id);
  const posted = await payments.post(b, run.id, { batchSize: 5 });
  assert.equal(posted.paid, 18);
  assert.equal(posted.run.status, 'posted');
  const again = await payments.post(b, run.id);
  assert.equal(again.paid, 0);

  const { csv } = await payments.file(b, run.id);
  const rows = csv.trimEnd().split('\r\n');
  assert.equal(rows[0], 'payee,account_reference,amount,reference');
  assert.equal(rows.length, 19);
  assert.ok(
    rows.includes(
      `Sam Runner1,${preview.lines.find((l) => l.personName === 'Sam Runner1' && l.body === 'council')?.accountReference},140.00,${preview.lines.find((l) => l.personName === 'Sam Runner1' && l.body === 'council' && l.amount === 14_000)?.reference}`,
    ),
  );

  await inPartnership(db, p.id, async (tx) => {
    const paid = await bt(tx)
      .selectFrom('payment_schedule_lines')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('run_id', '=', run.id)
      .where('status', '=', 'paid')
      .executeTakeFirstOrThrow();
    assert.equal(paid.n, 18);
    const txs = await sql<{ n: number }>`
      select count(*)::int as n from ledger_transactions where kind = 'payment'
         and idempotency_key like 'payment-line:%'`.execute(tx);
    assert.equal(txs.rows[0]?.n, 18);
    // On the ledger, for every budget: what is left = the budget − contributions − paid, the
    // holding account holds what was paid, and all entries together sum to zero.
    const wrong = await sql<{ id: string }>`
      select b.id from budgets b
       where coalesce((select sum(amount_pence) from ledger_entries where account_id = b.ledger_account_id), 0)
          <> b.amount_pence
             - coalesce((select sum(contribution_pence) from payment_schedule_lines where budget_id = b.id), 0)
             - coalesce((select sum(amount_pence) from payment_schedule_lines
                          where budget_id = b.id and status = 'paid'), 0)
             - coalesce((select sum(i.amount_pence) from provider_invoices i
                          join commitments c on c.id = i.commitment_id where c.budget_id = b.id), 0)
          or (b.holding_account_id is not null
              and coalesce((select sum(amount_pence) from ledger_entries where account_id = b.holding_account_id), 0)
                  <> coalesce((select sum(amount_pence) from payment_schedule_lines
                                where budget_id = b.id and status = 'paid'), 0))`.execute(tx);
    assert.deepEqual(wrong.rows, []);
    const total = await sql<{ total: number }>`
      select coalesce(sum(amount_pence), 0)::bigint as total from ledger_entries`.execute(tx);
    assert.equal(total.rows[0]?.total, 0);
  });
});
