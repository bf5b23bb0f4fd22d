// Budgets across plan versions and financial years, on a real database (PGlite, and PostgreSQL
// when DATABASE_URL is set): a plan signed off in April and replaced in September by a version
// with a higher, a lower and a different-stream budget; a managed budget's commitments cut at
// the change; renewal on 1 April, run again, stopped half way, and not for a replaced plan or
// one that starts later; a fast-check property over random sequences of approvals, new
// versions, renewals and payment runs; and the ended budget on the person's Budget panel.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { startTestApp, TestClient, type TestApp } from '../../../test/support/app.ts';
import { createPartnership, createUser, publishRas } from '../../../test/support/factories.ts';
import { ctxFor, submittedPlan } from '../../../test/support/submitted-plans.ts';
import { inPartnership, type Db } from '../../platform/db/database.ts';
import { addDays, type CivilDate } from '../../platform/dates.ts';
import { createPlanningService, type PlanDocument } from '../planning/index.ts';
import { doc, now, paItem, providerItem } from './fixtures.int-support.ts';
import { budgetsForApi } from './api-reads.ts';
import { renewBudgetsForYear } from './renew.ts';
import { planBudgets, yearStart } from './rules.ts';
import { createBudgetsForApprovedPlan, createBudgetsService } from './service.ts';
import { streamsForBudget } from './streams.ts';
import { bt } from './store.ts';
import {
  APRIL,
  balanceOf,
  budgetsOfPerson,
  checkInvariants,
  dp,
  firstPlan,
  ledgerCount,
  linesOf,
  newVersion,
  payUpTo,
  useDb,
  world,
  type World,
} from './versions.int-support.ts';

// The year the tests' data is in (2026/27) and the next; the fixed clock is in November 2026.
const Y = 2026;
const SEPT = '2026-09-01' as CivilDate;

let t: TestApp;
let db: Db;

before(async () => {
  t = await startTestApp({}, undefined, now);
  db = t.db;
  useDb(db);
});
after(() => t.close());

// Four-weekly: £100 a week is £400 a period. Periods of 2026/27 start 1 Apr, 29 Apr, 27 May,
// 24 Jun, 22 Jul, 19 Aug, 16 Sep, … 3 Mar. Paid up to 1 September: periods 1 to 6. The new
// version from 1 September splits period 6 (19 Aug – 15 Sep): 13 days before, 15 from.
const KEPT_P6 = 18_571; // £400 × 13 / 28
const KEPT = 5 * 40_000 + KEPT_P6;
const PAID_AHEAD = 40_000 - KEPT_P6; // period 6 was paid in advance, 15 days of it for the new one

const CASES: {
  name: string;
  next: PlanDocument;
  /** The new budget's stream, and whether the paid-ahead money is carried into it. */
  stream: string;
  carries: boolean;
}[] = [
  { name: 'a higher budget', next: dp(15_000), stream: 'social-care', carries: true },
  { name: 'a lower budget', next: dp(2_000), stream: 'social-care', carries: true },
  {
    name: 'a different stream',
    next: dp(10_000, 'nhs-phb', 'nhs'),
    stream: 'nhs-phb',
    carries: false,
  },
];

