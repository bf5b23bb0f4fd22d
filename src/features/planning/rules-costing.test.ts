import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DEMO_RAS, rasVersionSchema, section117Streams } from '../allocation/index.ts';
import {
  HOLDING_OPTIONS as REVIEW_HOLDING_OPTIONS,
  FUNDING_BODIES as REVIEW_FUNDING_BODIES,
} from '../reviews/rules.ts';
import {
  FUNDING_BODIES,
  HOLDING_OPTIONS,
  MAX_ITEM_ANNUAL_PENCE,
  MAX_UNIT_COST_PENCE,
  PLAN_ITEM_CATEGORIES,
  PLAN_ITEM_CATEGORY_LABELS,
  cldDeliveryMechanism,
  costItem,
  fundingBodyOf,
  planItemSchema,
  readUnits,
  totalCosts,
  type ItemCost,
} from './rules.ts';

function cost(unitCostPence: unknown, units: unknown, frequency: unknown): ItemCost {
  const r = costItem({ unitCostPence, units, frequency });
  assert.ok(r.ok, JSON.stringify(r));
  return r.cost;
}

test('costing: unit cost × units × how often, each period rounded once from the exact cost', () => {
  const cases: [string, number, number | string, string, number | null, number | null, number][] = [
    // name, unit cost, units, frequency, weekly, four-weekly, annual
    ['10 hours a week at £15', 1500, 10, 'weekly', 15000, 60000, 780000],
    ['£100 a month', 10000, 1, 'monthly', 2308, 9231, 120000], // 1,200/52 = 23.0769…
    ['£40, 3 times a year', 4000, 1, '3 times a year', 231, 923, 12000],
    ['£10 a day', 1000, 1, 'daily', 7000, 28000, 364000],
    ['2 hours each weekday at £12.50', 1250, 2, 'each weekday', 12500, 50000, 650000],
    ['£100 every 2 weeks', 10000, 1, 'every 2 weeks', 5000, 20000, 260000],
    ['£80 four-weekly', 8000, 1, '4-weekly', 2000, 8000, 104000],
    [
      '7.5 hours a week at £13.33: half a penny rounds up',
      1333,
      '7.5',
      'weekly',
      9998,
      39990,
      519870,
    ],
    ['£0.01 a month', 1, 1, 'monthly', 0, 1, 12], // 0.23p a week rounds to 0
    ['£0.13 a month', 13, 1, 'monthly', 3, 12, 156], // 3.0p, 12.0p
    ['free peer support', 0, 1, 'weekly', 0, 0, 0],
    ['a laptop, once', 45000, 1, 'once', null, null, 45000],
    ['2.25 units of £3.33, once', 333, 2.25, 'one-off', null, null, 749], // 749.25p
  ];
  for (const [name, unitCost, units, frequency, weekly, fourWeekly, annual] of cases) {
    const c = cost(unitCost, units, frequency);
    assert.deepEqual([c.weekly, c.fourWeekly, c.annual], [weekly, fourWeekly, annual], name);
    assert.equal(c.oneOff, weekly === null, name);
  }
});

