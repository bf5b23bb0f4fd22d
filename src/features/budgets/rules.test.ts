import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { pence, type Pence } from '../../platform/money.ts';
import type { CivilDate } from '../../platform/dates.ts';
import {
  addDays,
  contributionApplies,
  coveredPeriods,
  csvCell,
  dayNumber,
  financialYearOf,
  fromDayNumber,
  lineReference,
  mayApproveRun,
  paymentFile,
  periodOf,
  periodsOf,
  planBudgets,
  plainPounds,
  proRata,
  routeOf,
  summarise,
  weeklyContributionOn,
  yearEnd,
  yearStart,
  type CostedItem,
  type Holding,
  type StreamForBudget,
} from './rules.ts';

const d = (s: string) => s as CivilDate;

test('financial years run 1 April to 31 March', () => {
  for (const [day, year] of [
    ['2026-04-01', 2026],
    ['2026-03-31', 2025],
    ['2027-03-31', 2026],
    ['2026-12-31', 2026],
    ['2024-02-29', 2023],
  ] as const)
    assert.equal(financialYearOf(day), year, day);
});

test('periods: 12 of 28 days and a 13th to 31 March (29 days, 30 in a leap year)', () => {
  const y = periodsOf(2026);
  assert.equal(y.length, 13);
  assert.deepEqual(y[0], { no: 1, start: '2026-04-01', end: '2026-04-28', days: 28 });
  assert.deepEqual(y[1], { no: 2, start: '2026-04-29', end: '2026-05-26', days: 28 });
  assert.deepEqual(y[12], { no: 13, start: '2027-03-03', end: '2027-03-31', days: 29 });
  // 2027/28 contains 29 February 2028.
  assert.deepEqual(periodsOf(2027)[12], {
    no: 13,
    start: '2028-03-02',
    end: '2028-03-31',
    days: 30,
  });
});

test('property: the periods cover the year exactly, with no gap or overlap, leap years too', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1990, max: 2200 }), (year) => {
      const ps = periodsOf(year);
      assert.equal(ps[0]?.start, yearStart(year));
      assert.equal(ps.at(-1)?.end, yearEnd(year));
      for (let i = 1; i < ps.length; i++)
        assert.equal(ps[i]?.start, addDays(ps[i - 1]?.end ?? '', 1));
      const total = ps.reduce((t, p) => t + p.days, 0);
      assert.equal(total, dayNumber(yearEnd(year)) - dayNumber(yearStart(year)) + 1);
      for (const p of ps.slice(0, 12)) assert.equal(p.days, 28);
      assert.ok(ps[12] && ps[12].days >= 29 && ps[12].days <= 30);
    }),
  );
});

test('property: every day falls in exactly the period periodOf names', () => {
  fc.assert(
    fc.property(fc.integer({ min: dayNumber('1990-01-01'), max: dayNumber('2200-12-31') }), (n) => {
      const day = fromDayNumber(n);
      const p = periodOf(day);
      const containing = periodsOf(p.year).filter((x) => x.start <= day && day <= x.end);
      assert.equal(containing.length, 1);
      assert.equal(containing[0]?.no, p.no);
    }),
  );
});

test('pro-rata by days: four-weekly × d / 28, halves away from zero', () => {
  for (const [fw, days, want] of [
    [28_000, 28, 28_000],
    [28_000, 14, 14_000],
    [28_000, 29, 29_000],
    [10_000, 1, 357], // 357.14
    [10_000, 3, 1_071], // 1071.43
    [14, 1, 1], // 0.5 → 1
    [42, 1, 2], // 1.5 → 2
    [-42, 1, -2], // -1.5 → -2 (away from zero)
    [0, 20, 0],
  ] as const)
    assert.equal(proRata(pence(fw), days), want, `${fw} × ${days} / 28`);
});