for (const c of CASES) {
  test(`signed off in April, replaced on 1 September by ${c.name}`, async () => {
    const w = await world();
    const x = await firstPlan(w, `Version ${c.name}`, dp(10_000));
    assert.equal(await payUpTo(w, SEPT), 6);
    const made = await newVersion(w, x, c.next, SEPT);
    const [old, next, ...rest] = await budgetsOfPerson(w, x.person.id);
    assert.ok(old && next);
    assert.equal(rest.length, 0);
    assert.equal(old.ends_on, '2026-08-31', 'the old budget ends the day before');
    assert.equal(old.amount_pence, KEPT, 'and keeps what it covered');
    assert.equal(next.starts_on, SEPT, 'the new one starts on the approval day, not 1 April');
    assert.equal(next.stream_id, c.stream);
    const expected = planBudgets({
      startsOn: SEPT,
      streams: streamsForBudget(c.next),
      contributions: [],
    })[0];
    assert.ok(expected);
    assert.equal(next.amount_pence, expected.amount, 'pro rata from 1 September');
    assert.equal(made.ended?.[0]?.paidAhead, PAID_AHEAD);
    const carried = c.carries ? Math.min(PAID_AHEAD, expected.amount) : 0;
    assert.equal(made.created[0]?.carried, carried);

    const oldLines = await linesOf(w, old.id);
    assert.deepEqual(
      oldLines.map((l) => l.status),
      [...Array<string>(6).fill('paid'), ...Array<string>(7).fill('cancelled')],
      'what was paid stays paid; the rest is stopped',
    );
    const newLines = await linesOf(w, next.id);
    assert.equal(
      newLines.reduce((s, l) => s + l.amount_pence, 0),
      expected.amount - carried,
      'the new schedule is the new budget less what was paid ahead',
    );
    assert.equal(await balanceOf(w, old.ledger_account_id), carried - PAID_AHEAD);

    // Paying the rest of the year pays exactly the pro-rata figures, no line twice.
    await payUpTo(w, '2027-03-31' as CivilDate);
    await payUpTo(w, '2027-03-31' as CivilDate);
    const heldOld = old.holding_account_id ? await balanceOf(w, old.holding_account_id) : 0;
    const heldNew = next.holding_account_id ? await balanceOf(w, next.holding_account_id) : 0;
    if (c.carries) assert.equal(heldNew, KEPT + expected.amount);
    else {
      assert.equal(heldOld, 6 * 40_000, 'the old stream keeps what was paid into it');
      assert.equal(heldNew, expected.amount);
    }
    await checkInvariants(w, x.person.id);

    // Approving the same version again makes nothing twice.
    const again = await inPartnership(db, w.partnershipId, (tx) =>
      createBudgetsForApprovedPlan(tx, {
        partnershipId: w.partnershipId,
        plan: { id: next.plan_id, personId: x.person.id, document: c.next, approvedOn: SEPT },
        person: x.person,
        userId: null,
      }),
    );
    assert.deepEqual(again.created, []);
  });
}

test('through sign-off: a new version approved in October replaces the first from that day', async () => {
  const p = await createPartnership(db, 'Sign-off');
  const w: World = {
    partnershipId: p.id,
    teamId: p.teamId,
    trustId: p.trustId,
    code: p.code,
    p,
    a: await createUser(db, p, ['finance_officer']),
    b: await createUser(db, p, ['finance_officer']),
  };
  const coordinator = await createUser(db, p, ['care_coordinator']);
  const manager = await createUser(db, p, ['team_manager']);
  const author = ctxFor(p, coordinator, ['care_coordinator']);
  const approver = ctxFor(p, manager, ['team_manager']);
  const submitted = await submittedPlan(db, p, {
    rasId: await publishRas(db, p.id),
    coordinatorId: coordinator.id,
    author,
  });
  let clock = new Date('2026-05-10T12:00:00Z');
  const planning = createPlanningService({
    db,
    now: () => clock,
    onApproved: createBudgetsForApprovedPlan,
  });
  await planning.decide(approver, submitted.planId, { outcome: 'approved', reason: '' });
  await payUpTo(w, '2026-10-01' as CivilDate);

  clock = new Date('2026-10-20T12:00:00Z');
  const { id } = await planning.start(author, submitted.personId);
  const draft = await planning.get(author, id);
  const more: PlanDocument = {
    ...draft.plan.document,
    items: draft.plan.document.items.map((i) => ({ ...i, unitCostPence: i.unitCostPence + 100 })),
  };
  const v = await planning.save(author, id, more, draft.plan.version);
  await planning.submit(author, id, v);
  await planning.decide(approver, id, { outcome: 'approved', reason: '' });

  const all = await budgetsOfPerson(w, submitted.personId);
  const first = all.filter((b) => b.plan_id === submitted.planId);
  const second = all.filter((b) => b.plan_id === id);
  assert.ok(first.length > 0 && first.length === second.length);
  for (const b of first) assert.equal(b.ends_on, '2026-10-19');
  for (const b of second) {
    assert.equal(b.starts_on, '2026-10-20');
    assert.equal(b.ends_on, null);
  }
  await payUpTo(w, '2027-03-31' as CivilDate);
  await checkInvariants(w, submitted.personId);
});

