import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { pence, sum } from '../../platform/money.ts';
import { DEMO_RAS } from './demo-ras.ts';
import {
  calculateIndicativeBudget,
  createImpactAccumulator,
  formatBasisPoints,
  impactPreview,
  parseRasVersion,
  rasVersionSchema,
  pointsToAnnual,
  type RasAnswers,
  type RasVersion,
  type RasVersionInput,
} from './rules.ts';

const BASE: RasVersionInput = {
  id: 'test-v1',
  name: 'Test RAS',
  effectiveFrom: '2026-04-01',
  questions: [
    {
      id: 'q1',
      text: 'Question one',
      answers: [
        { id: 'a', text: 'None', points: 0 },
        { id: 'b', text: 'Some', points: 5 },
        { id: 'c', text: 'Lots', points: 10 },
      ],
    },
    {
      id: 'q2',
      text: 'Question two',
      answers: [
        { id: 'a', text: 'None', points: 0 },
        { id: 'b', text: 'Some', points: 3 },
      ],
    },
  ],
  pricing: { kind: 'pricePerPoint', pencePerPoint: 10_000 },
  fundingStreams: [
    { id: 'sc', kind: 'socialCare', name: 'Social care', shareBasisPoints: 6_000 },
    { id: 'nhs', kind: 'nhsPersonalHealthBudget', name: 'NHS', shareBasisPoints: 4_000 },
  ],
  contingency: { basisPoints: 0, mode: 'held' },
  minimumAnnualPence: 0,
  maximumAnnualPence: 10_000_000,
};

const BANDS = {
  kind: 'bands',
  bands: [
    { fromPoints: 0, toPoints: 4, annualPence: 0 },
    { fromPoints: 5, toPoints: 9, annualPence: 100_000 },
    { fromPoints: 10, toPoints: null, annualPence: 250_000 },
  ],
} as const;

function version(over: Partial<RasVersionInput> = {}): RasVersion {
  const r = parseRasVersion({ ...BASE, ...over });
  if (!r.ok) throw new Error(r.messages.join('; '));
  return r.version;
}

function refusal(over: Partial<RasVersionInput>): readonly string[] {
  const r = parseRasVersion({ ...BASE, ...over });
  assert.equal(r.ok, false, 'expected the version to be refused');
  return r.ok ? [] : r.messages;
}