test('costing: bad input is refused with a clear message for each field at once', () => {
  const cases: [unknown, unknown, unknown, [string, RegExp][]][] = [
    [-1, 1, 'weekly', [['unitCost', /must not be negative/]]],
    [12.5, 1, 'weekly', [['unitCost', /whole pence/]]],
    ['12.50', 1, 'weekly', [['unitCost', /Enter the unit cost/]]],
    [Number.NaN, 1, 'weekly', [['unitCost', /Enter the unit cost/]]],
    [MAX_UNIT_COST_PENCE + 1, 1, 'once', [['unitCost', /£100,000.00 or less/]]],
    [1000, 0, 'weekly', [['units', /more than 0/]]],
    [1000, -2, 'weekly', [['units', /more than 0/]]],
    [1000, '1.234', 'weekly', [['units', /no more than 2 numbers after the decimal point/]]],
    [1000, 1.234, 'weekly', [['units', /no more than 2 numbers after the decimal point/]]],
    [1000, 'ten', 'weekly', [['units', /must be a number/]]],
    [1000, '', 'weekly', [['units', /Enter how many units/]]],
    [1000, 10_001, 'weekly', [['units', /10,000 or fewer/]]],
    [1000, 1, 'bi-weekly', [['frequency', /can mean either/]]],
    [1000, 1, '', [['frequency', /Enter how often/]]],
    [
      -5,
      'x',
      'whenever',
      [
        ['unitCost', /negative/],
        ['units', /number/],
        ['frequency', /Enter how often, like/],
      ],
    ],
    // £100,000 a week is £5.2 million a year.
    [
      MAX_UNIT_COST_PENCE,
      1,
      'weekly',
      [
        [
          'unitCost',
          /£5,200,000.00 a year, but the most one item may cost is £1,000,000.00 a year/,
        ],
      ],
    ],
    [MAX_UNIT_COST_PENCE, 10.01, 'once', [['unitCost', /would cost £1,001,000.00, but the most/]]],
  ];
  for (const [unitCostPence, units, frequency, expected] of cases) {
    const r = costItem({ unitCostPence, units, frequency });
    assert.equal(r.ok, false, JSON.stringify([unitCostPence, units, frequency]));
    if (r.ok) continue;
    assert.equal(r.problems.length, expected.length, JSON.stringify(r.problems));
    expected.forEach(([field, message], i) => {
      assert.equal(r.problems[i]?.field, field);
      assert.match(r.problems[i]?.message ?? '', message);
    });
  }
  // Exactly £1,000,000 a year is allowed.
  assert.equal(cost(MAX_UNIT_COST_PENCE, 10, 'once').annual, MAX_ITEM_ANNUAL_PENCE);
  assert.equal(cost(1_923_076, 1, 'weekly').annual, 99_999_952); // 1,923,076 × 52
  assert.equal(costItem({ unitCostPence: 1_923_077, units: 1, frequency: 'weekly' }).ok, false);
});

test('units are read from text or numbers, up to 2 decimal places', () => {
  assert.deepEqual(readUnits('7.5'), { ok: true, hundredths: 750 });
  assert.deepEqual(readUnits(' 2 '), { ok: true, hundredths: 200 });
  assert.deepEqual(readUnits(0.1), { ok: true, hundredths: 10 });
  assert.deepEqual(readUnits(1.15), { ok: true, hundredths: 115 });
  assert.deepEqual(readUnits('10000'), { ok: true, hundredths: 1_000_000 });
  for (const bad of ['1e3', '1,000', '-1', '.5', 'NaN', null, Infinity, {}]) {
    assert.equal(readUnits(bad).ok, false, JSON.stringify(bad));
  }
});

test('plan totals: recurring items by period, one-off items counted once and shown apart', () => {
  const t = totalCosts([
    cost(1500, 10, 'weekly'),
    cost(10000, 1, 'monthly'),
    cost(45000, 1, 'once'),
    cost(2500, 2, 'one-off'),
  ]);
  assert.deepEqual(t, {
    weekly: 15000 + 2308,
    fourWeekly: 60000 + 9231,
    recurringAnnual: 780000 + 120000,
    oneOff: 45000 + 5000,
    annual: 780000 + 120000 + 45000 + 5000,
  });
  assert.deepEqual(totalCosts([]), {
    weekly: 0,
    fourWeekly: 0,
    recurringAnnual: 0,
    oneOff: 0,
    annual: 0,
  });
});

const frequencyText = fc.constantFrom(
  'weekly',
  'twice a week',
  'every 2 weeks',
  '4-weekly',
  'monthly',
  '3 times a year',
  'daily',
  'each weekday',
  'quarterly',
  'twice a month',
);

test('property: weekly × 52 and four-weekly × 13 are within rounding of the annual cost', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 200_000 }),
      fc.integer({ min: 1, max: 5000 }),
      frequencyText,
      (unitCost, unitsHundredths, frequency) => {
        const r = costItem({ unitCostPence: unitCost, units: unitsHundredths / 100, frequency });
        if (!r.ok) return; // over the yearly cap
        const c = r.cost;
        assert.ok(Math.abs(c.weekly! * 52 - c.annual) <= 26, 'weekly');
        assert.ok(Math.abs(c.fourWeekly! * 13 - c.annual) <= 7, 'four-weekly');
        assert.ok(c.annual <= MAX_ITEM_ANNUAL_PENCE);
      },
    ),
  );
});

