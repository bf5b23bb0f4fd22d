// The ledger against a real database (PGlite, or PostgreSQL with DATABASE_URL): what the database
// itself refuses, isolation between partnerships, idempotency, reversals and recoveries. The
// model-based property test is in ledger-model.int.test.ts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import {
  asAppRoleWithoutPartnership,
  inPartnership,
  type Db,
  type Tx,
} from '../../platform/db/database.ts';
import { freshDb } from '../../../test/support/db.ts';
import {
  createPartnership,
  createPerson,
  createUser,
  type TestPartnership,
} from '../../../test/support/factories.ts';
import {
  LedgerError,
  balanceByKey,
  balances,
  ensureAccounts,
  post,
  postMany,
  recover,
  reverse,
  transactionsByKey,
  type AccountSpec,
  type LedgerErrorCode,
  type PostingInput,
} from './index.ts';
import { lines, posting, streamsOf, worldSpecs, type Stream } from './test-helpers.ts';

let db: Db;
let a: TestPartnership;
let b: TestPartnership;
let userId: string;
let world: { specs: AccountSpec[]; ids: Map<string, string>; s: [Stream, Stream] };
before(async () => {
  db = await freshDb();
  a = await createPartnership(db, 'A');
  b = await createPartnership(db, 'B');
  const personId = (await createPerson(db, a)).id;
  userId = (await createUser(db, a, ['finance_officer'])).id;
  const specs = worldSpecs(personId);
  const ids = await inA((tx) => ensureAccounts(tx, a.id, specs));
  world = { specs, ids, s: streamsOf(specs, ids) };
});
after(() => db.close());

const inA = <T>(fn: (tx: Tx) => Promise<T>) => inPartnership(db, a.id, fn);

async function refusal(p: Promise<unknown>): Promise<{ message: string; hint?: string }> {
  try {
    await p;
  } catch (e) {
    return e as { message: string; hint?: string };
  }
  return assert.fail('expected a refusal');
}
async function ledgerCode(p: Promise<unknown>): Promise<LedgerErrorCode> {
  const e = await refusal(p);
  assert.ok(e instanceof LedgerError, `a LedgerError, not ${e.message}`);
  return e.code;
}

test('accounts are created once by key; a key cannot change kind', async () => {
  const again = await inA((tx) => ensureAccounts(tx, a.id, world.specs));
  assert.deepEqual([...again.entries()].sort(), [...world.ids.entries()].sort());
  assert.equal(
    await ledgerCode(
      inA((tx) =>
        ensureAccounts(tx, a.id, [{ key: 'pot:council', kind: 'spending', name: 'Wrong' }]),
      ),
    ),
    'conflict',
  );
  const other = await inPartnership(db, b.id, (tx) =>
    ensureAccounts(tx, b.id, [{ key: 'pot:council', kind: 'stream_pot', name: 'B pot' }]),
  );
  assert.notEqual(other.get('pot:council'), world.ids.get('pot:council'));
});

test('posting, balances and idempotency: the same key twice writes once', async () => {
  const s = world.s[0];
  const input = posting('alloc:idem', lines([s.budget, 1000], [s.pot, -1000]));
  const before = await inA((tx) => balances(tx, [s.budget, s.pot]));
  const first = await inA((tx) => post(tx, a.id, { ...input, postedBy: userId }));
  const second = await inA((tx) => post(tx, a.id, input));
  assert.equal(first.created, true);
  assert.deepEqual(second, { transactionId: first.transactionId, created: false });
  const after = await inA((tx) => balances(tx, [s.budget, s.pot]));
  assert.equal(after.get(s.budget), (before.get(s.budget) ?? 0) + 1000);
  assert.equal(after.get(s.pot), (before.get(s.pot) ?? 0) - 1000);
  const entries = await inA(
    async (tx) =>
      (
        await sql<{
          n: number;
        }>`select count(*)::int as n from ledger_entries where transaction_id = ${first.transactionId}`.execute(
          tx,
        )
      ).rows[0]?.n,
  );
  assert.equal(entries, 2);
  // Reusing a key for different money is a programming error.
  assert.equal(
    await ledgerCode(
      inA((tx) => post(tx, a.id, posting('alloc:idem', lines([s.budget, 999], [s.pot, -999])))),
    ),
    'conflict',
  );
  // Within one postMany too: the repeat is not written again.
  const many = await inA((tx) =>
    postMany(tx, a.id, [
      posting('alloc:m1', lines([s.budget, 5], [s.pot, -5])),
      posting('alloc:m2', lines([s.budget, 7], [s.pot, -7])),
      posting('alloc:m1', lines([s.pot, -5], [s.budget, 5])),
      input,
    ]),
  );
  assert.deepEqual(
    many.map((r) => r.created),
    [true, true, false, false],
  );
  assert.equal(many[2]?.transactionId, many[0]?.transactionId);
  assert.equal(many[3]?.transactionId, first.transactionId);
  const byKey = await inA((tx) => transactionsByKey(tx, a.id, ['alloc:m1', 'alloc:none']));
  assert.deepEqual([...byKey.keys()], ['alloc:m1']);
  const named = await inA((tx) => balanceByKey(tx, a.id, [world.specs[2]?.key ?? '', 'no:such']));
  assert.equal(named.get(world.specs[2]?.key ?? ''), (after.get(s.budget) ?? 0) + 12);
  assert.equal(named.get('no:such'), 0);
  // The very same input twice in one call: created once.
  const same = posting('alloc:m3', lines([s.budget, 3], [s.pot, -3]));
  const twice = await inA((tx) => postMany(tx, a.id, [same, same]));
  assert.deepEqual(
    twice.map((r) => r.created),
    [true, false],
  );
});

