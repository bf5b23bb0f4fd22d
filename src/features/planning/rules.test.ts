import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { pence } from '../../platform/money.ts';
import {
  DEFAULT_SIGN_OFF_POLICY,
  NHS_DP_RISK_RULE,
  PLAN_CHECK_RULES,
  checkPlan,
  compareWithBudget,
  marginSchema,
  missingRiskManagement,
  planOutcomeSchema,
  riskSchema,
  routeSignOff,
  type PlanForCheck,
  type RiskInput,
} from './rules.ts';

type Item = PlanForCheck['items'][number];

const pa: Item = {
  id: 'pa',
  what: 'Personal assistant for trips out',
  category: 'personal_assistant',
  provider: { kind: 'personal_assistant', closeRelativeInHousehold: false },
  unitCostPence: 1500,
  units: 6,
  frequency: 'weekly', // £90 a week, £4,680 a year
  streamId: 'sc',
  outcomeIds: ['out-and-about'],
};
const course: Item = {
  id: 'course',
  what: 'Pottery course',
  category: 'education_or_training',
  provider: { kind: 'provider' },
  unitCostPence: 24000,
  units: 1,
  frequency: 'once', // £240, once
  streamId: 'nhs',
  outcomeIds: ['feel-calmer'],
};

function plan(over: Partial<PlanForCheck> = {}): PlanForCheck {
  return {
    outcomes: [
      { id: 'out-and-about', text: 'I want to get out of the house twice a week' },
      { id: 'feel-calmer', text: 'I want to feel calmer' },
    ],
    items: [pa, course],
    streams: [
      { id: 'sc', name: 'Social care', body: 'council', holding: 'direct_payment' },
      { id: 'nhs', name: 'Personal health budget', body: 'nhs', holding: 'managed' },
    ],
    indicativeAnnualPence: 500_000,
    overBudgetJustification: null,
    ...over,
  };
}

const rulesOf = (c: ReturnType<typeof checkPlan>) => c.problems.map((p) => p.rule);

test('a good plan passes, costed in every period, under its indicative budget', () => {
  const c = checkPlan(plan());
  assert.deepEqual(c.problems, []);
  assert.equal(c.ok, true);
  assert.deepEqual(c.totals, {
    weekly: 9000,
    fourWeekly: 36000,
    recurringAnnual: 468000,
    oneOff: 24000,
    annual: 492000,
  });
  assert.deepEqual(c.budget, {
    status: 'under',
    total: 492000,
    indicative: 500000,
    difference: -8000,
    tolerance: 0,
  });
  assert.equal(c.blockedItems, 0);
  assert.deepEqual(c.flagged, []);
  assert.deepEqual(
    c.items.map((i) => [i.id, i.spending?.status]),
    [
      ['pa', 'allowed'],
      ['course', 'allowed'],
    ],
  );
  // and it goes to the coordinator
  const route = routeSignOff(DEFAULT_SIGN_OFF_POLICY, {
    totalAnnual: c.totals.annual,
    indicativeAnnual: pence(500_000),
    blockedItems: c.blockedItems,
  });
  assert.ok(route.ok && route.level === 'coordinator');
});

test('over the indicative budget needs a justification; with one it passes', () => {
  const over = plan({ indicativeAnnualPence: 491_999 });
  const c = checkPlan(over);
  assert.equal(c.budget?.status, 'over');
  assert.deepEqual(rulesOf(c), ['over_budget_without_justification']);
  assert.equal(
    c.problems[0]?.message,
    'The plan costs £4,920.00 a year, £0.01 over the indicative budget of £4,919.99: say why the extra is needed',
  );
  assert.equal(c.problems[0]?.title, PLAN_CHECK_RULES.over_budget_without_justification.title);
  assert.deepEqual(rulesOf(checkPlan({ ...over, overBudgetJustification: '   ' })), [
    'over_budget_without_justification',
  ]);
  const justified = checkPlan({
    ...over,
    overBudgetJustification: 'The course is only offered this year',
  });
  assert.equal(justified.ok, true);
  // exactly on budget is within, and needs nothing
  assert.equal(checkPlan(plan({ indicativeAnnualPence: 492_000 })).budget?.status, 'within');
});

