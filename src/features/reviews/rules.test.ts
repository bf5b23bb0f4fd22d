import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compareCivilDates, parseCivilDate, type CivilDate } from '../../platform/dates.ts';
import {
  CLD_REVIEW_REASONS,
  HOLDING_OPTIONS,
  PLANNED_REVIEW_RULES,
  PLANNED_REVIEW_RULE_DETAILS,
  UNPLANNED_REVIEW_REASONS,
  UNPLANNED_REVIEW_REASON_LABELS,
  UNPLANNED_REVIEW_TRIGGERS,
  addDays,
  addMonths,
  daysBetween,
  reviewStatus,
  scheduleReviews,
  scheduleUnplannedReview,
  type CompletedReview,
  type ReviewStream,
  type ScheduleInput,
} from './rules.ts';

const d = (s: string): CivilDate => parseCivilDate(s);

test('month arithmetic: the corresponding date, or the last day of a short month', () => {
  const cases: [string, number, string][] = [
    ['2027-01-31', 1, '2027-02-28'], // month end into a short February
    ['2028-01-31', 1, '2028-02-29'], // leap year
    ['2028-02-29', 12, '2029-02-28'], // leap day plus a year
    ['2028-02-29', 48, '2032-02-29'], // leap day to leap day
    ['2028-02-29', 1, '2028-03-29'],
    ['2027-02-28', 1, '2027-03-28'], // not the end of March: not reversible
    ['2027-03-31', 1, '2027-04-30'],
    ['2027-08-31', 6, '2028-02-29'],
    ['2027-11-30', 3, '2028-02-29'],
    ['2027-12-31', 1, '2028-01-31'], // year end
    ['2027-12-15', 12, '2028-12-15'],
    ['2027-10-31', 3, '2028-01-31'],
    ['2027-07-31', 6, '2028-01-31'],
    ['2027-03-31', -1, '2027-02-28'],
    ['2027-01-15', -1, '2026-12-15'],
    ['2027-05-17', 0, '2027-05-17'],
  ];
  for (const [from, months, expected] of cases) {
    assert.equal(addMonths(d(from), months), expected, `${from} + ${String(months)} months`);
  }
});

test('day arithmetic across month, leap-day and year ends', () => {
  const cases: [string, number, string][] = [
    ['2027-12-31', 1, '2028-01-01'],
    ['2028-02-28', 1, '2028-02-29'],
    ['2027-02-28', 1, '2027-03-01'],
    ['2027-12-20', 42, '2028-01-31'],
    ['2028-01-01', -1, '2027-12-31'],
    ['2028-01-31', 56, '2028-03-27'],
  ];
  for (const [from, days, expected] of cases) {
    assert.equal(addDays(d(from), days), expected, `${from} + ${String(days)} days`);
  }
  assert.equal(daysBetween(d('2027-12-31'), d('2028-03-01')), 61);
  assert.throws(() => addMonths(d('2027-01-01'), 1.5), RangeError);
  assert.throws(() => addDays(d('9999-12-31'), 1), RangeError);
});

const council = (holding: ReviewStream['holding'], firstPaymentOn?: string): ReviewStream => ({
  id: 'council',
  body: 'council',
  holding,
  firstPaymentOn: firstPaymentOn === undefined ? null : d(firstPaymentOn),
});
const nhs = (
  holding: ReviewStream['holding'],
  firstPaymentOn?: string,
  startsOn?: string,
): ReviewStream => ({
  id: 'nhs',
  body: 'nhs',
  holding,
  firstPaymentOn: firstPaymentOn === undefined ? null : d(firstPaymentOn),
  startsOn: startsOn === undefined ? null : d(startsOn),
});

function schedule(
  signedOffOn: string,
  streams: ReviewStream[],
  completed: (string | CompletedReview)[] = [],
  today = signedOffOn,
) {
  return scheduleReviews({
    signedOffOn: d(signedOffOn),
    streams,
    completedReviews: completed.map((c) => (typeof c === 'string' ? { completedOn: d(c) } : c)),
    today: d(today),
  });
}

/** rule → [earliest, due] (stream ids are unique within each case). */
function byRule(s: ReturnType<typeof schedule>) {
  return Object.fromEntries(s.requirements.map((r) => [r.rule, [r.earliestOn, r.dueOn]]));
}

