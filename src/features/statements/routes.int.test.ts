// An earlier statement import's report, opened again from the list, and its bad rows as CSV:
// finance officers fix those rows in the file and import it again.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { startTestApp, TestClient, type TestApp } from '../../../test/support/app.ts';
import {
  createPartnership,
  createUser,
  type TestPartnership,
} from '../../../test/support/factories.ts';
import { paidCardHolder, signedInFinanceOfficer } from '../monitoring/fixtures.int-support.ts';
import { parseCsv } from '../../../test/support/csv.ts';
import { importStatement } from './import.ts';

let t: TestApp;
let p: TestPartnership;
let other: TestPartnership;
let finance: TestClient;

before(async () => {
  t = await startTestApp();
  p = await createPartnership(t.db, 'Reports');
  other = await createPartnership(t.db, 'Elsewhere');
  await paidCardHolder(t.db, p, { givenName: 'Rae', familyName: 'Porter' }, 'CARD-31');
  finance = await signedInFinanceOfficer(t, p);
});
after(() => t.close());

const HEADER = 'Transaction ID,Date,Card Number,Merchant,MCC,Amount';

async function imported(partnershipId: string, fileName: string, lines: string[]) {
  const result = await importStatement(t.db, {
    partnershipId,
    format: 'prepaid-card',
    fileName,
    source: Readable.from([Buffer.from([HEADER, ...lines].join('\n'))]),
    userId: null,
    actor: 'Test import',
  });
  assert.equal(result.status, 'finished', result.message ?? '');
  return result;
}

test('an earlier import: its report opens from the list, and its bad rows download as CSV', async () => {
  const result = await imported(p.id, 'june, "final".csv', [
    `R1,01/06/2026,CARD-31,Tesco Stores,5411,-12.00`,
    'R2,31/06/2026,CARD-31,"Bus, city",4131,-1.00',
    'R3,02/06/2026,NO-SUCH-CARD,Shop,5411,-2.00',
    'R4,03/06/2026,CARD-31,Shop,5411,abc',
  ]);
  assert.deepEqual([result.imported, result.bad], [1, 3]);

  const list = await finance.get('/finance/statements');
  assert.match(
    list.text,
    new RegExp(`<a href="/finance/statements/${result.importId}">june, &quot;final&quot;.csv</a>`),
  );

  const page = await finance.get(`/finance/statements/${result.importId}`);
  assert.equal(page.status, 200, page.text.slice(0, 300));
  assert.match(page.text, /<h1>Statement import: june, &quot;final&quot;.csv<\/h1>/);
  assert.match(
    page.text,
    /Imported\s*<\/dt>\s*<dd[^>]*>\s*\d{1,2} [A-Z][a-z]+ 2026[^<]* by Test import/,
  );
  assert.match(page.text, /Result\s*<\/dt>\s*<dd[^>]*>\s*Imported\s*</);
  assert.match(page.text, /New transactions imported\s*<\/dt>\s*<dd[^>]*>\s*1\s*</);
  assert.match(page.text, /Rows that could not be imported\s*<\/dt>\s*<dd[^>]*>\s*3\s*</);
  assert.match(page.text, />3<\/td>\s*<td[^>]*>Date: &quot;31\/06\/2026&quot; is not a date/);
  assert.match(
    page.text,
    /no direct payment account in Pooled has the reference &quot;NO-SUCH-CARD&quot;/,
  );
  assert.match(
    page.text,
    new RegExp(
      `href="/finance/statements/${result.importId}/bad-rows.csv" download>[^<]*CSV, 3 rows`,
    ),
  );
  assert.doesNotMatch(page.text, /The download has the first/);

  const csv = await finance.get(`/finance/statements/${result.importId}/bad-rows.csv`);
  assert.equal(csv.status, 200);
  assert.match(csv.headers.get('content-type') ?? '', /^text\/csv; charset=utf-8/);
  assert.equal(
    csv.headers.get('content-disposition'),
    'attachment; filename="june-final-bad-rows.csv"',
  );
  const rows = parseCsv(csv.text);
  assert.deepEqual(rows[0], ['line', 'problem']);
  assert.deepEqual(
    rows.slice(1).map((r) => r[0]),
    ['3', '4', '5'],
  );
  assert.match(rows[1]?.[1] ?? '', /^Date: "31\/06\/2026" is not a date/);
  assert.match(rows[2]?.[1] ?? '', /"NO-SUCH-CARD"/);
  assert.match(rows[3]?.[1] ?? '', /^Amount: /);
});

test('more bad rows than the report keeps: the page and the download say which are in it', async () => {
  const lines = Array.from(
    { length: 1005 },
    (_, i) => `B${String(i)},99/99/2026,CARD-31,Shop,5411,-1.00`,
  );
  const result = await imported(p.id, 'many.csv', lines);
  assert.equal(result.bad, 1005);
  const page = await finance.get(`/finance/statements/${result.importId}`);
  assert.match(page.text, /CSV, 1000 rows/);
  assert.match(page.text, /The download has the first 1000 of the 1005 rows, by line\./);
  assert.match(page.text, /And 805 more\./);
  const rows = parseCsv(
    (await finance.get(`/finance/statements/${result.importId}/bad-rows.csv`)).text,
  );
  assert.equal(rows.length, 1 + 1000);
  assert.equal(rows[1]?.[0], '2');
  assert.equal(rows[1000]?.[0], '1001');
});

test("another partnership's import, an address that is not an import, and other roles are refused", async () => {
  const theirs = await imported(other.id, 'theirs.csv', ['T1,01/06/2026,CARD-9,Shop,5411,-1.00']);
  for (const path of [
    `/finance/statements/${theirs.importId}`,
    `/finance/statements/${theirs.importId}/bad-rows.csv`,
    '/finance/statements/not-an-id',
    '/finance/statements/not-an-id/bad-rows.csv',
  ])
    assert.equal((await finance.get(path)).status, 404, path);

  const mine = await imported(p.id, 'mine.csv', ['M1,01/06/2026,CARD-31,Shop,5411,-1.00']);
  const user = await createUser(t.db, p, ['care_coordinator']);
  const coordinator = new TestClient(t.url);
  await coordinator.signIn(user.email, user.password);
  for (const path of [
    `/finance/statements/${mine.importId}`,
    `/finance/statements/${mine.importId}/bad-rows.csv`,
  ])
    assert.equal((await coordinator.get(path)).status, 403, path);
});
