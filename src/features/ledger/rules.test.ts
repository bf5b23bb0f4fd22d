import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  LedgerError,
  ModelLedger,
  netByAccount,
  reversalLines,
  reversalOf,
  sameMoney,
  validatePosting,
  type PostingInput,
  type PostingLine,
} from './rules.ts';

const posting = (lines: PostingLine[], key = 'k1'): PostingInput => ({
  idempotencyKey: key,
  kind: 'allocation',
  occurredOn: '2027-04-01',
  description: 'Period 1',
  lines,
});
const line = (accountId: string, amountPence: number): PostingLine => ({ accountId, amountPence });

function codeOf(fn: () => void): string | null {
  try {
    fn();
    return null;
  } catch (e) {
    if (e instanceof LedgerError) return e.code;
    throw e;
  }
}

test('a posting is refused unless it has two or more whole, non-zero lines summing to zero', () => {
  const max = Number.MAX_SAFE_INTEGER;
  const cases: [string, PostingInput, string | null][] = [
    ['balanced', posting([line('a', 100), line('b', -100)]), null],
    ['three lines', posting([line('a', 100), line('b', -60), line('c', -40)]), null],
    ['same account twice', posting([line('a', 5), line('a', -5)]), null],
    [
      'the largest safe amounts',
      posting([line('a', max), line('b', max), line('c', -max), line('d', -max)]),
      null,
    ],
    ['unbalanced by a penny', posting([line('a', 100), line('b', -99)]), 'unbalanced'],
    [
      'unsafe amounts that round to balance',
      posting([line('a', 2 ** 53), line('b', -(2 ** 53))]),
      'invalid',
    ],
    ['no lines', posting([]), 'empty'],
    ['one line', posting([line('a', 0 + 1)]), 'empty'],
    ['a zero line', posting([line('a', 0), line('b', 100), line('c', -100)]), 'invalid'],
    ['fractional pence', posting([line('a', 0.5), line('b', -0.5)]), 'invalid'],
    ['NaN', posting([line('a', Number.NaN), line('b', 1)]), 'invalid'],
    ['blank key', posting([line('a', 1), line('b', -1)], '  '), 'invalid'],
    [
      'bad date',
      { ...posting([line('a', 1), line('b', -1)]), occurredOn: '2027-02-30' },
      'invalid',
    ],
  ];
  for (const [name, input, code] of cases)
    assert.equal(
      codeOf(() => validatePosting(input)),
      code,
      name,
    );
});

const amount = fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }).filter((n) => n !== 0);
const account: fc.Arbitrary<string> = fc.constantFrom('a', 'b', 'c', 'd', 'e');
/** A balanced set of lines: random lines plus one that brings the total back to zero. */
const balancedLines: fc.Arbitrary<PostingLine[]> = fc
  .array<PostingLine>(fc.record({ accountId: account, amountPence: amount }), {
    minLength: 1,
    maxLength: 8,
  })
  .chain((lines): fc.Arbitrary<PostingLine[]> => {
    const rest = -lines.reduce((s, l) => s + l.amountPence, 0);
    return rest === 0
      ? fc.constant([...lines, line('a', 7), line('b', -7)])
      : account.map((a) => [...lines, line(a, rest)]);
  });

test('any balanced set of lines is accepted; changing one amount makes it unbalanced', () => {
  fc.assert(
    fc.property(balancedLines, fc.nat(), amount, (lines, i, delta) => {
      validatePosting(posting(lines));
      const j = i % lines.length;
      const changed = lines.map((l, k) =>
        k === j ? { ...l, amountPence: l.amountPence + delta } : l,
      );
      const code = codeOf(() => validatePosting(posting(changed)));
      assert.equal(code, changed[j]!.amountPence === 0 ? 'invalid' : 'unbalanced');
    }),
  );
});

