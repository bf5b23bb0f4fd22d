import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  DEFAULT_SPENDING_RULE_SET,
  HOLDING_OPTIONS,
  LEGAL_SPENDING_RULES,
  LEGAL_SPENDING_RULE_IDS,
  checkSpending,
  findKeyword,
  parseSpendingRuleSet,
  type FundingBody,
  type HoldingOption,
  type PlanItemCategory,
  type SpendingItem,
  type SpendingRuleInput,
  type SpendingStatus,
} from './rules.ts';

const provider = { kind: 'provider', name: 'Acme' };
const relative = { kind: 'personal_assistant', name: 'Sam', closeRelativeInHousehold: true };
const notRelative = { kind: 'personal_assistant', name: 'Sam', closeRelativeInHousehold: false };

interface Case {
  name: string;
  what: string;
  category?: PlanItemCategory;
  details?: string;
  provider?: SpendingItem['provider'];
  body: FundingBody;
  holding: HoldingOption;
  reasons?: Record<string, string>;
  status: SpendingStatus;
  rules: string[];
}

test('spending rules: a table of items, money and outcomes', () => {
  const cases: Case[] = [
    {
      name: 'wine from NHS money',
      what: 'Wine for a birthday meal',
      body: 'nhs',
      holding: 'managed',
      status: 'blocked',
      rules: ['nhs_no_alcohol'],
    },
    {
      name: 'alcohol in the details of an NHS direct payment item',
      what: 'Meal out',
      details: 'Includes alcohol',
      body: 'nhs',
      holding: 'direct_payment',
      status: 'blocked',
      rules: ['nhs_no_alcohol'],
    },
    {
      name: 'the same wine from council money is not an NHS rule',
      what: 'Wine for a birthday meal',
      body: 'council',
      holding: 'direct_payment',
      status: 'allowed',
      rules: [],
    },
    {
      name: 'cigarettes (plural) from NHS money',
      what: 'Cigarettes',
      body: 'nhs',
      holding: 'third_party',
      status: 'blocked',
      rules: ['nhs_no_tobacco'],
    },
    {
      name: 'betting',
      what: 'Betting shop trips',
      body: 'nhs',
      holding: 'managed',
      status: 'blocked',
      rules: ['nhs_no_gambling'],
    },
    {
      name: 'whole words only: "Better sleep" is not betting',
      what: 'Better sleep course',
      category: 'therapy',
      body: 'nhs',
      holding: 'managed',
      status: 'allowed',
      rules: [],
    },
    {
      name: 'repaying debts',
      what: 'Repay debts to catalogue company',
      body: 'nhs',
      holding: 'direct_payment',
      status: 'blocked',
      rules: ['nhs_no_debt_repayment'],
    },
    {
      name: 'debt advice is not debt repayment',
      what: 'Debt advice sessions',
      body: 'nhs',
      holding: 'direct_payment',
      status: 'allowed',
      rules: [],
    },
    {
      name: 'anything illegal',
      what: 'Cannabis for sleep',
      body: 'nhs',
      holding: 'direct_payment',
      status: 'blocked',
      rules: ['nhs_no_illegal'],
    },
    {
      name: 'A&E',
      what: 'Private A&E visit',
      body: 'nhs',
      holding: 'managed',
      status: 'blocked',
      rules: ['nhs_no_emergency_care'],
    },
    {
      name: 'GP services',
      what: 'Private GP appointment',
      category: 'therapy',
      body: 'nhs',
      holding: 'managed',
      status: 'blocked',
      rules: ['nhs_no_gp_services'],
    },
    {
      name: 'a taxi to the GP is transport, not a GP service',
      what: 'Taxi to GP appointments',
      category: 'transport',
      body: 'nhs',
      holding: 'managed',
      status: 'allowed',
      rules: [],
    },
    {
      name: 'dental treatment',
      what: 'Dentist check-up',
      body: 'nhs',
      holding: 'managed',
      status: 'blocked',
      rules: ['nhs_no_dental'],
    },
    {
      name: 'elective surgery',
      what: 'Elective surgery abroad',
      body: 'nhs',
      holding: 'managed',
      status: 'blocked',
      rules: ['nhs_no_elective_surgery'],
    },
    {
      name: 'two NHS rules at once',
      what: 'Wine and cigarettes',
      body: 'nhs',
      holding: 'managed',
      status: 'blocked',
      rules: ['nhs_no_alcohol', 'nhs_no_tobacco'],
    },
    {
      name: 'a close relative in the household paid by a social care direct payment',
      what: 'Evening support from my mother',
      category: 'personal_assistant',
      provider: relative,
      body: 'council',
      holding: 'direct_payment',
      status: 'needs_reason',
      rules: ['sc_dp_close_relative'],
    },
    {
      name: '… with the reason recorded',
      what: 'Evening support from my mother',
      category: 'personal_assistant',
      provider: relative,
      body: 'council',
      holding: 'direct_payment',
      reasons: { sc_dp_close_relative: 'Only my mother speaks Sylheti and I need intimate care' },
      status: 'allowed_with_reason',
      rules: ['sc_dp_close_relative'],
    },
    {
      name: '… or given as the provider’s necessary reason (the plan document’s field)',
      what: 'Evening support from my mother',
      category: 'personal_assistant',
      provider: { ...relative, necessaryReason: 'No agency covers our village at night' },
      body: 'council',
      holding: 'direct_payment',
      status: 'allowed_with_reason',
      rules: ['sc_dp_close_relative'],
    },
    {
      name: '… a reason of spaces is no reason',
      what: 'Evening support from my mother',
      category: 'personal_assistant',
      provider: relative,
      body: 'council',
      holding: 'direct_payment',
      reasons: { sc_dp_close_relative: '   ' },
      status: 'needs_reason',
      rules: ['sc_dp_close_relative'],
    },
    {
      name: '… a mixed budget may pay by direct payment, so the rule applies',
      what: 'Evening support',
      category: 'personal_assistant',
      provider: relative,
      body: 'council',
      holding: 'mixed',
      status: 'needs_reason',
      rules: ['sc_dp_close_relative'],
    },
    {
      name: '… a council-managed budget is not a direct payment',
      what: 'Evening support',
      category: 'personal_assistant',
      provider: relative,
      body: 'council',
      holding: 'managed',
      status: 'allowed',
      rules: [],
    },
    {
      name: '… nor is an individual service fund',
      what: 'Evening support',
      category: 'personal_assistant',
      provider: relative,
      body: 'council',
      holding: 'individual_service_fund',
      status: 'allowed',
      rules: [],
    },
    {
      name: 'NHS rules apply to an individual service fund too',
      what: 'Lottery tickets',
      body: 'nhs',
      holding: 'individual_service_fund',
      status: 'blocked',
      rules: ['nhs_no_gambling'],
    },
    {
      name: 'a personal assistant who is not a close relative in the household',
      what: 'Evening support',
      category: 'personal_assistant',
      provider: notRelative,
      body: 'council',
      holding: 'direct_payment',
      status: 'allowed',
      rules: [],
    },
    {
      name: 'a family member in the household paid by an NHS direct payment',
      what: 'Support at home',
      category: 'personal_assistant',
      provider: relative,
      body: 'nhs',
      holding: 'direct_payment',
      status: 'needs_reason',
      rules: ['nhs_dp_connected_person'],
    },
    {
      name: 'a family member in the household from a notional NHS budget',
      what: 'Support at home',
      category: 'personal_assistant',
      provider: relative,
      body: 'nhs',
      holding: 'managed',
      status: 'allowed',
      rules: [],
    },
    {
      name: 'a care home place by direct payment',
      what: 'Care home placement',
      body: 'council',
      holding: 'direct_payment',
      status: 'blocked',
      rules: ['sc_dp_no_long_term_residential'],
    },
    {
      name: 'a short break in a care home by direct payment needs a reason',
      what: 'Respite stay in a care home',
      category: 'short_breaks',
      body: 'council',
      holding: 'direct_payment',
      status: 'needs_reason',
      rules: ['sc_dp_care_home_short_stay'],
    },
    {
      name: 'a short break that is not in a care home',
      what: 'Weekend in a caravan',
      category: 'short_breaks',
      body: 'council',
      holding: 'direct_payment',
      status: 'allowed',
      rules: [],
    },
    {
      name: 'a care home place arranged by the council, not by direct payment',
      what: 'Residential care',
      body: 'council',
      holding: 'managed',
      status: 'allowed',
      rules: [],
    },
    {
      name: 'a reason does not unblock a blocked item',
      what: 'Wine',
      body: 'nhs',
      holding: 'managed',
      reasons: { nhs_no_alcohol: 'It helps me relax' },
      status: 'blocked',
      rules: ['nhs_no_alcohol'],
    },
    {
      name: 'an ordinary item',
      what: 'Gym membership',
      category: 'leisure',
      body: 'nhs',
      holding: 'direct_payment',
      status: 'allowed',
      rules: [],
    },
  ];
  for (const c of cases) {
    const r = checkSpending(
      DEFAULT_SPENDING_RULE_SET,
      {
        what: c.what,
        details: c.details ?? '',
        category: c.category ?? 'other',
        provider: c.provider ?? provider,
        ruleReasons: c.reasons ?? {},
      },
      { body: c.body, holding: c.holding },
    );
    assert.equal(r.status, c.status, c.name);
    assert.deepEqual(
      r.hits.map((h) => h.ruleId),
      c.rules,
      c.name,
    );
  }
});

