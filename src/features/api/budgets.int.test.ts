// /api/v1 budgets, ledger, card transactions and payment runs against a real server and database:
// people with approved plans and budgets made by the budgets feature, a client contribution, a
// payment run prepared, approved by a second finance officer and posted, a provider invoice, and a
// card statement imported. Every amount the API gives is checked against the ledger's own sums;
// pages are followed to the end; permissions, other partnerships, bad queries and the audit.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { sql } from 'kysely';
import { startTestApp, type TestApp } from '../../../test/support/app.ts';
import {
  createPartnership,
  createPerson,
  createUser,
  type TestPartnership,
  type TestUser,
} from '../../../test/support/factories.ts';
import { ctxFor } from '../../../test/support/submitted-plans.ts';
import { inPartnership } from '../../platform/db/database.ts';
import type { CivilDate } from '../../platform/dates.ts';
import { createBudgetsService, createPaymentsService } from '../budgets/index.ts';
import {
  day,
  ddmmyyyy,
  doc,
  makeBudgets,
  now,
  paItem,
  personWithApprovedPlan,
  providerItem,
  today,
  year,
  yearStart,
  GYM_ITEM as GYM,
} from '../budgets/fixtures.int-support.ts';
import { balanceByKey } from '../ledger/index.ts';
import { importStatement } from '../statements/index.ts';
import {
  budgetListSchema,
  cardTransactionPageSchema,
  ledgerPageSchema,
  paymentRunListSchema,
  paymentRunSchema,
} from './budgets-schemas.ts';
import { problemSchema } from './schemas.ts';
import { call, createApiClient, type ApiResponse, type TestApiClient } from './test-helpers.ts';

let t: TestApp;
let a: TestPartnership;
let b: TestPartnership;
let financeA: TestUser;
let financeB: TestUser;
let money: TestApiClient;
let peopleOnly: TestApiClient;
let budgetsOnly: TestApiClient;
let payments: TestApiClient;
let moneyB: TestApiClient;
let samId = '';
let otherId = '';
let plainId = '';
let personBId = '';
let runId = '';
let samCard = '';
let otherCard = '';

/** Sam's card statement: what each plan item should show as spent. */
const SAM_ROWS = [
  { id: 'S1', on: day(10), what: 'Robin PA payroll', mcc: '8931', amount: -9_000 },
  { id: 'S2', on: day(12), what: 'City Gym', mcc: '7997', amount: -2_500 },
  { id: 'S3', on: day(13), what: 'City Gym refund', mcc: '7997', amount: 500 },
  { id: 'S4', on: day(14), what: 'Bus to town', mcc: '4131', amount: -320 },
  { id: 'S5', on: day(20), what: 'Robin PA payroll', mcc: '8931', amount: -9_100 },
];

