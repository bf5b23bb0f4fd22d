import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  CARE_ACT_OUTCOMES,
  ELIGIBILITY_RULES_VERSION,
  MHA_SECTIONS,
  OUTCOME_IDS,
  UNABLE_REASONS,
  decideEligibility,
  eligibilityInputSchema,
  outcomeLabel,
  type MhaSection,
  type NhsRight,
  type OutcomeId,
  type UnableReasonId,
} from './eligibility.ts';

interface Answers {
  impairment?: boolean;
  notAchieved?: Partial<Record<OutcomeId, UnableReasonId[]>>;
  wellbeing?: boolean;
  detentions?: { section: MhaSection; discharged: boolean }[];
  chc?: boolean;
}

/** Builds a parsed input: every outcome achievable unless listed in `notAchieved`. */
function answers(a: Answers) {
  const outcomes = Object.fromEntries(
    OUTCOME_IDS.map((id) => {
      const reasons = a.notAchieved?.[id];
      return [id, reasons ? { achievable: false, reasons } : { achievable: true }];
    }),
  );
  return eligibilityInputSchema.parse({
    needsFromImpairmentOrIllness: a.impairment ?? true,
    outcomes,
    significantWellbeingImpact: a.wellbeing ?? true,
    nhs: { detentions: a.detentions ?? [], continuingHealthcareEligible: a.chc ?? false },
  });
}

const help: UnableReasonId[] = ['needs_assistance'];
const distress: UnableReasonId[] = ['significant_pain_distress_anxiety'];

test('the ten outcomes are those of SI 2015/313 reg 2(2), codes a to j, each with a plain label', () => {
  assert.deepEqual(
    CARE_ACT_OUTCOMES.map((o) => o.code),
    ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'],
  );
  assert.equal(new Set(OUTCOME_IDS).size, 10);
  for (const o of CARE_ACT_OUTCOMES) assert.ok(o.label.length > 0, o.id);
});