test('review timetable: a table of cases', () => {
  const cases: {
    name: string;
    signedOffOn: string;
    streams: ReviewStream[];
    completed?: (string | CompletedReview)[];
    expected: Record<string, [string | null, string]>;
  }[] = [
    {
      name: 'care plan only: 6 to 8 weeks after sign-off',
      signedOffOn: '2027-01-31',
      streams: [],
      expected: { care_plan_first: ['2027-03-14', '2027-03-28'] },
    },
    {
      name: 'care plan signed off over the new year',
      signedOffOn: '2027-12-20',
      streams: [],
      expected: { care_plan_first: ['2028-01-31', '2028-02-14'] },
    },
    {
      name: 'care plan signed off on a leap day',
      signedOffOn: '2028-02-29',
      streams: [],
      expected: { care_plan_first: ['2028-04-11', '2028-04-25'] },
    },
    {
      name: 'care plan after its first review: 12 months after it',
      signedOffOn: '2027-01-31',
      streams: [],
      completed: ['2027-03-20'],
      expected: { care_plan_annual: [null, '2028-03-20'] },
    },
    {
      name: 'care plan reviewed on a leap day: due on 28 February the next year',
      signedOffOn: '2028-01-04',
      streams: [],
      completed: ['2028-02-29'],
      expected: { care_plan_annual: [null, '2029-02-28'] },
    },
    {
      name: 'the latest of several reviews counts',
      signedOffOn: '2027-01-31',
      streams: [],
      completed: ['2028-03-01', '2027-03-20'],
      expected: { care_plan_annual: [null, '2029-03-01'] },
    },
    {
      name: 'a review before this version was signed off does not replace its 6 to 8 week review',
      signedOffOn: '2027-06-01',
      streams: [],
      completed: ['2027-05-20'],
      expected: { care_plan_first: ['2027-07-13', '2027-07-27'] },
    },
    {
      name: 'social care direct payment: within 6 months of the first payment, month end',
      signedOffOn: '2027-08-02',
      streams: [council('direct_payment', '2027-08-31')],
      expected: {
        care_plan_first: ['2027-09-13', '2027-09-27'],
        social_care_dp_first: [null, '2028-02-29'],
      },
    },
    {
      name: 'social care direct payment after its first review',
      signedOffOn: '2027-08-02',
      streams: [council('direct_payment', '2027-08-31')],
      completed: ['2027-09-20', '2028-01-10'],
      expected: {
        care_plan_annual: [null, '2029-01-10'],
        social_care_dp_annual: [null, '2029-01-10'],
      },
    },
    {
      name: 'a review before the first payment does not count for the direct payment',
      signedOffOn: '2027-08-02',
      streams: [council('direct_payment', '2027-10-01')],
      completed: ['2027-09-20'],
      expected: {
        care_plan_annual: [null, '2028-09-20'],
        social_care_dp_first: [null, '2028-04-01'],
      },
    },
    {
      name: 'council-managed budget: the care plan timetable only',
      signedOffOn: '2027-03-01',
      streams: [council('managed'), council('third_party')],
      expected: { care_plan_first: ['2027-04-12', '2027-04-26'] },
    },
    {
      name: 'NHS direct payment: within 3 months of the first payment, year end',
      signedOffOn: '2027-10-15',
      streams: [nhs('direct_payment', '2027-10-31')],
      expected: {
        care_plan_first: ['2027-11-26', '2027-12-10'],
        nhs_dp_first: [null, '2028-01-31'],
      },
    },
    {
      name: 'NHS direct payment first paid on 30 November: due at the end of February (leap year)',
      signedOffOn: '2027-11-01',
      streams: [nhs('direct_payment', '2027-11-30')],
      expected: {
        care_plan_first: ['2027-12-13', '2027-12-27'],
        nhs_dp_first: [null, '2028-02-29'],
      },
    },
    {
      name: 'NHS direct payment after its first review: 12 months',
      signedOffOn: '2027-10-15',
      streams: [nhs('direct_payment', '2027-10-31')],
      completed: ['2028-01-20'],
      expected: { care_plan_annual: [null, '2029-01-20'], nhs_dp_annual: [null, '2029-01-20'] },
    },
    {
      name: 'notional personal health budget: within 3 months of sign-off',
      signedOffOn: '2027-11-30',
      streams: [nhs('managed')],
      expected: {
        care_plan_first: ['2028-01-11', '2028-01-25'],
        phb_first: [null, '2028-02-29'],
      },
    },
    {
      name: 'third-party personal health budget with its own start date',
      signedOffOn: '2027-11-01',
      streams: [nhs('third_party', undefined, '2027-12-31')],
      expected: {
        care_plan_first: ['2027-12-13', '2027-12-27'],
        phb_first: [null, '2028-03-31'],
      },
    },
    {
      name: 'NHS money in an individual service fund: the budget timetable',
      signedOffOn: '2027-05-31',
      streams: [nhs('individual_service_fund')],
      expected: {
        care_plan_first: ['2027-07-12', '2027-07-26'],
        phb_first: [null, '2027-08-31'],
      },
    },
    {
      name: 'council money in an individual service fund: the care plan timetable only',
      signedOffOn: '2027-05-31',
      streams: [council('individual_service_fund', '2027-06-01')],
      expected: { care_plan_first: ['2027-07-12', '2027-07-26'] },
    },
    {
      name: 'mixed NHS budget: the budget timetable and the direct payment timetable',
      signedOffOn: '2027-01-10',
      streams: [nhs('mixed', '2027-02-15')],
      expected: {
        care_plan_first: ['2027-02-21', '2027-03-07'],
        phb_first: [null, '2027-04-10'],
        nhs_dp_first: [null, '2027-05-15'],
      },
    },
    {
      name: 'a review that covered only the plan leaves the direct payment on its first review',
      signedOffOn: '2027-01-10',
      streams: [council('direct_payment', '2027-01-31')],
      completed: [{ completedOn: d('2027-03-01'), covers: { carePlan: true, streamIds: [] } }],
      expected: {
        care_plan_annual: [null, '2028-03-01'],
        social_care_dp_first: [null, '2027-07-31'],
      },
    },
  ];
  for (const c of cases) {
    const s = schedule(c.signedOffOn, c.streams, c.completed ?? []);
    assert.deepEqual(byRule(s), c.expected, c.name);
    assert.equal(s.next, s.requirements[0], c.name);
  }
});

