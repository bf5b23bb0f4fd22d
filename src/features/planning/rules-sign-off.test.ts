import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { pence } from '../../platform/money.ts';
import {
  DEFAULT_SIGN_OFF_POLICY,
  SIGN_OFF_LEVELS,
  compareLevels,
  levelsFor,
  marginPence,
  mayApprove,
  parseSignOffPolicy,
  routeSignOff,
  signOffPolicySchema,
  type SignOffLevel,
  type SignOffPolicy,
  type SignOffPolicyInput,
} from './rules.ts';

function policy(input: SignOffPolicyInput): SignOffPolicy {
  const r = parseSignOffPolicy(input);
  if (!r.ok) throw new Error(r.messages.join('; '));
  return r.policy;
}

function level(p: SignOffPolicy, total: number, indicative: number | null): SignOffLevel {
  const r = routeSignOff(p, {
    totalAnnual: pence(total),
    indicativeAnnual: indicative === null ? null : pence(indicative),
    blockedItems: 0,
  });
  assert.ok(r.ok);
  return r.level;
}

const INDICATIVE = 1_000_000; // £10,000 a year

// Team manager above 10% or £500, whichever is smaller (here £500); panel above 25% or
// £3,000, whichever is smaller (here £2,500), or any plan over £30,000 a year.
const WITH_PANEL = policy({
  teamManagerAbove: { basisPoints: 1_000, pence: 50_000, combine: 'smaller' },
  panel: {
    enabled: true,
    above: { basisPoints: 2_500, pence: 300_000, combine: 'smaller' },
    annualTotalAbovePence: 3_000_000,
  },
});
const NO_PANEL = policy({ ...WITH_PANEL, panel: { ...WITH_PANEL.panel, enabled: false } });

test('sign-off routing at each threshold edge', () => {
  const cases: [string, SignOffPolicy, number, number | null, SignOffLevel][] = [
    ['under the budget', WITH_PANEL, 900_000, INDICATIVE, 'coordinator'],
    ['exactly the budget', WITH_PANEL, 1_000_000, INDICATIVE, 'coordinator'],
    [
      'a penny over the budget, within the margin',
      WITH_PANEL,
      1_000_001,
      INDICATIVE,
      'coordinator',
    ],
    ['exactly at the team manager margin', WITH_PANEL, 1_050_000, INDICATIVE, 'coordinator'],
    ['one penny over the margin', WITH_PANEL, 1_050_001, INDICATIVE, 'team_manager'],
    ['exactly at the panel threshold', WITH_PANEL, 1_250_000, INDICATIVE, 'team_manager'],
    ['one penny over the panel threshold', WITH_PANEL, 1_250_001, INDICATIVE, 'panel'],
    ['over the panel threshold, no panel', NO_PANEL, 1_250_001, INDICATIVE, 'team_manager'],
    ['exactly at the panel amount a year', WITH_PANEL, 3_000_000, 3_000_000, 'coordinator'],
    ['a penny over the panel amount, within budget', WITH_PANEL, 3_000_001, 3_100_000, 'panel'],
    ['over the panel amount, no panel', NO_PANEL, 3_000_001, 3_100_000, 'team_manager'],
    ['no indicative budget', WITH_PANEL, 100, null, 'team_manager'],
    ['default: exactly the budget', DEFAULT_SIGN_OFF_POLICY, 1_000_000, INDICATIVE, 'coordinator'],
    ['default: a penny over', DEFAULT_SIGN_OFF_POLICY, 1_000_001, INDICATIVE, 'team_manager'],
    ['default: far over, no panel', DEFAULT_SIGN_OFF_POLICY, 9_000_000, INDICATIVE, 'team_manager'],
  ];
  for (const [name, p, total, indicative, expected] of cases) {
    assert.equal(level(p, total, indicative), expected, name);
  }
});

test('a percentage margin is exact, with no rounding in the plan’s favour', () => {
  // 10% of £10,000.01 is £1,000.001: £1,000.00 over is within, £1,000.01 over is not.
  const p = policy({ teamManagerAbove: { basisPoints: 1_000 } });
  assert.equal(level(p, 1_000_001 + 100_000, 1_000_001), 'coordinator');
  assert.equal(level(p, 1_000_001 + 100_001, 1_000_001), 'team_manager');
  assert.equal(marginPence(pence(1_000_001), p.teamManagerAbove), 100_000);
  // whichever is larger
  const larger = policy({
    teamManagerAbove: { basisPoints: 1_000, pence: 50_000, combine: 'larger' },
  });
  assert.equal(level(larger, 1_100_000, INDICATIVE), 'coordinator');
  assert.equal(level(larger, 1_100_001, INDICATIVE), 'team_manager');
  // pounds only
  const pounds = policy({ teamManagerAbove: { basisPoints: null, pence: 25_000 } });
  assert.equal(level(pounds, 1_025_000, INDICATIVE), 'coordinator');
  assert.equal(level(pounds, 1_025_001, INDICATIVE), 'team_manager');
  // neither: any penny over
  const none = policy({ teamManagerAbove: { basisPoints: null, pence: null } });
  assert.equal(level(none, 1_000_001, INDICATIVE), 'team_manager');
});