test('eligibility: a table of cases', () => {
  const cases: {
    name: string;
    given: Answers;
    careActEligible: boolean;
    nhsRight: NhsRight;
    explanationIncludes: string[];
  }[] = [
    {
      name: 'exactly two outcomes not achieved, impairment, significant impact: eligible',
      given: { notAchieved: { nutrition: help, relationships: distress } },
      careActEligible: true,
      nhsRight: 'local_offer',
      explanationIncludes: [
        'You are eligible for care and support from the council because',
        'getting enough to eat and drink',
        'keeping up relationships with family and friends',
        'you need help or prompting',
        'significant pain, distress or anxiety',
        'local offer',
      ],
    },
    {
      name: 'one outcome only, even with significant impact: not eligible',
      given: { notAchieved: { home_safety: ['endangers_health_or_safety'] } },
      careActEligible: false,
      nhsRight: 'local_offer',
      explanationIncludes: [
        'You are not eligible for care and support from the council because',
        'only one of the ten outcomes',
        'using your home safely',
        'health or safety',
      ],
    },
    {
      name: 'no outcomes at all: not eligible',
      given: {},
      careActEligible: false,
      nhsRight: 'local_offer',
      explanationIncludes: ['You can achieve all ten outcomes'],
    },
    {
      name: 'no impairment or illness: not eligible, even with many outcomes and impact',
      given: {
        impairment: false,
        notAchieved: { nutrition: help, personal_hygiene: help, clothing: help },
      },
      careActEligible: false,
      nhsRight: 'local_offer',
      explanationIncludes: [
        'You are not eligible',
        'Your needs do not come from a physical or mental impairment or illness',
      ],
    },
    {
      name: 'two outcomes but no significant impact on wellbeing: not eligible',
      given: {
        wellbeing: false,
        notAchieved: { nutrition: ['takes_significantly_longer'], toilet_needs: help },
      },
      careActEligible: false,
      nhsRight: 'local_offer',
      explanationIncludes: [
        'There is not a significant impact on your wellbeing',
        'much longer than it would normally take',
      ],
    },
    {
      name: 'every condition fails: each one is named',
      given: { impairment: false, wellbeing: false },
      careActEligible: false,
      nhsRight: 'local_offer',
      explanationIncludes: [
        'impairment or illness',
        'You can achieve all ten outcomes',
        'significant impact on your wellbeing',
      ],
    },
    {
      name: 'section 117 after-care without Care Act eligibility: the NHS right still holds',
      given: { detentions: [{ section: '3', discharged: true }] },
      careActEligible: false,
      nhsRight: 'section_117',
      explanationIncludes: ['You are not eligible', 'section 117', 'detained under section 3'],
    },
    {
      name: 'section 37 after-care with Care Act eligibility: both',
      given: {
        notAchieved: { habitable_home: help, community_services: distress },
        detentions: [{ section: '37', discharged: true }],
      },
      careActEligible: true,
      nhsRight: 'section_117',
      explanationIncludes: ['You are eligible', 'section 37'],
    },
    {
      name: 'detained under section 3 but not yet discharged: no s117 right yet',
      given: { detentions: [{ section: '3', discharged: false }] },
      careActEligible: false,
      nhsRight: 'local_offer',
      explanationIncludes: ['When you leave hospital', 'local offer'],
    },
    {
      name: 'section 2 does not bring section 117 after-care',
      given: { detentions: [{ section: '2', discharged: true }] },
      careActEligible: false,
      nhsRight: 'local_offer',
      explanationIncludes: ['section 2', 'does not give a right to section 117'],
    },
    {
      name: 'section 2 then section 3, discharged: section 117',
      given: {
        detentions: [
          { section: '2', discharged: true },
          { section: '3', discharged: true },
        ],
      },
      careActEligible: false,
      nhsRight: 'section_117',
      explanationIncludes: ['detained under section 3'],
    },
    {
      name: 'NHS continuing healthcare: legal right',
      given: { chc: true },
      careActEligible: false,
      nhsRight: 'continuing_healthcare',
      explanationIncludes: ['NHS continuing healthcare'],
    },
  ];
  for (const c of cases) {
    const decision = decideEligibility(answers(c.given));
    assert.equal(decision.rulesVersion, ELIGIBILITY_RULES_VERSION, c.name);
    assert.equal(decision.careAct.eligible, c.careActEligible, c.name);
    assert.equal(decision.nhs.right, c.nhsRight, c.name);
    for (const text of c.explanationIncludes)
      assert.ok(
        decision.explanation.toLowerCase().includes(text.toLowerCase()),
        `${c.name}: explanation should include "${text}"\n${decision.explanation}`,
      );
  }
});

test('every section 117 section (3, 37, 45A, 47, 48) gives the right once discharged; no other does', () => {
  for (const section of MHA_SECTIONS) {
    const decision = decideEligibility(answers({ detentions: [{ section, discharged: true }] }));
    const expected = ['3', '37', '45A', '47', '48'].includes(section)
      ? 'section_117'
      : 'local_offer';
    assert.equal(decision.nhs.right, expected, `section ${section}`);
  }
});

test('section 117 and continuing healthcare together: both grounds are kept', () => {
  const decision = decideEligibility(
    answers({ chc: true, detentions: [{ section: '45A', discharged: true }] }),
  );
  assert.equal(decision.nhs.right, 'section_117');
  assert.deepEqual(decision.nhs.legalGrounds, ['section_117', 'continuing_healthcare']);
  assert.ok(!decision.explanation.includes('local offer'));
});

test('outcomes not achieved are listed in the order of the regulation', () => {
  const decision = decideEligibility(
    answers({ notAchieved: { caring_for_a_child: help, nutrition: help, clothing: distress } }),
  );
  assert.deepEqual(decision.careAct.outcomesNotAchieved, [
    'nutrition',
    'clothing',
    'caring_for_a_child',
  ]);
});

