// Payee and account details over a real server and database: finance officers only (a care
// coordinator is refused), CSRF, the error summary with the answers kept, audited; a change
// reaches lines not yet in an approved run (a run waiting for approval included), an approved
// run keeps what it was approved with (the database refuses a change), budgets made later take
// the details in force; bank accounts are masked on the run page; a card reference makes the
// statement import match the card, and no two accounts share one.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { sql } from 'kysely';
import { inPartnership } from '../../platform/db/database.ts';
import { startTestApp, TestClient, type TestApp } from '../../../test/support/app.ts';
import {
  createPartnership,
  createUser,
  type TestPartnership,
  type TestUser,
} from '../../../test/support/factories.ts';
import { importStatement } from '../statements/index.ts';
import {
  ddmmyyyy,
  day,
  doc,
  makeBudgets,
  now,
  paItem,
  personWithApprovedPlan,
} from './fixtures.int-support.ts';

let t: TestApp;
let p: TestPartnership;
let financeA: TestUser;
let financeB: TestUser;
let coordinator: TestUser;
let sam = '';
let robin = '';

const fixture = () => ({ partnershipId: p.id, teamId: p.teamId, trustId: p.trustId });
const directPayment = (familyName: string) =>
  personWithApprovedPlan(t.db, fixture(), {
    familyName,
    document: doc({
      startsOn: day(0),
      streams: [{ id: 'social-care', body: 'council', holding: 'direct_payment' }],
      items: [paItem('pa', 'social-care', 7_000)],
    }),
  });

before(async () => {
  t = await startTestApp({}, undefined, now);
  p = await createPartnership(t.db, 'Accounts');
  financeA = await createUser(t.db, p, ['finance_officer'], { name: 'Fran Finance' });
  financeB = await createUser(t.db, p, ['finance_officer'], { name: 'Bo Books' });
  coordinator = await createUser(t.db, p, ['care_coordinator']);
  const a = await directPayment('Banker');
  sam = a.person.id;
  await makeBudgets(t.db, p.id, a);
  const b = await directPayment('Carder');
  robin = b.person.id;
  await makeBudgets(t.db, p.id, b);
});
after(() => t.close());

async function signedIn(user: TestUser): Promise<TestClient> {
  const c = new TestClient(t.url);
  assert.equal((await c.signIn(user.email, user.password)).status, 303);
  return c;
}

const holdingOf = async (personId: string) =>
  inPartnership(t.db, p.id, async (tx) => {
    const r = await sql<{ id: string; reference: string }>`
      select id, reference from ledger_accounts
       where kind = 'holding_account' and person_id = ${personId}::uuid`.execute(tx);
    return r.rows[0] ?? { id: '', reference: '' };
  });

const runLinesOf = (runUrl: string) =>
  inPartnership(t.db, p.id, async (tx) => {
    const r = await sql<{ payee: string; account_reference: string }>`
      select payee, account_reference from payment_run_lines
       where run_id = ${runUrl.split('/').pop() ?? ''}::uuid order by reference`.execute(tx);
    return r.rows;
  });

async function prepare(c: TestClient, upTo: string): Promise<string> {
  const made = await c.post('/payments', {
    'dueUpTo-day': upTo.slice(8, 10),
    'dueUpTo-month': upTo.slice(5, 7),
    'dueUpTo-year': upTo.slice(0, 4),
  });
  assert.equal(made.status, 303, made.text.slice(0, 300));
  return made.location ?? '';
}

test('care coordinators are refused; the page is linked from the Budget panel', async () => {
  const { id } = await holdingOf(sam);
  const c = await signedIn(coordinator);
  assert.equal((await c.get(`/people/${sam}/payment-accounts`)).status, 403);
  assert.equal((await c.get(`/people/${sam}/payment-accounts/${id}`)).status, 403);
  const post = await c.post(`/people/${sam}/payment-accounts/${id}`, {
    kind: 'bank',
    payeeName: 'Sam Banker',
    sortCode: '309457',
    accountNumber: '00733445',
  });
  assert.equal(post.status, 403);

  const a = await signedIn(financeA);
  const person = await a.get(`/people/${sam}`);
  assert.match(person.text, new RegExp(`href="/people/${sam}/payment-accounts"`));
  const list = await a.get(`/people/${sam}/payment-accounts`);
  assert.equal(list.status, 200);
  assert.match(list.text, /No bank or card details recorded/);
  assert.match(list.text, new RegExp(`/people/${sam}/payment-accounts/${id}`));
  assert.equal((await a.get(`/people/${sam}/payment-accounts/${sam}`)).status, 404);
});