test('a posting may name its new transaction id (a statement import records it first); a bad one is refused', async () => {
  const s = world.s[0];
  const id = randomUUID();
  const input = {
    ...posting('alloc:given-id', lines([s.budget, 700], [s.pot, -700])),
    transactionId: id,
  };
  const first = await inA((tx) => post(tx, a.id, input));
  assert.deepEqual(first, { transactionId: id, created: true });
  // The same key again: nothing written, the first transaction returned.
  const again = await inA((tx) => post(tx, a.id, { ...input, transactionId: randomUUID() }));
  assert.deepEqual(again, { transactionId: id, created: false });
  const bad = await refusal(
    inA((tx) =>
      post(tx, a.id, {
        ...posting('alloc:bad-id', lines([s.budget, 1], [s.pot, -1])),
        transactionId: 'x',
      }),
    ),
  );
  assert.equal((bad as unknown as LedgerError).code, 'invalid');
});

test('two sessions posting overlapping keys at once write each key exactly once', async () => {
  const s = world.s[0];
  const keys = Array.from({ length: 1200 }, (_, i) => `payment-line:race-${String(i)}`);
  const inputs = (ks: string[]) =>
    ks.map((k) => posting(k, lines([s.holding, 100], [s.budget, -100]), 'payment'));
  const before = (await inA((tx) => balances(tx, [s.holding]))).get(s.holding) ?? 0;
  // Overlapping halves, in opposite orders.
  const [one, two] = await Promise.all([
    inA((tx) => postMany(tx, a.id, inputs(keys.slice(0, 800)))),
    inA((tx) => postMany(tx, a.id, inputs(keys.slice(400).reverse()))),
  ]);
  const created = [...one, ...two].filter((r) => r.created).length;
  assert.equal(created, keys.length);
  const ids = await inA((tx) => transactionsByKey(tx, a.id, keys));
  assert.equal(ids.size, keys.length);
  assert.equal(one[600]?.transactionId, ids.get(keys[600] ?? ''));
  assert.equal(two[0]?.transactionId, ids.get(keys[1199] ?? ''));
  const after = (await inA((tx) => balances(tx, [s.holding]))).get(s.holding) ?? 0;
  assert.equal(after - before, 100 * keys.length);
});

test('the TypeScript check refuses bad postings before writing', async () => {
  const s = world.s[0];
  const cases: [PostingInput, LedgerErrorCode][] = [
    [posting('bad:1', lines([s.budget, 10], [s.pot, -9])), 'unbalanced'],
    [posting('bad:2', lines([s.budget, 10])), 'empty'],
    [posting('bad:3', lines([s.budget, 0], [s.pot, 0])), 'invalid'],
    [posting('bad:4', lines([s.budget, 10], ['not-an-account', -10])), 'not_found'],
    [posting('bad:5', lines([s.budget, 10], [randomUUID(), -10])), 'not_found'],
  ];
  for (const [input, code] of cases) {
    assert.equal(await ledgerCode(inA((tx) => post(tx, a.id, input))), code, input.idempotencyKey);
  }
  const written = await inA((tx) =>
    transactionsByKey(
      tx,
      a.id,
      cases.map(([i]) => i.idempotencyKey),
    ),
  );
  assert.equal(written.size, 0);
});