test('each requirement names its rule and source, and what it is counted from', () => {
  const s = schedule('2027-01-31', [council('direct_payment', '2027-02-10')], ['2027-03-10']);
  const dp = s.requirements.find((r) => r.streamId === 'council')!;
  assert.equal(dp.rule, 'social_care_dp_annual');
  assert.match(dp.source, /SI 2014\/2871\), regulation 7/);
  assert.deepEqual(dp.countedFrom, { event: 'last_review', on: '2027-03-10' });
  const first = schedule('2027-01-31', [nhs('direct_payment', '2027-02-10')]);
  const n = first.requirements.find((r) => r.rule === 'nhs_dp_first')!;
  assert.deepEqual(n.countedFrom, { event: 'first_payment', on: '2027-02-10' });
  assert.match(n.source, /SI 2013\/1617/);
  for (const rule of PLANNED_REVIEW_RULES) {
    assert.ok(PLANNED_REVIEW_RULE_DETAILS[rule].label.length > 0);
    assert.ok(PLANNED_REVIEW_RULE_DETAILS[rule].source.length > 0);
  }
});

test('a direct payment not yet paid waits, and says what it waits for', () => {
  const s = schedule('2027-01-31', [council('direct_payment'), nhs('direct_payment')]);
  assert.deepEqual(
    s.requirements.map((r) => r.rule),
    ['care_plan_first'],
  );
  assert.deepEqual(
    s.waiting.map((w) => [w.rule, w.streamId]),
    [
      ['social_care_dp_first', 'council'],
      ['nhs_dp_first', 'nhs'],
    ],
  );
  assert.match(s.waiting[0]!.message, /within 6 months/);
  assert.match(s.waiting[1]!.message, /within 3 months/);
});

test('status: upcoming, due inside the window or the last 28 days, overdue the day after', () => {
  const signed = '2027-01-31'; // care plan first review: 2027-03-14 to 2027-03-28
  const status = (today: string) => schedule(signed, [], [], today).next!;
  assert.equal(status('2027-03-13').status, 'upcoming');
  assert.equal(status('2027-03-14').status, 'due');
  assert.equal(status('2027-03-28').status, 'due');
  assert.equal(status('2027-03-29').status, 'overdue');
  assert.equal(status('2027-03-29').daysOverdue, 1);
  assert.equal(status('2027-04-28').daysOverdue, 31);
  const annual = { earliestOn: null, dueOn: d('2028-03-20') };
  assert.equal(reviewStatus(annual, d('2028-02-20')), 'upcoming');
  assert.equal(reviewStatus(annual, d('2028-02-21')), 'due');
  assert.equal(reviewStatus(annual, d('2028-03-20')), 'due');
  assert.equal(reviewStatus(annual, d('2028-03-21')), 'overdue');
  assert.equal(reviewStatus(annual, d('2028-03-19'), 0), 'upcoming');
  assert.throws(
    () => scheduleReviews({ ...baseInput(), dueSoonDays: -1 }),
    /dueSoonDays must be a whole number/,
  );
});

