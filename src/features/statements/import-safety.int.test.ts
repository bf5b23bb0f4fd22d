// Statement imports: what the database refuses (rows for another partnership's account, or with no
// partnership set, to the import's role and the app's), the same file imported twice at once,
// and a card the account had before.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { inPartnership } from '../../platform/db/database.ts';
import { createPartnership, createPerson } from '../../../test/support/factories.ts';
import { ensureAccounts } from '../ledger/index.ts';
import { sql } from 'kysely';
import type { Db, Tx } from '../../platform/db/database.ts';
import type { TestPartnership } from '../../../test/support/factories.ts';
import { importFixture, type ImportFixture } from './import.int-support.ts';

let db: Db;
let p: TestPartnership;
let personId: string;
let holdingKey: string;
let inP: <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>;
let run: ImportFixture['run'];
let counts: ImportFixture['counts'];
let assertPostedAsCardTransactions: ImportFixture['assertPostedAsCardTransactions'];
before(async () => {
  ({ db, p, personId, holdingKey, inP, run, counts, assertPostedAsCardTransactions } =
    await importFixture());
});
after(() => db.close());

test("the database refuses card transactions on another partnership's account, or with no partnership set, to the import's role and the app's", async () => {
  const q = await createPartnership(db, 'S2');
  const qPerson = (await createPerson(db, q)).id;
  const qAccount = await inPartnership(db, q.id, async (tx) => {
    const ids = await ensureAccounts(tx, q.id, [
      {
        key: `holding:${qPerson}:social-care`,
        kind: 'holding_account',
        name: 'Prepaid card',
        fundingBody: 'council',
        personId: qPerson,
        reference: '5354 **** **** 7777',
      },
    ]);
    return ids.get(`holding:${qPerson}:social-care`)!;
  });
  // An import of ours for the rows to name.
  const mine = await run(
    'Transaction ID,Date,Card Number,Merchant,MCC,Amount\nS-1,01/07/2026,5354 **** **** 0001,Gym,7997,-5.00\n',
  );
  assert.equal(mine.imported, 1);
  const ours = await inP(async (tx) => {
    const a = await sql<{ id: string }>`select id from ledger_accounts
      where reference = '5354 **** **** 0001'`.execute(tx);
    return { account: a.rows[0]!.id, importId: mine.importId };
  });
  const row = (partnership: string, account: string, txn: string) =>
    sql`insert into card_transactions (id, partnership_id, import_id, holding_account_id,
          batch_no, line_no, occurred_on, amount_pence, provider_transaction_id, description)
        values (gen_random_uuid(), ${partnership}::uuid, ${ours.importId}::uuid,
          ${account}::uuid, 1, 1, '2026-07-01', -100, ${txn}, 'test')`;
  const attempt = (role: string, partnership: string | null, stmt: ReturnType<typeof row>) =>
    db.system.transaction().execute(async (tx) => {
      await sql`select set_config('role', ${role}, true),
                       set_config('pooled.partnership_id', ${partnership ?? ''}, true)`.execute(tx);
      await stmt.execute(tx);
    });
  const cases: [string, string, string | null, ReturnType<typeof row>, RegExp][] = [
    // our partnership set, the row claims it, but the account is Q's
    [
      'writer, own partnership, their account',
      'pooled_statement_writer',
      p.id,
      row(p.id, qAccount, 'X1'),
      /not in partnership/,
    ],
    // the row claims Q while P is set: Q's account is not visible
    [
      'writer, row for the other partnership',
      'pooled_statement_writer',
      p.id,
      row(q.id, qAccount, 'X2'),
      /not in partnership/,
    ],
    [
      'writer, no partnership set',
      'pooled_statement_writer',
      null,
      row(p.id, ours.account, 'X3'),
      /not in partnership/,
    ],
    [
      'app, own partnership, their account',
      'pooled_app',
      p.id,
      row(p.id, qAccount, 'X4'),
      /not in partnership/,
    ],
    [
      'app, row for the other partnership',
      'pooled_app',
      p.id,
      row(q.id, qAccount, 'X5'),
      /row-level security/,
    ],
  ];
  for (const [name, role, partnership, stmt, error] of cases)
    await assert.rejects(attempt(role, partnership, stmt), error, name);
  // The import's role can do nothing else: it cannot read people or write the ledger.
  await assert.rejects(
    attempt('pooled_statement_writer', p.id, sql`select count(*) from people`),
    /permission denied/,
  );
  await assert.rejects(
    attempt('pooled_statement_writer', p.id, sql`delete from card_transactions`),
    /append-only/,
  );
  // The same row on its own account, with its partnership set, is accepted (then undone).
  await assert.rejects(
    db.system.transaction().execute(async (tx) => {
      await sql`select set_config('role', 'pooled_statement_writer', true),
                       set_config('pooled.partnership_id', ${p.id}, true)`.execute(tx);
      await row(p.id, ours.account, 'X6').execute(tx);
      throw new Error('accepted');
    }),
    /accepted/,
  );
});