test('under, within and over: the tolerance applies either side, at its edges', () => {
  const t = marginSchema.parse({ basisPoints: 500, pence: 10_000, combine: 'smaller' }); // £100 here
  const cases: [number, number, string][] = [
    [1_000_000, 1_000_000, 'within'],
    [1_010_000, 1_000_000, 'within'],
    [1_010_001, 1_000_000, 'over'],
    [990_000, 1_000_000, 'within'],
    [989_999, 1_000_000, 'under'],
    [0, 0, 'within'],
    [1, 0, 'over'],
  ];
  for (const [total, indicative, status] of cases) {
    assert.equal(
      compareWithBudget(pence(total), pence(indicative), t).status,
      status,
      `${String(total)} against ${String(indicative)}`,
    );
  }
  const c = checkPlan(plan({ indicativeAnnualPence: 490_000 }), {
    tolerance: marginSchema.parse({ pence: 2_000 }),
  });
  assert.equal(c.budget?.status, 'within');
  assert.equal(c.ok, true);
});

test('every problem is listed at once, each naming its rule, and the rest is still costed', () => {
  const c = checkPlan(
    plan({
      outcomes: [
        { id: 'out-and-about', text: 'I want to get out of the house' },
        { id: 'feel-calmer', text: 'I want to feel calmer' },
        { id: 'work', text: 'I want a part-time job', note: '  ' },
        { id: 'family', text: 'I want to see my brother', note: 'My brother visits; no cost' },
      ],
      items: [
        pa,
        { ...course, streamId: null },
        {
          ...pa,
          id: 'bad-cost',
          what: 'Gardening',
          unitCostPence: -100,
          frequency: 'bi-weekly',
          outcomeIds: ['garden'],
        },
        {
          ...pa,
          id: 'wine',
          what: 'Wine',
          category: 'other',
          streamId: 'nhs',
          outcomeIds: ['feel-calmer'],
        },
        { ...pa, id: 'ghost', what: 'Cinema', streamId: 'lottery', outcomeIds: [] },
        {
          ...pa,
          id: 'mum',
          what: 'Support from my mother',
          provider: { kind: 'personal_assistant', closeRelativeInHousehold: true },
        },
      ],
      indicativeAnnualPence: 100_000,
      streams: [
        { id: 'sc', name: 'Social care', body: 'council', holding: 'direct_payment' },
        { id: 'nhs', name: 'Personal health budget', body: 'nhs', holding: 'direct_payment' },
      ],
    }),
  );
  assert.equal(c.ok, false);
  assert.deepEqual(rulesOf(c).sort(), [
    'item_cost',
    'item_cost',
    'item_funding_stream',
    'item_funding_stream',
    'item_unknown_outcome',
    'nhs_dp_risk_management_procedure',
    'outcome_without_support',
    'over_budget_without_justification',
    'spending_blocked',
    'spending_needs_reason',
  ]);
  const byItem = (id: string) => c.problems.filter((p) => p.itemId === id);
  assert.deepEqual(
    byItem('bad-cost').map((p) => [p.rule, p.field, p.message]),
    [
      ['item_cost', 'unitCost', '"Gardening": The unit cost must not be negative'],
      [
        'item_cost',
        'frequency',
        '"Gardening": Say exactly how often, like "twice a week" or "every 2 weeks": words like "bi-weekly" can mean either',
      ],
      [
        'item_unknown_outcome',
        undefined,
        '"Gardening" is linked to an outcome that is not in the plan',
      ],
    ],
  );
  assert.deepEqual(
    byItem('course').map((p) => p.message),
    ['"Pottery course": choose which funding stream pays for it'],
  );
  assert.deepEqual(
    byItem('ghost').map((p) => p.message),
    ['"Cinema": its funding stream is not one of this plan\'s'],
  );
  const wine = byItem('wine')[0]!;
  assert.equal(wine.rule, 'spending_blocked');
  assert.equal(wine.spendingRuleId, 'nhs_no_alcohol');
  assert.equal(wine.title, 'No alcohol from NHS money');
  assert.match(wine.source, /DOMAIN\.md 2\.5/);
  assert.match(
    wine.message,
    /^"Wine" cannot be paid from Personal health budget: NHS money cannot pay for alcohol\. \(caught by the words "wine"\)$/,
  );
  const mum = byItem('mum')[0]!;
  assert.equal(mum.rule, 'spending_needs_reason');
  assert.match(mum.source, /regulation 3/);
  assert.deepEqual(
    c.problems.filter((p) => p.outcomeId).map((p) => [p.outcomeId, p.message]),
    [
      [
        'work',
        'The outcome "I want a part-time job" has no support: link an item to it, or add a note saying how it will be met',
      ],
    ],
  );
  const risk = c.problems.find((p) => p.rule === NHS_DP_RISK_RULE.id)!;
  assert.match(risk.source, /SI 2013\/1617\), regulation 8/);
  // the items that could be costed are: pa, course, wine, ghost, mum
  assert.equal(c.totals.recurringAnnual, 468000 * 4);
  assert.equal(c.totals.oneOff, 24000);
  assert.equal(c.items.find((i) => i.id === 'bad-cost')?.cost, null);
  assert.equal(c.items.find((i) => i.id === 'course')?.spending, null);
  assert.equal(c.blockedItems, 1);
  assert.deepEqual(
    c.flagged.map((i) => [i.id, i.spending?.status]),
    [
      ['wine', 'blocked'],
      ['mum', 'needs_reason'],
    ],
  );
  // blocked: cannot be routed for sign-off
  const route = routeSignOff(DEFAULT_SIGN_OFF_POLICY, {
    totalAnnual: c.totals.annual,
    indicativeAnnual: pence(100_000),
    blockedItems: c.blockedItems,
  });
  assert.equal(route.ok, false);
});