test('a plan with a blocked item is not routed, and the route explains itself', () => {
  const blocked = routeSignOff(WITH_PANEL, {
    totalAnnual: pence(500),
    indicativeAnnual: pence(INDICATIVE),
    blockedItems: 2,
  });
  assert.deepEqual(blocked, {
    ok: false,
    reason: 'blocked',
    message:
      'The plan cannot be signed off while 2 items are blocked by the spending rules: change or remove them first',
  });
  const tm = routeSignOff(WITH_PANEL, {
    totalAnnual: pence(1_060_000),
    indicativeAnnual: pence(INDICATIVE),
    blockedItems: 0,
  });
  assert.ok(tm.ok);
  assert.equal(tm.overBy, 60_000);
  assert.equal(
    tm.because,
    'The plan is £600.00 over the indicative budget, more than the £500.00 a care coordinator may agree, so a team manager signs it off',
  );
  const noPanel = routeSignOff(NO_PANEL, {
    totalAnnual: pence(1_300_000),
    indicativeAnnual: pence(INDICATIVE),
    blockedItems: 0,
  });
  assert.ok(noPanel.ok);
  assert.match(noPanel.because, /this partnership has no panel, so a team manager signs it off/);
});

test('a sign-off policy is refused with a clear message for each mistake', () => {
  const cases: [unknown, RegExp][] = [
    [{ teamManagerAbove: { basisPoints: -1 } }, /must not be negative/],
    [{ teamManagerAbove: { pence: 1.5 } }, /whole number of pence/],
    [
      { teamManagerAbove: { basisPoints: 2_000 }, panel: { above: { basisPoints: 1_000 } } },
      /panel threshold must not be lower/,
    ],
    [
      {
        teamManagerAbove: { pence: 100_000 },
        panel: { above: { basisPoints: null, pence: 50_000 } },
      },
      /panel threshold must not be lower/,
    ],
    [{ delegatedLimits: { care_coordinator: -5 } }, /care coordinator limit must not be negative/],
    [{ panelDecisionsRecordedBy: [] }, /who records the panel/],
    [{ panel: { enabled: 'yes' } }, /./],
  ];
  for (const [input, message] of cases) {
    const r = parseSignOffPolicy(input);
    assert.equal(r.ok, false, JSON.stringify(input));
    if (!r.ok) assert.match(r.messages.join(' | '), message);
  }
  assert.deepEqual(DEFAULT_SIGN_OFF_POLICY.panel.enabled, false);
});

const marginArb = fc.record({
  basisPoints: fc.option(fc.integer({ min: 0, max: 5_000 }), { nil: null }),
  pence: fc.option(fc.integer({ min: 0, max: 500_000 }), { nil: null }),
  combine: fc.constantFrom('smaller' as const, 'larger' as const),
});
const policyArb = fc
  .record({
    tm: marginArb,
    extraBp: fc.integer({ min: 0, max: 5_000 }),
    extraPence: fc.integer({ min: 0, max: 500_000 }),
    panelCombine: fc.constantFrom('smaller' as const, 'larger' as const),
    enabled: fc.boolean(),
    absolute: fc.option(fc.integer({ min: 0, max: 10_000_000 }), { nil: null }),
  })
  .map(({ tm, extraBp, extraPence, panelCombine, enabled, absolute }) =>
    signOffPolicySchema.parse({
      teamManagerAbove: tm,
      panel: {
        enabled,
        above: {
          basisPoints: (tm.basisPoints ?? 0) + extraBp,
          pence: (tm.pence ?? 0) + extraPence,
          combine: panelCombine,
        },
        annualTotalAbovePence: absolute,
      },
    }),
  );

test('property: raising the total never routes a plan to a lower level', () => {
  fc.assert(
    fc.property(
      policyArb,
      fc.option(fc.integer({ min: 0, max: 5_000_000 }), { nil: null }),
      fc.integer({ min: 0, max: 10_000_000 }),
      fc.integer({ min: 0, max: 1_000_000 }),
      (p, indicative, total, raise) => {
        const a = level(p, total, indicative);
        const b = level(p, total + raise, indicative);
        assert.ok(compareLevels(a, b) <= 0, `${a} then ${b}`);
        if (!p.panel.enabled) assert.notEqual(b, 'panel');
      },
    ),
  );
});