before(async () => {
  t = await startTestApp({ API_RATE_LIMIT_PER_MINUTE: '100000' }, undefined, now);
  const db = t.db;
  a = await createPartnership(db, 'A');
  b = await createPartnership(db, 'B');
  financeA = await createUser(db, a, ['finance_officer'], { name: 'Fran Finance' });
  financeB = await createUser(db, a, ['finance_officer'], { name: 'Bo Books' });
  money = await createApiClient(db, a.id, ['people:read', 'budgets:read'], 'Money');
  peopleOnly = await createApiClient(db, a.id, ['people:read', 'plans:read'], 'People');
  budgetsOnly = await createApiClient(db, a.id, ['budgets:read'], 'Budgets only');
  payments = await createApiClient(db, a.id, ['payments:read'], 'Finance system');
  moneyB = await createApiClient(db, b.id, ['people:read', 'budgets:read'], 'Money B');

  const fx = { partnershipId: a.id, teamId: a.teamId, trustId: a.trustId };
  // Sam: direct payments for a personal assistant and a gym (council), and support bought from
  // a provider on a managed NHS budget; a client contribution of £15 a week.
  const sam = await personWithApprovedPlan(db, fx, {
    familyName: 'Budget',
    document: doc({
      startsOn: yearStart,
      streams: [
        { id: 'social-care', body: 'council', holding: 'direct_payment' },
        { id: 'nhs-phb', body: 'nhs', holding: 'managed' },
      ],
      items: [
        paItem('pa', 'social-care', 10_000),
        GYM,
        providerItem('support', 'nhs-phb', 5_000, 'Mind Support Ltd'),
      ],
    }),
  });
  samId = sam.person.id;
  const finA = ctxFor(a, financeA, ['finance_officer']);
  const finB = ctxFor(a, financeB, ['finance_officer']);
  await createBudgetsService({ db, now }).recordFinancialAssessment(finA, samId, {
    weeklyPence: 1_500,
    effectiveFrom: '2020-01-01' as CivilDate,
  });
  await makeBudgets(db, a.id, sam);
  // Another person whose card is on the same statement (so the import's ledger transaction is
  // shared), and one with no budgets.
  const other = await personWithApprovedPlan(db, fx, {
    familyName: 'Other',
    document: doc({
      startsOn: yearStart,
      streams: [{ id: 'social-care', body: 'council', holding: 'direct_payment' }],
      items: [paItem('pa', 'social-care', 8_000)],
    }),
  });
  otherId = other.person.id;
  await makeBudgets(db, a.id, other);
  plainId = (await createPerson(db, a)).id;
  personBId = (await createPerson(db, b)).id;

  // A payment run: prepared by one finance officer, approved and posted by another.
  const runs = createPaymentsService({ db, now });
  const run = await runs.prepare(finA, today);
  runId = run.id;
  await runs.approve(finB, run.id);
  await runs.post(finB, run.id);

  // A provider invoice against the managed commitment.
  const commitment = await inPartnership(db, a.id, async (tx) =>
    sql<{ id: string }>`select id from commitments where person_id = ${samId}`.execute(tx),
  );
  const commitmentId = commitment.rows[0]?.id ?? '';
  await createBudgetsService({ db, now }).recordInvoice(finA, commitmentId, {
    number: 'INV-1',
    date: day(30),
    amountPence: 20_000,
  });

  // The card statement, Sam's rows and one of the other person's.
  const refs = await inPartnership(db, a.id, async (tx) =>
    sql<{ person_id: string; payee_reference: string }>`
      select person_id, payee_reference from budgets where payee_reference is not null`.execute(tx),
  );
  samCard = refs.rows.find((r) => r.person_id === samId)?.payee_reference ?? '';
  otherCard = refs.rows.find((r) => r.person_id === otherId)?.payee_reference ?? '';
  assert.ok(samCard && otherCard);
  const csv = [
    'Transaction ID,Date,Card Number,Merchant,MCC,Amount',
    ...SAM_ROWS.map(
      (r) =>
        `${r.id},${ddmmyyyy(r.on)},${samCard},${r.what},${r.mcc},${(r.amount / 100).toFixed(2)}`,
    ),
    `O1,${ddmmyyyy(day(11))},${otherCard},Robin PA payroll,8931,-70.00`,
  ].join('\r\n');
  const imported = await importStatement(db, {
    partnershipId: a.id,
    format: 'prepaid-card',
    fileName: 'statement.csv',
    source: Readable.from([Buffer.from(csv)]),
    userId: null,
    actor: 'test',
    // One part, so both people's cards are in one ledger transaction (see below).
    parts: 1,
  });
  assert.equal(imported.status, 'finished');
  assert.equal(imported.imported, SAM_ROWS.length + 1);
});
after(() => t.close());

function assertProblem(res: ApiResponse, status: number) {
  assert.equal(res.status, status, res.text);
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
  const problem = problemSchema.parse(res.body);
  assert.equal(problem.status, status);
  return problem;
}

const get = (path: string, client: TestApiClient = money) =>
  call(t.url, 'GET', `/api/v1${path}`, { token: client.token });

