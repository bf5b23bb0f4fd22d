// The model-based property test the issue asks for: random sequences of allocate, pay, import,
// reverse and recover against the real store and database and, step by step, against the
// in-memory model ledger; after every step the ledger sums to zero, there is one transaction
// per idempotency key, and every balance equals the model's.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { sql } from 'kysely';
import { inPartnership, type Db, type Tx } from '../../platform/db/database.ts';
import { freshDb } from '../../../test/support/db.ts';
import { createPartnership, createPerson } from '../../../test/support/factories.ts';
import {
  LedgerError,
  ModelLedger,
  balances,
  ensureAccounts,
  post,
  reverse,
  type PostingInput,
} from './index.ts';
import { lines, posting, streamsOf, worldSpecs } from './test-helpers.ts';

let db: Db;
before(async () => {
  db = await freshDb();
});
after(() => db.close());

type Command =
  | { op: 'allocate'; stream: 0 | 1; amount: number }
  | { op: 'pay'; stream: 0 | 1; line: number }
  | { op: 'import'; stream: 0 | 1; amounts: number[] }
  | { op: 'reverse'; pick: number; retryKey: boolean }
  | { op: 'recover'; stream: 0 | 1; share: number };

const stream = fc.constantFrom<0 | 1>(0, 1);
const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({
    op: fc.constant('allocate' as const),
    stream,
    amount: fc.integer({ min: 1, max: 500_000 }),
  }),
  fc.record({ op: fc.constant('pay' as const), stream, line: fc.integer({ min: 0, max: 3 }) }),
  fc.record({
    op: fc.constant('import' as const),
    stream,
    // Spends (positive) and refunds (negative), in pence.
    amounts: fc.array(
      fc.integer({ min: -5_000, max: 20_000 }).filter((n) => n !== 0),
      { minLength: 1, maxLength: 6 },
    ),
  }),
  fc.record({ op: fc.constant('reverse' as const), pick: fc.nat(), retryKey: fc.boolean() }),
  // A share of the balance held: over 1 asks for more than there is.
  fc.record({ op: fc.constant('recover' as const), stream, share: fc.constantFrom(0.25, 1, 1.5) }),
);

test('model-based: after every allocate, pay, import, reverse or recover the ledger sums to zero and matches the model', async (t) => {
  let run = 0;
  const seen = new Map<string, number>(); // outcome → how often, reported below
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.integer({ min: 1, max: 90_000 }), { minLength: 4, maxLength: 4 }),
      fc.array(command, { minLength: 10, maxLength: 30 }),
      async (lineAmounts, commands) => {
        run += 1;
        // A fresh partnership per run: the ledger is append-only, so it cannot be reset.
        const p = await createPartnership(db, `Model ${String(run)}`);
        const person = (await createPerson(db, p)).id;
        const inP = <T>(fn: (tx: Tx) => Promise<T>) => inPartnership(db, p.id, fn);
        const specs = worldSpecs(person);
        const ids = await inP((tx) => ensureAccounts(tx, p.id, specs));
        const streams = streamsOf(specs, ids);
        const accounts = [...ids.values()];
        const model = new ModelLedger();
        const idOf = new Map<string, string>(); // idempotency key → transaction id
        const keyOf = new Map<string, string>(); // transaction id → idempotency key

        for (const [i, c] of commands.entries()) {
          let expected: ReturnType<ModelLedger['post']>;
          let actual: Promise<{ transactionId: string; created: boolean }>;
          let key: string;
          if (c.op === 'reverse') {
            const keys = model.keys();
            if (keys.length === 0) continue;
            const original = keys[c.pick % keys.length] ?? '';
            key = c.retryKey ? `reversal-of:${original}` : `reversal:${String(i)}`;
            const opts = { idempotencyKey: key, occurredOn: '2027-06-01', reason: 'a mistake' };
            expected = model.reverse(original, opts);
            actual = inP((tx) => reverse(tx, p.id, idOf.get(original) ?? '', opts));
          } else {
            const s = streams[c.stream];
            let input: PostingInput;
            if (c.op === 'allocate') {
              key = `allocation:${String(i)}`;
              input = posting(key, lines([s.budget, c.amount], [s.pot, -c.amount]));
            } else if (c.op === 'pay') {
              // The same schedule line always pays the same amount: a repeat is a retry.
              const amount = lineAmounts[c.line] ?? 1;
              key = `payment-line:${String(c.stream)}:${String(c.line)}`;
              input = posting(key, lines([s.holding, amount], [s.budget, -amount]), 'payment');
            } else if (c.op === 'import') {
              key = `import:${String(i)}:1`;
              input = posting(
                key,
                c.amounts.flatMap((amount, n) => [
                  {
                    accountId: s.holding,
                    amountPence: -amount,
                    sourceRef: `card:${String(i)}-${String(n)}`,
                  },
                  {
                    accountId: s.spending,
                    amountPence: amount,
                    sourceRef: `card:${String(i)}-${String(n)}`,
                  },
                ]),
                'spend',
              );
            } else {
              const held = model.balance(s.holding);
              const amount = Math.max(1, Math.floor(held * c.share));
              key = `recovery:${String(i)}`;
              input = {
                ...posting(key, lines([s.holding, -amount], [s.recoveries, amount]), 'recovery'),
                nonNegative: [s.holding],
              };
            }
            expected = model.post(input);
            actual = inP((tx) => post(tx, p.id, input));
          }
          let outcome: ReturnType<ModelLedger['post']>;
          try {
            const r = await actual;
            outcome = { ok: true, created: r.created };
            if (r.created) {
              idOf.set(key, r.transactionId);
              keyOf.set(r.transactionId, key);
            } else {
              assert.equal(keyOf.get(r.transactionId), key, `${c.op}: the existing transaction`);
            }
          } catch (e) {
            if (!(e instanceof LedgerError)) throw e;
            outcome = { ok: false, code: e.code };
          }
          assert.deepEqual(outcome, expected, `step ${String(i)}: ${JSON.stringify(c)}`);
          const name = `${c.op} ${outcome.ok ? (outcome.created ? 'created' : 'retry') : outcome.code}`;
          seen.set(name, (seen.get(name) ?? 0) + 1);

          const [bal, total, count] = await inP(
            async (tx) =>
              [
                await balances(tx, accounts),
                (
                  await sql<{
                    t: number;
                  }>`select coalesce(sum(amount_pence), 0)::bigint as t from ledger_entries`.execute(
                    tx,
                  )
                ).rows[0]?.t,
                (
                  await sql<{
                    n: number;
                  }>`select count(*)::int as n from ledger_transactions`.execute(tx)
                ).rows[0]?.n,
              ] as const,
          );
          assert.equal(total, 0, 'the ledger sums to zero');
          assert.equal(count, model.keys().length, 'one transaction per key, never two');
          for (const account of accounts) {
            assert.equal(
              bal.get(account),
              model.balance(account),
              `balance after step ${String(i)}`,
            );
          }
        }
      },
    ),
    { numRuns: 40 },
  );
  t.diagnostic(
    [...seen]
      .sort()
      .map(([name, n]) => `${name}: ${String(n)}`)
      .join(', '),
  );
});
