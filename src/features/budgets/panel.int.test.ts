// The Budget panel's money on a person's page over a real server and database: a person with an
// approved direct-payment plan, a payment run prepared, approved by a second finance officer and
// posted, and a card statement imported through the real import. The panel shows what the card
// holds (the ledger's figure: paid in less spent), spending by plan item equal to the imported
// amounts, spending matched to no item, and the latest transactions newest first with refunds as
// such; the transactions page pages 50 at a time; reads are audited; other roles are refused.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { sql } from 'kysely';
import { startTestApp, TestClient, type TestApp } from '../../../test/support/app.ts';
import {
  createPartnership,
  createUser,
  type TestPartnership,
  type TestUser,
} from '../../../test/support/factories.ts';
import { ctxFor } from '../../../test/support/submitted-plans.ts';
import { inPartnership } from '../../platform/db/database.ts';
import { formatPounds, pence } from '../../platform/money.ts';
import { balanceByKey } from '../ledger/index.ts';
import { importStatement } from '../statements/index.ts';
import {
  day,
  ddmmyyyy,
  doc,
  makeBudgets,
  now,
  paItem,
  personWithApprovedPlan,
  today,
  yearStart,
  GYM_ITEM as GYM,
} from './fixtures.int-support.ts';
import { createPaymentsService } from './index.ts';

const money = (p: number) => formatPounds(pence(p));

/** The newest rows of the statement (matched to the plan's items, a refund, a bus fare). */
const LATEST = [
  { id: 'S1', on: day(50), what: 'Robin PA payroll', mcc: '8931', amount: -9_000 },
  { id: 'S2', on: day(52), what: 'City Gym', mcc: '7997', amount: -2_500 },
  { id: 'S3', on: day(53), what: 'City Gym refund', mcc: '7997', amount: 500 },
  { id: 'S4', on: day(54), what: 'Bus to town', mcc: '4131', amount: -320 },
  { id: 'S5', on: day(60), what: 'Robin PA payroll', mcc: '8931', amount: -9_100 },
];
/** 50 older bus fares, one a day, matched to no item in the plan. */
const FARES = Array.from({ length: 50 }, (_, i) => ({
  id: `F${String(i)}`,
  on: day(i),
  what: `Bus fare ${String(i)}`,
  mcc: '4131',
  amount: -100 - i,
}));
const ROWS = [...LATEST, ...FARES];

let t: TestApp;
let p: TestPartnership;
let finance: TestUser;
let commissioner: TestUser;
let personId = '';

before(async () => {
  t = await startTestApp({}, undefined, now);
  const db = t.db;
  p = await createPartnership(db, 'Panel');
  finance = await createUser(db, p, ['finance_officer'], { name: 'Fran Finance' });
  const approver = await createUser(db, p, ['finance_officer'], { name: 'Bo Books' });
  commissioner = await createUser(db, p, ['commissioner'], { organisationId: p.icbId });
  const x = await personWithApprovedPlan(
    db,
    { partnershipId: p.id, teamId: p.teamId, trustId: p.trustId },
    {
      familyName: 'Spender',
      document: doc({
        startsOn: yearStart,
        streams: [
          {
            id: 'social-care',
            name: 'Council social care',
            body: 'council',
            holding: 'direct_payment',
          },
        ],
        items: [paItem('pa', 'social-care', 10_000), GYM],
      }),
    },
  );
  personId = x.person.id;
  await makeBudgets(db, p.id, x);

  const runs = createPaymentsService({ db, now });
  const run = await runs.prepare(ctxFor(p, finance, ['finance_officer']), today);
  await runs.approve(ctxFor(p, approver, ['finance_officer']), run.id);
  await runs.post(ctxFor(p, approver, ['finance_officer']), run.id);

  const card = await inPartnership(db, p.id, async (tx) =>
    sql<{ payee_reference: string }>`
      select payee_reference from budgets where person_id = ${personId}`.execute(tx),
  );
  const ref = card.rows[0]?.payee_reference ?? '';
  assert.ok(ref);
  const csv = [
    'Transaction ID,Date,Card Number,Merchant,MCC,Amount',
    ...ROWS.map(
      (r) => `${r.id},${ddmmyyyy(r.on)},${ref},${r.what},${r.mcc},${(r.amount / 100).toFixed(2)}`,
    ),
  ].join('\r\n');
  const imported = await importStatement(db, {
    partnershipId: p.id,
    format: 'prepaid-card',
    fileName: 'statement.csv',
    source: Readable.from([Buffer.from(csv)]),
    userId: null,
    actor: 'test',
  });
  assert.equal(imported.status, 'finished');
  assert.equal(imported.imported, ROWS.length);
});
after(() => t.close());

async function signedIn(user: TestUser): Promise<TestClient> {
  const c = new TestClient(t.url);
  const r = await c.signIn(user.email, user.password);
  assert.equal(r.status, 303, 'signed in');
  return c;
}

/** The text of a summary list row's value. */
function summaryValue(html: string, key: string): string | undefined {
  const re = new RegExp(
    `<dt class="nhsuk-summary-list__key">${key}</dt><dd class="nhsuk-summary-list__value">([^<]*)</dd>`,
  );
  return re.exec(html)?.[1];
}

/** The cells of each row of the table with this caption. */
function tableRows(html: string, caption: string): string[][] {
  const start = html.indexOf(
    `<caption class="nhsuk-table__caption nhsuk-table__caption--s">${caption}`,
  );
  assert.ok(start >= 0, `a table "${caption}"`);
  const body = html.slice(start, html.indexOf('</table>', start));
  return [...body.matchAll(/<tr class="nhsuk-table__row">([\s\S]*?)<\/tr>/g)]
    .map((m) =>
      [...(m[1] ?? '').matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) =>
        (c[1] ?? '').replace(/<br>[\s\S]*$/, '').trim(),
      ),
    )
    .filter((cells) => cells.length > 0);
}