test('a managed budget replaced mid-year: its commitment shrinks to what it covered', async () => {
  const w = await world();
  const managed = (weekly: number) =>
    doc({
      startsOn: APRIL,
      streams: [{ id: 'nhs-phb', body: 'nhs', holding: 'managed' }],
      items: [providerItem('therapy', 'nhs-phb', weekly, 'Talking Therapies CIC')],
    });
  const x = await firstPlan(w, 'Managed', managed(5_000));
  await newVersion(w, x, managed(7_000), SEPT);
  const [old, next] = await budgetsOfPerson(w, x.person.id);
  assert.ok(old && next);
  const panel = await inPartnership(db, w.partnershipId, (tx) =>
    bt(tx)
      .selectFrom('commitments as c')
      .leftJoin('commitment_ends as ce', 'ce.commitment_id', 'c.id')
      .select(['c.budget_id', 'c.amount_pence', 'ce.amount_pence as ended'])
      .where('c.person_id', '=', x.person.id)
      .execute(),
  );
  const oldC = panel.find((r) => r.budget_id === old.id);
  const newC = panel.find((r) => r.budget_id === next.id);
  // £50 a week: £200 a period, five whole periods and 13 days of the sixth.
  assert.equal(oldC?.ended, 5 * 20_000 + 9_286);
  assert.equal(newC?.amount_pence, next.amount_pence);
  assert.equal(newC?.ended, null);
  assert.equal(await balanceOf(w, old.ledger_account_id), 5 * 20_000 + 9_286);
  // The API says when each ended and what each item was planned to cost up to then.
  const api = await inPartnership(db, w.partnershipId, (tx) => budgetsForApi(tx, x.person.id, Y));
  const oldApi = api.find((b) => b.budget.id === old.id);
  assert.equal(oldApi?.endsOn, '2026-08-31');
  assert.equal(oldApi?.items[0]?.plannedPence, 5 * 20_000 + 9_286);
  assert.equal(api.find((b) => b.budget.id === next.id)?.endsOn, '2027-03-31');
  await checkInvariants(w, x.person.id);
});