test('a reason recorded for a rule that needs one clears the problem and keeps the item flagged', () => {
  const mum: Item = {
    ...pa,
    id: 'mum',
    provider: { kind: 'personal_assistant', closeRelativeInHousehold: true },
    ruleReasons: { sc_dp_close_relative: 'Only my mother can give intimate care I will accept' },
  };
  const c = checkPlan(plan({ items: [mum, course] }));
  assert.equal(c.ok, true);
  assert.deepEqual(
    c.flagged.map((i) => [i.id, i.spending?.status, i.spending?.hits[0]?.reason]),
    [['mum', 'allowed_with_reason', 'Only my mother can give intimate care I will accept']],
  );
});

test('no outcomes, no indicative budget', () => {
  const c = checkPlan(plan({ outcomes: [], items: [], indicativeAnnualPence: null }));
  assert.deepEqual(rulesOf(c), ['no_outcomes', 'no_indicative_budget']);
  assert.equal(c.budget, null);
  assert.equal(c.problems[0]?.message, "Add at least one outcome, in the person's own words");
});

// ---------------------------------------------------------------------------------------------
// Risk enablement

const procedure = {
  procedure: 'If Sam misses two PA visits in a row, Sam or the PA rings the care coordinator',
  risksExplained: true,
  agreedWith: ['Sam', 'Alex (care coordinator)'],
  agreedOn: '2027-03-01',
};

test('an NHS direct payment needs the risk-management procedure in the plan', () => {
  const nhsDp = [{ body: 'nhs' as const, holding: 'direct_payment' as const }];
  assert.match(
    missingRiskManagement({ streams: nhsDp }) ?? '',
    /Add the risk-management procedure/,
  );
  assert.equal(missingRiskManagement({ streams: nhsDp, riskManagementProcedure: procedure }), null);
  assert.match(
    missingRiskManagement({
      streams: [{ body: 'nhs', holding: 'mixed' }],
      riskManagementProcedure: null,
    }) ?? '',
    /Add the risk-management procedure/,
  );
  assert.match(
    missingRiskManagement({
      streams: nhsDp,
      riskManagementProcedure: { ...procedure, risksExplained: false, agreedWith: [] },
    }) ?? '',
    /not complete: Confirm the risks were explained to the person; Say who the procedure was agreed with/,
  );
  assert.equal(
    missingRiskManagement({
      streams: nhsDp,
      riskManagementProcedure: 'Ring Alex if two visits are missed',
    }),
    null,
  );
  assert.match(
    missingRiskManagement({ streams: nhsDp, riskManagementProcedure: '  ' }) ?? '',
    /Add the risk-management procedure/,
  );
  for (const holding of ['managed', 'third_party', 'individual_service_fund'] as const) {
    assert.equal(missingRiskManagement({ streams: [{ body: 'nhs', holding }] }), null);
  }
  assert.equal(
    missingRiskManagement({ streams: [{ body: 'council', holding: 'direct_payment' }] }),
    null,
  );
  const withDp = plan({
    streams: [
      { id: 'sc', name: 'Social care', body: 'council', holding: 'direct_payment' },
      { id: 'nhs', name: 'Personal health budget', body: 'nhs', holding: 'direct_payment' },
    ],
  });
  assert.deepEqual(rulesOf(checkPlan(withDp)), ['nhs_dp_risk_management_procedure']);
  assert.equal(checkPlan({ ...withDp, riskManagementProcedure: procedure }).ok, true);
});