function baseInput(): ScheduleInput {
  return {
    signedOffOn: d('2027-01-01'),
    streams: [],
    completedReviews: [],
    today: d('2027-01-01'),
  };
}

test('requirements are sorted soonest due first, and the next is the soonest', () => {
  const s = schedule('2027-01-10', [
    council('direct_payment', '2027-01-20'),
    nhs('direct_payment', '2027-01-12'),
  ]);
  const dues = s.requirements.map((r) => r.dueOn);
  assert.deepEqual(dues, [...dues].sort());
  assert.equal(s.next?.rule, 'care_plan_first');
});

// ---------------------------------------------------------------------------------------------
// Properties

const DAY0 = Date.UTC(2000, 0, 1);
const civil = fc
  .integer({ min: 0, max: 40_000 })
  .map((n) => d(new Date(DAY0 + n * 86_400_000).toISOString().slice(0, 10)));

const streamArb = fc.record({
  id: fc.constantFrom('a', 'b', 'c'),
  body: fc.constantFrom('council' as const, 'nhs' as const),
  holding: fc.constantFrom(...HOLDING_OPTIONS),
  firstPaymentOffset: fc.option(fc.integer({ min: -400, max: 400 }), { nil: undefined }),
  startOffset: fc.option(fc.integer({ min: 0, max: 200 }), { nil: undefined }),
});

const inputArb = fc
  .record({
    signedOffOn: civil,
    streams: fc.uniqueArray(streamArb, { selector: (s) => s.id, maxLength: 3 }),
    reviewOffsets: fc.array(fc.integer({ min: -500, max: 2000 }), { maxLength: 5 }),
    todayOffset: fc.integer({ min: -100, max: 3000 }),
  })
  .map(({ signedOffOn, streams, reviewOffsets, todayOffset }) => ({
    signedOffOn,
    streams: streams.map((s): ReviewStream => ({
      id: s.id,
      body: s.body,
      holding: s.holding,
      firstPaymentOn:
        s.firstPaymentOffset === undefined ? null : addDays(signedOffOn, s.firstPaymentOffset),
      startsOn: s.startOffset === undefined ? null : addDays(signedOffOn, s.startOffset),
    })),
    completedReviews: reviewOffsets.map((o) => ({ completedOn: addDays(signedOffOn, o) })),
    today: addDays(signedOffOn, todayOffset),
  }));

test('property: adding months gives a real date in the right month, never past its end', () => {
  fc.assert(
    fc.property(civil, fc.integer({ min: -120, max: 120 }), (date, months) => {
      const r = addMonths(date, months);
      const [y, m, day] = date.split('-').map(Number) as [number, number, number];
      const [ry, rm, rday] = r.split('-').map(Number) as [number, number, number];
      assert.equal(ry * 12 + rm, y * 12 + m + months);
      assert.ok(rday <= day);
      if (rday < day) assert.equal(addDays(r, 1).slice(8), '01'); // clamped to the month end
      if (months >= 0) assert.ok(compareCivilDates(r, date) >= 0);
    }),
  );
});

test('property: no due date is before what it is counted from, nor a window back to front', () => {
  fc.assert(
    fc.property(inputArb, (input) => {
      const s = scheduleReviews(input);
      for (const r of s.requirements) {
        assert.ok(compareCivilDates(r.dueOn, r.countedFrom.on) > 0, r.rule);
        if (r.earliestOn !== null) {
          assert.ok(compareCivilDates(r.earliestOn, r.countedFrom.on) > 0);
          assert.ok(compareCivilDates(r.earliestOn, r.dueOn) <= 0);
        }
        // the trigger itself is never before the plan's sign-off for the plan's own timetable
        if (r.streamId === null && r.countedFrom.event !== 'last_review') {
          assert.equal(r.countedFrom.on, input.signedOffOn);
        }
        assert.equal(r.status === 'overdue', compareCivilDates(input.today, r.dueOn) > 0);
      }
    }),
  );
});

