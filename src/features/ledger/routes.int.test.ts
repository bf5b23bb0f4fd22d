// The ledger page and its CSVs for finance officers, on a real database and HTTP server: the
// trial balance on a day (only postings up to it, only this partnership's, debits equal to
// credits), each account's balance and every posting between two days as CSV (read back and
// reconciled), a page at a time, audited; bad dates answered with the error summary and the
// answers kept; other roles refused.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, TestClient, type TestApp } from '../../../test/support/app.ts';
import { parseCsv } from '../../../test/support/csv.ts';
import {
  createPartnership,
  createPerson,
  createUser,
  type TestPartnership,
} from '../../../test/support/factories.ts';
import { inPartnership } from '../../platform/db/database.ts';
import { postingsPage, type PostingsCursor } from './finance-reads.ts';
import { ensureAccounts, postMany } from './store.ts';

let t: TestApp;
let p: TestPartnership;
let other: TestPartnership;
let finance: TestClient;
let personId: string;

/** Five postings in 2026/27 (one a reversal-like correction), on four days. */
const POSTINGS: { key: string; on: string; lines: [string, number][] }[] = [
  {
    key: 'alloc',
    on: '2026-04-01',
    lines: [
      ['budget', 52_000],
      ['pot:council', -52_000],
    ],
  },
  {
    key: 'pay-1',
    on: '2026-04-01',
    lines: [
      ['holding', 40_000],
      ['budget', -40_000],
    ],
  },
  {
    key: 'spend',
    on: '2026-04-20',
    lines: [
      ['spending', 1_250],
      ['holding', -1_250],
    ],
  },
  {
    key: 'nhs',
    on: '2026-05-02',
    lines: [
      ['pot:nhs', 9_999],
      ['nhs-budget', -9_999],
    ],
  },
  {
    key: 'late',
    on: '2026-06-30',
    lines: [
      ['holding', 12_000],
      ['budget', -12_000],
    ],
  },
];

async function postAll(partner: TestPartnership, name: string) {
  const person = await createPerson(t.db, partner, { givenName: 'Ada', familyName: name });
  await inPartnership(t.db, partner.id, async (tx) => {
    const ids = await ensureAccounts(tx, partner.id, [
      { key: 'pot:council', kind: 'stream_pot', name: 'Council pot', fundingBody: 'council' },
      { key: 'pot:nhs', kind: 'stream_pot', name: 'NHS pot', fundingBody: 'nhs' },
      {
        key: 'budget',
        kind: 'person_budget',
        name: `Ada ${name}: social care`,
        fundingBody: 'council',
        personId: person.id,
      },
      {
        key: 'nhs-budget',
        kind: 'person_budget',
        name: `Ada ${name}: health`,
        fundingBody: 'nhs',
        personId: person.id,
      },
      {
        key: 'holding',
        kind: 'holding_account',
        name: `Ada ${name}, "card"`,
        fundingBody: 'council',
        personId: person.id,
      },
      { key: 'spending', kind: 'spending', name: 'Spent (council)', fundingBody: 'council' },
    ]);
    await postMany(
      tx,
      partner.id,
      POSTINGS.map((x) => ({
        idempotencyKey: x.key,
        kind: 'adjustment' as const,
        occurredOn: x.on,
        description: `Test ${x.key}`,
        lines: x.lines.map(([key, amountPence]) => ({
          accountId: ids.get(key) ?? '',
          amountPence,
        })),
      })),
    );
  });
  return person.id;
}

before(async () => {
  t = await startTestApp({}, undefined, () => new Date('2026-11-23T12:00:00Z'));
  p = await createPartnership(t.db, 'Ledger');
  other = await createPartnership(t.db, 'Elsewhere');
  personId = await postAll(p, 'Lovelace');
  await postAll(other, 'Elsewhere');
  const user = await createUser(t.db, p, ['finance_officer']);
  finance = new TestClient(t.url);
  assert.equal((await finance.signIn(user.email, user.password)).status, 303);
});
after(() => t.close());

const day = (name: string, d: string) => {
  const [y, m, dd] = d.split('-');
  return `${name}-day=${String(Number(dd))}&${name}-month=${String(Number(m))}&${name}-year=${y ?? ''}`;
};
/** The page's text without tags, spaces run together. */
const words = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;|&rsquo;/g, '’')
    .replace(/\s+/g, ' ');

