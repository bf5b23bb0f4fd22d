import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { EQ5D_UK_CROSSWALK_THOUSANDTHS } from './eq5d-uk-crosswalk.ts';
import { ASCOT_DOMAINS, ASCOT_LEVELS, EQ5D_DIMENSIONS, SWEMWBS_ITEMS } from './questionnaires.ts';
import {
  ACCOMMODATION_STATUSES,
  EMPLOYMENT_STATUSES,
  EQ5D_VALUE_SETS,
  SWEMWBS_METRIC_HUNDREDTHS,
  achievementForGas,
  ascotAnswersSchema,
  ascotSimpleScore,
  changesBetween,
  eq5dAnswersSchema,
  eq5dIndexThousandths,
  eq5dProfileFromLevels,
  formatHundredths,
  formatThousandths,
  goalAttainmentAnswersSchema,
  isPaidEmployment,
  isSettledAccommodation,
  measureSet,
  parseEq5dProfile,
  parseMeasure,
  scoreAscot,
  scoreEq5d,
  scoreMeasure,
  scoreSwemwbs,
  summariseGoalAttainment,
  swemwbsAnswersSchema,
  swemwbsMetricHundredths,
  swemwbsRawScore,
  type AscotAnswers,
  type Eq5dProfile,
  type Level5,
  type MeasureInput,
  type SwemwbsAnswers,
} from './rules.ts';

const profile = (s: string): Eq5dProfile => {
  const r = parseEq5dProfile(s);
  assert.ok(r.ok, s);
  return r.profile;
};

/** Answers with the given levels, in item order. */
const swemwbs = (levels: readonly (Level5 | null | undefined)[]): SwemwbsAnswers =>
  Object.fromEntries(SWEMWBS_ITEMS.map((item, i) => [item, levels[i]]));

/** A complete set of 7 answers adding up to raw (7–35). */
function answersForRaw(raw: number): SwemwbsAnswers {
  let left = raw - 7;
  return swemwbs(
    SWEMWBS_ITEMS.map(() => {
      const extra = Math.min(4, left);
      left -= extra;
      return (1 + extra) as Level5;
    }),
  );
}

const level5 = fc.constantFrom<Level5>(1, 2, 3, 4, 5);
const sevenLevels = fc.array(level5, { minLength: 7, maxLength: 7 });
const allProfiles: Eq5dProfile[] = [];
for (let n = 0; n < 3125; n++) {
  let s = '';
  for (let k = n, i = 0; i < 5; i++, k = Math.floor(k / 5)) s = String((k % 5) + 1) + s;
  allProfiles.push(s as Eq5dProfile);
}

// ---------------------------------------------------------------------------------------------
// Formatting

test('exact decimals are formatted from integer hundredths and thousandths', () => {
  const cases: [string, string][] = [
    [formatHundredths(1688), '16.88'],
    [formatHundredths(700), '7.00'],
    [formatHundredths(5), '0.05'],
    [formatHundredths(-150), '-1.50'],
    [formatHundredths(393, { signed: true }), '+3.93'],
    [formatHundredths(0, { signed: true }), '0.00'],
    [formatThousandths(-285), '-0.285'],
    [formatThousandths(1000), '1.000'],
    [formatThousandths(63), '0.063'],
    [formatThousandths(-1, { signed: true }), '-0.001'],
  ];
  for (const [got, want] of cases) assert.equal(got, want);
  assert.throws(() => formatHundredths(16.88), RangeError);
});

// ---------------------------------------------------------------------------------------------
// SWEMWBS