test('property: exactly at the team manager margin is the coordinator, a penny more is not', () => {
  fc.assert(
    fc.property(policyArb, fc.integer({ min: 0, max: 5_000_000 }), (p, indicative) => {
      const free = { ...p, panel: { ...p.panel, annualTotalAbovePence: null } };
      const edge = indicative + marginPence(pence(indicative), p.teamManagerAbove);
      assert.equal(level(free, edge, indicative), 'coordinator');
      assert.notEqual(level(free, edge + 1, indicative), 'coordinator');
    }),
  );
});

// ---------------------------------------------------------------------------------------------
// Who may approve

const LIMITED = policy({
  ...WITH_PANEL,
  delegatedLimits: { care_coordinator: 1_500_000, team_manager: 4_000_000 },
});

test('who may approve: the level, and no approving one’s own plan above one’s limit', () => {
  const coordinator = { userId: 'c1', roles: ['care_coordinator'] };
  const manager = { userId: 'm1', roles: ['team_manager'] };
  const admin = { userId: 'a1', roles: ['partnership_admin'] };
  const cases: [string, Parameters<typeof mayApprove>[1], RegExp | null][] = [
    [
      'a coordinator approves a colleague’s plan at coordinator level',
      {
        level: 'coordinator',
        totalAnnual: pence(2_000_000),
        writtenBy: ['c2'],
        approver: coordinator,
      },
      null,
    ],
    [
      'a coordinator approves their own plan within their limit',
      {
        level: 'coordinator',
        totalAnnual: pence(1_500_000),
        writtenBy: ['c1'],
        approver: coordinator,
      },
      null,
    ],
    [
      'a coordinator may not approve their own plan a penny above their limit',
      {
        level: 'coordinator',
        totalAnnual: pence(1_500_001),
        writtenBy: ['c1'],
        approver: coordinator,
      },
      /You wrote this plan, and it costs £15,000.01 a year, more than your delegated limit of £15,000.00/,
    ],
    [
      'a coordinator may not approve a plan routed to a team manager',
      { level: 'team_manager', totalAnnual: pence(100), writtenBy: ['c2'], approver: coordinator },
      /must be signed off by a team manager, and you cannot do that/,
    ],
    [
      'a team manager may approve at coordinator level',
      { level: 'coordinator', totalAnnual: pence(100), writtenBy: ['c2'], approver: manager },
      null,
    ],
    [
      'a team manager records the panel’s decision',
      { level: 'panel', totalAnnual: pence(100), writtenBy: ['c2'], approver: manager },
      null,
    ],
    [
      'a team manager may not approve their own plan above their own limit',
      {
        level: 'team_manager',
        totalAnnual: pence(4_000_001),
        writtenBy: ['c1', 'm1'],
        approver: manager,
      },
      /more than your delegated limit of £40,000.00/,
    ],
    [
      'a user’s own recorded limit replaces their role’s',
      {
        level: 'team_manager',
        totalAnnual: pence(2_000_001),
        writtenBy: ['m1'],
        approver: { ...manager, delegatedLimitAnnualPence: 2_000_000 },
      },
      /more than your delegated limit of £20,000.00/,
    ],
    [
      'a user recorded with no limit',
      {
        level: 'team_manager',
        totalAnnual: pence(9_000_000),
        writtenBy: ['m1'],
        approver: { ...manager, delegatedLimitAnnualPence: null },
      },
      null,
    ],
    [
      'an administrator does not record panel decisions unless the policy says so',
      { level: 'panel', totalAnnual: pence(100), writtenBy: ['c2'], approver: admin },
      /must be signed off by the panel/,
    ],
  ];
  for (const [name, request, refusal] of cases) {
    const r = mayApprove(LIMITED, request);
    if (refusal === null) assert.deepEqual(r, { ok: true }, name);
    else {
      assert.equal(r.ok, false, name);
      if (!r.ok) assert.match(r.message, refusal, name);
    }
  }
  // Without limits in the policy, only the level matters.
  assert.deepEqual(
    mayApprove(DEFAULT_SIGN_OFF_POLICY, {
      level: 'coordinator',
      totalAnnual: pence(9_000_000),
      writtenBy: ['c1'],
      approver: coordinator,
    }),
    { ok: true },
  );
  const adminsToo = policy({ panelDecisionsRecordedBy: ['partnership_admin'] });
  assert.deepEqual(levelsFor(adminsToo, ['partnership_admin']), ['panel']);
  assert.deepEqual(levelsFor(adminsToo, ['team_manager']), ['coordinator', 'team_manager']);
  assert.deepEqual(levelsFor(DEFAULT_SIGN_OFF_POLICY, ['budget_holder']), []);
  assert.deepEqual([...SIGN_OFF_LEVELS], ['coordinator', 'team_manager', 'panel']);
});