test('the trial balance on a day counts the postings up to that day, and debits equal credits', async () => {
  const res = await finance.get(`/finance/ledger?${day('on', '2026-04-30')}`);
  assert.equal(res.status, 200);
  const text = words(res.text);
  assert.match(text, /Trial balance on 30 April 2026/);
  // By 30 April: the allocation, the payment and the spend (not May's or June's).
  assert.match(text, /Funding pots .*? Council 1 £520\.00/);
  assert.match(text, /Personal budgets .*? Council 1 £120\.00/);
  assert.match(text, /Direct payment and held accounts .*? Council 1 £387\.50 /);
  assert.match(text, /Spent .*? Council 1 £12\.50 /);
  assert.doesNotMatch(text, /£99\.99/, 'nothing of May');
  assert.match(text, /Total £520\.00 £520\.00/);
  // In the order money moves: pots, budgets, held money, where it went.
  const at = ['Funding pots', 'Personal budgets', 'Direct payment and held', 'Spent'].map((k) =>
    text.indexOf(k),
  );
  assert.deepEqual(
    at,
    [...at].sort((a, b) => a - b),
  );
  assert.match(text, /Debits and credits agree/);
  // The date is kept in the form, and the downloads are for it.
  assert.match(res.text, /name="on-day"[^>]*value="30"/);
  assert.match(res.text, /balances\.csv\?on-day=30&amp;on-month=4&amp;on-year=2026/);

  const later = words((await finance.get(`/finance/ledger?${day('on', '2026-06-30')}`)).text);
  assert.match(later, /Funding pots .*? NHS 1 £99\.99/);
  // June's payment leaves the budget at nothing: neither a debit nor a credit.
  assert.match(later, /Personal budgets .*? Council 1 Personal/);
  assert.match(later, /Total £619\.99 £619\.99/);
  // Before anything was posted.
  const before = words((await finance.get(`/finance/ledger?${day('on', '2026-03-31')}`)).text);
  assert.match(before, /Nothing had been posted by 31 March 2026/);
});

test('each account’s balance on a day as CSV: debits and credits, reconciled, audited', async () => {
  const res = await finance.get(`/finance/ledger/balances.csv?${day('on', '2026-05-31')}`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/csv/);
  assert.match(
    res.headers.get('content-disposition') ?? '',
    /filename="ledger-balances-2026-05-31\.csv"/,
  );
  const [header, ...rows] = parseCsv(res.text);
  assert.deepEqual(header, [
    'balance_on',
    'account_id',
    'account',
    'kind',
    'funding_body',
    'person_id',
    'debit',
    'credit',
  ]);
  const byName = new Map(rows.map((r) => [r[2], r]));
  assert.equal(rows.length, 6);
  assert.deepEqual(byName.get('Ada Lovelace, "card"')?.slice(3), [
    'holding_account',
    'council',
    personId,
    '387.50',
    '',
  ]);
  assert.deepEqual(byName.get('Ada Lovelace: social care')?.slice(6), ['120.00', '']);
  assert.deepEqual(byName.get('Council pot')?.slice(6), ['', '520.00']);
  assert.deepEqual(byName.get('NHS pot')?.slice(6), ['99.99', '']);
  assert.ok(rows.every((r) => r[0] === '2026-05-31'));
  assert.ok(!rows.some((r) => (r[2] ?? '').includes('Elsewhere')), 'no other partnership');
  const pence = (s: string | undefined) => Math.round(Number(s || '0') * 100);
  const debits = rows.reduce((s, r) => s + pence(r[6]), 0);
  const credits = rows.reduce((s, r) => s + pence(r[7]), 0);
  assert.equal(debits, credits);
  assert.equal(debits, 61_999);

  const audited = await t.db.system
    .selectFrom('audit_events')
    .select(['action', 'record_type', 'detail'])
    .where('partnership_id', '=', p.id)
    .where('record_type', '=', 'ledger')
    .execute();
  assert.ok(
    audited.some(
      (a) =>
        a.action === 'export' &&
        JSON.stringify(a.detail).includes('ledger-balances.csv') &&
        JSON.stringify(a.detail).includes('2026-05-31'),
    ),
  );
});