test('renewal on 1 April: next year from the plan in force, contributions, no one-offs, nothing paid', async () => {
  const w = await world();
  const withSetUp = doc({
    startsOn: APRIL,
    streams: [{ id: 'social-care', body: 'council', holding: 'direct_payment' }],
    items: [
      paItem('pa', 'social-care', 10_000),
      {
        id: 'laptop',
        what: 'Laptop',
        category: 'equipment',
        provider: { kind: 'personal_assistant', name: 'Shop' },
        unitCostPence: 50_000,
        units: 1,
        frequency: 'once',
        streamId: 'social-care',
      },
    ],
  });
  const renewed = await firstPlan(w, 'Renewed', withSetUp);
  await createBudgetsService({ db, now }).recordFinancialAssessment(
    ctxFor(w.p, w.a, ['finance_officer']),
    renewed.person.id,
    { weeklyPence: 1_000, effectiveFrom: '2026-01-01' as CivilDate },
  );
  // Replaced by a later version: only the version in force is renewed.
  const replaced = await firstPlan(w, 'Replaced', dp(10_000));
  await newVersion(w, replaced, dp(12_000), '2026-10-01' as CivilDate);
  // A plan whose support starts after 1 April 2027 is not renewed (approval makes its budget).
  const later = await firstPlan(
    w,
    'Later',
    doc({
      startsOn: '2027-05-01',
      streams: [{ id: 'social-care', body: 'council', holding: 'direct_payment' }],
      items: [paItem('pa', 'social-care', 10_000)],
    }),
    '2026-11-01' as CivilDate,
  );

  const paymentsBefore = await ledgerCount(w, 'payment');
  const r = await renewBudgetsForYear(db, w.partnershipId, Y + 1);
  assert.deepEqual({ people: r.people, budgets: r.budgets }, { people: 2, budgets: 2 });
  const [b26, b27] = await budgetsOfPerson(w, renewed.person.id);
  assert.ok(b26 && b27);
  assert.equal(b27.financial_year, Y + 1);
  assert.equal(b27.starts_on, yearStart(Y + 1));
  // £400 a period for 12 periods of 28 days, and the 13th of 30 days (to 31 March 2028, a
  // leap year); no laptop this time.
  assert.equal(b27.amount_pence, 12 * 40_000 + 42_857);
  // What the API and the Budget panel say each item was meant to cost: the laptop in full in the
  // first year, nothing in the renewal; the renewal's items add up to its budget.
  const plannedOf = async (year: number) =>
    (
      await inPartnership(db, w.partnershipId, (tx) => budgetsForApi(tx, renewed.person.id, year))
    )[0]?.items.map((i) => [i.itemId, i.plannedPence]);
  assert.deepEqual(await plannedOf(Y + 1), [
    ['pa', 12 * 40_000 + 42_857],
    ['laptop', 0],
  ]);
  assert.deepEqual(
    (await plannedOf(Y))?.find(([id]) => id === 'laptop'),
    ['laptop', 50_000],
  );
  const lines = await linesOf(w, b27.id);
  assert.equal(lines.length, 13);
  assert.equal(lines[0]?.amount_pence, 40_000 - 4_000, 'net of the £10 a week contribution');
  assert.ok(
    lines.every((l) => l.status === 'due'),
    'renewal pays nothing',
  );
  const rep = await budgetsOfPerson(w, replaced.person.id);
  assert.deepEqual(
    rep.filter((b) => b.financial_year === Y + 1).map((b) => b.plan_id),
    [replaced.planIds[1]],
  );
  assert.equal((await budgetsOfPerson(w, later.person.id)).length, 1);
  assert.equal(await ledgerCount(w, 'payment'), paymentsBefore, 'no payment posted');

  // Run again: nothing twice.
  const again = await renewBudgetsForYear(db, w.partnershipId, Y + 1);
  assert.equal(again.budgets, 0);
  assert.equal((await budgetsOfPerson(w, renewed.person.id)).length, 2);
  await checkInvariants(w, renewed.person.id);
});

test('renewal stopped half way and run again ends as one uninterrupted run', async () => {
  const w = await world();
  const people = [];
  for (let i = 0; i < 5; i++) people.push(await firstPlan(w, `Batch ${String(i)}`, dp(10_000 + i)));
  const stop = new Error('stopped');
  await assert.rejects(
    renewBudgetsForYear(db, w.partnershipId, Y + 1, {
      batchSize: 2,
      onBatch: (r) => {
        if (r.batches === 1) throw stop;
      },
    }),
    (e) => e === stop,
  );
  const half = await inPartnership(db, w.partnershipId, (tx) =>
    bt(tx)
      .selectFrom('budgets')
      .select('id')
      .where('financial_year', '=', Y + 1)
      .execute(),
  );
  assert.equal(half.length, 2, 'the first batch was made, in its own transaction');
  const rest = await renewBudgetsForYear(db, w.partnershipId, Y + 1, { batchSize: 2 });
  assert.equal(rest.budgets, 3);
  for (const [i, x] of people.entries()) {
    const next = (await budgetsOfPerson(w, x.person.id)).filter((b) => b.financial_year === Y + 1);
    assert.equal(next.length, 1);
    // Each person's own plan (£100 a week and i pence), whichever batch renewed it.
    const expected = planBudgets({
      startsOn: yearStart(Y + 1),
      streams: streamsForBudget(dp(10_000 + i)),
      contributions: [],
    })[0];
    assert.equal(next[0]?.amount_pence, expected?.amount);
    assert.deepEqual(
      (await linesOf(w, next[0]?.id ?? '')).map((l) => l.amount_pence),
      expected?.lines.map((l) => l.amount),
    );
    await checkInvariants(w, x.person.id);
  }
});