const risk: RiskInput = {
  id: 'travel-alone',
  risk: 'Travelling to college alone by bus',
  whatCouldHappen: 'Sam could become very anxious and get off at the wrong stop',
  likelihood: 'possible',
  impact: 'minor',
  whoIsAffected: ['the_person'],
  personsView: 'I want to do this on my own. It is how I will get my confidence back.',
  agreedApproach:
    'Sam travels alone with a phone and a card saying who to call; PA meets Sam for the first two weeks',
  agreedBy: ['Sam', 'Alex (care coordinator)'],
  agreedOn: '2027-03-01',
  positiveRiskTaking: {
    decision: 'Sam will travel to college alone',
    benefits: 'Independence and confidence; college is one of Sam’s outcomes',
    decidedBy: ['Sam', 'Alex (care coordinator)', 'Dr Patel'],
    decidedOn: '2027-03-01',
  },
};

test('a risk is recorded with a positive risk-taking decision as a decision', () => {
  const r = riskSchema.parse(risk);
  assert.equal(r.positiveRiskTaking?.decision, 'Sam will travel to college alone');
  assert.equal(r.positiveRiskTaking?.revisitOn, null);
  assert.equal(r.nhsDirectPaymentKind, null);
  const plain = riskSchema.parse({ ...risk, positiveRiskTaking: undefined });
  assert.equal(plain.positiveRiskTaking, null);
});

test('a risk record is refused with a clear message for each missing part', () => {
  const r = riskSchema.safeParse({
    ...risk,
    whatCouldHappen: ' ',
    likelihood: 'maybe',
    impact: undefined,
    whoIsAffected: [],
    personsView: '',
    agreedBy: [],
    agreedOn: '2027-02-30',
    positiveRiskTaking: { ...risk.positiveRiskTaking, benefits: '', decidedBy: [] },
  });
  assert.equal(r.success, false);
  const messages = r.success ? [] : r.error.issues.map((i) => i.message);
  for (const m of [
    'Enter what could happen',
    'Choose how likely it is',
    'Choose how serious it would be',
    'Choose who could be affected',
    "Enter the person's view",
    'Say who agreed the approach',
    'Enter a real date in the format YYYY-MM-DD',
    'Enter why the risk is worth taking',
    'Say who made the decision',
  ]) {
    assert.ok(messages.includes(m), `${m} in ${messages.join(' | ')}`);
  }
});

test('an outcome is in the person’s own words, with an optional note', () => {
  assert.deepEqual(planOutcomeSchema.parse({ id: 'o1', text: ' I want to feel calmer ' }), {
    id: 'o1',
    text: 'I want to feel calmer',
    needIds: [],
    note: '',
  });
  const bad = planOutcomeSchema.safeParse({ id: 'o1', text: '' });
  assert.equal(bad.success, false);
});

test('property: the plan check never throws, and problems are empty exactly when ok', () => {
  const itemArb = fc.record({
    id: fc.constantFrom('a', 'b', 'c'),
    what: fc.constantFrom('Gym', 'Wine', 'Care home', 'PA', ''),
    category: fc.constantFrom('other' as const, 'short_breaks' as const, 'transport' as const),
    provider: fc.record({
      kind: fc.constantFrom('provider', 'personal_assistant'),
      closeRelativeInHousehold: fc.boolean(),
    }),
    unitCostPence: fc.oneof(
      fc.integer({ min: -10, max: 20_000_000 }),
      fc.constant(Number.NaN),
      fc.constant('x'),
    ),
    units: fc.oneof(fc.integer({ min: -1, max: 20 }), fc.constant('2.5'), fc.constant('')),
    frequency: fc.constantFrom('weekly', 'once', 'bi-weekly', 'daily', ''),
    streamId: fc.constantFrom('sc', 'nhs', null, 'nope'),
    outcomeIds: fc.subarray(['o1', 'o2', 'o3']),
  });
  fc.assert(
    fc.property(
      fc.array(itemArb, { maxLength: 5 }),
      fc.option(fc.integer({ min: 0, max: 10_000_000 }), { nil: null }),
      fc.constantFrom('direct_payment' as const, 'managed' as const, 'mixed' as const),
      (items, indicative, holding) => {
        const c = checkPlan(
          plan({
            outcomes: [
              { id: 'o1', text: 'One' },
              { id: 'o2', text: 'Two', note: 'Met by a friend' },
            ],
            items,
            streams: [
              { id: 'sc', name: 'Social care', body: 'council', holding },
              { id: 'nhs', name: 'NHS', body: 'nhs', holding },
            ],
            indicativeAnnualPence: indicative,
          }),
        );
        assert.equal(c.ok, c.problems.length === 0);
        for (const p of c.problems) {
          assert.ok(p.message.length > 0 && p.title.length > 0 && p.source.length > 0);
        }
        assert.equal(c.items.length, items.length);
        assert.equal(c.totals.annual, c.totals.recurringAnnual + c.totals.oneOff);
      },
    ),
  );
});