test('the panel: held in the account, spending by item against the plan, recent transactions', async () => {
  const c = await signedIn(finance);
  const page = await c.get(`/people/${personId}`);
  assert.equal(page.status, 200);
  const html = page.text;

  // What the card holds is the ledger's figure: what the run paid in, less what was spent.
  const ledger = await inPartnership(t.db, p.id, async (tx) => {
    const paid = await sql<{ total: number }>`
      select coalesce(sum(l.amount_pence), 0)::int as total
        from payment_schedule_lines l join budgets b on b.id = l.budget_id
       where b.person_id = ${personId} and l.status = 'paid'`.execute(tx);
    const key = `holding:${personId}:social-care`;
    const held = await balanceByKey(tx, p.id, [key]);
    return { paid: paid.rows[0]?.total ?? 0, held: held.get(key) ?? 0 };
  });
  const net = ROWS.reduce((s, r) => s + r.amount, 0);
  assert.ok(ledger.paid > 0, 'the run paid some lines');
  assert.equal(ledger.held, ledger.paid + net, 'held = paid in less spent');
  assert.equal(summaryValue(html, 'Held in the account'), money(ledger.held));

  // Spending by item: what was imported for each, the refund counted against the gym.
  const items = tableRows(html, 'Spending by item in the plan');
  const row = (what: string) => items.find((r) => r[0] === what);
  assert.equal(row('Personal assistant pa')?.[2], money(18_100));
  assert.equal(row('Gym membership')?.[2], money(2_000));
  const unmatched = 320 + FARES.reduce((s, r) => s - r.amount, 0);
  assert.deepEqual(row('Not matched to the plan'), [
    'Not matched to the plan',
    'Not planned',
    money(unmatched),
  ]);
  // The items' planned costs add up to the budget for the year.
  const budget = await inPartnership(t.db, p.id, async (tx) =>
    sql<{ amount_pence: number }>`
      select amount_pence from budgets where person_id = ${personId}`.execute(tx),
  );
  const planned = items
    .filter((r) => r[0] !== 'Not matched to the plan')
    .reduce((s, r) => s + Math.round(Number((r[1] ?? '').replace(/[£,]/g, '')) * 100), 0);
  assert.equal(planned, budget.rows[0]?.amount_pence);

  // The 10 latest transactions, newest first; the refund shown as one.
  const recent = tableRows(html, 'Recent transactions');
  const newest = [...ROWS].sort((a, b) => (a.on < b.on ? 1 : a.on > b.on ? -1 : 0)).slice(0, 10);
  assert.deepEqual(
    recent.map((r) => r[1]),
    newest.map((r) => r.what),
  );
  assert.equal(recent[2]?.[3], `Refund ${money(500)}`);
  assert.equal(recent[0]?.[3], money(9_100));
  assert.equal(recent[0]?.[2], 'Personal assistant');
  assert.match(html, new RegExp(`href="/people/${personId}/transactions"`));
});

test('the transactions page: 50 a page, newest first, then the rest', async () => {
  const c = await signedIn(finance);
  const first = await c.get(`/people/${personId}/transactions`);
  assert.equal(first.status, 200, first.text);
  assert.match(first.text, /55 transactions, newest first/);
  assert.match(first.text, /Showing 1 to 50/);
  const rows1 = tableRows(first.text, '55 transactions');
  assert.equal(rows1.length, 50);
  assert.deepEqual(
    rows1.slice(0, 5).map((r) => r[1]),
    ['Robin PA payroll', 'Bus to town', 'City Gym refund', 'City Gym', 'Robin PA payroll'],
  );
  assert.match(first.text, new RegExp(`href="/people/${personId}/transactions\\?page=2"`));

  const second = await c.get(`/people/${personId}/transactions?page=2`);
  assert.equal(second.status, 200);
  assert.match(second.text, /Showing 51 to 55/);
  const rows2 = tableRows(second.text, '55 transactions');
  assert.deepEqual(
    rows2.map((r) => r[1]),
    ['Bus fare 4', 'Bus fare 3', 'Bus fare 2', 'Bus fare 1', 'Bus fare 0'],
  );
  const all = [...rows1, ...rows2].map((r) => r[1]);
  assert.equal(new Set(all.filter((w) => w?.startsWith('Bus fare'))).size, 50, 'none twice');

  const past = await c.get(`/people/${personId}/transactions?page=9`);
  assert.equal(past.status, 200);
  assert.match(past.text, /no transactions on this page/);
});

test('reads are audited once each; a commissioner is refused', async () => {
  const events = async () =>
    t.db.system
      .selectFrom('audit_events')
      .select(['action', 'record_type', 'person_id', 'detail'])
      .where('user_id', '=', finance.id)
      .where('record_type', 'in', ['budget', 'card_transaction'])
      .orderBy('id')
      .execute();
  const c = await signedIn(finance);
  const before = (await events()).length;
  assert.equal((await c.get(`/people/${personId}`)).status, 200);
  assert.equal((await c.get(`/people/${personId}/transactions?page=2`)).status, 200);
  const added = (await events()).slice(before);
  assert.deepEqual(
    added.map((e) => [e.action, e.record_type, e.person_id]),
    [
      ['list', 'budget', personId],
      ['list', 'card_transaction', personId],
      ['list', 'card_transaction', personId],
    ],
  );
  assert.equal((added[1]?.detail as { shown?: number }).shown, 10);
  assert.equal((added[2]?.detail as { shown?: number }).shown, 5);

  const other = await signedIn(commissioner);
  assert.equal((await other.get(`/people/${personId}/transactions`)).status, 403);
});