test('the same file imported twice at once: each transaction written once, by one import or the other', async () => {
  const lines = ['Transaction ID,Date,Card Number,Merchant,MCC,Amount'];
  for (let i = 0; i < 3000; i++)
    lines.push(
      `PAR-${String(i)},${String(1 + (i % 28)).padStart(2, '0')}/08/2026,5354 **** **** ${i % 2 ? '0001' : '0077'},Shop ${String(i % 7)},5411,-${String(1 + (i % 50))}.00`,
    );
  // Card 0077 (another person's, made here) so that both parts of a batch have rows.
  const other = (await createPerson(db, p)).id;
  await inP((tx) =>
    ensureAccounts(tx, p.id, [
      {
        key: `holding:${other}:social-care`,
        kind: 'holding_account',
        name: 'Prepaid card',
        fundingBody: 'council',
        personId: other,
        reference: '5354 **** **** 0077',
      },
    ]),
  );
  const file = lines.join('\n');
  const before = await counts();
  const [a, b] = await Promise.all([
    run(file, 'prepaid-card', 500),
    run(file, 'prepaid-card', 700),
  ]);
  assert.equal(a.status, 'finished');
  assert.equal(b.status, 'finished');
  assert.equal(a.imported + b.imported, 3000);
  assert.equal(a.duplicates + b.duplicates, 3000);
  const after = await counts();
  assert.equal(after.cards! - before.cards!, 3000);
  const spent = lines.slice(1).reduce((s, l) => s + Number(l.split(',').at(-1)) * 100, 0);
  const card1 = lines
    .slice(1)
    .filter((l) => l.includes('0001,'))
    .reduce((s, l) => s + Number(l.split(',').at(-1)) * 100, 0);
  assert.equal(after.bal[holdingKey]! - before.bal[holdingKey]!, card1);
  assert.equal(after.bal['spending:council']! - before.bal['spending:council']!, -spent);
  await assertPostedAsCardTransactions();
});

test('a card the account had before (replaced since) still finds its account; one two accounts had finds neither', async () => {
  const ids = await inP(async (tx) => {
    const r = await sql<{ id: string; reference: string }>`
      select id, reference from ledger_accounts
       where reference in ('5354 **** **** 0001', '12345678') and kind = 'holding_account'
       order by reference`.execute(tx);
    const card = r.rows.find((x) => x.reference === '5354 **** **** 0001')!.id;
    const bank = r.rows.find((x) => x.reference === '12345678')!.id;
    const had = (account: string, reference: string) =>
      sql`insert into payment_accounts (partnership_id, holding_account_id, person_id, kind,
            payee_name, card_reference)
          values (${p.id}, ${account}, ${personId}, 'card', 'Sam', ${reference})`.execute(tx);
    await had(card, 'OLD CARD 1111');
    await had(card, 'SHARED 2222');
    await had(bank, 'SHARED 2222');
    return { card };
  });
  const before = await counts();
  const r = await run(
    [
      'Transaction ID,Date,Card Number,Merchant,MCC,Amount',
      'OLD-1,01/09/2026,OLD CARD 1111,Tesco Stores,5411,-4.00',
      'OLD-2,02/09/2026,SHARED 2222,Tesco Stores,5411,-5.00',
    ].join('\n'),
  );
  assert.equal(r.imported, 1);
  assert.deepEqual(r.badRows, [
    {
      line: 3,
      problems: [
        'Card Number: no direct payment account in Pooled has the reference "SHARED 2222"',
      ],
    },
  ]);
  const after = await counts();
  assert.equal(after.bal[holdingKey]! - before.bal[holdingKey]!, -400);
  const stored = await inP((tx) =>
    sql<{ account: string }>`select holding_account_id as account from card_transactions
      where provider_transaction_id = 'OLD-1'`.execute(tx),
  );
  assert.deepEqual(stored.rows, [{ account: ids.card }]);
  await assertPostedAsCardTransactions();
});