test('bad answers: 400, the error summary, the answers kept, nothing saved; CSRF refused', async () => {
  const { id } = await holdingOf(sam);
  const a = await signedIn(financeA);
  await a.get(`/people/${sam}/payment-accounts/${id}`);
  const cases: [Record<string, string>, string[]][] = [
    [{ kind: '', payeeName: '' }, ['Choose a bank account or a prepaid card', 'Enter the name']],
    [
      { kind: 'bank', payeeName: 'Sam Banker', sortCode: '30-94-5', accountNumber: '733445' },
      ['Enter a sort code of 6 digits', 'Enter an account number of 8 digits'],
    ],
    [{ kind: 'card', payeeName: 'Sam Banker', cardReference: ' ' }, ['Enter the card reference']],
    [{ kind: 'organisation', payeeName: 'Trust' }, ['Choose a bank account or a prepaid card']],
  ];
  for (const [form, messages] of cases) {
    const r = await a.post(`/people/${sam}/payment-accounts/${id}`, form);
    assert.equal(r.status, 400, JSON.stringify(form));
    assert.match(r.text, /nhsuk-error-summary/);
    for (const m of messages) assert.ok(r.text.includes(m), `${m} in ${JSON.stringify(form)}`);
    if (form.sortCode) assert.match(r.text, /value="30-94-5"/);
  }
  const noCsrf = await a.post(
    `/people/${sam}/payment-accounts/${id}`,
    { kind: 'bank', payeeName: 'X', sortCode: '309457', accountNumber: '00733445', _csrf: 'x' },
    { csrf: false },
  );
  assert.equal(noCsrf.status, 403);
  const saved = await inPartnership(t.db, p.id, (tx) =>
    sql<{ n: number }>`select count(*)::int as n from payment_accounts`.execute(tx),
  );
  assert.equal(saved.rows[0]?.n, 0);
});

test('a bank account: approved runs keep theirs, a run waiting for approval and later runs take it, masked on the run page', async () => {
  const { id } = await holdingOf(sam);
  const a = await signedIn(financeA);
  const b = await signedIn(financeB);
  const first = await prepare(a, day(30));
  assert.equal((await b.post(`${first}/approve`, {})).status, 303);
  const before = await runLinesOf(first);
  assert.ok(before.length > 0 && before.every((l) => l.account_reference.startsWith('DP-')));
  const waiting = await prepare(a, day(60));

  await a.get(`/people/${sam}/payment-accounts/${id}`);
  const saved = await a.post(`/people/${sam}/payment-accounts/${id}`, {
    kind: 'bank',
    payeeName: 'S Banker',
    sortCode: '30 94 57',
    accountNumber: '0073 3445',
  });
  assert.equal(saved.status, 303);
  assert.equal(saved.location, `/people/${sam}/payment-accounts`);

  assert.deepEqual(await runLinesOf(first), before, 'the approved run keeps its lines');
  const moved = (await runLinesOf(waiting)).filter((l) => l.payee === 'S Banker');
  assert.ok(moved.length > 0, 'the waiting run takes the new details');
  assert.ok(moved.every((l) => l.account_reference === '30-94-57 00733445'));

  const page = await b.get(waiting);
  assert.match(page.text, /\*\*-\*\*-\*\* \*\*\*\*3445/);
  assert.doesNotMatch(page.text, /00733445/);
  assert.match(page.text, new RegExp(`href="/people/${sam}/payment-accounts"`));
  assert.equal((await b.post(`${waiting}/approve`, {})).status, 303);
  const file = await b.get(`${waiting}/file.csv`);
  assert.match(file.text, /S Banker,30-94-57 00733445,/);

  const later = await prepare(a, day(100));
  const laterLines = (await runLinesOf(later)).filter((l) => l.payee.includes('Banker'));
  assert.ok(laterLines.length > 0, 'the later run pays Sam');
  assert.deepEqual(
    laterLines.map((l) => [l.payee, l.account_reference]),
    laterLines.map(() => ['S Banker', '30-94-57 00733445']),
  );

  const list = await a.get(`/people/${sam}/payment-accounts`);
  assert.match(list.text, /sort code 30-94-57, account number 00733445/);
  const form = await a.get(`/people/${sam}/payment-accounts/${id}`);
  assert.match(form.text, /value="00733445"/, 'the form starts from the details in force');

  // The database keeps approved runs and the history as they are.
  const runId = first.split('/').pop() ?? '';
  await assert.rejects(
    inPartnership(t.db, p.id, (tx) =>
      sql`update payment_run_lines set account_reference = 'X' where run_id = ${runId}::uuid`.execute(
        tx,
      ),
    ),
    /keep what it was approved with/,
  );
  await assert.rejects(
    inPartnership(t.db, p.id, (tx) =>
      sql`update payment_accounts set payee_name = 'X'`.execute(tx),
    ),
    /append-only|permission denied/,
  );
  await assert.rejects(
    inPartnership(t.db, p.id, (tx) =>
      sql`update ledger_accounts set name = 'X' where id = ${id}::uuid`.execute(tx),
    ),
    /append-only|permission denied/,
  );

  const audited = await inPartnership(t.db, p.id, (tx) =>
    sql<{ action: string; n: number }>`
      select action, count(*)::int as n from audit_events
       where record_type = 'payment_account' and person_id = ${sam}::uuid
       group by action order by action`.execute(tx),
  );
  assert.deepEqual(
    audited.rows.map((r) => r.action),
    ['create', 'read'],
  );
});