test('property: completing a review never brings a due date earlier, and moves it on', () => {
  fc.assert(
    fc.property(inputArb, fc.integer({ min: 0, max: 2000 }), (input, offset) => {
      const before = scheduleReviews(input);
      const reviewOn = addDays(input.signedOffOn, offset);
      const after = scheduleReviews({
        ...input,
        completedReviews: [...input.completedReviews, { completedOn: reviewOn }],
      });
      assert.equal(after.requirements.length, before.requirements.length);
      const key = (r: { rule: string; streamId: string | null }) =>
        `${r.streamId ?? ''}:${r.rule.replace(/_(first|annual)$/, '')}`;
      const was = new Map(before.requirements.map((r) => [key(r), r]));
      for (const r of after.requirements) {
        const old = was.get(key(r))!;
        assert.ok(compareCivilDates(r.dueOn, old.dueOn) >= 0, `${key(r)} moved earlier`);
        // A review on or after this timetable's latest review (or its start) restarts the clock:
        // the next one is due 12 months after it.
        if (compareCivilDates(reviewOn, old.countedFrom.on) >= 0) {
          assert.equal(r.dueOn, addMonths(reviewOn, 12));
          assert.ok(r.rule.endsWith('_annual'));
        }
      }
    }),
  );
});

test('the one way a later review leaves the due date unchanged: month-end clamping', () => {
  // 28 and 29 February 2028 both fall due on 28 February 2029.
  const a = schedule('2028-01-04', [], ['2028-02-28']).next!;
  const b = schedule('2028-01-04', [], ['2028-02-28', '2028-02-29']).next!;
  assert.equal(a.dueOn, '2029-02-28');
  assert.equal(b.dueOn, '2029-02-28');
});

// ---------------------------------------------------------------------------------------------
// Unplanned reviews

test('CLD review reasons are exactly the values in DOMAIN.md 5.1', () => {
  assert.deepEqual(
    [...CLD_REVIEW_REASONS],
    [
      'Planned',
      'Unplanned - Hospital (Planned and unplanned episodes)',
      'Unplanned - Carer related',
      'Unplanned - Safeguarding concern',
      'Unplanned - Other Reason',
      'Unplanned - Provider Failure',
      'Unplanned - Change in Commissioning arrangements',
    ],
  );
  assert.deepEqual(UNPLANNED_REVIEW_REASONS, CLD_REVIEW_REASONS.slice(1));
  for (const r of UNPLANNED_REVIEW_REASONS) assert.ok(UNPLANNED_REVIEW_REASON_LABELS[r]);
  for (const t of Object.values(UNPLANNED_REVIEW_TRIGGERS)) {
    assert.ok(UNPLANNED_REVIEW_REASONS.includes(t.reportedAs));
  }
});

test('an unplanned review: the CLD reason is its rule, due in 4 weeks unless a date is given', () => {
  const r = scheduleUnplannedReview({
    reason: 'Unplanned - Hospital (Planned and unplanned episodes)',
    details: 'Admitted to hospital on 3 January',
    requestedOn: '2027-12-20',
  });
  assert.ok(r.ok);
  assert.equal(r.review.rule, 'Unplanned - Hospital (Planned and unplanned episodes)');
  assert.equal(r.review.dueOn, '2028-01-17');
  assert.equal(r.review.trigger, null);
  const t = scheduleUnplannedReview({
    reason: 'Unplanned - Safeguarding concern',
    trigger: 'dp_misuse_concern',
    details: 'Bank statements show cash withdrawals',
    requestedOn: '2028-02-28',
    dueOn: '2028-02-29',
  });
  assert.ok(t.ok);
  assert.equal(t.review.dueOn, '2028-02-29');
  assert.match(t.review.source ?? '', /regulation 7/);
});

test('an unplanned review is refused with a clear message for each problem', () => {
  const cases: [unknown, RegExp][] = [
    [{ reason: 'Planned', details: 'x', requestedOn: '2027-01-01' }, /Choose why the review/],
    [{ reason: 'Unplanned - other reason', details: 'x', requestedOn: '2027-01-01' }, /Choose why/],
    [{ reason: 'Unplanned - Carer related', details: '  ', requestedOn: '2027-01-01' }, /Say what/],
    [{ reason: 'Unplanned - Carer related', details: 'x', requestedOn: '2027-02-29' }, /real date/],
    [
      {
        reason: 'Unplanned - Carer related',
        details: 'x',
        requestedOn: '2027-03-01',
        dueOn: '2027-02-28',
      },
      /on or after the date it was asked for/,
    ],
    [
      {
        reason: 'Unplanned - Carer related',
        details: 'x',
        requestedOn: '2027-03-01',
        trigger: 'x',
      },
      /what led to the review/,
    ],
  ];
  for (const [input, message] of cases) {
    const r = scheduleUnplannedReview(input);
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.messages.join(' | '), message);
  }
});
