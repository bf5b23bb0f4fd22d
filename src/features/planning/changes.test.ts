import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { describePlanChanges } from './changes.ts';
import { EMPTY_PLAN, planDocumentSchema, type PlanDocument } from './document.ts';

const item = (id: string, what: string, unitCostPence = 1500) => ({
  id,
  what,
  category: 'personal_assistant' as const,
  provider: { kind: 'provider' as const, name: 'Acme Care' },
  unitCostPence,
  units: 2,
  frequency: 'weekly',
  streamId: 'social-care',
  details: '',
  outcomeIds: [],
  ruleReasons: {},
});
const base: PlanDocument = planDocumentSchema.parse({
  outcomes: [{ id: 'choir', text: 'I want to sing in a choir again', needIds: [] }],
  items: [item('pa', 'Personal assistant'), item('gym', 'Gym membership')],
  streams: [
    {
      id: 'social-care',
      name: 'Council',
      body: 'council',
      holding: 'direct_payment',
      managedBy: 'person',
    },
  ],
  crisis: { whoToCall: 'My sister', whatToDo: 'Call her', setAsidePence: 0 },
  startsOn: '2026-12-01',
});
const change = (patch: Partial<PlanDocument>): PlanDocument => ({ ...base, ...patch });

test('each kind of change is named once, in the order the plan is read', () => {
  const cases: [string, PlanDocument, string[]][] = [
    ['nothing', base, []],
    [
      'an outcome added',
      change({
        outcomes: [...base.outcomes, { id: 'swim', text: 'Swim again', needIds: [], note: '' }],
      }),
      ['Outcome added: “Swim again”'],
    ],
    [
      'an outcome removed',
      change({ outcomes: [] }),
      ['Outcome removed: “I want to sing in a choir again”'],
    ],
    [
      'an item’s cost changed and another removed',
      change({ items: [item('pa', 'Personal assistant', 1600)] }),
      ['Support changed: “Personal assistant”', 'Support removed: “Gym membership”'],
    ],
    [
      'the crisis plan',
      change({ crisis: { ...base.crisis, whoToCall: 'My brother' } }),
      ['The crisis and contingency plan changed'],
    ],
    ['the start date', change({ startsOn: '2027-01-04' }), ['The start date changed']],
    [
      'the justification and a stream',
      change({
        overBudgetJustification: 'Evening support costs more',
        streams: [{ ...base.streams[0]!, holding: 'managed' }],
      }),
      [
        'Funding stream changed: Council',
        'The reason for going over the indicative budget changed',
      ],
    ],
  ];
  for (const [name, after, expected] of cases)
    assert.deepEqual(describePlanChanges(base, after), expected, name);
});

test('a long outcome is shortened in the sentence', () => {
  const long = 'a'.repeat(100);
  const [line] = describePlanChanges(
    EMPTY_PLAN,
    change({
      outcomes: [{ id: 'x', text: long, needIds: [], note: '' }],
      items: [],
      streams: [],
      crisis: EMPTY_PLAN.crisis,
      startsOn: null,
    }),
  );
  assert.equal(line, `Outcome added: “${'a'.repeat(59)}…”`);
});

test('no change is reported between a plan and itself; some change whenever two plans differ', () => {
  const texts = fc.constantFrom('Choir', 'Swim', 'Walk', 'Cook');
  const doc = fc
    .record({
      outcomes: fc.uniqueArray(fc.record({ id: fc.constantFrom('a', 'b', 'c'), text: texts }), {
        selector: (o) => o.id,
        maxLength: 3,
      }),
      startsOn: fc.constantFrom(null, '2026-12-01', '2027-01-04'),
      justification: fc.constantFrom('', 'Because'),
    })
    .map((r) =>
      planDocumentSchema.parse({
        outcomes: r.outcomes.map((o) => ({ ...o, needIds: [] })),
        startsOn: r.startsOn,
        overBudgetJustification: r.justification,
      }),
    );
  fc.assert(
    fc.property(doc, doc, (a, b) => {
      assert.deepEqual(describePlanChanges(a, a), []);
      const differs = JSON.stringify(a) !== JSON.stringify(b);
      assert.equal(describePlanChanges(a, b).length > 0, differs);
    }),
  );
});