test('a hit names its rule, its source, and why it caught the item', () => {
  const r = checkSpending(
    DEFAULT_SPENDING_RULE_SET,
    { what: 'Evening support', category: 'personal_assistant', provider: relative },
    { body: 'council', holding: 'direct_payment' },
  );
  const hit = r.hits[0]!;
  assert.match(hit.title, /close relative/);
  assert.match(hit.source, /SI 2014\/2871\), regulation 3/);
  assert.match(hit.because, /close relative living in the same household/);
  assert.equal(hit.reason, null);
  const wine = checkSpending(
    DEFAULT_SPENDING_RULE_SET,
    { what: 'Red WINE', category: 'other', provider },
    { body: 'nhs', holding: 'managed' },
  ).hits[0]!;
  assert.equal(wine.because, 'the words "wine"');
  assert.match(wine.source, /DOMAIN\.md 2\.5/);
  for (const rule of LEGAL_SPENDING_RULES) {
    assert.match(rule.source, /DOMAIN\.md (2\.4|2\.5|3\.3)/, rule.id);
  }
});

test('keywords match whole words and phrases, any case and spacing, with a plural', () => {
  assert.equal(findKeyword('Two BEERS', ['beer']), 'beer');
  assert.equal(findKeyword('beerhouse', ['beer']), null);
  assert.equal(
    findKeyword('an accident  and\nemergency visit', ['accident and emergency']),
    'accident and emergency',
  );
  assert.equal(findKeyword('A&E', ['a&e']), 'a&e');
  assert.equal(findKeyword('gpx watch', ['gp']), null);
  assert.equal(findKeyword('anything (a+b)?', ['(a+b)?']), '(a+b)?');
});

