// The finance pages over a real server: a finance officer uploads a card statement (multipart,
// streamed), sees the report with bad rows by line, the flags in the queue, dismisses one with a
// reason and proposes and confirms a recovery for another; a recovery above the balance is
// refused on the page; other roles cannot see the queue.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { inPartnership } from '../../platform/db/database.ts';
import { startTestApp, TestClient, type TestApp } from '../../../test/support/app.ts';
import {
  createPartnership,
  createUser,
  type TestPartnership,
} from '../../../test/support/factories.ts';
import { balanceByKey } from '../ledger/index.ts';
import { paidCardHolder, signedInFinanceOfficer } from './fixtures.int-support.ts';

let t: TestApp;
let p: TestPartnership;
let finance: TestClient;
let holdingKey = '';

before(async () => {
  t = await startTestApp();
  p = await createPartnership(t.db, 'Pages');
  ({ holdingKey } = await paidCardHolder(
    t.db,
    p,
    { givenName: 'Sam', familyName: 'Carder' },
    'CARD-77',
  ));
  finance = await signedInFinanceOfficer(t, p);
});
after(() => t.close());

function multipart(fields: Record<string, string>, file: { name: string; body: string } | null) {
  const boundary = '----pooledTestBoundary';
  let body = '';
  for (const [k, v] of Object.entries(fields))
    body += `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`;
  if (file)
    body += `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: text/csv\r\n\r\n${file.body}\r\n`;
  body += `--${boundary}--\r\n`;
  return { body, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

// The CSRF token is the form's first field, as the page sends it.
const upload = async (
  fields: Record<string, string>,
  file: { name: string; body: string } | null,
) => {
  const m = multipart({ _csrf: finance.csrf, ...fields }, file);
  return finance.request('POST', '/finance/statements', m.body, m.headers);
};

// Dates a few days ago (the server runs on today's date).
const daysAgo = (n: number) => {
  const d = new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
  return `${d.slice(8, 10)}/${d.slice(5, 7)}/${d.slice(0, 4)}`;
};
const STATEMENT = [
  'Transaction ID,Date,Card Number,Merchant,MCC,Amount',
  `P1,${daysAgo(3)},CARD-77,Bet365,7995,-12.00`,
  'P2,31/06/2026,CARD-77,Bad date,4131,-1.00',
  `P3,${daysAgo(2)},CARD-77,Paddy Power,,-8.00`,
].join('\n');

test('the import page: upload, report with bad rows by line, and refusals', async () => {
  const page = await finance.get('/finance/statements');
  assert.equal(page.status, 200);
  assert.match(page.text, /enctype="multipart\/form-data"/);

  const missing = await upload({ format: '' }, null);
  assert.equal(missing.status, 400);
  assert.match(missing.text, /Choose the kind of statement/);
  assert.match(missing.text, /Choose a CSV file to import/);

  const wrong = await upload({ format: 'bank' }, { name: 'card.csv', body: STATEMENT });
  assert.equal(wrong.status, 400);
  assert.match(wrong.text, /the file has no &quot;Reference&quot;/);

  // The upload redirects to the import's report (so reloading it does not send the file again),
  // with what monitoring found as the page's notice, shown once.
  const posted = await upload({ format: 'prepaid-card' }, { name: 'card.csv', body: STATEMENT });
  assert.equal(posted.status, 303, posted.text.slice(0, 500));
  assert.match(posted.location ?? '', /^\/finance\/statements\/[0-9a-f-]{36}$/);
  const report = await finance.get(posted.location ?? '');
  assert.match(report.text, /New transactions imported\s*<\/dt>\s*<dd[^>]*>\s*2\s*</);
  assert.match(report.text, />3<\/td>\s*<td[^>]*>Date: &quot;31\/06\/2026&quot; is not a date/);
  assert.match(report.text, /Statement imported\. Monitoring checked 1 account: 1 new flag\./);
  assert.doesNotMatch((await finance.get(posted.location ?? '')).text, /Monitoring checked/);

  const again = await upload({ format: 'prepaid-card' }, { name: 'card.csv', body: STATEMENT });
  assert.equal(again.status, 303);
  assert.notEqual(again.location, posted.location, 'an import of its own');
  assert.match(
    (await finance.get(again.location ?? '')).text,
    /Already imported before\s*<\/dt>\s*<dd[^>]*>\s*2\s*</,
  );

  // The token must be the form's field, before the file: not missing, not wrong, not only in the
  // address (where it would be logged), not after the file. Nothing is imported.
  const before = await finance.get('/finance/statements');
  const imports = (before.text.match(/card\.csv|other\.csv/g) ?? []).length;
  // (Its rows name a card no one has, so the flags and balances of the next test stay as they are.)
  const file = { name: 'other.csv', body: STATEMENT.replaceAll('CARD-77', 'NO-SUCH-CARD') };
  const noToken = multipart({ format: 'prepaid-card' }, file);
  for (const [url, m] of [
    ['/finance/statements', noToken],
    [`/finance/statements?_csrf=${finance.csrf}`, noToken],
    ['/finance/statements', multipart({ _csrf: 'x'.repeat(43), format: 'prepaid-card' }, file)],
  ] as const) {
    const refused = await finance.request('POST', url, m.body, m.headers);
    assert.equal(refused.status, 403, url);
  }
  // The token after the file: the file part is read before the token is seen.
  const bd = '----pooledTestBoundary';
  const tokenAfterFile =
    `--${bd}\r\nContent-Disposition: form-data; name="format"\r\n\r\nprepaid-card\r\n` +
    `--${bd}\r\nContent-Disposition: form-data; name="file"; filename="other.csv"\r\nContent-Type: text/csv\r\n\r\n${file.body}\r\n` +
    `--${bd}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${finance.csrf}\r\n--${bd}--\r\n`;
  assert.equal(
    (await finance.request('POST', '/finance/statements', tokenAfterFile, noToken.headers)).status,
    403,
  );
  // And the same body with the token moved first is accepted (so the refusal above is the order).
  const tokenFirst = `--${bd}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${finance.csrf}\r\n${tokenAfterFile.replace(/--[-a-zA-Z]+\r\nContent-Disposition: form-data; name="_csrf"[^]*$/, `--${bd}--\r\n`)}`;
  const accepted = await finance.request(
    'POST',
    '/finance/statements',
    tokenFirst,
    noToken.headers,
  );
  assert.equal(accepted.status, 303, accepted.text.slice(0, 300));
  assert.match(
    (await finance.get(accepted.location ?? '')).text,
    /Rows that could not be imported\s*<\/dt>\s*<dd[^>]*>\s*3\s*</,
  );
  const afterAll = await finance.get('/finance/statements');
  assert.equal((afterAll.text.match(/card\.csv|other\.csv/g) ?? []).length, imports + 1);
  const list = await finance.get('/finance/statements');
  assert.match(list.text, /card\.csv/);
});

test('the queue and a flag: dismiss needs a reason; a recovery above the balance is refused; a confirmed one is posted', async () => {
  const queue = await finance.get('/finance/monitoring');
  assert.equal(queue.status, 200);
  assert.match(queue.text, /Spending on something the money may never buy for Sam Carder/);
  const id = /href="\/finance\/monitoring\/([0-9a-f-]{36})"/.exec(queue.text)?.[1];
  assert.ok(id);
  const flag = await finance.get(`/finance/monitoring/${id}`);
  assert.equal(flag.status, 200);
  assert.match(flag.text, /Bet365/);
  assert.match(flag.text, /Paddy Power/);
  const version = /name="version" value="(\d+)"/.exec(flag.text)?.[1] ?? '';

  const noReason = await finance.post(`/finance/monitoring/${id}/dismiss`, { version, reason: '' });
  assert.equal(noReason.status, 400);
  assert.match(noReason.text, /Give the reason for dismissing this flag/);

  const tooMuch = await finance.post(`/finance/monitoring/${id}/recovery`, {
    version,
    amount: '80.01',
    reasons: 'Money was used for gambling',
    'repayBy-day': '31',
    'repayBy-month': '12',
    'repayBy-year': '2099',
    whoMustRepay: 'Sam Carder',
    reconsideration: 'Tell us within 28 days',
  });
  assert.equal(tooMuch.status, 400);
  assert.match(tooMuch.text, /must not be more than the £80.00 in the account/);
  assert.match(tooMuch.text, /value="80.01"/); // the answers are kept

  const proposed = await finance.post(`/finance/monitoring/${id}/recovery`, {
    version,
    amount: '20.00',
    reasons: 'Money was used for gambling',
    'repayBy-day': '31',
    'repayBy-month': '12',
    'repayBy-year': '2099',
    whoMustRepay: 'Sam Carder',
    reconsideration: 'Tell us within 28 days',
  });
  assert.equal(proposed.status, 303);
  const withRecovery = await finance.get(`/finance/monitoring/${id}`);
  assert.match(withRecovery.text, /Recovery of £20.00: proposed/);
  assert.match(withRecovery.text, /Repay by: 31 December 2099/);
  const recoveryId = /action="\/finance\/recoveries\/([0-9a-f-]{36})\/confirm"/.exec(
    withRecovery.text,
  )?.[1];
  assert.ok(recoveryId);
  const confirmed = await finance.post(`/finance/recoveries/${recoveryId}/confirm`, { flagId: id });
  assert.equal(confirmed.status, 303);
  const bal = await inPartnership(t.db, p.id, (tx) => balanceByKey(tx, p.id, [holdingKey]));
  assert.equal(bal.get(holdingKey), 6_000);
  const queueAfter = await finance.get('/finance/monitoring');
  assert.doesNotMatch(queueAfter.text, new RegExp(id));
});

test('other roles cannot see the finance pages', async () => {
  const user = await createUser(t.db, p, ['care_coordinator']);
  const c = new TestClient(t.url);
  await c.signIn(user.email, user.password);
  assert.equal((await c.get('/finance/monitoring')).status, 403);
  assert.equal((await c.get('/finance/statements')).status, 403);
});