/** Follows `next` to the end; each page must parse with the schema. */
async function allPages<T extends { next: string | null }>(
  first: string,
  parse: (body: unknown) => T,
  client: TestApiClient = money,
): Promise<T[]> {
  const pages: T[] = [];
  let url: string | null = first;
  while (url !== null) {
    const res = await call(t.url, 'GET', url, { token: client.token });
    assert.equal(res.status, 200, res.text);
    const page = parse(res.body);
    pages.push(page);
    url = page.next;
    assert.ok(pages.length < 200, 'pages end');
  }
  return pages;
}

describe('a person’s budgets', () => {
  test('each budget’s amounts are the ledger’s, and spending by item is against the plan', async () => {
    const res = await get(`/people/${samId}/budgets`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const { items } = budgetListSchema.parse(res.body);
    assert.deepEqual(items.map((i) => i.streamId).sort(), ['nhs-phb', 'social-care']);

    const keys = items.flatMap((i) => [
      `budget:${i.id}`,
      ...(i.holding === 'direct_payment' ? [`holding:${samId}:${i.streamId}`] : []),
    ]);
    const ledger = await inPartnership(t.db, a.id, (tx) => balanceByKey(tx, a.id, keys));
    const stored = await inPartnership(t.db, a.id, async (tx) =>
      sql<{ id: string; amount_pence: number }>`
        select id, amount_pence from budgets where person_id = ${samId}`.execute(tx),
    );
    for (const budget of items) {
      assert.equal(budget.financialYear, year);
      assert.equal(budget.startsOn, yearStart);
      assert.equal(budget.endsOn, `${year + 1}-03-31`);
      assert.equal(budget.amountPence, stored.rows.find((r) => r.id === budget.id)?.amount_pence);
      assert.equal(budget.balancePence, ledger.get(`budget:${budget.id}`), 'balance = ledger');
      const l = budget.ledger;
      assert.equal(
        l.allocatedPence - l.contributionsPence - l.paidPence - l.invoicedPence + l.otherPence,
        budget.balancePence,
        'the breakdown adds up to the balance',
      );
      assert.equal(l.allocatedPence, budget.amountPence, 'the whole year is allocated');
      // The plan's cost of the stream's items is the budget.
      assert.equal(
        budget.spendByItem.reduce((t, i) => t + i.plannedPence, 0),
        budget.amountPence,
        `${budget.streamId}: items planned add up to the budget`,
      );
      for (const i of budget.spendByItem)
        assert.equal(i.remainingPence, i.plannedPence - i.spentPence);
    }

    const dp = items.find((i) => i.streamId === 'social-care');
    assert.ok(dp);
    assert.equal(dp.heldPence, ledger.get(`holding:${samId}:social-care`), 'held = ledger');
    assert.equal(dp.payee?.reference, samCard);
    assert.ok(dp.ledger.contributionsPence > 0, 'the contribution is on the ledger');
    assert.equal(dp.ledger.contributionsPence, dp.schedule.contributionPence);
    assert.ok(dp.ledger.paidPence > 0 && dp.schedule.paid > 0, 'the run paid some lines');
    // What the holding account holds: paid in, less spent, plus refunds.
    const statementNet = SAM_ROWS.reduce((t, r) => t + r.amount, 0);
    assert.equal(dp.heldPence, dp.ledger.paidPence + statementNet);
    // The next payment is the first line still due, after today.
    const lines = await inPartnership(t.db, a.id, async (tx) =>
      sql<{ due_on: string; amount_pence: number; status: string }>`
        select l.due_on, l.amount_pence, l.status from payment_schedule_lines l
         where l.budget_id = ${dp.id} order by l.due_on`.execute(tx),
    );
    const next = lines.rows.find((r) => r.status === 'due');
    assert.ok(next && dp.nextPayment);
    assert.equal(dp.nextPayment.dueOn, next.due_on);
    assert.equal(dp.nextPayment.amountPence, next.amount_pence);
    assert.ok(dp.nextPayment.dueOn > today);
    assert.equal(dp.schedule.lines, lines.rows.length);
    assert.equal(dp.schedule.paid, lines.rows.filter((r) => r.status === 'paid').length);
    assert.equal(
      dp.ledger.paidPence,
      lines.rows.filter((r) => r.status === 'paid').reduce((t, r) => t + r.amount_pence, 0),
    );

    const spent = (itemId: string) => dp.spendByItem.find((i) => i.itemId === itemId);
    assert.deepEqual(
      { spent: spent('pa')?.spentPence, n: spent('pa')?.transactions, route: spent('pa')?.route },
      { spent: 18_100, n: 2, route: 'payment' },
    );
    assert.deepEqual(
      { spent: spent('gym')?.spentPence, n: spent('gym')?.transactions },
      { spent: 2_000, n: 2 },
      'a refund counts against what was spent',
    );
    assert.equal(dp.unmatchedSpentPence, 320, 'the bus fare matched no plan item');
    assert.equal(dp.commitments.length, 0);

    const managed = items.find((i) => i.streamId === 'nhs-phb');
    assert.ok(managed);
    assert.equal(managed.heldPence, null);
    assert.equal(managed.payee, null);
    assert.equal(managed.nextPayment, null);
    assert.equal(managed.unmatchedSpentPence, null);
    assert.equal(managed.ledger.invoicedPence, 20_000);
    const [commitment] = managed.commitments;
    assert.ok(commitment);
    assert.equal(commitment.invoicedPence, 20_000);
    assert.equal(commitment.remainingPence, commitment.amountPence - 20_000);
    assert.deepEqual(commitment.invoices, [
      { number: 'INV-1', date: day(30), amountPence: 20_000 },
    ]);
    const support = managed.spendByItem.find((i) => i.itemId === 'support');
    assert.deepEqual(
      { planned: support?.plannedPence, spent: support?.spentPence, route: support?.route },
      { planned: commitment.amountPence, spent: 20_000, route: 'commitment' },
    );
  });

  test('one financial year at a time; a person with no budgets has none; bad years refused', async () => {
    const thisYear = budgetListSchema.parse(
      (await get(`/people/${samId}/budgets?financialYear=${year}`)).body,
    );
    assert.equal(thisYear.items.length, 2);
    const lastYear = budgetListSchema.parse(
      (await get(`/people/${samId}/budgets?financialYear=${year - 1}`)).body,
    );
    assert.deepEqual(lastYear.items, []);
    assert.deepEqual(
      budgetListSchema.parse((await get(`/people/${plainId}/budgets`)).body).items,
      [],
    );
    for (const bad of ['twenty', '26.5', '1999', 'x&financialYear=1'])
      assertProblem(await get(`/people/${samId}/budgets?financialYear=${bad}`), 400);
    const unknown = assertProblem(await get(`/people/${samId}/budgets?currency=GBP`), 400);
    assert.deepEqual(
      unknown.errors?.map((e) => e.field),
      ['currency'],
    );
  });
});

describe('a person’s ledger', () => {
  test('every transaction on their accounts, newest first, a page at a time, summing to the ledger', async () => {
    const pages = await allPages(`/api/v1/people/${samId}/ledger?limit=7`, (x) =>
      ledgerPageSchema.parse(x),
    );
    assert.ok(pages.length > 2, 'more than two pages');
    assert.ok(pages.slice(0, -1).every((p) => p.items.length === 7));
    const all = pages.flatMap((p) => p.items);
    assert.equal(new Set(all.map((x) => x.id)).size, all.length, 'no transaction twice');
    const expected = await inPartnership(t.db, a.id, async (tx) =>
      sql<{ n: number }>`
        select count(distinct e.transaction_id)::int as n from ledger_entries e
          join ledger_accounts a on a.id = e.account_id where a.person_id = ${samId}`.execute(tx),
    );
    assert.equal(all.length, expected.rows[0]?.n, 'every transaction');
    for (let i = 1; i < all.length; i++) {
      const [x, y] = [all[i - 1]!, all[i]!];
      assert.ok(
        x.occurredOn > y.occurredOn || (x.occurredOn === y.occurredOn && x.postedAt >= y.postedAt),
        'newest first',
      );
    }
    // A complete transaction balances; the shared statement import shows only Sam's entries.
    for (const x of all) {
      if (x.complete) {
        assert.equal(x.entries.length, x.entryCount);
        assert.equal(
          x.entries.reduce((s, e) => s + e.amountPence, 0),
          0,
          x.description,
        );
      }
    }
    const spend = all.filter((x) => x.kind === 'spend');
    assert.equal(spend.length, 1);
    const [imp] = spend;
    assert.ok(imp);
    assert.equal(imp.complete, false, 'the import also paid the other person’s card');
    // One entry per holding account in an import batch: the net of Sam's card transactions.
    assert.deepEqual(
      imp.entries.map((e) => [e.accountKey, e.amountPence]),
      [[`holding:${samId}:social-care`, SAM_ROWS.reduce((n, r) => n + r.amount, 0)]],
    );
    assert.ok(imp.entries.every((e) => e.sourceRef?.startsWith('import:')));
    assert.ok(all.some((x) => x.kind === 'allocation' && x.complete));
    assert.ok(all.some((x) => x.kind === 'payment' && x.complete));
    assert.ok(all.some((x) => x.kind === 'invoice' && x.complete));
    // Summing every entry on each account gives the ledger's balance.
    const byKey = new Map<string, number>();
    for (const x of all)
      for (const e of x.entries)
        if (e.accountKey.startsWith('budget:') || e.accountKey.startsWith('holding:'))
          byKey.set(e.accountKey, (byKey.get(e.accountKey) ?? 0) + e.amountPence);
    const ledger = await inPartnership(t.db, a.id, (tx) =>
      balanceByKey(tx, a.id, [...byKey.keys()]),
    );
    assert.ok(byKey.size >= 3);
    for (const [key, total] of byKey) assert.equal(total, ledger.get(key), key);
    // No entry of the other person's accounts is ever shown.
    assert.ok(all.every((x) => x.entries.every((e) => !e.accountKey.includes(otherId))));
  });

  test('bad cursors and limits are refused, naming the field', async () => {
    for (const [query, field] of [
      ['cursor=nonsense', 'cursor'],
      ['cursor=' + Buffer.from('2026-01-01|x|y').toString('base64url'), 'cursor'],
      ['cursor=%25%25', 'cursor'],
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['limit=ten', 'limit'],
    ] as const) {
      for (const path of ['ledger', 'transactions']) {
        const p = assertProblem(await get(`/people/${samId}/${path}?${query}`), 400);
        assert.deepEqual(
          p.errors?.map((e) => e.field),
          [field],
          `${path}?${query}`,
        );
      }
    }
  });

  test('a person with nothing on the ledger has an empty first and last page', async () => {
    const page = ledgerPageSchema.parse((await get(`/people/${plainId}/ledger`)).body);
    assert.deepEqual(page, { items: [], next: null });
  });
});

describe('a person’s card and bank transactions', () => {
  test('newest first, a page at a time, with category and matched plan item', async () => {
    const pages = await allPages(`/api/v1/people/${samId}/transactions?limit=2`, (x) =>
      cardTransactionPageSchema.parse(x),
    );
    assert.equal(pages.length, 3);
    const all = pages.flatMap((p) => p.items);
    assert.deepEqual(
      all.map((x) => x.providerTransactionId),
      [...SAM_ROWS].sort((x, y) => (x.on < y.on ? 1 : -1)).map((r) => r.id),
    );
    for (const row of SAM_ROWS) {
      const x = all.find((c) => c.providerTransactionId === row.id);
      assert.ok(x);
      assert.equal(x.amountPence, row.amount);
      assert.equal(x.occurredOn, row.on);
      assert.equal(x.accountReference, samCard);
      assert.equal(x.fundingBody, 'council');
      assert.equal(x.merchantCategoryCode, row.mcc);
    }
    const byId = (id: string) => all.find((c) => c.providerTransactionId === id);
    assert.deepEqual([byId('S1')?.category, byId('S1')?.planItemId], ['personal_assistant', 'pa']);
    assert.deepEqual([byId('S2')?.category, byId('S2')?.planItemId], ['leisure', 'gym']);
    assert.deepEqual([byId('S4')?.category, byId('S4')?.planItemId], ['transport', null]);
    const other = cardTransactionPageSchema.parse(
      (await get(`/people/${otherId}/transactions`)).body,
    );
    assert.deepEqual(
      other.items.map((x) => x.providerTransactionId),
      ['O1'],
    );
    assert.deepEqual(
      cardTransactionPageSchema.parse((await get(`/people/${plainId}/transactions`)).body),
      { items: [], next: null },
    );
  });
});

describe('access', () => {
  test('a client without budgets:read, or without people:read, gets 403 naming the permission', async () => {
    for (const path of ['budgets', 'ledger', 'transactions']) {
      const noBudgets = assertProblem(await get(`/people/${samId}/${path}`, peopleOnly), 403);
      assert.match(noBudgets.detail ?? '', /budgets:read/);
      const noPeople = assertProblem(await get(`/people/${samId}/${path}`, budgetsOnly), 403);
      assert.match(noPeople.detail ?? '', /people:read/);
      const none = await call(t.url, 'GET', `/api/v1/people/${samId}/${path}`);
      assertProblem(none, 401);
    }
  });

  test('another partnership’s person, an unknown ID and a malformed one are 404', async () => {
    for (const path of ['budgets', 'ledger', 'transactions']) {
      assertProblem(await get(`/people/${samId}/${path}`, moneyB), 404);
      assertProblem(await get(`/people/${personBId}/${path}`), 404);
      assertProblem(await get(`/people/00000000-0000-4000-8000-000000000000/${path}`), 404);
      assertProblem(await get(`/people/not-a-uuid/${path}`), 404);
    }
    const own = budgetListSchema.parse((await get(`/people/${personBId}/budgets`, moneyB)).body);
    assert.deepEqual(own.items, []);
  });

  test('each read is audited against the client, in the person’s record', async () => {
    const before = await auditOf(money.id);
    await get(`/people/${samId}/budgets`);
    await get(`/people/${samId}/ledger?limit=3`);
    await get(`/people/${samId}/transactions`);
    const after = await auditOf(money.id);
    const added = after.slice(before.length);
    assert.deepEqual(
      added.map((e) => [e.action, e.record_type, e.person_id]),
      [
        ['read', 'budget', samId],
        ['list', 'ledger_transaction', samId],
        ['list', 'card_transaction', samId],
      ],
    );
    assert.equal(added[1]?.detail.shown, 3);
    assert.equal(added[2]?.detail.shown, SAM_ROWS.length);
  });
});

async function auditOf(clientId: string) {
  const r = await t.db.system
    .selectFrom('audit_events')
    .select(['action', 'record_type', 'record_id', 'person_id', 'detail', 'id'])
    .where('api_client_id', '=', clientId)
    .orderBy('id')
    .execute();
  return r.map((e) => ({
    ...e,
    detail: (typeof e.detail === 'string' ? JSON.parse(e.detail) : e.detail) as Record<
      string,
      unknown
    >,
  }));
}

describe('payment runs for a finance system', () => {
  test('the list, one run with its lines, and the posted run’s payment file', async () => {
    const list = paymentRunListSchema.parse((await get('/payment-runs', payments)).body);
    const summary = list.items.find((r) => r.id === runId);
    assert.ok(summary);
    assert.equal(summary.status, 'posted');
    assert.equal(summary.preparedByName, 'Fran Finance');
    assert.equal(summary.approvedByName, 'Bo Books');
    assert.equal(summary.fileHref, `/api/v1/payment-runs/${runId}/file`);

    const paid = await inPartnership(t.db, a.id, async (tx) =>
      sql<{ n: number; total: number }>`
        select count(*)::int as n, coalesce(sum(amount_pence), 0)::bigint as total
          from payment_schedule_lines where run_id = ${runId} and status = 'paid'`.execute(tx),
    );
    assert.equal(summary.lineCount, paid.rows[0]?.n);
    assert.equal(summary.totalPence, paid.rows[0]?.total);

    const first = paymentRunSchema.parse(
      (await get(`/payment-runs/${runId}?limit=2`, payments)).body,
    );
    assert.equal(first.lines.length, 2);
    assert.equal(first.more, summary.lineCount > 2);
    const rest = paymentRunSchema.parse(
      (await get(`/payment-runs/${runId}?limit=1000&offset=2`, payments)).body,
    );
    assert.equal(rest.more, false);
    const lines = [...first.lines, ...rest.lines];
    assert.equal(lines.length, summary.lineCount);
    assert.equal(
      lines.reduce((t, l) => t + l.amountPence, 0),
      summary.totalPence,
    );
    assert.ok(lines.every((l) => l.status === 'paid'));
    assert.deepEqual([...new Set(lines.map((l) => l.personId))].sort(), [samId, otherId].sort());
    assert.equal(
      first.byFundingBody.reduce((t, x) => t + x.totalPence, 0),
      summary.totalPence,
    );

    const file = await call(t.url, 'GET', `/api/v1/payment-runs/${runId}/file`, {
      token: payments.token,
    });
    assert.equal(file.status, 200, file.text);
    assert.match(file.headers.get('content-type') ?? '', /^text\/csv/);
    assert.match(
      file.headers.get('content-disposition') ?? '',
      /attachment; filename="payment-run-/,
    );
    const rows = file.text.split('\r\n').filter((r) => r !== '');
    assert.equal(rows[0], 'payee,account_reference,amount,reference');
    assert.equal(rows.length, summary.lineCount + 1);
    const fileTotal = rows
      .slice(1)
      .reduce((t, r) => t + Math.round(Number(r.split(',')[2]) * 100), 0);
    assert.equal(fileTotal, summary.totalPence);

    const events = await auditOf(payments.id);
    assert.ok(events.some((e) => e.action === 'export' && e.record_id === runId));
    assert.ok(events.some((e) => e.action === 'list' && e.record_id === runId));
  });

  test('a run not yet posted has no file (409); reads need payments:read; no other partnership’s runs', async () => {
    const runs = createPaymentsService({ db: t.db, now });
    const pending = await runs.prepare(
      ctxFor(a, financeA, ['finance_officer']),
      `${year + 1}-03-31` as CivilDate,
    );
    try {
      assertProblem(await get(`/payment-runs/${pending.id}/file`, payments), 409);
      const run = paymentRunSchema.parse((await get(`/payment-runs/${pending.id}`, payments)).body);
      assert.equal(run.status, 'prepared');
      assert.equal(run.fileHref, null);
    } finally {
      await runs.cancel(ctxFor(a, financeA, ['finance_officer']), pending.id);
    }
    for (const path of ['/payment-runs', `/payment-runs/${runId}`, `/payment-runs/${runId}/file`]) {
      const p = assertProblem(await get(path, money), 403);
      assert.match(p.detail ?? '', /payments:read/);
    }
    const paymentsB = await createApiClient(t.db, b.id, ['payments:read'], 'Finance B');
    assertProblem(await get(`/payment-runs/${runId}`, paymentsB), 404);
    assertProblem(await get(`/payment-runs/${runId}/file`, paymentsB), 404);
    assert.deepEqual(
      paymentRunListSchema.parse((await get('/payment-runs', paymentsB)).body).items,
      [],
    );
    assertProblem(await get('/payment-runs/not-a-uuid', payments), 404);
  });

  test('the API offers no way to prepare, approve or post a run, or to recover money', async () => {
    for (const [method, path] of [
      ['POST', '/payment-runs'],
      ['POST', `/payment-runs/${runId}/approve`],
      ['POST', `/payment-runs/${runId}/post`],
      ['POST', `/people/${samId}/recoveries`],
    ] as const) {
      const res = await call(t.url, method, `/api/v1${path}`, { token: payments.token, json: {} });
      assert.equal(res.status, 404, `${method} ${path}`);
    }
  });
});