test('SWEMWBS: every row of the Rasch table in DOMAIN.md 7.4', () => {
  // Typed from DOMAIN.md as decimals, independently of the table in rules.ts.
  // prettier-ignore
  const table: [number, string][] = [
    [7, '7.00'], [8, '9.51'], [9, '11.25'], [10, '12.40'], [11, '13.33'], [12, '14.08'],
    [13, '14.75'], [14, '15.32'], [15, '15.84'], [16, '16.36'], [17, '16.88'], [18, '17.43'],
    [19, '17.98'], [20, '18.59'], [21, '19.25'], [22, '19.98'], [23, '20.73'], [24, '21.54'],
    [25, '22.35'], [26, '23.21'], [27, '24.11'], [28, '25.03'], [29, '26.02'], [30, '27.03'],
    [31, '28.13'], [32, '29.31'], [33, '30.70'], [34, '32.55'], [35, '35.00'],
  ];
  assert.equal(table.length, 29);
  assert.equal(SWEMWBS_METRIC_HUNDREDTHS.length, 29);
  for (const [raw, metric] of table) {
    assert.equal(formatHundredths(swemwbsMetricHundredths(raw)), metric, `raw ${raw}`);
    const score = scoreSwemwbs(answersForRaw(raw));
    assert.equal(score.raw, raw);
    assert.equal(score.answered, 7);
    assert.equal(formatHundredths(score.metricHundredths!), metric, `scored raw ${raw}`);
  }
});

test('SWEMWBS: the metric rises with every raw point from 7 to 35', () => {
  fc.assert(
    fc.property(fc.integer({ min: 7, max: 34 }), (raw) => {
      assert.ok(swemwbsMetricHundredths(raw + 1) > swemwbsMetricHundredths(raw));
    }),
  );
  assert.equal(swemwbsMetricHundredths(7), 700);
  assert.equal(swemwbsMetricHundredths(35), 3500);
});

test('SWEMWBS: the raw score is the sum of the 7 answers, and the metric its table row', () => {
  fc.assert(
    fc.property(sevenLevels, (levels) => {
      const sum = levels.reduce<number>((t, l) => t + l, 0);
      const score = scoreSwemwbs(swemwbs(levels));
      assert.equal(score.raw, sum);
      assert.equal(score.metricHundredths, SWEMWBS_METRIC_HUNDREDTHS[sum - 7]);
    }),
  );
});

test('SWEMWBS: any missing answer gives no score (no prorating)', () => {
  fc.assert(
    fc.property(
      sevenLevels,
      fc.subarray([0, 1, 2, 3, 4, 5, 6], { minLength: 1 }),
      fc.constantFrom(null, undefined),
      (levels, missing, blank) => {
        const answers = swemwbs(levels.map((l, i) => (missing.includes(i) ? blank : l)));
        assert.equal(swemwbsRawScore(answers), null);
        const score = scoreSwemwbs(answers);
        assert.equal(score.raw, null);
        assert.equal(score.metricHundredths, null);
        assert.equal(score.answered, 7 - missing.length);
      },
    ),
  );
  assert.deepEqual(scoreSwemwbs({}), {
    instrument: 'swemwbs',
    answered: 0,
    raw: null,
    metricHundredths: null,
  });
});

test('SWEMWBS: answers outside 1–5 and unknown items are refused', () => {
  for (const bad of [0, 6, -1, 2.5, '3', true]) {
    const r = swemwbsAnswersSchema.safeParse({ wemwbs1: bad });
    assert.equal(r.success, false, `accepted ${String(bad)}`);
    assert.match(r.error.issues[0]!.message, /whole number from 1 to 5/);
    assert.throws(() => scoreSwemwbs({ wemwbs1: bad as Level5 }), RangeError);
  }
  assert.equal(swemwbsAnswersSchema.safeParse({ wemwbs4: 3 }).success, false);
  assert.equal(swemwbsAnswersSchema.safeParse({ wemwbs1: 3, wemwbs2: null }).success, true);
  for (const raw of [6, 36, 7.5, Number.NaN]) {
    assert.throws(() => swemwbsMetricHundredths(raw), RangeError);
  }
});

// ---------------------------------------------------------------------------------------------
// EQ-5D-5L