test('the Budget panel shows the replaced budget as ended, in plain English', async () => {
  const w = await world();
  const x = await firstPlan(w, 'Panel', dp(10_000));
  await payUpTo(w, SEPT);
  await newVersion(w, x, dp(15_000), SEPT);
  const client = new TestClient(t.url);
  assert.equal((await client.signIn(w.a.email, w.a.password)).status, 303);
  const page = await client.get(`/people/${x.person.id}`);
  assert.equal(page.status, 200);
  const text = page.text.replace(/\s+/g, ' ');
  assert.match(text, /social-care \(ended\)/);
  assert.match(
    text,
    /This budget ended on 31 August 2026 because a new version of the support plan was signed off\. The new version’s budget runs from 1 September 2026\./,
  );
  assert.match(text, /Budget from 1 April 2026 to 31 August 2026/);
});

// The property: after any sequence of first approval, new versions, renewals and payment runs,
// the ledger balances, no schedule line is paid twice, the held balance is what was paid in,
// and every budget's allocations are the pro-rata figures for the days it covers.
type Step =
  | { op: 'version'; gap: number; weekly: number; stream: 0 | 1; managed: boolean }
  | { op: 'pay'; gap: number }
  | { op: 'renew' };
const STREAMS = [
  { id: 'social-care', body: 'council' as const },
  { id: 'nhs-phb', body: 'nhs' as const },
] as const;
function planFor(s: { weekly: number; stream: 0 | 1; managed: boolean }): PlanDocument {
  const stream = s.stream === 0 ? STREAMS[0] : STREAMS[1];
  return doc({
    startsOn: APRIL,
    streams: [
      { id: stream.id, body: stream.body, holding: s.managed ? 'mixed' : 'direct_payment' },
    ],
    items: [
      paItem('pa', stream.id, s.weekly),
      ...(s.managed ? [providerItem('agency', stream.id, 1_500, 'Good Care Ltd')] : []),
    ],
  });
}
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    op: fc.constant('version' as const),
    gap: fc.integer({ min: 0, max: 90 }),
    weekly: fc.integer({ min: 100, max: 30_000 }),
    stream: fc.constantFrom<0 | 1>(0, 1),
    managed: fc.boolean(),
  }),
  fc.record({ op: fc.constant('pay' as const), gap: fc.integer({ min: 0, max: 90 }) }),
  fc.record({ op: fc.constant('renew' as const) }),
);

test('property: versions, renewals and payment runs keep the ledger exact', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(step, { minLength: 1, maxLength: 6 }),
      fc.boolean(),
      async (steps, contributes) => {
        const w = await world();
        const x = await firstPlan(w, 'Property', dp(10_000));
        if (contributes)
          await createBudgetsService({ db, now }).recordFinancialAssessment(
            ctxFor(w.p, w.a, ['finance_officer']),
            x.person.id,
            { weeklyPence: 1_500, effectiveFrom: '2026-01-01' as CivilDate },
          );
        let d = 0;
        for (const s of steps) {
          if (s.op !== 'renew') d = Math.min(364, d + s.gap);
          const on = addDays(APRIL, d);
          if (s.op === 'version') await newVersion(w, x, planFor(s), on);
          else if (s.op === 'pay') await payUpTo(w, on);
          else await renewBudgetsForYear(db, w.partnershipId, Y + 1);
        }
        await payUpTo(w, '2027-03-31' as CivilDate);
        await checkInvariants(w, x.person.id);
      },
    ),
    { numRuns: 25 },
  );
});