test('property: a dearer unit never costs less, in any period', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 20_000 }),
      fc.integer({ min: 0, max: 20_000 }),
      fc.integer({ min: 1, max: 1000 }),
      frequencyText,
      (a, b, unitsHundredths, frequency) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        const x = cost(lo, unitsHundredths / 100, frequency);
        const y = cost(hi, unitsHundredths / 100, frequency);
        assert.ok(x.annual <= y.annual && x.weekly! <= y.weekly! && x.fourWeekly! <= y.fourWeekly!);
      },
    ),
  );
});

test('funding streams: whose money, and the CLD delivery mechanism of council money', () => {
  assert.equal(fundingBodyOf({ id: 'sc', kind: 'socialCare' }), 'council');
  assert.equal(fundingBodyOf({ id: 'nhs', kind: 'nhsPersonalHealthBudget' }), 'nhs');
  assert.deepEqual(
    section117Streams(rasVersionSchema.parse(DEMO_RAS)).map((s) => fundingBodyOf(s)),
    ['nhs', 'council'],
  );
  assert.equal(fundingBodyOf({ id: 's117', kind: 'section117' }), null);
  assert.equal(fundingBodyOf({ id: 'x', kind: 'other' }), null);
  assert.equal(
    cldDeliveryMechanism({ body: 'council', holding: 'direct_payment' }),
    'Direct Payment',
  );
  assert.equal(
    cldDeliveryMechanism({ body: 'council', holding: 'managed' }),
    'CASSR Managed Personal Budget',
  );
  assert.equal(
    cldDeliveryMechanism({ body: 'council', holding: 'third_party' }),
    'CASSR Managed Personal Budget',
  );
  assert.equal(
    cldDeliveryMechanism({ body: 'council', holding: 'individual_service_fund' }),
    'CASSR Managed Personal Budget',
  );
  assert.equal(cldDeliveryMechanism({ body: 'council', holding: 'mixed' }), null);
  assert.equal(cldDeliveryMechanism({ body: 'nhs', holding: 'direct_payment' }), null);
  // The review timetable keeps its own copy of these lists (it may not import planning's rules).
  assert.deepEqual(REVIEW_HOLDING_OPTIONS, HOLDING_OPTIONS);
  assert.deepEqual(REVIEW_FUNDING_BODIES, FUNDING_BODIES);
});

test('plan items: the twelve categories, each labelled, and the item schema', () => {
  assert.equal(PLAN_ITEM_CATEGORIES.length, 12);
  for (const c of PLAN_ITEM_CATEGORIES) assert.ok(PLAN_ITEM_CATEGORY_LABELS[c]);
  const item = planItemSchema.parse({
    id: 'pa',
    what: 'Personal assistant for evenings out',
    category: 'personal_assistant',
    provider: { kind: 'personal_assistant', name: 'Jo Bloggs' },
    unitCostPence: 1500,
    units: '3',
    frequency: 'twice a week',
  });
  assert.deepEqual(item.provider, {
    kind: 'personal_assistant',
    name: 'Jo Bloggs',
    closeRelativeInHousehold: false,
    necessaryReason: '',
  });
  assert.equal(item.streamId, null);
  assert.deepEqual(item.ruleReasons, {});
  const bad = planItemSchema.safeParse({
    id: 'pa',
    what: ' ',
    category: 'holidays',
    provider: { kind: 'provider', name: '' },
    unitCostPence: 1500,
    units: 1,
    frequency: 'weekly',
  });
  assert.equal(bad.success, false);
  const messages = bad.success ? [] : bad.error.issues.map((i) => i.message);
  for (const m of [/Say what the money is for/, /Choose a category/, /name of the provider/]) {
    assert.ok(
      messages.some((x) => m.test(x)),
      `${String(m)} in ${messages.join('; ')}`,
    );
  }
});