test('EQ-5D-5L: the states in DOMAIN.md 7.2 by each value set', () => {
  const table: [string, string, string, string][] = [
    // state, England 2018, UK crosswalk (van Hout), UK 2026
    ['11111', '1.000', '1.000', '1.000'],
    ['21111', '0.942', '0.877', '0.968'],
    ['33333', '0.593', '0.516', '0.604'],
    ['12345', '0.322', '0.063', '0.114'],
    ['55555', '-0.285', '-0.594', '-0.567'],
  ];
  for (const [state, england, crosswalk, uk2026] of table) {
    const p = profile(state);
    assert.equal(formatThousandths(eq5dIndexThousandths(p, 'england2018')), england, state);
    assert.equal(formatThousandths(eq5dIndexThousandths(p, 'ukCrosswalk')), crosswalk, state);
    assert.equal(formatThousandths(eq5dIndexThousandths(p, 'uk2026')), uk2026, state);
  }
});

test('EQ-5D-5L: the crosswalk table covers all 3,125 states with whole thousandths', () => {
  assert.equal(EQ5D_UK_CROSSWALK_THOUSANDTHS.length, 3125);
  assert.ok(EQ5D_UK_CROSSWALK_THOUSANDTHS.every((v) => Number.isSafeInteger(v)));
  // Spot checks against rows of the source table away from the DOMAIN.md states.
  assert.equal(eq5dIndexThousandths(profile('11112'), 'ukCrosswalk'), 879);
  assert.equal(eq5dIndexThousandths(profile('11255'), 'ukCrosswalk'), -1);
  assert.equal(eq5dIndexThousandths(profile('34434'), 'ukCrosswalk'), 190);
  assert.equal(eq5dIndexThousandths(profile('55141'), 'ukCrosswalk'), -106);
});

test('EQ-5D-5L: no index is above 1 (full health), and each set has its published range', () => {
  const range: Record<string, [number, number]> = {
    england2018: [-285, 1000],
    ukCrosswalk: [-594, 1000],
    uk2026: [-567, 1000],
  };
  for (const set of EQ5D_VALUE_SETS) {
    const values = allProfiles.map((p) => eq5dIndexThousandths(p, set));
    assert.deepEqual([Math.min(...values), Math.max(...values)], range[set], set);
    assert.equal(values.filter((v) => v === 1000).length, 1, `${set}: only 11111 is full health`);
  }
  fc.assert(
    fc.property(
      fc.array(level5, { minLength: 5, maxLength: 5 }),
      fc.constantFrom(...EQ5D_VALUE_SETS),
      (levels, set) => {
        assert.ok(eq5dIndexThousandths(profile(levels.join('')), set) <= 1000);
      },
    ),
  );
});

test('EQ-5D-5L: worsening any dimension never raises the index', () => {
  for (const set of EQ5D_VALUE_SETS) {
    for (const p of allProfiles) {
      for (let i = 0; i < 5; i++) {
        const level = Number(p[i]);
        if (level === 5) continue;
        const worse = `${p.slice(0, i)}${String(level + 1)}${p.slice(i + 1)}` as Eq5dProfile;
        assert.ok(
          eq5dIndexThousandths(worse, set) <= eq5dIndexThousandths(p, set),
          `${set}: ${worse} above ${p}`,
        );
      }
    }
  }
});

test('EQ-5D-5L: bad profiles are refused', () => {
  for (const bad of ['', '1234', '123456', '02345', '12365', '1234a', ' 12345', '1 2345', 12345]) {
    const r = parseEq5dProfile(bad);
    assert.equal(r.ok, false, `accepted ${String(bad)}`);
  }
  assert.throws(() => eq5dIndexThousandths('12306' as Eq5dProfile, 'england2018'), RangeError);
  for (const bad of [{ MO: 0 }, { AD: 6 }, { vas: 101 }, { vas: -1 }, { vas: 50.5 }, { XX: 1 }]) {
    assert.equal(eq5dAnswersSchema.safeParse(bad).success, false, JSON.stringify(bad));
  }
  assert.throws(() => scoreEq5d({ vas: 101 }), RangeError);
  assert.throws(() => scoreEq5d({ MO: 7 as Level5 }), RangeError);
});

