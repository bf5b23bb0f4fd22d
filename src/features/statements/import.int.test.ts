// Statement imports against a real database (PGlite, or PostgreSQL with DATABASE_URL): good rows
// imported and posted to the ledger, bad rows reported by line, a file imported twice changes
// nothing, missing columns refuse the file, a row that is not UTF-8 is reported, any files in any
// batches post the net of their new rows.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Readable } from 'node:stream';
import { balanceByKey, ensureAccounts } from '../ledger/index.ts';
import { importStatement } from './import.ts';
import { NOT_UTF8, readMapping } from './rules.ts';
import { sql } from 'kysely';
import type { Db, Tx } from '../../platform/db/database.ts';
import type { TestPartnership } from '../../../test/support/factories.ts';
import { importFixture, type ImportFixture } from './import.int-support.ts';

let db: Db;
let p: TestPartnership;
let personId: string;
let holdingKey: string;
let bankKey: string;
let inP: <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>;
let run: ImportFixture['run'];
let counts: ImportFixture['counts'];
let assertPostedAsCardTransactions: ImportFixture['assertPostedAsCardTransactions'];
before(async () => {
  ({ db, p, personId, holdingKey, bankKey, inP, run, counts, assertPostedAsCardTransactions } =
    await importFixture());
});
after(() => db.close());

const CARD = [
  'Transaction ID,Date,Card Number,Merchant,MCC,Amount',
  'T1,01/04/2026,5354 **** **** 0001,Tesco Stores,5411,-12.50', // line 2
  'T2,02/04/2026,5354 **** **** 0001,"Bus, city",4131,(3.20)', // line 3
  'T3,31/02/2026,5354 **** **** 0001,Bad date,5411,-1.00', // line 4: bad date
  'T4,03/04/2026,5354 **** **** 0001,Bad amount,5411,12.505', // line 5: bad amount
  'T5,04/04/2026,5354 **** **** 0001,"Refund from ""Argos""",5732,£1,234.50', // line 6: unquoted comma splits
  'T6,05/04/2026,5354 **** **** 0001,"Refund from ""Argos""",5732,"£1,234.50"', // line 7
  'T7,06/04/2026,5354 **** **** 9999,Unknown card,5411,-1.00', // line 8: no such card
  'T8,07/04/2026,5354 **** **** 0001,"Two',
  'lines",7995,-5.00', // lines 9-10: gambling
  'T1,01/04/2026,5354 **** **** 0001,Tesco Stores,5411,-12.50', // line 11: repeat of T1
].join('\r\n');

test('a card statement: good rows imported and posted, bad rows reported with line numbers', async () => {
  const before = await counts();
  const r = await run(CARD, 'prepaid-card', 2);
  assert.equal(r.status, 'finished');
  assert.equal(r.rowsRead, 9);
  assert.equal(r.imported, 4); // T1, T2, T6, T8
  assert.equal(r.duplicates, 1); // the repeated T1
  assert.equal(r.bad, 4);
  assert.deepEqual(
    r.badRows.map((b) => b.line),
    [4, 5, 6, 8],
  );
  assert.match(r.badRows[0]!.problems.join(), /Date: "31\/02\/2026" is not a date/);
  assert.match(r.badRows[1]!.problems.join(), /Amount: "12.505" is not an amount/);
  assert.match(r.badRows[2]!.problems.join(), /7 values but the header has 6 columns/);
  assert.match(
    r.badRows[3]!.problems.join(),
    /no direct payment account in Pooled has the reference "5354 \*\*\*\* \*\*\*\* 9999"/,
  );
  assert.match(r.sha256, /^[0-9a-f]{64}$/);

  const after = await counts();
  const net = -1250 - 320 + 123450 - 500;
  assert.equal(after.cards! - before.cards!, 4);
  assert.equal(after.bal[holdingKey], net);
  assert.equal(after.bal['spending:council'], -net);

  const rows = await inP((tx) =>
    sql<{
      provider_transaction_id: string;
      line_no: number;
      category: string | null;
      description: string;
      amount_pence: number;
    }>`
      select provider_transaction_id, line_no, category, description, amount_pence
        from card_transactions where import_id = ${r.importId} order by line_no`.execute(tx),
  );
  assert.deepEqual(
    rows.rows.map((x) => [
      x.provider_transaction_id,
      x.line_no,
      x.category,
      x.description,
      x.amount_pence,
    ]),
    [
      ['T1', 2, null, 'Tesco Stores', -1250],
      ['T2', 3, 'transport', 'Bus, city', -320],
      ['T6', 7, 'equipment', 'Refund from "Argos"', 123450],
      ['T8', 9, 'gambling', 'Two\r\nlines', -500],
    ],
  );
  // The batch is one ledger transaction with one entry per holding account, the net of its
  // card transactions, which all record that transaction.
  const posted = await inP((tx) =>
    sql<{ n: number; unposted: number }>`
      select count(*)::int as n, count(*) filter (where b.ledger_transaction_id is null)::int as unposted
        from card_transactions c left join statement_import_batches b using (import_id, batch_no)
       where c.import_id = ${r.importId}`.execute(tx),
  );
  assert.deepEqual(posted.rows[0], { n: 4, unposted: 0 });
  await assertPostedAsCardTransactions();

  const stored = await inP((tx) =>
    sql<{
      status: string;
      imported_count: number;
      duplicate_count: number;
      bad_count: number;
      bad_rows: { line: number }[];
    }>`
      select status, imported_count, duplicate_count, bad_count, bad_rows from statement_imports where id = ${r.importId}`.execute(
      tx,
    ),
  );
  assert.deepEqual(
    { ...stored.rows[0], bad_rows: stored.rows[0]?.bad_rows.map((b) => b.line) },
    {
      status: 'finished',
      imported_count: 4,
      duplicate_count: 1,
      bad_count: 4,
      bad_rows: [4, 5, 6, 8],
    },
  );
});