test('covered periods start at the start date; the first is pro-rata', () => {
  const c = coveredPeriods(2026, '2026-05-10');
  // 10 May is in period 2 (29 April – 26 May): 17 days covered.
  assert.equal(c[0]?.period.no, 2);
  assert.equal(c[0]?.coveredFrom, '2026-05-10');
  assert.equal(c[0]?.days, 17);
  assert.equal(c.length, 12);
  assert.equal(c[1]?.days, 28);
});

const item = (over: Partial<CostedItem> & { id: string }): CostedItem => ({
  what: over.id,
  providerKind: 'personal_assistant',
  providerName: 'Robin',
  fourWeekly: pence(28_000),
  oneOff: false,
  annual: pence(364_000),
  ...over,
});

test('a direct payment from 1 April: 13 lines in advance, the 13th for 29 days', () => {
  const [b] = planBudgets({
    startsOn: d('2026-04-01'),
    streams: [
      {
        id: 'social-care',
        name: 'Social care',
        body: 'council',
        holding: 'direct_payment',
        items: [item({ id: 'pa' })],
      },
    ],
    contributions: [],
  });
  assert.ok(b);
  assert.equal(b.financialYear, 2026);
  assert.equal(b.lines.length, 13);
  assert.equal(b.lines[0]?.dueOn, '2026-04-01');
  assert.equal(b.lines[1]?.dueOn, '2026-04-29');
  assert.equal(b.lines[12]?.amount, 29_000);
  assert.equal(b.amount, 12 * 28_000 + 29_000);
  assert.deepEqual(b.commitments, []);
});

test('contributions: netted from payments, never below 0, never for section 117 or NHS money', () => {
  const pa = item({ id: 'pa', fourWeekly: pence(8_000) });
  const streams: StreamForBudget[] = [
    {
      id: 'section-117-council',
      name: 'S117',
      body: 'council',
      holding: 'direct_payment',
      items: [pa],
    },
    { id: 'nhs-phb', name: 'PHB', body: 'nhs', holding: 'direct_payment', items: [pa] },
    { id: 'social-care', name: 'Care', body: 'council', holding: 'direct_payment', items: [pa] },
  ];
  // £30 a week = £120 every four weeks, more than the £80 the care stream pays.
  const budgets = planBudgets({
    startsOn: d('2026-04-01'),
    streams,
    contributions: [{ effectiveFrom: '2026-01-01', weeklyPence: pence(3_000) }],
  });
  const by = new Map(budgets.map((b) => [b.streamId, b]));
  for (const id of ['section-117-council', 'nhs-phb'])
    for (const p of by.get(id)?.periods ?? []) assert.equal(p.contribution, 0, id);
  const care = by.get('social-care');
  assert.ok(care);
  assert.equal(care.periods[0]?.contribution, 8_000);
  assert.equal(care.lines.length, 0, 'the whole payment is the contribution: nothing to pay');
  assert.equal(contributionApplies({ id: 'section-117-nhs', body: 'nhs' }), false);
  assert.equal(contributionApplies({ id: 'section-117-council', body: 'council' }), false);
  assert.equal(contributionApplies({ id: 'social-care', body: 'nhs' }), false);
  assert.equal(contributionApplies({ id: 'social-care', body: 'council' }), true);
});

test('the contribution in effect is the latest effective on or before the day', () => {
  const as = [
    { effectiveFrom: '2026-01-01', weeklyPence: pence(1_000) },
    { effectiveFrom: '2026-06-01', weeklyPence: pence(2_000) },
  ];
  assert.equal(weeklyContributionOn(as, '2025-12-31'), 0);
  assert.equal(weeklyContributionOn(as, '2026-05-31'), 1_000);
  assert.equal(weeklyContributionOn(as, '2026-06-01'), 2_000);
});