test('EQ-5D-5L: the profile and index need all 5 dimensions; the EQ VAS is optional', () => {
  const full = { MO: 2, SC: 1, UA: 3, PD: 4, AD: 1, vas: 70 } as const;
  assert.equal(eq5dProfileFromLevels(full), '21341');
  assert.deepEqual(scoreEq5d(full), {
    instrument: 'eq5d5l',
    profile: '21341',
    vas: 70,
    indexThousandths: {
      england2018: 1000 - 58 - 63 - 276,
      ukCrosswalk: eq5dIndexThousandths(profile('21341'), 'ukCrosswalk'),
      uk2026: 1000 - 32 - 86 - 371,
    },
  });
  for (const d of EQ5D_DIMENSIONS) {
    const partial = { ...full, [d]: null };
    assert.equal(eq5dProfileFromLevels(partial), null);
    assert.deepEqual(scoreEq5d(partial), {
      instrument: 'eq5d5l',
      profile: null,
      vas: 70,
      indexThousandths: null,
    });
  }
  assert.equal(scoreEq5d({ MO: 1, SC: 1, UA: 1, PD: 1, AD: 1 }).vas, null);
});

// ---------------------------------------------------------------------------------------------
// ASCOT SCT4

const ascot = (levels: readonly (string | null | undefined)[]): AscotAnswers =>
  Object.fromEntries(ASCOT_DOMAINS.map((d, i) => [d, levels[i]]));

test('ASCOT: simple score table', () => {
  const all = (l: string) => ascot(ASCOT_DOMAINS.map(() => l));
  // prettier-ignore
  const cases: [AscotAnswers, number | null][] = [
    [all('ideal'), 24],
    [all('noNeeds'), 16],
    [all('someNeeds'), 8],
    [all('highNeeds'), 0],
    [ascot(['ideal', 'noNeeds', 'someNeeds', 'highNeeds', 'ideal', 'ideal', 'noNeeds', 'highNeeds']), 14],
    [ascot(['ideal', 'ideal', 'ideal', 'ideal', 'ideal', 'ideal', 'ideal', null]), null],
    [ascot(['ideal', 'ideal', 'ideal', 'ideal', 'ideal', 'ideal', 'ideal']), null],
    [{}, null],
  ];
  for (const [answers, want] of cases) {
    assert.equal(ascotSimpleScore(answers), want, JSON.stringify(answers));
    assert.equal(scoreAscot(answers).score, want);
  }
  assert.equal(scoreAscot(cases[5]![0]).answered, 7);
});

test('ASCOT: 0 ≤ score ≤ 24, the sum of 3/2/1/0 points; any missing domain gives no score', () => {
  const levels = fc.array(fc.constantFrom(...ASCOT_LEVELS), { minLength: 8, maxLength: 8 });
  const points = { ideal: 3, noNeeds: 2, someNeeds: 1, highNeeds: 0 };
  fc.assert(
    fc.property(levels, (ls) => {
      const score = ascotSimpleScore(ascot(ls));
      assert.equal(
        score,
        ls.reduce((t, l) => t + points[l], 0),
      );
      assert.ok(score !== null && score >= 0 && score <= 24);
    }),
  );
  fc.assert(
    fc.property(levels, fc.subarray([0, 1, 2, 3, 4, 5, 6, 7], { minLength: 1 }), (ls, missing) => {
      assert.equal(
        ascotSimpleScore(ascot(ls.map((l, i) => (missing.includes(i) ? null : l)))),
        null,
      );
    }),
  );
});