test('a card reference: the statement import matches it, and no other account may take it', async () => {
  const { id } = await holdingOf(robin);
  const a = await signedIn(financeA);
  await a.get(`/people/${robin}/payment-accounts/${id}`);
  const saved = await a.post(`/people/${robin}/payment-accounts/${id}`, {
    kind: 'card',
    payeeName: 'Robin Carder',
    cardReference: 'PFS 5355 **** 0042',
  });
  assert.equal(saved.status, 303);
  assert.equal((await holdingOf(robin)).reference, 'PFS 5355 **** 0042');

  const csv = [
    'Transaction ID,Date,Card Number,Merchant,MCC,Amount',
    `ACC-1,${ddmmyyyy(day(5))},PFS 5355 **** 0042,Swimming pool,7997,-4.60`,
  ].join('\n');
  const result = await importStatement(t.db, {
    partnershipId: p.id,
    format: 'prepaid-card',
    fileName: 'card.csv',
    source: Readable.from([Buffer.from(csv, 'utf8')]),
    userId: null,
    actor: 'test',
  });
  assert.equal(result.imported, 1, JSON.stringify(result.badRows));
  assert.equal(result.bad, 0);

  const other = await holdingOf(sam);
  await a.get(`/people/${sam}/payment-accounts/${other.id}`);
  const taken = await a.post(`/people/${sam}/payment-accounts/${other.id}`, {
    kind: 'card',
    payeeName: 'Sam Banker',
    cardReference: 'PFS 5355 **** 0042',
  });
  assert.equal(taken.status, 400);
  assert.match(taken.text, /already recorded for another account/);
  assert.match(taken.text, /value="PFS 5355 \*\*\*\* 0042"/);
});

test('a budget made later for the same account is paid to the details in force', async () => {
  const { id } = await holdingOf(robin);
  await inPartnership(t.db, p.id, async (tx) => {
    const plan = await sql<{ id: string }>`select plan_id as id from budgets
      where holding_account_id = ${id}::uuid limit 1`.execute(tx);
    const budget = await sql<{ payee_name: string; payee_reference: string }>`
      insert into budgets (partnership_id, person_id, plan_id, stream_id, stream_name, funding_body,
        holding, financial_year, starts_on, amount_pence, ledger_account_id, holding_account_id,
        payee_name, payee_reference)
      select partnership_id, person_id, plan_id, 'other-stream', 'Other', funding_body, holding,
             financial_year + 1, starts_on + 365, 0, ledger_account_id, holding_account_id,
             'Default', 'DP-DEFAULT'
        from budgets where plan_id = ${plan.rows[0]?.id ?? ''}::uuid
      returning payee_name, payee_reference`.execute(tx);
    assert.deepEqual(budget.rows[0], {
      payee_name: 'Robin Carder',
      payee_reference: 'PFS 5355 **** 0042',
    });
  });
});

test('details recorded while a large run is being prepared: the run carries the details in force', async () => {
  const x = await directPayment('Racer');
  await makeBudgets(t.db, p.id, x);
  const { id } = await holdingOf(x.person.id);
  // Enough lines that preparing the run takes a while, so the change lands in the middle of it.
  await sql`
    insert into payment_schedule_lines (partnership_id, budget_id, person_id, kind, period_no,
      due_on, amount_pence, description, reference)
    select b.partnership_id, b.id, b.person_id, 'one_off', 1, ${day(300)}::date, 100, 'Bulk',
           'BULK-' || g
      from budgets b, generate_series(1, 30000) g
     where b.holding_account_id = ${id}::uuid`.execute(t.db.system);
  const a = await signedIn(financeA);
  const b = await signedIn(financeB);
  await b.get(`/people/${x.person.id}/payment-accounts/${id}`);
  const [run, saved] = await Promise.all([
    prepare(a, day(300)),
    new Promise((resolve) => setTimeout(resolve, 40)).then(() =>
      b.post(`/people/${x.person.id}/payment-accounts/${id}`, {
        kind: 'bank',
        payeeName: 'Racer',
        sortCode: '309457',
        accountNumber: '88000001',
      }),
    ),
  ]);
  assert.equal(saved.status, 303);
  const lines = await inPartnership(t.db, p.id, async (tx) => {
    const r = await sql<{ account_reference: string; n: number }>`
      select rl.account_reference, count(*)::int as n from payment_run_lines rl
       where rl.run_id = ${run.split('/').pop() ?? ''}::uuid and rl.person_id = ${x.person.id}::uuid
       group by 1`.execute(tx);
    return r.rows;
  });
  assert.ok((lines[0]?.n ?? 0) > 30_000, JSON.stringify(lines));
  assert.deepEqual(
    lines.map((l) => l.account_reference),
    ['30-94-57 88000001'],
  );
});