/** A header inserted by hand, as the application role, bypassing the TypeScript checks. */
async function rawHeader(tx: Tx, key: string, entryCount: number): Promise<string> {
  const r = await sql<{ id: string }>`
    insert into ledger_transactions (partnership_id, idempotency_key, kind, occurred_on, description, entry_count)
    values (${a.id}, ${key}, 'adjustment', '2027-04-01', 'by hand', ${entryCount}) returning id`.execute(
    tx,
  );
  const id = r.rows[0]?.id;
  assert.ok(id);
  return id;
}
async function rawEntries(tx: Tx, transactionId: string, entries: [string, number][]) {
  await sql`
    insert into ledger_entries (partnership_id, transaction_id, account_id, amount_pence)
    select ${a.id}::uuid, ${transactionId}::uuid, x, m
      from unnest(${entries.map((e) => e[0])}::uuid[], ${entries.map((e) => e[1])}::bigint[]) as u(x, m)`.execute(
    tx,
  );
}

test('the database refuses unbalanced, incomplete and appended entries, even from the app role', async () => {
  const s = world.s[1];
  const unbalanced = await refusal(
    inA(async (tx) => {
      const t = await rawHeader(tx, 'raw:unbalanced', 2);
      await rawEntries(tx, t, [
        [s.budget, 100],
        [s.pot, -90],
      ]);
    }),
  );
  assert.equal(unbalanced.hint, 'pooled:ledger_unbalanced', unbalanced.message);

  const wrongCount = await refusal(
    inA(async (tx) => {
      const t = await rawHeader(tx, 'raw:count', 3);
      await rawEntries(tx, t, [
        [s.budget, 100],
        [s.pot, -100],
      ]);
    }),
  );
  assert.equal(wrongCount.hint, 'pooled:ledger_unbalanced', wrongCount.message);

  // Half the entries in one statement and half in another: the first statement is refused.
  const split = await refusal(
    inA(async (tx) => {
      const t = await rawHeader(tx, 'raw:split', 4);
      await rawEntries(tx, t, [
        [s.budget, 100],
        [s.pot, -100],
      ]);
      await rawEntries(tx, t, [
        [s.budget, 5],
        [s.pot, -5],
      ]);
    }),
  );
  assert.equal(split.hint, 'pooled:ledger_unbalanced', split.message);

  // A header with no entries is refused when the transaction commits.
  const empty = await refusal(inA((tx) => rawHeader(tx, 'raw:empty', 2)));
  assert.equal(empty.hint, 'pooled:ledger_unbalanced', empty.message);

  // A balanced posting by hand is accepted; appending to it afterwards is refused.
  const ok = await inA(async (tx) => {
    const t = await rawHeader(tx, 'raw:ok', 2);
    await rawEntries(tx, t, [
      [s.budget, 100],
      [s.pot, -100],
    ]);
    return t;
  });
  const appended = await refusal(
    inA((tx) =>
      rawEntries(tx, ok, [
        [s.budget, 1],
        [s.pot, -1],
      ]),
    ),
  );
  assert.equal(appended.hint, 'pooled:ledger_unbalanced', appended.message);

  // An entry in partnership A cannot join a transaction or account of partnership B.
  const bAccount = await inPartnership(db, b.id, (tx) =>
    ensureAccounts(tx, b.id, [{ key: 'spending:nhs', kind: 'spending', name: 'B spent' }]),
  );
  const crossAccount = await refusal(
    inA(async (tx) => {
      const t = await rawHeader(tx, 'raw:cross', 2);
      await rawEntries(tx, t, [
        [s.budget, 100],
        [bAccount.get('spending:nhs') ?? '', -100],
      ]);
    }),
  );
  assert.equal(crossAccount.hint, 'pooled:ledger_no_account', crossAccount.message);
  const unknownAccount = await refusal(
    inA(async (tx) => {
      const t = await rawHeader(tx, 'raw:unknown', 2);
      await rawEntries(tx, t, [
        [s.budget, 100],
        [randomUUID(), -100],
      ]);
    }),
  );
  assert.equal(unknownAccount.hint, 'pooled:ledger_no_account', unknownAccount.message);
  const bPosting = await inPartnership(db, b.id, async (tx) => {
    const ids = await ensureAccounts(tx, b.id, [
      { key: 'pot:nhs', kind: 'stream_pot', name: 'B pot' },
    ]);
    return post(
      tx,
      b.id,
      posting(
        'alloc:b',
        lines([bAccount.get('spending:nhs') ?? '', 70], [ids.get('pot:nhs') ?? '', -70]),
      ),
    );
  });
  const crossTransaction = await refusal(
    inA((tx) =>
      rawEntries(tx, bPosting.transactionId, [
        [s.budget, 100],
        [s.pot, -100],
      ]),
    ),
  );
  assert.equal(crossTransaction.hint, 'pooled:ledger_no_transaction', crossTransaction.message);
  const keys = await inA((tx) =>
    transactionsByKey(tx, a.id, [
      'raw:unbalanced',
      'raw:count',
      'raw:split',
      'raw:empty',
      'raw:cross',
      'raw:unknown',
      'raw:ok',
    ]),
  );
  assert.deepEqual([...keys.keys()], ['raw:ok']);
});