test('a RAS version is refused with a clear message for each kind of mistake', () => {
  const q = BASE.questions;
  const cases: [string, Partial<RasVersionInput>, RegExp][] = [
    [
      'overlapping bands',
      {
        pricing: {
          kind: 'bands',
          bands: [
            { fromPoints: 0, toPoints: 5, annualPence: 0 },
            { fromPoints: 5, toPoints: null, annualPence: 100 },
          ],
        },
      },
      /Band 2 overlaps the band before it: it must start at 6 points/,
    ],
    [
      'gapped bands',
      {
        pricing: {
          kind: 'bands',
          bands: [
            { fromPoints: 0, toPoints: 5, annualPence: 0 },
            { fromPoints: 8, toPoints: null, annualPence: 100 },
          ],
        },
      },
      /Band 2 leaves a gap: no band covers 6 to 7 points/,
    ],
    [
      'bands not starting at 0',
      { pricing: { kind: 'bands', bands: [{ fromPoints: 1, toPoints: null, annualPence: 1 }] } },
      /Band 1 leaves a gap: no band covers 0 to 0 points/,
    ],
    [
      'last band closed',
      { pricing: { kind: 'bands', bands: [{ fromPoints: 0, toPoints: 9, annualPence: 1 }] } },
      /The last band must have no upper limit/,
    ],
    [
      'a higher band giving less money',
      {
        pricing: {
          kind: 'bands',
          bands: [
            { fromPoints: 0, toPoints: 5, annualPence: 500 },
            { fromPoints: 6, toPoints: null, annualPence: 100 },
          ],
        },
      },
      /Band 2 gives less money than the band before it/,
    ],
    [
      'a negative price',
      { pricing: { kind: 'pricePerPoint', pencePerPoint: -1 } },
      /The price per point must not be negative/,
    ],
    [
      'a price in fractions of a penny',
      { pricing: { kind: 'pricePerPoint', pencePerPoint: 1.5 } },
      /The price per point must be a whole number of pence/,
    ],
    [
      'shares under 100 %',
      {
        fundingStreams: [
          { id: 'sc', kind: 'socialCare', name: 'Social care', shareBasisPoints: 6_000 },
          { id: 's117', kind: 'section117', name: 'Section 117', shareBasisPoints: 3_950 },
        ],
      },
      /must add up to exactly 100%, but they add up to 99\.5%/,
    ],
    [
      'shares over 100 %',
      {
        fundingStreams: [
          { id: 'sc', kind: 'socialCare', name: 'Social care', shareBasisPoints: 6_000 },
          { id: 'x', kind: 'other', name: 'Other', shareBasisPoints: 4_001 },
        ],
      },
      /but they add up to 100\.01%/,
    ],
    [
      'minimum above maximum',
      { minimumAnnualPence: 200, maximumAnnualPence: 100 },
      /The minimum must not be more than the maximum/,
    ],
    [
      'duplicate question ids',
      { questions: [q[0], { ...q[1], id: 'q1' }] as RasVersionInput['questions'] },
      /Question id "q1" is used more than once/,
    ],
    [
      'duplicate answer ids',
      {
        questions: [
          {
            id: 'q1',
            text: 'Q',
            answers: [
              { id: 'a', text: 'A', points: 0 },
              { id: 'a', text: 'B', points: 1 },
            ],
          },
        ],
      },
      /Answer id "a" is used more than once in question "q1"/,
    ],
    [
      'duplicate funding stream ids',
      {
        fundingStreams: [
          { id: 'sc', kind: 'socialCare', name: 'A', shareBasisPoints: 5_000 },
          { id: 'sc', kind: 'other', name: 'B', shareBasisPoints: 5_000 },
        ],
      },
      /Funding stream id "sc" is used more than once/,
    ],
    ['a bad effective date', { effectiveFrom: '2026-02-30' }, /Enter a real date/],
    ['no questions', { questions: [] }, /Add at least one question/],
  ];
  for (const [name, over, expected] of cases) {
    const messages = refusal(over);
    assert.ok(
      messages.some((m) => expected.test(m)),
      `${name}: got ${JSON.stringify(messages)}`,
    );
  }
});

test('the demo RAS passes the schema and gives plausible budgets', () => {
  const r = parseRasVersion(DEMO_RAS);
  assert.ok(r.ok, r.ok ? '' : r.messages.join('; '));
  const v = r.version;
  assert.ok(v.questions.length >= 10 && v.questions.length <= 12);
  const pick = (index: number): RasAnswers =>
    Object.fromEntries(
      v.questions.map((q) => [q.id, q.answers[Math.min(index, q.answers.length - 1)]?.id ?? '']),
    );
  const annual = (index: number): number => {
    const b = calculateIndicativeBudget(v, pick(index));
    assert.ok(b.ok);
    return b.budget.annual;
  };
  assert.equal(annual(0), 100_000, 'no needs: the £1,000 minimum');
  assert.ok(annual(1) >= 300_000 && annual(1) <= 1_500_000, 'some needs: a few thousand pounds');
  assert.ok(annual(3) >= 2_000_000 && annual(3) <= 6_000_000, 'high needs: tens of thousands');
});

