// The payment run pages and the Budget panel over a real server and database: prepare (with a
// bad date and with nothing due refused on the page), preview, the preparer cannot approve, a
// second finance officer approves and pays, the payment file downloads; other roles are refused.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, TestClient, type TestApp } from '../../../test/support/app.ts';
import {
  createPartnership,
  createUser,
  type TestPartnership,
  type TestUser,
} from '../../../test/support/factories.ts';
import {
  doc,
  makeBudgets,
  paItem,
  personWithApprovedPlan,
  providerItem,
} from './fixtures.int-support.ts';

let t: TestApp;
let p: TestPartnership;
let financeA: TestUser;
let financeB: TestUser;
let coordinator: TestUser;
let personId: string;

before(async () => {
  t = await startTestApp();
  p = await createPartnership(t.db);
  financeA = await createUser(t.db, p, ['finance_officer'], { name: 'Fran Finance' });
  financeB = await createUser(t.db, p, ['finance_officer'], { name: 'Bo Books' });
  coordinator = await createUser(t.db, p, ['care_coordinator']);
  const x = await personWithApprovedPlan(
    t.db,
    { partnershipId: p.id, teamId: p.teamId, trustId: p.trustId },
    {
      familyName: 'Payee',
      document: doc({
        startsOn: '2025-04-01',
        streams: [
          { id: 'social-care', name: 'Council social care', body: 'council', holding: 'mixed' },
        ],
        items: [
          paItem('pa', 'social-care', 7_000),
          providerItem('agency', 'social-care', 3_500, 'Good Care Ltd'),
        ],
      }),
    },
  );
  personId = x.person.id;
  await makeBudgets(t.db, p.id, x);
});
after(() => t.close());

async function signedIn(user: TestUser): Promise<TestClient> {
  const c = new TestClient(t.url);
  const r = await c.signIn(user.email, user.password);
  assert.equal(r.status, 303, 'signed in');
  return c;
}

test('payment runs: prepare, preview, four eyes, approve and pay, download the file', async () => {
  const a = await signedIn(financeA);
  const list = await a.get('/payments');
  assert.equal(list.status, 200);
  assert.match(list.text, /No payment runs yet/);

  const bad = await a.post('/payments', {
    'dueUpTo-day': '31',
    'dueUpTo-month': '2',
    'dueUpTo-year': '2025',
  });
  assert.equal(bad.status, 400);
  assert.match(bad.text, /Enter a real date/);
  const none = await a.post('/payments', {
    'dueUpTo-day': '1',
    'dueUpTo-month': '1',
    'dueUpTo-year': '2025',
  });
  assert.equal(none.status, 400);
  assert.match(none.text, /No payments are due/);

  const made = await a.post('/payments', {
    'dueUpTo-day': '30',
    'dueUpTo-month': '6',
    'dueUpTo-year': '2025',
  });
  assert.equal(made.status, 303);
  const runUrl = made.location ?? '';
  assert.match(runUrl, /^\/payments\/[0-9a-f-]{36}$/);
  const preview = await a.get(runUrl);
  assert.equal(preview.status, 200);
  // Periods 1 to 4 (1 April, 29 April, 27 May, 24 June): 4 × £280 to the personal assistant;
  // the agency is a commitment, not a payment.
  assert.match(preview.text, /Waiting for approval/);
  assert.ok(preview.text.includes('4 payments, £1,120.00'), 'the total by funding body');
  assert.match(preview.text, /You prepared this run/);
  assert.doesNotMatch(preview.text, /Approve and pay/);
  const refused = await a.post(`${runUrl}/approve`, {});
  assert.equal(refused.status, 403);

  const b = await signedIn(financeB);
  const seen = await b.get(runUrl);
  assert.match(seen.text, /Approve and pay/);
  const approved = await b.post(`${runUrl}/approve`, {});
  assert.equal(approved.status, 303);
  const paid = await b.get(runUrl);
  assert.match(paid.text, /Paid/);
  assert.match(paid.text, /Download the payment file/);
  const file = await b.get(`${runUrl}/file.csv`);
  assert.equal(file.status, 200);
  assert.match(file.headers.get('content-type') ?? '', /text\/csv/);
  const rows = file.text.trimEnd().split('\r\n');
  assert.equal(rows[0], 'payee,account_reference,amount,reference');
  assert.equal(rows.length, 5);
  assert.ok(
    rows
      .slice(1)
      .every((r) => /^Sam Payee,DP-[0-9A-F]{32}-social-care,280\.00,PB[0-9A-F]{16}$/.test(r)),
    file.text,
  );

  const listed = await b.get('/payments');
  assert.match(listed.text, /Fran Finance/);
  assert.match(listed.text, /Bo Books/);
});