// ---------------------------------------------------------------------------------------------
// A partnership's rule set

const localRule: SpendingRuleInput = {
  id: 'local_holidays_abroad',
  title: 'Holidays abroad',
  message: 'Our policy: a holiday abroad needs a reason.',
  source: 'Northshire partnership policy 2026',
  outcome: 'needs_reason',
  appliesTo: { bodies: ['council', 'nhs'], holdings: ['direct_payment', 'managed'] },
  when: { categories: ['leisure', 'short_breaks'], keywords: ['abroad', 'overseas'] },
};

test('a partnership may add rules and change words, but keep the law', () => {
  const withLocal = parseSpendingRuleSet({ rules: [...LEGAL_SPENDING_RULES, localRule] });
  assert.ok(withLocal.ok);
  const r = checkSpending(
    withLocal.ruleSet,
    { what: 'Week abroad', category: 'short_breaks', provider },
    { body: 'council', holding: 'managed' },
  );
  assert.equal(r.status, 'needs_reason');
  assert.deepEqual(
    r.hits.map((h) => h.source),
    ['Northshire partnership policy 2026'],
  );
  // a leisure item that is not abroad, or a third-party budget: not caught
  assert.equal(
    checkSpending(
      withLocal.ruleSet,
      { what: 'Gym', category: 'leisure', provider },
      { body: 'council', holding: 'managed' },
    ).status,
    'allowed',
  );
  assert.equal(
    checkSpending(
      withLocal.ruleSet,
      { what: 'Week abroad', category: 'leisure', provider },
      { body: 'council', holding: 'third_party' },
    ).status,
    'allowed',
  );

  const more = LEGAL_SPENDING_RULES.map((x) =>
    x.id === 'nhs_no_alcohol'
      ? { ...x, when: { ...x.when, keywords: [...x.when.keywords, 'prosecco'] } }
      : x,
  );
  const p = parseSpendingRuleSet({ rules: more });
  assert.ok(p.ok);
  assert.equal(
    checkSpending(
      p.ruleSet,
      { what: 'Prosecco', category: 'other', provider },
      { body: 'nhs', holding: 'managed' },
    ).status,
    'blocked',
  );
  // stricter is fine: a close relative blocked outright
  const stricter = LEGAL_SPENDING_RULES.map((x) =>
    x.id === 'sc_dp_close_relative' ? { ...x, outcome: 'blocked' as const } : x,
  );
  assert.ok(parseSpendingRuleSet({ rules: stricter }).ok);
});