test('price per point: points, contingency, periods and the funding split', () => {
  const cases: [string, Partial<RasVersionInput>, RasAnswers, Record<string, number>][] = [
    [
      'plain',
      {},
      { q1: 'c', q2: 'b' },
      { totalPoints: 13, baseAnnual: 130_000, annual: 130_000, weekly: 2_500, fourWeekly: 10_000 },
    ],
    [
      'contingency added, rounded to the penny',
      { contingency: { basisPoints: 333, mode: 'added' } },
      { q1: 'b', q2: 'b' },
      { totalPoints: 8, baseAnnual: 80_000, contingency: 2_664, annual: 82_664 },
    ],
    [
      'contingency held is not given to the person',
      { contingency: { basisPoints: 500, mode: 'held' } },
      { q1: 'b', q2: 'a' },
      { baseAnnual: 50_000, contingency: 2_500, annual: 50_000 },
    ],
    [
      'weekly rounds to the nearest penny',
      { pricing: { kind: 'pricePerPoint', pencePerPoint: 1 } },
      { q1: 'c', q2: 'b' },
      { annual: 13, weekly: 0, fourWeekly: 1 },
    ],
  ];
  for (const [name, over, answers, expected] of cases) {
    const r = calculateIndicativeBudget(version(over), answers);
    assert.ok(r.ok, name);
    const b = r.budget;
    const got: Record<string, number> = {
      totalPoints: b.totalPoints,
      baseAnnual: b.baseAnnual,
      contingency: b.contingency.amount,
      annual: b.annual,
      weekly: b.weekly,
      fourWeekly: b.fourWeekly,
    };
    for (const [k, v] of Object.entries(expected)) assert.equal(got[k], v, `${name}: ${k}`);
    assert.equal(sum(b.streams.map((s) => s.annual)), b.annual, `${name}: streams sum`);
  }
  const r = calculateIndicativeBudget(version(), { q1: 'c', q2: 'b' });
  assert.ok(r.ok);
  assert.equal(r.budget.versionId, 'test-v1');
  assert.deepEqual(r.budget.answers, [
    { questionId: 'q1', answerId: 'c', points: 10 },
    { questionId: 'q2', answerId: 'b', points: 3 },
  ]);
  assert.deepEqual(
    r.budget.streams.map((s) => [s.id, s.annual]),
    [
      ['sc', 78_000],
      ['nhs', 52_000],
    ],
  );
});

test('bands: each band edge gives the amount of the band it belongs to', () => {
  const pricing = BANDS as unknown as RasVersion['pricing'];
  const cases: [number, number][] = [
    [0, 0],
    [4, 0],
    [5, 100_000],
    [9, 100_000],
    [10, 250_000],
    [1_000, 250_000],
  ];
  for (const [points, expected] of cases) {
    assert.equal(pointsToAnnual(pricing, points), expected, `${String(points)} points`);
  }
  const v = version({ pricing: BANDS as unknown as RasVersionInput['pricing'] });
  const r = calculateIndicativeBudget(v, { q1: 'b', q2: 'a' });
  assert.ok(r.ok);
  assert.equal(r.budget.totalPoints, 5);
  assert.equal(r.budget.annual, 100_000);
});

test('the minimum and maximum clamp the amount, and say so', () => {
  const v = version({ minimumAnnualPence: 40_000, maximumAnnualPence: 100_000 });
  const cases: [RasAnswers, number, string | null][] = [
    [{ q1: 'a', q2: 'b' }, 40_000, 'minimum'],
    [{ q1: 'a', q2: 'a' }, 40_000, 'minimum'],
    [{ q1: 'b', q2: 'a' }, 50_000, null],
    [{ q1: 'c', q2: 'a' }, 100_000, null],
    [{ q1: 'c', q2: 'b' }, 100_000, 'maximum'],
  ];
  for (const [answers, annual, clamped] of cases) {
    const r = calculateIndicativeBudget(v, answers);
    assert.ok(r.ok);
    assert.equal(r.budget.annual, annual, JSON.stringify(answers));
    assert.equal(r.budget.clamped, clamped, JSON.stringify(answers));
  }
});