test('payment runs are for finance officers only', async () => {
  const c = await signedIn(coordinator);
  assert.equal((await c.get('/payments')).status, 403);
  const anonymous = new TestClient(t.url);
  assert.equal((await anonymous.get('/payments')).status, 303);
});

test("the Budget panel on a person's page: balance, next payment, commitments", async () => {
  const a = await signedIn(financeA);
  const page = await a.get(`/people/${personId}`);
  assert.equal(page.status, 200);
  assert.match(page.text, /<h2>Budget<\/h2>/);
  assert.match(page.text, /Financial year 2025\/26/);
  // £70 a week to the personal assistant (12 × £280 + £290) and £35 a week committed to the
  // agency (12 × £140 + £145): £5,475.00. The first test paid four periods, £1,120.00, into
  // the account; a commitment spends nothing until an invoice is recorded against it.
  const value = (key: string) =>
    new RegExp(
      `<dt class="nhsuk-summary-list__key">${key}</dt><dd class="nhsuk-summary-list__value">([^<]*)</dd>`,
    ).exec(page.text)?.[1];
  assert.equal(value('Budget for the year'), '£5,475.00');
  assert.equal(value('Left in the budget'), '£4,355.00');
  assert.equal(value('Held in the account'), '£1,120.00');
  assert.match(
    page.text.replace(/\s+/g, ' '),
    /Good Care Ltd<br>(?:(?!<\/td>).)*<\/td> ?<td[^>]*>£1,825\.00<\/td> ?<td[^>]*>£0\.00<\/td> ?<td[^>]*>£1,825\.00</,
  );
  // The plan is from 2025: its next unpaid payment's day has passed, and the panel says so
  // rather than calling a past day the next payment.
  assert.match(
    page.text,
    /Next payment<\/dt><dd[^>]*>£[\d,.]+, due on \d{1,2} [A-Z][a-z]+ 202\d and not paid yet</,
  );
});

test('provider invoices: over what is left refused on the page, recorded, remaining shown', async () => {
  const a = await signedIn(financeA);
  const page = await a.get(`/people/${personId}`);
  const link = /href="(\/commitments\/[0-9a-f-]{36}\/invoices\/new)"/.exec(page.text)?.[1];
  assert.ok(link, 'a finance officer sees "Record an invoice"');
  const form = await a.get(link);
  assert.equal(form.status, 200);
  // £35 a week from 1 April 2025: 12 × £140 + £145 = £1,825.00 for the year.
  assert.match(form.text, /£1,825\.00/);
  const bad = await a.post(link, {
    number: '',
    amount: '12.505',
    'date-day': '31',
    'date-month': '4',
    'date-year': '2025',
  });
  assert.equal(bad.status, 400);
  assert.match(bad.text, /Enter the invoice number/);
  assert.match(bad.text, /no more than 2 numbers after the decimal point/);
  assert.match(bad.text, /Enter the invoice date/);
  const tooMuch = await a.post(link, {
    number: 'GC-1',
    amount: '£1,825.01',
    'date-day': '30',
    'date-month': '4',
    'date-year': '2025',
  });
  assert.equal(tooMuch.status, 400);
  assert.match(tooMuch.text, /more than the £1,825\.00 left/);
  const ok = await a.post(link, {
    number: 'GC-1',
    amount: '£140.00',
    'date-day': '30',
    'date-month': '4',
    'date-year': '2025',
  });
  assert.equal(ok.status, 303);
  assert.equal(ok.location, `/people/${personId}`);
  const after = await a.get(link);
  assert.match(after.text, /GC-1/);
  assert.match(after.text, /£1,685\.00/);
  const coordinatorClient = await signedIn(coordinator);
  assert.equal((await coordinatorClient.get(link)).status, 403);
});

test('financial assessment: the weekly contribution recorded from a date', async () => {
  const a = await signedIn(financeA);
  const url = `/people/${personId}/financial-assessment`;
  const form = await a.get(url);
  assert.equal(form.status, 200);
  assert.match(form.text, /No financial assessment recorded/);
  const bad = await a.post(url, {
    weekly: '-5',
    'from-day': '',
    'from-month': '',
    'from-year': '',
  });
  assert.equal(bad.status, 400);
  assert.match(bad.text, /cannot be less than £0/);
  const ok = await a.post(url, {
    weekly: '25',
    'from-day': '1',
    'from-month': '4',
    'from-year': '2026',
  });
  assert.equal(ok.status, 303);
  const after = await a.get(url);
  assert.match(after.text, /1 April 2026/);
  assert.match(after.text, /£25\.00/);
});