test('entries, transactions and accounts cannot be updated, deleted or truncated', async () => {
  const s = world.s[0];
  const t = await inA((tx) =>
    post(tx, a.id, posting('alloc:fixed', lines([s.budget, 300], [s.pot, -300]))),
  );
  const statements = [
    `update ledger_entries set amount_pence = 1 where transaction_id = '${t.transactionId}'`,
    `delete from ledger_entries where transaction_id = '${t.transactionId}'`,
    `update ledger_transactions set description = 'changed' where id = '${t.transactionId}'`,
    `delete from ledger_transactions where id = '${t.transactionId}'`,
    `update ledger_accounts set name = 'changed' where id = '${s.budget}'`,
    `delete from ledger_accounts where id = '${s.budget}'`,
  ];
  for (const statement of statements) {
    // The application role has no such privilege…
    await refusal(inA((tx) => sql.raw(statement).execute(tx)));
    // …and even the owner is refused by the triggers.
    const e = await refusal(sql.raw(statement).execute(db.system));
    assert.equal(e.hint, 'pooled:ledger_append_only', `${statement}: ${e.message}`);
  }
  for (const table of ['ledger_entries', 'ledger_transactions', 'ledger_accounts']) {
    const e = await refusal(sql.raw(`truncate ${table} cascade`).execute(db.system));
    assert.equal(e.hint, 'pooled:ledger_append_only', `${table}: ${e.message}`);
  }
  const still = await inA(
    async (tx) =>
      (
        await sql<{ amount_pence: number }>`
          select amount_pence from ledger_entries where transaction_id = ${t.transactionId}
           order by amount_pence`.execute(tx)
      ).rows,
  );
  assert.deepEqual(still, [{ amount_pence: -300 }, { amount_pence: 300 }]);
});

test('another partnership, or none, sees no ledger rows', async () => {
  for (const table of ['ledger_accounts', 'ledger_transactions', 'ledger_entries']) {
    const countIn = async (run: (fn: (tx: Tx) => Promise<number>) => Promise<number>) =>
      run(
        async (tx) =>
          (await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(tx))
            .rows[0]?.n ?? -1,
      );
    assert.ok((await countIn(inA)) > 0, table);
    const bId = (
      await inPartnership(db, b.id, (tx) =>
        sql<{
          n: number;
        }>`select count(*)::int as n from ${sql.table(table)} where partnership_id = ${a.id}`.execute(
          tx,
        ),
      )
    ).rows[0]?.n;
    assert.equal(bId, 0, table);
    assert.equal(await countIn((fn) => asAppRoleWithoutPartnership(db, fn)), 0, table);
  }
  const fromB = await inPartnership(db, b.id, (tx) => balances(tx, [world.s[0].budget]));
  assert.equal(fromB.get(world.s[0].budget), 0);
});