test('holding routes: mixed pays personal assistants and commits to providers', () => {
  const table: [Holding, 'provider' | 'personal_assistant', string][] = [
    ['direct_payment', 'provider', 'payment'],
    ['third_party', 'provider', 'payment'],
    ['individual_service_fund', 'personal_assistant', 'payment'],
    ['managed', 'personal_assistant', 'commitment'],
    ['managed', 'provider', 'commitment'],
    ['mixed', 'personal_assistant', 'payment'],
    ['mixed', 'provider', 'commitment'],
  ];
  for (const [h, k, want] of table) assert.equal(routeOf(h, k), want, `${h} ${k}`);
});

test('one-off items: a one-off line on the start date, or a commitment', () => {
  const [b] = planBudgets({
    startsOn: d('2026-07-15'),
    streams: [
      {
        id: 's',
        name: 'Mixed',
        body: 'nhs',
        holding: 'mixed',
        items: [
          item({ id: 'setup', oneOff: true, fourWeekly: null, annual: pence(25_000) }),
          item({
            id: 'laptop',
            providerKind: 'provider',
            providerName: 'Shop',
            oneOff: true,
            fourWeekly: null,
            annual: pence(40_000),
          }),
          item({
            id: 'gym',
            providerKind: 'provider',
            providerName: 'Gym',
            fourWeekly: pence(2_800),
          }),
        ],
      },
    ],
    contributions: [],
  });
  assert.ok(b);
  const oneOff = b.lines.filter((l) => l.kind === 'one_off');
  assert.deepEqual(
    oneOff.map((l) => [l.dueOn, l.amount]),
    [['2026-07-15', 25_000]],
  );
  const laptop = b.commitments.find((c) => c.itemId === 'laptop');
  assert.equal(laptop?.amount, 40_000);
  assert.ok((b.commitments.find((c) => c.itemId === 'gym')?.amount ?? 0) > 0);
});

const costedItem = fc.record({
  id: fc.constantFrom('a', 'b', 'c', 'd'),
  providerKind: fc.constantFrom('provider' as const, 'personal_assistant' as const),
  oneOff: fc.boolean(),
  amount: fc.integer({ min: 0, max: 500_000 }),
});

test('property: lines + contributions + commitments sum to the budget, which is its periods', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: dayNumber('2024-01-01'), max: dayNumber('2030-12-31') }),
      fc.array(
        fc.record({
          holding: fc.constantFrom<Holding>(
            'direct_payment',
            'managed',
            'third_party',
            'individual_service_fund',
            'mixed',
          ),
          body: fc.constantFrom('council' as const, 'nhs' as const),
          s117: fc.boolean(),
          items: fc.uniqueArray(costedItem, { selector: (i) => i.id, maxLength: 4 }),
        }),
        { maxLength: 3 },
      ),
      fc.integer({ min: 0, max: 20_000 }),
      (startDay, streamSpecs, weekly) => {
        const startsOn = fromDayNumber(startDay);
        const streams: StreamForBudget[] = streamSpecs.map((s, i) => ({
          id: s.s117 ? `section-117-${i}` : `stream-${i}`,
          name: `Stream ${i}`,
          body: s.body,
          holding: s.holding,
          items: s.items.map((it) => ({
            id: it.id,
            what: it.id,
            providerKind: it.providerKind,
            providerName: 'P',
            oneOff: it.oneOff,
            fourWeekly: it.oneOff ? null : pence(it.amount),
            annual: pence(it.oneOff ? it.amount : it.amount * 13),
          })),
        }));
        const budgets = planBudgets({
          startsOn,
          streams,
          contributions: [{ effectiveFrom: '2000-01-01', weeklyPence: pence(weekly) }],
        });
        let contributionTotal = 0;
        for (const b of budgets) {
          const lines = b.lines.reduce((t, l) => t + l.amount, 0);
          const contributions = b.periods.reduce((t, p) => t + p.contribution, 0);
          const commitments = b.commitments.reduce((t, c) => t + c.amount, 0);
          assert.equal(lines + contributions + commitments, b.amount);
          const periods = b.periods.reduce((t, p) => t + p.allocation, 0);
          assert.equal(periods + b.oneOffAllocation, b.amount);
          for (const l of b.lines) {
            assert.ok(l.amount > 0);
            assert.ok(l.dueOn >= startsOn);
          }
          for (const p of b.periods) {
            assert.ok(p.contribution <= p.payable);
            if (!contributionApplies({ id: b.streamId, body: b.body }))
              assert.equal(p.contribution, 0);
          }
          contributionTotal += contributions;
          assert.equal(b.financialYear, financialYearOf(startsOn));
        }
        // Never more than the weekly amount for the days covered, in each period.
        const covered = coveredPeriods(financialYearOf(startsOn), startsOn);
        const most = covered.reduce((t, c) => t + Math.round((weekly * c.days) / 7 + 0.5), 0);
        assert.ok(contributionTotal <= most);
      },
    ),
  );
});

