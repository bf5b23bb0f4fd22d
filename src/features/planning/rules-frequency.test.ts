import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  FREQUENCY_UNITS,
  MAX_EVERY,
  MAX_TIMES,
  formatFrequency,
  parseFrequency,
  readFrequency,
  timesPerYear,
  type Frequency,
} from './rules.ts';

const every = (
  times: number,
  every: number,
  unit: Extract<Frequency, { kind: 'recurring' }>['unit'],
) => ({ kind: 'recurring', times, every, unit }) as const;

test('frequency: what workers type, read exactly', () => {
  const cases: [string, Frequency][] = [
    ['weekly', every(1, 1, 'week')],
    ['Weekly.', every(1, 1, 'week')],
    ['once a week', every(1, 1, 'week')],
    ['every week', every(1, 1, 'week')],
    ['each week', every(1, 1, 'week')],
    ['1 time a week', every(1, 1, 'week')],
    ['twice a week', every(2, 1, 'week')],
    ['Twice weekly', every(2, 1, 'week')],
    ['2 times per week', every(2, 1, 'week')],
    ['3 days a week', every(3, 1, 'week')],
    ['three times a week', every(3, 1, 'week')],
    ['3x a week', every(3, 1, 'week')],
    ['3 x per week', every(3, 1, 'week')],
    ['3/week', every(3, 1, 'week')],
    ['3 a week', every(3, 1, 'week')],
    ['3 sessions a week', every(3, 1, 'week')],
    ['every 2 weeks', every(1, 2, 'week')],
    ['every two weeks', every(1, 2, 'week')],
    ['every other week', every(1, 2, 'week')],
    ['fortnightly', every(1, 2, 'week')],
    ['once a fortnight', every(1, 2, 'week')],
    ['twice a fortnight', every(2, 2, 'week')],
    ['4-weekly', every(1, 4, 'week')],
    ['4 weekly', every(1, 4, 'week')],
    ['four-weekly', every(1, 4, 'week')],
    ['every 4 weeks', every(1, 4, 'week')],
    ['4–weekly', every(1, 4, 'week')], // en dash
    ['monthly', every(1, 1, 'month')],
    ['once a month', every(1, 1, 'month')],
    ['every month', every(1, 1, 'month')],
    ['twice a month', every(2, 1, 'month')],
    ['2-monthly', every(1, 2, 'month')],
    ['every 3 months', every(1, 3, 'month')],
    ['quarterly', every(1, 3, 'month')],
    ['once a quarter', every(1, 3, 'month')],
    ['3 times a year', every(3, 1, 'year')],
    ['three times a year', every(3, 1, 'year')],
    ['twice a year', every(2, 1, 'year')],
    ['once a year', every(1, 1, 'year')],
    ['yearly', every(1, 1, 'year')],
    ['annually', every(1, 1, 'year')],
    ['twice per annum', every(2, 1, 'year')],
    ['every 2 years', every(1, 2, 'year')],
    ['daily', every(1, 1, 'day')],
    ['every day', every(1, 1, 'day')],
    ['twice daily', every(2, 1, 'day')],
    ['3 times a day', every(3, 1, 'day')],
    ['each weekday', every(1, 1, 'weekday')],
    ['every weekday', every(1, 1, 'weekday')],
    ['weekdays', every(1, 1, 'weekday')],
    ['Monday to Friday', every(1, 1, 'weekday')],
    ['Mon-Fri', every(1, 1, 'weekday')],
    ['twice each weekday', every(2, 1, 'weekday')],
    ['3 times every 2 weeks', every(3, 2, 'week')],
    ['twice in a week', every(2, 1, 'week')],
    ['  TWICE   A   WEEK  ', every(2, 1, 'week')],
    ['once', { kind: 'once' }],
    ['One-off', { kind: 'once' }],
    ['one off', { kind: 'once' }],
    ['just once', { kind: 'once' }],
    ['a one-off', { kind: 'once' }],
  ];
  for (const [text, expected] of cases) {
    const r = parseFrequency(text);
    assert.ok(r.ok, `${text}: ${r.ok ? '' : r.message}`);
    assert.deepEqual(r.frequency, expected, text);
  }
});