test('ASCOT: unknown levels and domains are refused', () => {
  assert.equal(ascotAnswersSchema.safeParse({ dignity: 'great' }).success, false);
  assert.equal(ascotAnswersSchema.safeParse({ dignity: 3 }).success, false);
  assert.equal(ascotAnswersSchema.safeParse({ cleanliness: 'ideal' }).success, false);
  assert.throws(() => scoreAscot({ dignity: 'great' as 'ideal' }), RangeError);
});

// ---------------------------------------------------------------------------------------------
// Employment and accommodation

test('employment: the CLD values, and the paid-employment flag', () => {
  assert.equal(EMPLOYMENT_STATUSES.length, 7);
  const paid = EMPLOYMENT_STATUSES.map((s) => [s, isPaidEmployment(s)]);
  assert.deepEqual(paid, [
    ['Paid: Less than 16 hours a week', true],
    ['Paid: 16 or more hours a week', true],
    ['Paid: Hours per week unknown', true],
    ['Not in Paid Employment (seeking work)', false],
    ['Not in Paid Employment (not actively seeking work / retired)', false],
    ['Not in Paid Employment (voluntary work only)', false],
    ['Unknown', null],
  ]);
  const parse = (status: string) => parseMeasure({ instrument: 'employment', answers: { status } });
  assert.equal(parse('Paid: 16 or more hours a week').ok, true);
  assert.equal(parse('Paid: less than 16 hours a week').ok, false, 'CLD spelling is exact');
  assert.equal(parse('Retired').ok, false);
});

test('accommodation: the CLD values named in DOMAIN.md, and the settled flag where known', () => {
  assert.deepEqual(
    ACCOMMODATION_STATUSES.map((s) => [s, isSettledAccommodation(s)]),
    [
      ['Owner occupier or shared ownership scheme', true],
      ['Tenant', true],
      ['Tenant - private landlord', true],
      ['Settled mainstream housing with family / friends', true],
      ['Supported accommodation / supported lodgings / supported group home', true],
      ['Shared Lives scheme', true],
      ['Rough sleeper / squatting', null],
      ['Registered care home', null],
      ['Unknown', null],
    ],
  );
  const r = parseMeasure({ instrument: 'accommodation', answers: { status: 'tenant' } });
  assert.equal(r.ok, false);
});

// ---------------------------------------------------------------------------------------------
// Goal attainment

test('goal attainment: GAS ratings and achievement agree', () => {
  assert.deepEqual(([-2, -1, 0, 1, 2] as const).map(achievementForGas), [
    'not',
    'partly',
    'fully',
    'fully',
    'fully',
  ]);
  const check = (outcomes: unknown[]) =>
    goalAttainmentAnswersSchema.safeParse({ outcomes }).success;
  assert.equal(check([{ outcomeId: 'o1', achieved: 'partly', gas: -1 }]), true);
  assert.equal(check([{ outcomeId: 'o1', achieved: 'fully' }]), true);
  assert.equal(check([{ outcomeId: 'o1', achieved: 'fully', gas: null }]), true);
  assert.equal(check([{ outcomeId: 'o1', achieved: 'fully', gas: -1 }]), false);
  assert.equal(check([{ outcomeId: 'o1', achieved: 'not', gas: 0 }]), false);
  assert.equal(check([{ outcomeId: 'o1', achieved: 'fully', gas: 3 }]), false);
  assert.equal(check([{ outcomeId: 'o1', achieved: 'fully', gas: 0.5 }]), false);
  assert.equal(check([{ outcomeId: 'o1', achieved: 'mostly' }]), false);
  assert.equal(check([{ outcomeId: ' ', achieved: 'not' }]), false);
  assert.equal(
    check([
      { outcomeId: 'o1', achieved: 'not' },
      { outcomeId: 'o1', achieved: 'fully' },
    ]),
    false,
    'an outcome rated twice',
  );
});