test('answers that do not fit the questions are refused with a clear message', () => {
  const v = version();
  const cases: [RasAnswers, RegExp][] = [
    [{ q1: 'a' }, /^Answer the question "Question two"$/],
    [{ q1: 'a', q2: '' }, /^Answer the question "Question two"$/],
    [{ q1: 'c', q2: 'c' }, /^"c" is not one of the answers to "Question two"$/],
    [{ q1: 'a', q2: 'a', q9: 'a' }, /^There is no question "q9" in this RAS$/],
  ];
  for (const [answers, expected] of cases) {
    const r = calculateIndicativeBudget(v, answers);
    assert.equal(r.ok, false);
    assert.ok(!r.ok && r.messages.some((m) => expected.test(m)), JSON.stringify(answers));
  }
});

test('formatBasisPoints', () => {
  const cases: [number, string][] = [
    [10_000, '100%'],
    [6_000, '60%'],
    [1_250, '12.5%'],
    [9_999, '99.99%'],
    [5, '0.05%'],
  ];
  for (const [bp, text] of cases) assert.equal(formatBasisPoints(bp), text);
});

// ---------------------------------------------------------------------------------------------
// Properties

const arbShares = fc
  .array(fc.integer({ min: 0, max: 10_000 }), { minLength: 0, maxLength: 4 })
  .map((cuts) => {
    const points = [0, ...[...cuts].sort((a, b) => a - b), 10_000];
    return points.slice(1).map((p, i) => p - (points[i] ?? 0));
  });

const arbPricing: fc.Arbitrary<RasVersionInput['pricing']> = fc.oneof(
  fc
    .integer({ min: 0, max: 1_000_000 })
    .map((pencePerPoint) => ({ kind: 'pricePerPoint' as const, pencePerPoint })),
  fc
    .array(fc.tuple(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 500_000 })), {
      minLength: 1,
      maxLength: 6,
    })
    .map((steps) => {
      let from = 0;
      let amount = 0;
      return {
        kind: 'bands' as const,
        bands: steps.map(([width, rise], i) => {
          amount += rise;
          const band = {
            fromPoints: from,
            toPoints: i === steps.length - 1 ? null : from + width - 1,
            annualPence: amount,
          };
          from += width;
          return band;
        }),
      };
    }),
);

const arbVersion: fc.Arbitrary<RasVersion> = fc
  .record({
    pricing: arbPricing,
    shares: arbShares,
    contingency: fc.record({
      basisPoints: fc.integer({ min: 0, max: 10_000 }),
      mode: fc.constantFrom('added' as const, 'held' as const),
    }),
    limits: fc.tuple(
      fc.integer({ min: 0, max: 5_000_000 }),
      fc.integer({ min: 0, max: 5_000_000 }),
    ),
  })
  .map(({ pricing, shares, contingency, limits }) =>
    version({
      pricing,
      contingency,
      minimumAnnualPence: Math.min(...limits),
      maximumAnnualPence: Math.max(...limits),
      fundingStreams: shares.map((s, i) => ({
        id: `s${String(i)}`,
        kind: 'other' as const,
        name: `Stream ${String(i)}`,
        shareBasisPoints: s,
      })),
    }),
  );

const arbAnswers: fc.Arbitrary<RasAnswers> = fc.record({
  q1: fc.constantFrom('a', 'b', 'c'),
  q2: fc.constantFrom('a', 'b'),
});

test('property: stream parts always sum exactly to the annual total', () => {
  fc.assert(
    fc.property(arbVersion, arbAnswers, (v, answers) => {
      const r = calculateIndicativeBudget(v, answers);
      assert.ok(r.ok);
      assert.equal(sum(r.budget.streams.map((s) => s.annual)), r.budget.annual);
    }),
  );
});