test('frequency: what does not parse is refused with a message saying what to type', () => {
  const cases: [string, RegExp][] = [
    ['', /^Enter how often$/],
    ['   ', /^Enter how often$/],
    ['sometimes', /like "weekly", "twice a week"/],
    ['fortnightly on tuesdays', /like "weekly"/],
    ['a week', /like "weekly"/],
    ['per week', /like "weekly"/],
    ['every weekly', /like "weekly"/],
    ['twice a 2 weeks', /like "weekly"/],
    ['weekly weekly', /like "weekly"/],
    ['once a annum', /like "weekly"/],
    ['2.5 times a week', /like "weekly"/],
    ['-1 times a week', /at least once/],
    ['every -2 weeks', /at least once/],
    ['bi-weekly', /can mean either/],
    ['Biweekly', /can mean either/],
    ['bimonthly', /can mean either/],
    ['10 hours a week', /number of hours in the units/],
    ['2 hrs weekly', /number of hours in the units/],
    ['as needed', /on average/],
    ['ad hoc', /on average/],
    ['0 times a week', /at least once/],
    ['every 0 weeks', /at least 1/],
    ['101 times a week', /no more than 100 times/],
    ['every 101 weeks', /no more than 100 periods/],
    ['every 60 fortnights', /no more than 100 periods/],
  ];
  for (const [text, message] of cases) {
    const r = parseFrequency(text);
    assert.equal(r.ok, false, `${text} should be refused`);
    if (!r.ok) assert.match(r.message, message, text);
  }
});

test('frequency: structured forms are checked, and text still parsed', () => {
  assert.deepEqual(readFrequency({ kind: 'recurring', times: 2, every: 1, unit: 'week' }), {
    ok: true,
    frequency: every(2, 1, 'week'),
  });
  assert.deepEqual(readFrequency({ kind: 'once' }), { ok: true, frequency: { kind: 'once' } });
  assert.deepEqual(readFrequency('monthly'), { ok: true, frequency: every(1, 1, 'month') });
  const bad: [unknown, RegExp][] = [
    [{ kind: 'recurring', times: 0, every: 1, unit: 'week' }, /at least 1/],
    [{ kind: 'recurring', times: 1.5, every: 1, unit: 'week' }, /whole number/],
    [{ kind: 'recurring', times: 1, every: 1, unit: 'fortnight' }, /Choose day, weekday/],
    [{ kind: 'recurring', times: 1, every: 101, unit: 'week' }, /100 or fewer/],
    [{ kind: 'sometimes' }, /./],
    [42, /./],
    [null, /./],
  ];
  for (const [input, message] of bad) {
    const r = readFrequency(input);
    assert.equal(r.ok, false, JSON.stringify(input));
    if (!r.ok) assert.match(r.message, message);
  }
});

test('times a year: a 52-week year, a month is 52/12 weeks', () => {
  const per = (f: Frequency) => {
    const r = timesPerYear(f);
    return r === null ? null : Number(r.numerator) / Number(r.denominator);
  };
  assert.equal(per(every(1, 1, 'week')), 52);
  assert.equal(per(every(1, 4, 'week')), 13);
  assert.equal(per(every(1, 1, 'month')), 12);
  assert.equal(per(every(1, 1, 'day')), 364);
  assert.equal(per(every(1, 1, 'weekday')), 260);
  assert.equal(per(every(3, 1, 'year')), 3);
  assert.equal(per(every(1, 2, 'year')), 0.5);
  assert.equal(per({ kind: 'once' }), null);
});

const frequencyArb: fc.Arbitrary<Frequency> = fc.oneof(
  fc.constant({ kind: 'once' } as const),
  fc.record({
    kind: fc.constant('recurring' as const),
    times: fc.integer({ min: 1, max: MAX_TIMES }),
    every: fc.integer({ min: 1, max: MAX_EVERY }),
    unit: fc.constantFrom(...FREQUENCY_UNITS),
  }),
);

test('property: every frequency is shown in words that read back as the same frequency', () => {
  fc.assert(
    fc.property(frequencyArb, (f) => {
      const words = formatFrequency(f);
      const r = parseFrequency(words);
      assert.ok(r.ok, `${words}: ${r.ok ? '' : r.message}`);
      assert.deepEqual(r.frequency, { ...f }, words);
    }),
    { numRuns: 2000 },
  );
  assert.equal(formatFrequency(every(2, 1, 'week')), 'twice a week');
  assert.equal(formatFrequency(every(1, 4, 'week')), 'every 4 weeks');
  assert.equal(formatFrequency(every(3, 1, 'year')), '3 times a year');
  assert.equal(formatFrequency(every(1, 1, 'weekday')), 'each weekday');
});

test('property: any text is either read or refused with a message, never thrown', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 40 }), (text) => {
      const r = parseFrequency(text);
      if (!r.ok) assert.ok(r.message.length > 0);
    }),
    { numRuns: 2000 },
  );
});