test('reversals: exact negation, at most once, never of a reversal', async () => {
  const s = world.s[1];
  const before = await inA((tx) => balances(tx, [s.budget, s.holding]));
  const pay = await inA((tx) =>
    post(tx, a.id, {
      ...posting('payment-line:rev', lines([s.holding, 2500], [s.budget, -2500]), 'payment'),
      lines: [
        { accountId: s.holding, amountPence: 2500, sourceRef: 'line:rev' },
        { accountId: s.budget, amountPence: -2500, sourceRef: 'line:rev' },
      ],
    }),
  );
  const opts = (key: string) => ({
    idempotencyKey: key,
    occurredOn: '2027-04-02',
    reason: 'paid in error',
  });
  const rev = await inA((tx) =>
    reverse(tx, a.id, pay.transactionId, { ...opts('rev:1'), postedBy: userId }),
  );
  assert.equal(rev.created, true);
  assert.deepEqual(await inA((tx) => balances(tx, [s.budget, s.holding])), before);
  const refs = await inA(
    async (tx) =>
      (
        await sql<{ source_ref: string | null; amount_pence: number }>`
          select source_ref, amount_pence from ledger_entries where transaction_id = ${rev.transactionId} order by amount_pence`.execute(
          tx,
        )
      ).rows,
  );
  assert.deepEqual(refs, [
    { source_ref: 'line:rev', amount_pence: -2500 },
    { source_ref: 'line:rev', amount_pence: 2500 },
  ]);
  assert.deepEqual(await inA((tx) => reverse(tx, a.id, pay.transactionId, opts('rev:1'))), {
    transactionId: rev.transactionId,
    created: false,
  });
  assert.equal(
    await ledgerCode(inA((tx) => reverse(tx, a.id, pay.transactionId, opts('rev:2')))),
    'already_reversed',
  );
  assert.equal(
    await ledgerCode(inA((tx) => reverse(tx, a.id, rev.transactionId, opts('rev:3')))),
    'not_reversible',
  );
  assert.equal(
    await ledgerCode(inA((tx) => reverse(tx, a.id, randomUUID(), opts('rev:4')))),
    'not_found',
  );
  assert.equal(
    await ledgerCode(inA((tx) => reverse(tx, a.id, 'nonsense', opts('rev:5')))),
    'not_found',
  );
  // From another partnership the transaction does not exist.
  assert.equal(
    await ledgerCode(
      inPartnership(db, b.id, (tx) => reverse(tx, b.id, pay.transactionId, opts('rev:6'))),
    ),
    'not_found',
  );

  // By hand: a second reversal, a reversal of a reversal and an inexact reversal are refused.
  const other = await inA((tx) =>
    post(tx, a.id, posting('alloc:rev-target', lines([s.budget, 40], [s.pot, -40]))),
  );
  const rawReversal = (key: string, of: string, entries: [string, number][]) =>
    inA(async (tx) => {
      const r = await sql<{ id: string }>`
        insert into ledger_transactions (partnership_id, idempotency_key, kind, occurred_on, description, entry_count, reverses_id)
        values (${a.id}, ${key}, 'reversal', '2027-04-01', 'by hand', ${entries.length}, ${of}) returning id`.execute(
        tx,
      );
      await rawEntries(tx, r.rows[0]?.id ?? '', entries);
    });
  const inexact = await refusal(
    rawReversal('raw-rev:1', other.transactionId, [
      [s.budget, -39],
      [s.pot, 39],
    ]),
  );
  assert.equal(inexact.hint, 'pooled:ledger_reversal', inexact.message);
  const wrongAccount = await refusal(
    rawReversal('raw-rev:2', other.transactionId, [
      [s.holding, -40],
      [s.pot, 40],
    ]),
  );
  assert.equal(wrongAccount.hint, 'pooled:ledger_reversal', wrongAccount.message);
  const ofReversal = await refusal(
    rawReversal('raw-rev:3', rev.transactionId, [
      [s.holding, 2500],
      [s.budget, -2500],
    ]),
  );
  assert.equal(ofReversal.hint, 'pooled:ledger_reversal', ofReversal.message);
  await refusal(
    rawReversal('raw-rev:4', pay.transactionId, [
      [s.holding, -2500],
      [s.budget, 2500],
    ]),
  );
  await rawReversal('raw-rev:5', other.transactionId, [
    [s.budget, -40],
    [s.pot, 40],
  ]);
});

test('a recovery larger than the balance held is refused and writes nothing', async () => {
  const s = world.s[0];
  await inA((tx) =>
    post(
      tx,
      a.id,
      posting('payment-line:rec', lines([s.holding, 800], [s.budget, -800]), 'payment'),
    ),
  );
  const held = (await inA((tx) => balances(tx, [s.holding]))).get(s.holding) ?? 0;
  const rec = (key: string, amountPence: number) =>
    inA((tx) =>
      recover(tx, a.id, {
        idempotencyKey: key,
        occurredOn: '2027-05-01',
        description: 'Recovery of unspent funds',
        holdingAccountId: s.holding,
        recoveriesAccountId: s.recoveries,
        amountPence,
      }),
    );
  assert.equal(await ledgerCode(rec('recovery:1', held + 1)), 'insufficient');
  assert.equal(await ledgerCode(rec('recovery:1', 0)), 'invalid');
  assert.equal((await rec('recovery:1', held)).created, true);
  // The same recovery again is a harmless retry, even though the balance is now zero.
  assert.equal((await rec('recovery:1', held)).created, false);
  assert.equal((await inA((tx) => balances(tx, [s.holding]))).get(s.holding), 0);
});