test('a reversal negates every line, balances, and nets every account to zero with the original', () => {
  fc.assert(
    fc.property(balancedLines, (lines) => {
      const rev = reversalOf(
        { description: 'Pay', lines },
        { idempotencyKey: 'r', occurredOn: '2027-05-01', reason: 'paid twice' },
      );
      validatePosting(rev);
      assert.equal(rev.kind, 'reversal');
      assert.deepEqual(
        rev.lines.map((l) => l.amountPence),
        lines.map((l) => -l.amountPence),
      );
      assert.equal(netByAccount([...lines, ...rev.lines]).size, 0);
      assert.deepEqual(
        reversalLines(rev.lines).map((l) => l.amountPence),
        lines.map((l) => l.amountPence),
      );
    }),
  );
});

test('the same money is the same lines in any order, whatever the sources', () => {
  fc.assert(
    fc.property(balancedLines, fc.integer(), (lines, seed) => {
      const shuffled = [...lines]
        .map((l, i) => ({ l: { ...l, sourceRef: `s${String(i)}` }, k: (i * 7919 + seed) % 101 }))
        .sort((x, y) => x.k - y.k)
        .map((x) => x.l);
      assert.ok(sameMoney(lines, shuffled));
      // One amount a penny different (the totals differ, so the lines cannot match).
      assert.ok(
        !sameMoney(
          lines,
          lines.map((l, k) => (k === 0 ? { ...l, amountPence: l.amountPence + 1 } : l)),
        ),
      );
      assert.ok(!sameMoney(lines, lines.slice(1)));
    }),
  );
  assert.ok(
    !sameMoney(
      [line('a', 1), line('a', 1), line('b', -2)],
      [line('a', 1), line('b', -1), line('b', -1)],
    ),
  );
});

test('the model ledger: idempotent keys, reversal rules, no overdrawing, always summing to zero', () => {
  const m = new ModelLedger();
  assert.deepEqual(m.post(posting([line('pot', -500), line('budget', 500)], 'alloc')), {
    ok: true,
    created: true,
  });
  assert.deepEqual(m.post(posting([line('pot', -500), line('budget', 500)], 'alloc')), {
    ok: true,
    created: false,
  });
  assert.deepEqual(m.post(posting([line('pot', -400), line('budget', 400)], 'alloc')), {
    ok: false,
    code: 'conflict',
  });
  assert.deepEqual(m.post(posting([line('pot', -1), line('budget', 2)], 'bad')), {
    ok: false,
    code: 'unbalanced',
  });
  assert.equal(m.balance('budget'), 500);
  const recover = (n: number, key: string) =>
    m.post({ ...posting([line('budget', -n), line('rec', n)], key), nonNegative: ['budget'] });
  assert.deepEqual(recover(501, 'r1'), { ok: false, code: 'insufficient' });
  assert.deepEqual(recover(500, 'r1'), { ok: true, created: true });
  assert.equal(m.balance('budget'), 0);
  const opts = (key: string) => ({
    idempotencyKey: key,
    occurredOn: '2027-05-01',
    reason: 'wrong',
  });
  assert.deepEqual(m.reverse('nothing', opts('x')), { ok: false, code: 'not_found' });
  assert.deepEqual(m.reverse('r1', opts('alloc')), { ok: false, code: 'conflict' });
  assert.deepEqual(m.reverse('r1', opts('rev-r1')), { ok: true, created: true });
  assert.deepEqual(m.reverse('r1', opts('rev-r1')), { ok: true, created: false });
  assert.deepEqual(m.reverse('r1', opts('rev-r1-again')), { ok: false, code: 'already_reversed' });
  assert.deepEqual(m.reverse('rev-r1', opts('rev-rev')), { ok: false, code: 'not_reversible' });
  assert.equal(m.balance('budget'), 500);
  assert.equal(m.balance('rec'), 0);
  assert.equal(m.total(), 0);
});

test('the model ledger sums to zero after any sequence of balanced postings and reversals', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(balancedLines, fc.boolean(), fc.nat()), { maxLength: 20 }),
      (steps) => {
        const m = new ModelLedger();
        steps.forEach(([lines, rev, pick], i) => {
          if (rev && m.keys().length > 0) {
            const keys = m.keys();
            m.reverse(keys[pick % keys.length]!, {
              idempotencyKey: `rev${String(i)}`,
              occurredOn: '2027-05-01',
              reason: 'r',
            });
          } else {
            m.post(posting(lines, `k${String(i)}`));
          }
          assert.equal(m.total(), 0);
        });
      },
    ),
  );
});