test('property: more points never gives less money', () => {
  fc.assert(
    fc.property(
      arbVersion,
      fc.integer({ min: 0, max: 200 }),
      fc.integer({ min: 0, max: 200 }),
      (v, p1, p2) => {
        const [lo, hi] = p1 <= p2 ? [p1, p2] : [p2, p1];
        assert.ok(pointsToAnnual(v.pricing, lo) <= pointsToAnnual(v.pricing, hi));
        // The same through the whole calculation, with a one-question RAS scoring lo or hi.
        const one = parseRasVersion({
          ...v,
          questions: [
            {
              id: 'q',
              text: 'Q',
              answers: [
                { id: 'lo', text: 'Lo', points: lo },
                { id: 'hi', text: 'Hi', points: hi },
              ],
            },
          ],
        });
        assert.ok(one.ok);
        const a = calculateIndicativeBudget(one.version, { q: 'lo' });
        const b = calculateIndicativeBudget(one.version, { q: 'hi' });
        assert.ok(a.ok && b.ok);
        assert.ok(a.budget.annual <= b.budget.annual);
      },
    ),
  );
});

test('property: the calculation is deterministic, also from a stored (JSON) copy', () => {
  fc.assert(
    fc.property(arbVersion, arbAnswers, (v, answers) => {
      const first = calculateIndicativeBudget(v, answers);
      const stored = parseRasVersion(JSON.parse(JSON.stringify(v)));
      assert.ok(stored.ok);
      const again = calculateIndicativeBudget(stored.version, { ...answers });
      assert.deepEqual(again, first);
    }),
  );
});

// ---------------------------------------------------------------------------------------------
// Impact preview

test('impact preview counts, totals and groups people by team and support reason', () => {
  const p = (personId: string, team: string, supportReason: string, annual: number) => ({
    personId,
    team,
    supportReason,
    annual: pence(annual),
  });
  const olds = [
    p('1', 'North', 'Psychosis', 1_000),
    p('2', 'North', 'Depression', 2_000),
    p('3', 'South', 'Psychosis', 3_000),
    p('4', 'South', 'Psychosis', 500),
    p('gone', 'South', 'Psychosis', 700),
  ];
  const news = [
    p('1', 'North', 'Psychosis', 1_500),
    p('2', 'North', 'Depression', 1_000),
    p('3', 'South', 'Psychosis', 3_000),
    p('4', 'South', 'Psychosis', 501),
    p('new', 'North', 'Depression', 900),
  ];
  const r = impactPreview(olds, news);
  assert.deepEqual(
    { people: r.people, up: r.up, down: r.down, same: r.same },
    { people: 4, up: 2, down: 1, same: 1 },
  );
  assert.equal(r.oldTotal, 6_500);
  assert.equal(r.newTotal, 6_001);
  assert.equal(r.totalChange, -499);
  assert.equal(r.averageChange, -125, '−124.75 rounds to −125');
  assert.deepEqual(r.onlyInOld, ['gone']);
  assert.deepEqual(r.onlyInNew, ['new']);
  assert.deepEqual(
    r.byTeam.map((g) => [g.team, g.people, g.up, g.down, g.same, g.totalChange]),
    [
      ['North', 2, 1, 1, 0, -500],
      ['South', 2, 1, 0, 1, 1],
    ],
  );
  assert.deepEqual(
    r.bySupportReason.map((g) => [g.supportReason, g.people, g.totalChange, g.averageChange]),
    [
      ['Depression', 1, -1_000, -1_000],
      ['Psychosis', 3, 501, 167],
    ],
  );
  const empty = impactPreview([], []);
  assert.equal(empty.people, 0);
  assert.equal(empty.averageChange, 0);
});

