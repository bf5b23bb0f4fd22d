import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { CivilDate } from '../../platform/dates.ts';
import {
  checkRecovery,
  DEFAULT_SETTINGS,
  evaluate,
  QUIET_DAYS,
  recoveryNotice,
  transactionIdsOf,
  type AccountPosition,
  type FlagHistory,
  type SpendTransaction,
} from './rules.ts';

const today = '2026-06-30' as CivilDate;
const d = (s: string) => s as CivilDate;

function position(over: Partial<AccountPosition> = {}): AccountPosition {
  return {
    personId: 'p1',
    holdingAccountId: 'h1',
    body: 'council',
    balancePence: 10_000,
    weeklyPaymentPence: 5_000,
    lastActivityOn: d('2026-06-20'),
    planCategories: ['transport', 'leisure'],
    recentSpending: [],
    ...over,
  };
}
const spend = (
  id: string,
  category: string | null,
  amountPence = -1000,
  planItemId: string | null = null,
): SpendTransaction => ({
  id,
  occurredOn: d('2026-06-10'),
  description: `Shop ${id}`,
  amountPence,
  category,
  planItemId,
});
const kinds = (p: AccountPosition, history: FlagHistory[] = []) =>
  evaluate(p, DEFAULT_SETTINGS, today, history).map((f) => f.kind);

test('most accounts raise nothing', () => {
  assert.deepEqual(kinds(position()), []);
  assert.deepEqual(
    kinds(
      position({
        recentSpending: [spend('a', 'transport'), spend('b', null), spend('c', 'therapy', 500)],
      }),
    ),
    [],
  );
});

test('balance above N weeks of payments, with the recovery that brings it back to N weeks', () => {
  const cases: [number, number | null, boolean][] = [
    [40_000, 5_000, false], // exactly 8 weeks
    [40_001, 5_000, true],
    [1_000_000, null, false], // no schedule: no threshold
    [1_000_000, 0, false],
  ];
  for (const [balance, weekly, raised] of cases) {
    const flags = evaluate(
      position({ balancePence: balance, weeklyPaymentPence: weekly }),
      DEFAULT_SETTINGS,
      today,
      [],
    );
    const f = flags.find((x) => x.kind === 'balance_above_weeks');
    assert.equal(Boolean(f), raised, `${String(balance)} ${String(weekly)}`);
    if (f && f.details.kind === 'balance_above_weeks') {
      assert.equal(f.details.proposedRecoveryPence, balance - 40_000);
      assert.equal(f.details.thresholdPence, 40_000);
    }
  }
  // Configurable weeks.
  const four = evaluate(
    position({ balancePence: 25_000 }),
    { ...DEFAULT_SETTINGS, balanceWeeks: 4 },
    today,
    [],
  );
  assert.deepEqual(
    four.map((f) => f.details),
    [
      {
        kind: 'balance_above_weeks',
        balancePence: 25_000,
        weeklyPaymentPence: 5_000,
        weeks: 4,
        thresholdPence: 20_000,
        proposedRecoveryPence: 5_000,
      },
    ],
  );
});

test('property: balance flag iff balance > weeks × weekly; recovery + threshold = balance', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: -1e7, max: 1e8 }),
      fc.integer({ min: 1, max: 1e6 }),
      fc.integer({ min: 1, max: 52 }),
      (balance, weekly, weeks) => {
        const f = evaluate(
          position({ balancePence: balance, weeklyPaymentPence: weekly }),
          { balanceWeeks: weeks, noActivityWeeks: 12 },
          today,
          [],
        ).find((x) => x.kind === 'balance_above_weeks');
        assert.equal(Boolean(f), balance > weekly * weeks);
        if (f?.details.kind === 'balance_above_weeks') {
          assert.equal(f.details.proposedRecoveryPence + f.details.thresholdPence, balance);
          assert.ok(
            f.details.proposedRecoveryPence > 0 && f.details.proposedRecoveryPence <= balance,
          );
          // The suggested recovery always passes the amount check.
          assert.ok(
            !checkRecovery(
              {
                amountPence: f.details.proposedRecoveryPence,
                reasons: 'Money has built up',
                repayBy: d('2026-08-01'),
                whoMustRepay: 'The person',
                reconsideration: 'Ask us within 28 days',
              },
              balance,
              today,
            ).some((p) => p.field === 'amount'),
          );
        }
      },
    ),
  );
});