test('bad input is refused by the schema', () => {
  const valid = {
    needsFromImpairmentOrIllness: true,
    outcomes: Object.fromEntries(OUTCOME_IDS.map((id) => [id, { achievable: true }])),
    significantWellbeingImpact: true,
    nhs: { detentions: [], continuingHealthcareEligible: false },
  };
  assert.equal(eligibilityInputSchema.safeParse(valid).success, true);
  const bad: [string, unknown][] = [
    ['an outcome missing', { ...valid, outcomes: { ...valid.outcomes, nutrition: undefined } }],
    [
      'not achievable without a reason',
      { ...valid, outcomes: { ...valid.outcomes, nutrition: { achievable: false, reasons: [] } } },
    ],
    [
      'an unknown reason',
      {
        ...valid,
        outcomes: { ...valid.outcomes, nutrition: { achievable: false, reasons: ['tired'] } },
      },
    ],
    [
      'the same reason twice',
      {
        ...valid,
        outcomes: {
          ...valid.outcomes,
          nutrition: { achievable: false, reasons: ['needs_assistance', 'needs_assistance'] },
        },
      },
    ],
    [
      'an unknown section',
      { ...valid, nhs: { ...valid.nhs, detentions: [{ section: '99', discharged: true }] } },
    ],
    ['impairment not answered', { ...valid, needsFromImpairmentOrIllness: undefined }],
  ];
  for (const [why, input] of bad)
    assert.equal(eligibilityInputSchema.safeParse(input).success, false, why);
});

// Properties over any answers at all.

const reasonsArb = fc.subarray(
  UNABLE_REASONS.map((r) => r.id),
  { minLength: 1 },
);
const notAchievedArb = fc.dictionary(fc.constantFrom(...OUTCOME_IDS), reasonsArb) as fc.Arbitrary<
  Partial<Record<OutcomeId, UnableReasonId[]>>
>;
const answersArb: fc.Arbitrary<Answers> = fc.record({
  impairment: fc.boolean(),
  notAchieved: notAchievedArb,
  wellbeing: fc.boolean(),
  detentions: fc.array(
    fc.record({ section: fc.constantFrom(...MHA_SECTIONS), discharged: fc.boolean() }),
    { maxLength: 3 },
  ),
  chc: fc.boolean(),
});

test('property: eligible exactly when all three conditions hold', () => {
  fc.assert(
    fc.property(answersArb, (a) => {
      const d = decideEligibility(answers(a));
      const count = Object.keys(a.notAchieved ?? {}).length;
      const expected = a.impairment === true && count >= 2 && a.wellbeing === true;
      assert.equal(d.careAct.eligible, expected);
      assert.equal(d.careAct.outcomesNotAchieved.length, count);
    }),
  );
});

test('property: one more outcome not achieved never makes an eligible person ineligible', () => {
  fc.assert(
    fc.property(answersArb, fc.constantFrom(...OUTCOME_IDS), reasonsArb, (a, extra, reasons) => {
      const before = decideEligibility(answers(a));
      const after = decideEligibility(
        answers({ ...a, notAchieved: { ...a.notAchieved, [extra]: reasons } }),
      );
      if (before.careAct.eligible) assert.equal(after.careAct.eligible, true);
    }),
  );
});

test('property: the explanation names every outcome not achieved and says eligible or not', () => {
  fc.assert(
    fc.property(answersArb, (a) => {
      const d = decideEligibility(answers(a));
      for (const id of d.careAct.outcomesNotAchieved)
        assert.ok(d.explanation.toLowerCase().includes(outcomeLabel(id).toLowerCase()), id);
      const opening = d.careAct.eligible ? 'You are eligible' : 'You are not eligible';
      assert.ok(d.explanation.startsWith(opening));
    }),
  );
});

test('property: the NHS right never depends on the Care Act answers', () => {
  fc.assert(
    fc.property(answersArb, answersArb, (a, b) => {
      const mixed = { ...b, detentions: a.detentions, chc: a.chc };
      assert.deepEqual(decideEligibility(answers(a)).nhs, decideEligibility(answers(mixed)).nhs);
    }),
  );
});

test('property: a legal right exactly when discharged after a section 117 section, or CHC', () => {
  fc.assert(
    fc.property(answersArb, (a) => {
      const s117 = (a.detentions ?? []).some(
        (d) => d.discharged && ['3', '37', '45A', '47', '48'].includes(d.section),
      );
      const d = decideEligibility(answers(a));
      assert.equal(d.nhs.legalGrounds.includes('section_117'), s117);
      assert.equal(d.nhs.legalGrounds.includes('continuing_healthcare'), a.chc === true);
      assert.equal(d.nhs.right === 'local_offer', !s117 && a.chc !== true);
    }),
  );
});