test('property: the impact accumulator gives exactly what impactPreview gives', () => {
  const arbAllocation = fc.record({
    personId: fc.integer({ min: 0, max: 40 }).map(String),
    team: fc.constantFrom('North', 'South', 'No team', 'east', 'Éire', 'North '),
    supportReason: fc.constantFrom('Mental Health Support', 'Unknown', 'Learning Disability'),
    // Small amounts too, so that "stays the same" happens often.
    annual: fc
      .oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 6_000_000 }))
      .map(pence),
  });
  const unique = fc.uniqueArray(arbAllocation, { selector: (a) => a.personId, maxLength: 30 });
  fc.assert(
    fc.property(unique, unique, (olds, news) => {
      const acc = createImpactAccumulator();
      const oldById = new Map(olds.map((o) => [o.personId, o]));
      const newIds = new Set(news.map((n) => n.personId));
      for (const n of news) {
        const o = oldById.get(n.personId);
        if (o) acc.add(n.team, n.supportReason, o.annual, n.annual);
        else acc.addOnlyInNew(n.personId);
      }
      for (const o of olds) if (!newIds.has(o.personId)) acc.addOnlyInOld(o.personId);
      assert.deepEqual(acc.result(), impactPreview(olds, news));
    }),
  );
});

test('the impact accumulator can be read part-way and goes on counting', () => {
  const acc = createImpactAccumulator();
  assert.deepEqual(acc.result(), impactPreview([], []));
  acc.add('North', 'Unknown', pence(100), pence(150));
  assert.equal(acc.result().up, 1);
  acc.add('North', 'Unknown', pence(100), pence(50));
  const r = acc.result();
  assert.deepEqual([r.people, r.up, r.down, r.same, r.totalChange], [2, 1, 1, 0, 0]);
});

// ---------------------------------------------------------------------------------------------
// Properties over the demo RAS, as people answer it

const demo = rasVersionSchema.parse(DEMO_RAS);
const arbDemoAnswers: fc.Arbitrary<Record<string, number>> = fc.record(
  Object.fromEntries(
    demo.questions.map((q) => [q.id, fc.integer({ min: 0, max: q.answers.length - 1 })]),
  ),
);
const toAnswers = (picks: Record<string, number>): RasAnswers =>
  Object.fromEntries(demo.questions.map((q) => [q.id, q.answers[picks[q.id] ?? 0]?.id ?? '']));

test('property: moving any one answer to one of more need never lowers the budget (demo RAS, with and without section 117)', () => {
  fc.assert(
    fc.property(
      arbDemoAnswers,
      fc.nat({ max: demo.questions.length - 1 }),
      fc.boolean(),
      (picks, qi, section117) => {
        const q = demo.questions[qi];
        assert.ok(q);
        const before = calculateIndicativeBudget(demo, toAnswers(picks), { section117 });
        const current = q.answers[picks[q.id] ?? 0];
        assert.ok(before.ok && current);
        for (const more of q.answers.filter((a) => a.points > current.points)) {
          const after = calculateIndicativeBudget(
            demo,
            { ...toAnswers(picks), [q.id]: more.id },
            { section117 },
          );
          assert.ok(after.ok);
          assert.ok(after.budget.annual >= before.budget.annual);
          for (const [i, s] of after.budget.streams.entries())
            assert.ok(s.annual >= (before.budget.streams[i]?.annual ?? 0) - 1);
        }
      },
    ),
  );
});

test('property: section 117 budgets are split NHS/council by the configured share and sum exactly', () => {
  fc.assert(
    fc.property(arbDemoAnswers, fc.integer({ min: 0, max: 10_000 }), (picks, nhsShare) => {
      const v = rasVersionSchema.parse({
        ...DEMO_RAS,
        section117: { nhsShareBasisPoints: nhsShare },
      });
      const r = calculateIndicativeBudget(v, toAnswers(picks), { section117: true });
      assert.ok(r.ok);
      assert.equal(r.budget.section117, true);
      assert.deepEqual(
        r.budget.streams.map((s) => s.kind),
        ['section117', 'section117'],
      );
      assert.equal(sum(r.budget.streams.map((s) => s.annual)), r.budget.annual);
      const nhs = r.budget.streams[0]?.annual ?? 0;
      // Within a penny of the exact share.
      assert.ok(Math.abs(nhs * 10_000 - r.budget.annual * nhsShare) <= 10_000);
    }),
  );
});