test('goal attainment: counts and the mean GAS rating, rounded half away from zero', () => {
  const summary = (gas: (-2 | -1 | 0 | 1 | 2 | null)[]) =>
    summariseGoalAttainment({
      outcomes: gas.map((g, i) => ({
        outcomeId: `o${i}`,
        achieved: g === null ? 'partly' : achievementForGas(g),
        gas: g,
      })),
    });
  assert.deepEqual(summary([2, 0, -1, -2, null]), {
    instrument: 'goal_attainment',
    outcomes: 5,
    fully: 2,
    partly: 2,
    not: 1,
    gasRated: 4,
    gasTotal: -1,
    gasMeanHundredths: -25,
  });
  const means: [(-2 | -1 | 0 | 1 | 2 | null)[], number | null][] = [
    [[], null],
    [[null], null],
    [[1, 1, 2], 133],
    [[-1, -1, -2], -133],
    [[1, 0], 50],
    [[1, 0, 0, 0, 0, 0, 0, 0], 13],
    [[-1, 0, 0, 0, 0, 0, 0, 0], -13],
    [[2, 2], 200],
  ];
  for (const [gas, mean] of means) {
    assert.equal(summary(gas).gasMeanHundredths, mean, JSON.stringify(gas));
  }
});

// ---------------------------------------------------------------------------------------------
// Measures and change between baseline and review

const measure = (m: MeasureInput) => {
  const r = parseMeasure(m);
  assert.ok(r.ok, r.ok ? '' : r.messages.join('; '));
  return scoreMeasure(r.measure);
};

test('change between a baseline and a review, per instrument', () => {
  const baseline = measureSet([
    measure({ instrument: 'swemwbs', answers: answersForRaw(14) }),
    measure({
      instrument: 'eq5d5l',
      answers: { MO: 3, SC: 3, UA: 3, PD: 3, AD: 3, vas: 40 },
    }),
    measure({
      instrument: 'ascot_sct4',
      answers: ascot(ASCOT_DOMAINS.map(() => 'someNeeds')),
    }),
    measure({
      instrument: 'employment',
      answers: { status: 'Not in Paid Employment (seeking work)' },
    }),
    measure({ instrument: 'accommodation', answers: { status: 'Rough sleeper / squatting' } }),
  ]);
  const review = measureSet([
    measure({ instrument: 'swemwbs', answers: answersForRaw(21) }),
    measure({
      instrument: 'eq5d5l',
      answers: { MO: 2, SC: 1, UA: 1, PD: 1, AD: 1, vas: 75 },
    }),
    measure({
      instrument: 'ascot_sct4',
      answers: ascot(ASCOT_DOMAINS.map(() => 'noNeeds')),
    }),
    measure({ instrument: 'employment', answers: { status: 'Paid: Less than 16 hours a week' } }),
    measure({ instrument: 'accommodation', answers: { status: 'Tenant' } }),
    measure({
      instrument: 'goal_attainment',
      answers: { outcomes: [{ outcomeId: 'work', achieved: 'partly', gas: -1 }] },
    }),
  ]);
  const c = changesBetween(baseline, review);
  assert.deepEqual(c.swemwbsMetricHundredths, { from: 1532, to: 1925, change: 393 });
  assert.equal(c.eq5dValueSet, 'england2018');
  assert.deepEqual(c.eq5dIndexThousandths, { from: 593, to: 942, change: 349 });
  assert.deepEqual(c.eq5dVas, { from: 40, to: 75, change: 35 });
  assert.deepEqual(c.ascotScore, { from: 8, to: 16, change: 8 });
  assert.deepEqual(c.employment, {
    from: 'Not in Paid Employment (seeking work)',
    to: 'Paid: Less than 16 hours a week',
    changed: true,
    paidFrom: false,
    paidTo: true,
  });
  assert.deepEqual(c.accommodation, {
    from: 'Rough sleeper / squatting',
    to: 'Tenant',
    changed: true,
    settledFrom: null,
    settledTo: true,
  });
  assert.equal(c.goalAttainment?.partly, 1);
  const nice = changesBetween(baseline, review, { eq5dValueSet: 'ukCrosswalk' });
  assert.deepEqual(nice.eq5dIndexThousandths, { from: 516, to: 877, change: 361 });
  assert.equal(formatThousandths(nice.eq5dIndexThousandths.change, { signed: true }), '+0.361');
});