test('a partnership rule set is refused with a clear message for each mistake', () => {
  const without = (id: string) => LEGAL_SPENDING_RULES.filter((r) => r.id !== id);
  const change = (id: string, f: (r: (typeof LEGAL_SPENDING_RULES)[number]) => unknown) =>
    LEGAL_SPENDING_RULES.map((r) => (r.id === id ? f(r) : r));
  const cases: [unknown[], RegExp][] = [
    [without('nhs_no_gambling'), /"No gambling from NHS money" is the law and cannot be removed/],
    [
      change('nhs_no_alcohol', (r) => ({ ...r, outcome: 'needs_reason' })),
      /cannot be made less strict/,
    ],
    [
      change('sc_dp_close_relative', (r) => ({
        ...r,
        appliesTo: { ...r.appliesTo, holdings: ['direct_payment'] },
      })),
      /must still apply to the same money/,
    ],
    [
      change('nhs_no_tobacco', (r) => ({
        ...r,
        appliesTo: { ...r.appliesTo, bodies: ['council'] },
      })),
      /must still apply to the same money/,
    ],
    [
      change('sc_dp_close_relative', (r) => ({
        ...r,
        when: { ...r.when, closeRelativeInHousehold: false, categories: ['other'] },
      })),
      /close-relative condition cannot change/,
    ],
    [
      [...LEGAL_SPENDING_RULES, localRule, localRule],
      /"local_holidays_abroad" is used more than once/,
    ],
    [
      [...LEGAL_SPENDING_RULES, { ...localRule, when: {} }],
      /needs a category, a keyword or the close-relative/,
    ],
    [
      [...LEGAL_SPENDING_RULES, { ...localRule, outcome: 'frowned_on' }],
      /Choose blocked or needs a reason/,
    ],
    [
      [...LEGAL_SPENDING_RULES, { ...localRule, appliesTo: { bodies: [], holdings: ['managed'] } }],
      /Choose council or NHS money/,
    ],
    [[...LEGAL_SPENDING_RULES, { ...localRule, id: 'Bad Id' }], /lower-case letters/],
    [[...LEGAL_SPENDING_RULES, { ...localRule, source: ' ' }], /Enter where the rule comes from/],
  ];
  for (const [rules, message] of cases) {
    const r = parseSpendingRuleSet({ rules });
    assert.equal(r.ok, false, String(message));
    if (!r.ok) assert.match(r.messages.join(' | '), message);
  }
  assert.equal(new Set(LEGAL_SPENDING_RULE_IDS).size, LEGAL_SPENDING_RULE_IDS.length);
});

test('property: a reason never turns a blocked item into an allowed one, nor adds a hit', () => {
  const categories: PlanItemCategory[] = [
    'other',
    'transport',
    'short_breaks',
    'personal_assistant',
    'therapy',
  ];
  const words = [
    'wine',
    'care home',
    'gym',
    'GP',
    'lottery ticket',
    'debt repayment',
    'walk',
    'dentist',
  ];
  fc.assert(
    fc.property(
      fc.subarray(words, { minLength: 1 }),
      fc.constantFrom(...categories),
      fc.boolean(),
      fc.constantFrom<FundingBody>('council', 'nhs'),
      fc.constantFrom<HoldingOption>(...HOLDING_OPTIONS),
      (ws, category, closeRelative, body, holding) => {
        const item: SpendingItem = {
          what: ws.join(' and '),
          category,
          provider: { kind: 'personal_assistant', closeRelativeInHousehold: closeRelative },
        };
        const plain = checkSpending(DEFAULT_SPENDING_RULE_SET, item, { body, holding });
        const reasons = Object.fromEntries(LEGAL_SPENDING_RULE_IDS.map((id) => [id, 'Because']));
        const given = checkSpending(
          DEFAULT_SPENDING_RULE_SET,
          { ...item, ruleReasons: reasons },
          { body, holding },
        );
        assert.deepEqual(
          given.hits.map((h) => h.ruleId),
          plain.hits.map((h) => h.ruleId),
        );
        if (plain.status === 'blocked') assert.equal(given.status, 'blocked');
        else if (plain.hits.length > 0) assert.equal(given.status, 'allowed_with_reason');
        else assert.equal(given.status, 'allowed');
      },
    ),
  );
});