test('the same file imported again changes nothing', async () => {
  const before = await counts();
  const again = await run(CARD, 'prepaid-card', 3);
  assert.equal(again.status, 'finished');
  assert.equal(again.imported, 0);
  assert.equal(again.duplicates, 5);
  assert.equal(again.bad, 4);
  assert.deepEqual(await counts(), before);
  // Every row is there already: no batch can be written by COPY.
  assert.equal(again.batchesCopied, 0);
  assert.ok(again.batchesInserted > 0);
});

test('a bank statement: paid out and paid in, deduplicated on the bank reference', async () => {
  const file = [
    'Date,Reference,Description,Paid out,Paid in,Account',
    '02/04/2026,R-1,Direct payment,,"1,000.00",12345678',
    '03/04/2026,R-2,Wages J Smith,120.00,,12345678',
    '03/04/2026,R-2,Wages J Smith,120.00,,12345678',
    '04/04/2026,R-3,Both,1.00,2.00,12345678',
  ].join('\n');
  const r = await run(file, 'bank');
  assert.equal(r.imported, 2);
  assert.equal(r.duplicates, 1);
  // R-2 twice: a COPY would fail on the key, so the batch is inserted (first line kept).
  assert.deepEqual([r.batchesCopied, r.batchesInserted], [0, 1]);
  assert.deepEqual(r.badRows, [
    { line: 5, problems: ['Paid out and Paid in: both have an amount; a row should have one'] },
  ]);
  const c = await counts();
  assert.equal(c.bal[bankKey], 100000 - 12000);
  assert.equal(c.bal['spending:nhs'], -(100000 - 12000));
  const again = await run(file, 'bank');
  assert.equal(again.imported, 0);
  assert.deepEqual(await counts(), c);
});

test('a file without the columns of its format is refused whole, naming them', async () => {
  const before = await counts();
  const r = await run(
    'Date,Reference,Description,Paid out,Paid in,Account\n02/04/2026,R-9,x,1.00,,12345678\n',
    'prepaid-card',
  );
  assert.equal(r.status, 'refused');
  assert.equal(r.imported, 0);
  assert.match(
    r.message ?? '',
    /no "Transaction ID", "Merchant", "Amount", "MCC", "Card Number" columns/,
  );
  assert.match(r.message ?? '', /Nothing was imported/);
  assert.deepEqual(await counts(), before);
  const empty = await run('', 'bank');
  assert.equal(empty.status, 'refused');
  assert.match(empty.message ?? '', /empty/);
});