test('spending: never-buy by funding body, outside the plan, never unknown or refunds', () => {
  const p = position({
    recentSpending: [
      spend('g', 'gambling'),
      spend('gp', 'primary_care'),
      spend('t', 'therapy'),
      spend('matched', 'therapy', -100, 'item-1'),
      spend('refund', 'gambling', 500),
      spend('u', null),
    ],
  });
  const council = evaluate(p, DEFAULT_SETTINGS, today, []);
  assert.deepEqual(
    council.map((f) => [f.kind, transactionIdsOf(f.details)]),
    [
      ['never_buy_category', ['g']],
      ['outside_plan_categories', ['t']],
    ],
  );
  // NHS money may never buy primary care either.
  const nhs = evaluate({ ...p, body: 'nhs' }, DEFAULT_SETTINGS, today, []);
  assert.deepEqual(transactionIdsOf(nhs.find((f) => f.kind === 'never_buy_category')?.details), [
    'g',
    'gp',
  ]);
});

test('the same transactions are not flagged twice; a dismissed account flag stays quiet for a while', () => {
  const p = position({
    balancePence: 100_000,
    recentSpending: [spend('g', 'gambling'), spend('g2', 'gambling')],
  });
  const history: FlagHistory[] = [
    {
      kind: 'never_buy_category',
      status: 'dismissed',
      holdingAccountId: 'h1',
      closedOn: d('2026-06-01'),
      transactionIds: ['g'],
    },
    {
      kind: 'balance_above_weeks',
      status: 'dismissed',
      holdingAccountId: 'h1',
      closedOn: d('2026-06-20'),
      transactionIds: [],
    },
  ];
  const f = evaluate(p, DEFAULT_SETTINGS, today, history);
  assert.deepEqual(
    f.map((x) => [x.kind, transactionIdsOf(x.details)]),
    [['never_buy_category', ['g2']]],
  );
  const later = new Date(Date.parse('2026-06-20T00:00:00Z') + QUIET_DAYS * 86_400_000)
    .toISOString()
    .slice(0, 10) as CivilDate;
  assert.ok(
    evaluate(p, DEFAULT_SETTINGS, later, history).some((x) => x.kind === 'balance_above_weeks'),
  );
});

test('no activity and overspend', () => {
  assert.deepEqual(kinds(position({ lastActivityOn: d('2026-04-07') })), ['no_activity']); // 12 weeks + 0 days
  assert.deepEqual(kinds(position({ lastActivityOn: d('2026-04-08') })), []);
  assert.deepEqual(kinds(position({ lastActivityOn: d('2026-01-01'), balancePence: 0 })), []); // nothing to spend
  assert.deepEqual(kinds(position({ balancePence: -1 })), ['overspend']);
});

test('recoveries: every missing notice detail, and never more than the balance', () => {
  const ok = {
    amountPence: 5000,
    reasons: 'Money has built up unused',
    repayBy: d('2026-07-28'),
    whoMustRepay: 'Alex Smith',
    reconsideration: 'Tell us within 28 days',
  };
  assert.deepEqual(checkRecovery(ok, 5000, today), []);
  assert.deepEqual(
    checkRecovery({ ...ok, amountPence: 5001 }, 5000, today).map((p) => p.message),
    ['The amount to recover must not be more than the £50.00 in the account'],
  );
  assert.deepEqual(
    checkRecovery(
      {
        amountPence: null,
        reasons: '',
        repayBy: d('2026-07-01'),
        whoMustRepay: ' ',
        reconsideration: '',
      },
      5000,
      today,
    ).map((p) => p.field),
    ['amount', 'reasons', 'repayBy', 'whoMustRepay', 'reconsideration'],
  );
  assert.deepEqual(
    checkRecovery({ ...ok, repayBy: null }, 5000, today).map((p) => p.field),
    ['repayBy'],
  );
  const notice = recoveryNotice({
    body: 'nhs',
    ...ok,
    amountPence: 5000,
    repayBy: d('2026-07-28'),
  });
  assert.match(
    notice.join('\n'),
    /£50.00[\s\S]*Why: Money has built up unused[\s\S]*Who must repay: Alex Smith[\s\S]*Repay by: 28 July 2026[\s\S]*reconsider: Tell us within 28 days[\s\S]*regulation 15/,
  );
});