test('payment file: header, pounds with two decimals, formula-injection safe, quoted', () => {
  const file = paymentFile([
    {
      payee: 'Alex Smith',
      accountReference: '12345678',
      amount: pence(123_450),
      reference: 'PB-1',
      body: 'council',
    },
    {
      payee: '=HYPERLINK("x")',
      accountReference: '+44',
      amount: pence(5),
      reference: '@r',
      body: 'nhs',
    },
    {
      payee: 'Smith, Jo',
      accountReference: '-1',
      amount: pence(100),
      reference: 'PB-3',
      body: 'nhs',
    },
  ]);
  assert.equal(
    file,
    [
      'payee,account_reference,amount,reference',
      'Alex Smith,12345678,1234.50,PB-1',
      `"'=HYPERLINK(""x"")",'+44,0.05,'@r`,
      `"Smith, Jo",'-1,1.00,PB-3`,
      '',
    ].join('\r\n'),
  );
  assert.equal(plainPounds(pence(0)), '0.00');
  assert.equal(plainPounds(pence(-1_050)), '-10.50');
});

test('property: no CSV cell starts with a formula character', () => {
  fc.assert(
    fc.property(fc.string(), (s) => {
      const c = csvCell(s);
      const inner = c.startsWith('"') ? c.slice(1) : c;
      assert.ok(!/^[=+\-@\t\r]/.test(inner));
      if (!/[",\r\n]/.test(c)) assert.ok(c === s || c === `'${s}`);
    }),
  );
});

test('four eyes: the preparer may not approve; only a finance officer may', () => {
  const run = { preparedBy: 'u1', status: 'prepared' };
  assert.equal(mayApproveRun(run, { userId: 'u1', roles: ['finance_officer'] }).ok, false);
  assert.equal(mayApproveRun(run, { userId: 'u2', roles: ['care_coordinator'] }).ok, false);
  assert.equal(mayApproveRun(run, { userId: 'u2', roles: ['finance_officer'] }).ok, true);
  assert.equal(
    mayApproveRun({ ...run, status: 'posted' }, { userId: 'u2', roles: ['finance_officer'] }).ok,
    false,
  );
});

test('summary by funding body; line references are stable', () => {
  const s = summarise([
    { amount: pence(100), body: 'nhs' },
    { amount: pence(250), body: 'council' },
    { amount: pence(50), body: 'nhs' },
  ]);
  assert.deepEqual(s, {
    count: 3,
    total: 400,
    byBody: [
      { body: 'council', count: 1, total: 250 },
      { body: 'nhs', count: 2, total: 150 },
    ],
  });
  const id = '0f8fad5b-d9cb-469f-a165-70867728950e';
  assert.equal(lineReference(id), 'PB0F8FAD5BD9CB469F');
  // The same line however its id is written; another line, another reference.
  assert.equal(lineReference(id.toUpperCase()), 'PB0F8FAD5BD9CB469F');
  assert.equal(lineReference('1f8fad5b-d9cb-469f-a165-70867728950e'), 'PB1F8FAD5BD9CB469F');
  const amounts: Pence[] = [];
  assert.deepEqual(summarise(amounts.map((a) => ({ amount: a, body: 'nhs' as const }))).count, 0);
});