test('a row that is not UTF-8 is reported with its line; the rows around it are imported', async () => {
  const head = Buffer.from(
    'Transaction ID,Date,Card Number,Merchant,MCC,Amount\nU1,08/04/2026,5354 **** **** 0001,Caf',
  );
  const latin1 = Buffer.from([0xe9]); // "é" in Latin-1: not UTF-8
  const tail = Buffer.from(',5812,-4.00\nU2,08/04/2026,5354 **** **** 0001,Café,5812,-2.00\n');
  const r = await run(Buffer.concat([head, latin1, tail]));
  assert.equal(r.imported, 1);
  assert.deepEqual(r.badRows, [{ line: 2, problems: [NOT_UTF8] }]);
  const row = await inP((tx) =>
    sql<{
      description: string;
    }>`select description from card_transactions where provider_transaction_id = 'U2'`.execute(tx),
  );
  assert.equal(row.rows[0]?.description, 'Café');
});

test('an unknown format is refused before anything is read', async () => {
  await assert.rejects(run('x', 'no-such-format'), /There is no statement format "no-such-format"/);
});

test("a provider's own mapping: its rows are read, and a transaction imported for the account under another mapping is the same transaction", async () => {
  const mapping = readMapping(
    JSON.stringify({
      name: 'acme-card',
      label: 'Acme prepaid card',
      transactionId: 'Txn',
      date: 'Posted',
      dateFormat: 'YYYY-MM-DD',
      description: 'Payee',
      amount: { kind: 'signed', column: 'Value' },
      account: 'PAN',
    }),
  );
  assert.ok(mapping.ok);
  const file =
    'Txn,Posted,Payee,Value,PAN\nT1,2026-04-09,Gym,-5.00,5354 **** **** 0001\nACME-2,2026-04-10,Gym,-6.00,5354 **** **** 0001\n';
  const before = await counts();
  const first = await importStatement(db, {
    partnershipId: p.id,
    format: mapping.mapping,
    fileName: 'acme.csv',
    source: Readable.from([Buffer.from(file)]),
    userId: null,
    actor: 'test',
  });
  // T1 was imported before for this card through the prepaid-card mapping: the provider's id
  // names the transaction, whichever layout the file came in (migration 0011), so only ACME-2
  // is new.
  assert.deepEqual([first.imported, first.duplicates], [1, 1]);
  const after = await counts();
  assert.equal(after.bal[holdingKey], before.bal[holdingKey]! - 600);
  const again = await run(file, 'prepaid-card');
  assert.equal(again.status, 'refused');
});

test('property: any files in any batches post, per batch and holding account, the net of the new card transactions', async () => {
  // Two more cards (one NHS) and a reference no account has.
  const refs = [
    '5354 **** **** 0001',
    '5354 **** **** 0002',
    '5354 **** **** 0003',
    '5354 **** **** 0009',
  ];
  const extra = await inP((tx) =>
    ensureAccounts(tx, p.id, [
      {
        key: `holding:${personId}:prop-a`,
        kind: 'holding_account',
        name: 'Card 2',
        fundingBody: 'council',
        personId,
        reference: refs[1]!,
      },
      {
        key: `holding:${personId}:prop-b`,
        kind: 'holding_account',
        name: 'Card 3',
        fundingBody: 'nhs',
        personId,
        reference: refs[2]!,
      },
    ]),
  );
  const keyOf = [holdingKey, `holding:${personId}:prop-a`, `holding:${personId}:prop-b`];
  assert.equal(extra.size, 2);
  const row = fc.record({
    id: fc.integer({ min: 1, max: 8 }),
    card: fc.integer({ min: 0, max: 3 }),
    pence: fc.oneof(fc.integer({ min: -5000, max: -1 }), fc.integer({ min: 1, max: 5000 })),
  });
  let run_ = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.array(row, { maxLength: 12 }), { minLength: 1, maxLength: 3 }),
      fc.integer({ min: 1, max: 5 }),
      async (files, batchSize) => {
        run_++;
        const balances = async () =>
          inP((tx) => balanceByKey(tx, p.id, [...keyOf, 'spending:council', 'spending:nhs']));
        const before = await balances();
        // The model: the first amount of each (card, id) ever seen is the one kept.
        const seen = new Map<string, number>();
        const expected = new Map<string, number>(keyOf.map((k) => [k, 0]));
        for (const file of files) {
          let imported = 0;
          let duplicates = 0;
          let badCount = 0;
          const lines = ['Transaction ID,Date,Card Number,Merchant,MCC,Amount'];
          for (const x of file) {
            const pounds = `${x.pence < 0 ? '-' : ''}${String(Math.floor(Math.abs(x.pence) / 100))}.${String(Math.abs(x.pence) % 100).padStart(2, '0')}`;
            lines.push(
              `R${String(run_)}-${String(x.id)},01/05/2026,${refs[x.card]!},Shop,5411,${pounds}`,
            );
            if (x.card === 3) {
              badCount++;
              continue;
            }
            const k = `${String(x.card)}:${String(x.id)}`;
            if (seen.has(k)) {
              duplicates++;
              continue;
            }
            seen.set(k, x.pence);
            imported++;
            const key = keyOf[x.card]!;
            expected.set(key, (expected.get(key) ?? 0) + x.pence);
          }
          const r = await run(lines.join('\n') + '\n', 'prepaid-card', batchSize);
          assert.deepEqual([r.imported, r.duplicates, r.bad], [imported, duplicates, badCount]);
          assert.deepEqual(
            r.badRows.map((b) => b.line),
            file.flatMap((x, i) => (x.card === 3 ? [i + 2] : [])),
          );
        }
        const after = await balances();
        const council = (expected.get(keyOf[0]!) ?? 0) + (expected.get(keyOf[1]!) ?? 0);
        for (const k of keyOf)
          assert.equal((after.get(k) ?? 0) - (before.get(k) ?? 0), expected.get(k), k);
        assert.equal(
          (after.get('spending:council') ?? 0) - (before.get('spending:council') ?? 0),
          0 - council,
        );
        assert.equal(
          (after.get('spending:nhs') ?? 0) - (before.get('spending:nhs') ?? 0),
          0 - (expected.get(keyOf[2]!) ?? 0),
        );
        await assertPostedAsCardTransactions();
      },
    ),
    { numRuns: 25 },
  );
});