test('every posting between two days as CSV, one row a debit or credit, each posting balanced', async () => {
  const res = await finance.get(
    `/finance/ledger/postings.csv?${day('from', '2026-04-01')}&${day('to', '2026-05-02')}`,
  );
  assert.equal(res.status, 200);
  const [header, ...rows] = parseCsv(res.text);
  assert.deepEqual(header?.slice(0, 4), [
    'occurred_on',
    'transaction_id',
    'posting_key',
    'transaction_kind',
  ]);
  assert.deepEqual(new Set(rows.map((r) => r[2])), new Set(['alloc', 'pay-1', 'spend', 'nhs']));
  assert.equal(rows.length, 8);
  const days = rows.map((r) => r[0] ?? '');
  assert.deepEqual(days, [...days].sort(), 'in date order');
  for (const key of ['alloc', 'pay-1', 'spend', 'nhs']) {
    const mine = rows.filter((r) => r[2] === key);
    const debit = mine.reduce((s, r) => s + Math.round(Number(r[9] || '0') * 100), 0);
    const credit = mine.reduce((s, r) => s + Math.round(Number(r[10] || '0') * 100), 0);
    const posted = POSTINGS.find((x) => x.key === key)?.lines[0]?.[1];
    assert.deepEqual([debit, credit], [posted, posted], key);
  }
  assert.ok(!res.text.includes('Elsewhere'), 'no other partnership');
});

test('postings are read a page of whole transactions at a time, to the end', async () => {
  const seen: string[] = [];
  let cursor: PostingsCursor | null = null;
  let pages = 0;
  do {
    const page: Awaited<ReturnType<typeof postingsPage>> = await inPartnership(t.db, p.id, (tx) =>
      postingsPage(tx, { from: '2026-04-01', to: '2026-06-30' }, cursor, 2),
    );
    pages++;
    for (const r of page.rows) if (!seen.includes(r.idempotencyKey)) seen.push(r.idempotencyKey);
    // Whole transactions: each page's entries balance.
    assert.equal(
      page.rows.reduce((s, r) => s + r.amountPence, 0),
      0,
    );
    cursor = page.next;
  } while (cursor && pages < 10);
  assert.deepEqual(new Set(seen), new Set(POSTINGS.map((x) => x.key)));
  assert.equal(seen.length, 5);
  assert.equal(pages, 3);
});

test('bad dates: the error summary, the answers kept, and no file', async () => {
  const res = await finance.get('/finance/ledger?on-day=31&on-month=2&on-year=2026');
  assert.equal(res.status, 400);
  assert.match(res.text, /nhsuk-error-summary/);
  assert.match(res.text, /Enter a real date for the balances/);
  assert.match(res.text, /href="#on-day"/);
  assert.match(res.text, /name="on-day"[^>]*value="31"/);
  assert.doesNotMatch(res.text, /Trial balance on/);

  const backwards = await finance.get(
    `/finance/ledger/postings.csv?${day('from', '2026-06-01')}&${day('to', '2026-05-01')}`,
  );
  assert.equal(backwards.status, 400);
  assert.match(backwards.headers.get('content-type') ?? '', /^text\/html/);
  assert.match(backwards.text, /The last day must be the same as or after the first day/);
  assert.match(backwards.text, /name="from-day"[^>]*value="1"/);

  const bad = await finance.get('/finance/ledger/balances.csv?on-day=x&on-month=1&on-year=2026');
  assert.equal(bad.status, 400);
  assert.match(bad.text, /Enter a real date for the balances/);
});

test('only finance officers: others are refused, and the signed-out are sent to sign in', async () => {
  const coordinator = await createUser(t.db, p, ['care_coordinator']);
  const c = new TestClient(t.url);
  assert.equal((await c.signIn(coordinator.email, coordinator.password)).status, 303);
  for (const path of [
    '/finance/ledger',
    '/finance/ledger/balances.csv',
    '/finance/ledger/postings.csv',
  ])
    assert.equal((await c.get(path)).status, 403, path);
  const anonymous = await new TestClient(t.url).get('/finance/ledger');
  assert.equal(anonymous.status, 303);
  assert.match(anonymous.location ?? '', /sign-in/);
  // The navigation has the page for finance officers.
  assert.match((await finance.get('/finance/ledger')).text, /href="\/finance\/ledger"/);
});