test('change is null when either side is missing or incomplete', () => {
  const complete = measureSet([
    scoreSwemwbs(answersForRaw(20)),
    scoreEq5d({ MO: 1, SC: 1, UA: 1, PD: 1, AD: 1 }),
    scoreAscot(ascot(ASCOT_DOMAINS.map(() => 'ideal'))),
  ]);
  const incomplete = measureSet([
    scoreSwemwbs(swemwbs([1, 2, 3, 4, 5, 1])),
    scoreEq5d({ MO: 1, SC: 1, UA: 1, PD: 1, vas: 80 }),
    scoreAscot(ascot(['ideal'])),
  ]);
  for (const [a, b] of [
    [complete, incomplete],
    [incomplete, complete],
    [complete, {}],
    [{}, complete],
  ] as const) {
    const c = changesBetween(a, b);
    assert.equal(c.swemwbsMetricHundredths.change, null);
    assert.equal(c.eq5dIndexThousandths.change, null);
    assert.equal(c.eq5dVas.change, null);
    assert.equal(c.ascotScore.change, null);
    assert.equal(c.employment.changed, null);
    assert.equal(c.goalAttainment, null);
  }
  assert.equal(changesBetween(complete, complete).swemwbsMetricHundredths.change, 0);
});

test('change is review minus baseline, and reverses sign when swapped', () => {
  fc.assert(
    fc.property(
      sevenLevels,
      sevenLevels,
      fc.array(level5, { minLength: 5, maxLength: 5 }),
      fc.array(level5, { minLength: 5, maxLength: 5 }),
      fc.constantFrom(...EQ5D_VALUE_SETS),
      (s1, s2, e1, e2, set) => {
        const eq = (ls: Level5[]) =>
          scoreEq5d(Object.fromEntries(EQ5D_DIMENSIONS.map((d, i) => [d, ls[i]])));
        const a = measureSet([scoreSwemwbs(swemwbs(s1)), eq(e1)]);
        const b = measureSet([scoreSwemwbs(swemwbs(s2)), eq(e2)]);
        const ab = changesBetween(a, b, { eq5dValueSet: set });
        const ba = changesBetween(b, a, { eq5dValueSet: set });
        assert.equal(
          ab.swemwbsMetricHundredths.change,
          b.swemwbs!.metricHundredths! - a.swemwbs!.metricHundredths!,
        );
        assert.equal(ab.eq5dIndexThousandths.change, -ba.eq5dIndexThousandths.change! || 0);
        assert.equal(
          ab.eq5dIndexThousandths.change,
          eq5dIndexThousandths(profile(e2.join('')), set) -
            eq5dIndexThousandths(profile(e1.join('')), set),
        );
      },
    ),
  );
});

test('a set of measures holds one score per instrument', () => {
  assert.throws(
    () => measureSet([scoreSwemwbs(answersForRaw(7)), scoreSwemwbs(answersForRaw(8))]),
    RangeError,
  );
});

test('parseMeasure refuses unknown instruments and extra fields, naming the field', () => {
  const unknown = parseMeasure({ instrument: 'ghq12', answers: {} });
  assert.equal(unknown.ok, false);
  const extra = parseMeasure({ instrument: 'swemwbs', answers: {}, wording: 'x' });
  assert.equal(extra.ok, false);
  const bad = parseMeasure({ instrument: 'swemwbs', answers: { wemwbs2: 9 } });
  assert.equal(bad.ok, false);
  assert.ok(!bad.ok && bad.messages.some((m) => m.startsWith('answers.wemwbs2:')));
});