test('a batch whose new transactions net to zero on every account posts nothing and names no ledger transaction', async () => {
  const file = [
    'Transaction ID,Date,Card Number,Merchant,MCC,Amount',
    'Z1,01/06/2026,5354 **** **** 0001,Shop,5411,-7.00',
    'Z2,01/06/2026,5354 **** **** 0001,Shop refund,5411,7.00',
  ].join('\n');
  const before = await counts();
  const r = await run(file);
  assert.equal(r.imported, 2);
  const after = await counts();
  assert.equal(after.entries, before.entries);
  assert.equal(after.bal[holdingKey], before.bal[holdingKey]);
  const rows = await inP((tx) =>
    sql<{ t: string | null; n: number }>`select ledger_transaction_id as t, rows_imported as n
      from statement_import_batches where import_id = ${r.importId}`.execute(tx),
  );
  assert.deepEqual(rows.rows, [{ t: null, n: 2 }]);
  await assertPostedAsCardTransactions();
});

test('a new file is written by COPY on PostgreSQL (insert on PGlite), and the same rows in another file are duplicates', async () => {
  const file = [
    'Transaction ID,Date,Card Number,Merchant,MCC,Amount',
    'NEW-1,02/07/2026,5354 **** **** 0001,Bus,4131,-2.50',
    'NEW-2,03/07/2026,5354 **** **** 0001,Bus,4131,-2.50',
    'NEW-3,03/07/2026,5354 **** **** 0001,Refund,4131,1.00',
  ].join('\n');
  const before = await counts();
  const r = await run(file);
  assert.equal(r.imported, 3);
  assert.deepEqual([r.batchesCopied, r.batchesInserted], db.kind === 'postgres' ? [1, 0] : [0, 1]);
  assert.equal((await counts()).bal[holdingKey], before.bal[holdingKey]! - 400);
  // Another file (other bytes: the rows in another order, a merchant's name written otherwise)
  // with the same transaction ids: duplicates, however the file says them.
  const [header = '', ...lines] = file.split('\n');
  const other = [header, ...lines.reverse()].join('\n').replace(/,Bus,/g, ',Stagecoach Bus,');
  assert.notEqual(other, file);
  const again = await run(other);
  assert.deepEqual([again.imported, again.duplicates], [0, 3]);
  assert.equal((await counts()).bal[holdingKey], before.bal[holdingKey]! - 400);
  await assertPostedAsCardTransactions();
});
