// The set-up the statement import tests share: a fresh database, a partnership with one person
// who has a prepaid card (council) and a bank account (NHS) as holding accounts, an import helper
// that feeds the file in small chunks, the balances, and the ledger-shape check.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { sql } from 'kysely';
import { inPartnership, type Db, type Tx } from '../../platform/db/database.ts';
import { freshDb } from '../../../test/support/db.ts';
import {
  createPartnership,
  createPerson,
  type TestPartnership,
} from '../../../test/support/factories.ts';
import { balanceByKey, ensureAccounts } from '../ledger/index.ts';
import { importStatement, type ImportResult } from './import.ts';

export async function importFixture() {
  const db: Db = await freshDb();
  const p: TestPartnership = await createPartnership(db, 'S');
  const personId = (await createPerson(db, p)).id;
  const holdingKey = `holding:${personId}:social-care`;
  const bankKey = `holding:${personId}:nhs-phb`;
  const inP = <T>(fn: (tx: Tx) => Promise<T>) => inPartnership(db, p.id, fn);
  await inP((tx) =>
    ensureAccounts(tx, p.id, [
      {
        key: holdingKey,
        kind: 'holding_account',
        name: 'Prepaid card',
        fundingBody: 'council',
        personId,
        reference: '5354 **** **** 0001',
      },
      {
        key: bankKey,
        kind: 'holding_account',
        name: 'Bank account',
        fundingBody: 'nhs',
        personId,
        reference: '12345678',
      },
    ]),
  );

  function run(
    text: string | Uint8Array,
    format = 'prepaid-card',
    batchSize?: number,
  ): Promise<ImportResult> {
    const bytes = typeof text === 'string' ? Buffer.from(text) : Buffer.from(text);
    // Small chunks, so records cross chunk boundaries.
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 7) chunks.push(bytes.subarray(i, i + 7));
    return importStatement(db, {
      partnershipId: p.id,
      format,
      fileName: 'statement.csv',
      source: Readable.from(chunks),
      userId: null,
      actor: 'test',
      ...(batchSize ? { batchSize } : {}),
    });
  }

  async function counts() {
    return inP(async (tx) => {
      const cards = await sql<{
        n: number;
      }>`select count(*)::int as n from card_transactions`.execute(tx);
      const entries = await sql<{
        n: number;
      }>`select count(*)::int as n from ledger_entries`.execute(tx);
      const bal = await balanceByKey(tx, p.id, [
        holdingKey,
        bankKey,
        'spending:council',
        'spending:nhs',
      ]);
      return { cards: cards.rows[0]?.n, entries: entries.rows[0]?.n, bal: Object.fromEntries(bal) };
    });
  }

  /**
   * The ledger shape of imports (decision 0016), over everything imported so far: for every
   * (ledger transaction, holding account), the entry equals the sum of that account's card
   * transactions posted in it (no entry when they net to zero); every card transaction names the
   * ledger transaction of its batch ('import:<import>:<batch>'), or none when the whole batch
   * netted to zero on every account.
   */
  async function assertPostedAsCardTransactions() {
    const r = await inP((tx) =>
      sql<{
        mismatched: number;
        wrong_key: number;
        null_not_zero: number;
        batch_counts: number;
        entries: number;
      }>`
      with ct as (
        select c.*, b.ledger_transaction_id from card_transactions c
          left join statement_import_batches b using (import_id, batch_no)),
      cards as (
        select ledger_transaction_id as t, holding_account_id as a, sum(amount_pence) as s
          from ct where ledger_transaction_id is not null group by 1, 2),
      entries as (
        select e.transaction_id as t, e.account_id as a, sum(e.amount_pence) as s
          from ledger_entries e join ledger_accounts acc on acc.id = e.account_id
         where acc.kind = 'holding_account'
           and e.transaction_id in (select ledger_transaction_id from statement_import_batches)
         group by 1, 2)
      select
        (select count(*)::int from cards full join entries using (t, a)
          where coalesce(cards.s, 0) <> coalesce(entries.s, 0)) as mismatched,
        (select count(*)::int from statement_import_batches b
           left join ledger_transactions t on t.id = b.ledger_transaction_id
          where b.ledger_transaction_id is not null
            and (t.idempotency_key is distinct from 'import:' || b.import_id || ':' || b.batch_no
                 or t.kind <> 'spend')) as wrong_key,
        (select count(*)::int from (select import_id, batch_no, holding_account_id
            from ct where ledger_transaction_id is null
           group by 1, 2, 3 having sum(amount_pence) <> 0) z) as null_not_zero,
        -- every batch row counts its card transactions, and every card transaction has one
        (select count(*)::int from statement_import_batches b
           full join (select import_id, batch_no, count(*)::int as n from card_transactions
                       group by 1, 2) c using (import_id, batch_no)
          where b.rows_imported is distinct from c.n) as batch_counts,
        (select count(*)::int from entries) as entries`.execute(tx),
    );
    const x = r.rows[0];
    assert.ok(x);
    assert.deepEqual(
      {
        mismatched: x.mismatched,
        wrongKey: x.wrong_key,
        nullNotZero: x.null_not_zero,
        batchCounts: x.batch_counts,
      },
      { mismatched: 0, wrongKey: 0, nullNotZero: 0, batchCounts: 0 },
    );
  }
  return {
    db,
    p,
    personId,
    holdingKey,
    bankKey,
    inP,
    run,
    counts,
    assertPostedAsCardTransactions,
  };
}

export type ImportFixture = Awaited<ReturnType<typeof importFixture>>;
