// The weeks between 1 April and a new version's start (decision 14, "A replaced version is
// renewed until its successor starts"), on a real database (PGlite, and PostgreSQL when
// DATABASE_URL is set): a version signed off in March for support from May leaves the old
// version paying for April, and only April; one from exactly 1 April leaves nothing to renew;
// one from a later year still leaves the old version in force for the whole year and, the year
// after, for the weeks before it starts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { startTestApp, TestClient, type TestApp } from '../../../test/support/app.ts';
import { ctxFor } from '../../../test/support/submitted-plans.ts';
import { inPartnership, type Db } from '../../platform/db/database.ts';
import { addDays, type CivilDate } from '../../platform/dates.ts';
import { doc, now, paItem } from './fixtures.int-support.ts';
import { renewBudgetsForYear } from './renew.ts';
import { planBudgets, yearEnd, yearStart } from './rules.ts';
import { budgetPanelIn, createBudgetsService } from './service.ts';
import { streamsForBudget } from './streams.ts';
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

// The first version runs from 1 April 2026; the new version is signed off on 1 March 2027.
const Y = 2027;
const MARCH = '2027-03-01' as CivilDate;

let t: TestApp;
let db: Db;

before(async () => {
  t = await startTestApp({}, undefined, now);
  db = t.db;
  useDb(db);
});
after(() => t.close());

/** £`weekly / 100` a week by direct payment from `startsOn`. */
const from = (startsOn: string, weekly: number) =>
  doc({
    startsOn,
    streams: [{ id: 'social-care', body: 'council', holding: 'direct_payment' }],
    items: [paItem('pa-social-care', 'social-care', weekly)],
  });

async function contributes(w: World, personId: string, weeklyPence: number) {
  await createBudgetsService({ db, now }).recordFinancialAssessment(
    ctxFor(w.p, w.a, ['finance_officer']),
    personId,
    { weeklyPence, effectiveFrom: '2026-01-01' as CivilDate },
  );
}

test('signed off in March for support from May: the old version pays for April, and only April', async () => {
  const w = await world();
  const x = await firstPlan(w, 'Gap May', dp(10_000));
  await contributes(w, x.person.id, 1_000);
  const made = await newVersion(w, x, from('2027-05-01', 15_000), MARCH);
  assert.equal(made.ended, undefined, 'nothing of 2027/28 to end yet');
  const [, successor] = await budgetsOfPerson(w, x.person.id);
  assert.ok(successor);
  assert.equal(successor.starts_on, '2027-05-01');
  const successorLines = await linesOf(w, successor.id);
  const ledgerBefore = await ledgerCount(w);

  const r = await renewBudgetsForYear(db, w.partnershipId, Y, { at: new Date() });
  assert.deepEqual({ people: r.people, budgets: r.budgets }, { people: 1, budgets: 1 });
  const all = await budgetsOfPerson(w, x.person.id);
  const april = all.find((b) => b.financial_year === Y && b.plan_id === x.planIds[0]);
  assert.ok(april, 'the old version is renewed');
  assert.equal(april.starts_on, yearStart(Y));
  assert.equal(april.ends_on, '2027-04-30', 'to the day before the new version starts');
  // £400 for period 1 (1–28 April) and 2 of period 2's 28 days (29–30 April): £400 × 2 / 28.
  assert.equal(april.amount_pence, 40_000 + 2_857);
  const expected = planBudgets({
    startsOn: yearStart(Y),
    endsOn: '2027-04-30' as CivilDate,
    streams: streamsForBudget(dp(10_000)),
    contributions: [],
  })[0];
  assert.equal(april.amount_pence, expected?.amount, 'by the rules, pro rata by days');
  // The £10 a week contribution: £40 in period 1 and £10 × 2 / 7 = £2.86 in period 2.
  assert.deepEqual(
    (await linesOf(w, april.id)).map((l) => [l.period_no, l.due_on, l.amount_pence, l.status]),
    [
      [1, '2027-04-01', 40_000 - 4_000, 'due'],
      [2, '2027-04-29', 2_857 - 286, 'due'],
    ],
    'a line for each period it covers, net of the contribution',
  );
  assert.equal(
    await balanceOf(w, april.ledger_account_id),
    36_000 + 2_571,
    'the budget holds what it is to pay',
  );
  // The new version's budget from 1 May is as its sign-off made it.
  const after = all.find((b) => b.id === successor.id);
  assert.deepEqual(after, successor);
  assert.deepEqual(await linesOf(w, successor.id), successorLines);
  assert.equal(successor.ends_on, null);

  // Renewing again, or twice at once, makes nothing more.
  const again = await Promise.all([
    renewBudgetsForYear(db, w.partnershipId, Y),
    renewBudgetsForYear(db, w.partnershipId, Y),
  ]);
  assert.deepEqual(
    again.map((a) => a.budgets),
    [0, 0],
  );
  assert.equal((await budgetsOfPerson(w, x.person.id)).length, 3);
  assert.equal(await ledgerCount(w), ledgerBefore + 4, 'two allocations, two contributions');

  // A year of payment runs pays April from the old version and the rest from the new one.
  await payUpTo(w, '2028-03-31' as CivilDate);
  let paidIn = 0;
  for (const b of await budgetsOfPerson(w, x.person.id)) {
    const lines = await linesOf(w, b.id);
    assert.ok(
      lines.every((l) => l.status === 'paid'),
      'every line paid',
    );
    paidIn += lines.reduce((s, l) => s + l.amount_pence, 0);
  }
  assert.ok(april.holding_account_id);
  assert.equal(april.holding_account_id, successor.holding_account_id, 'into the one account');
  assert.equal(await balanceOf(w, april.holding_account_id), paidIn, 'each line once');
  await checkInvariants(w, x.person.id);

  // On the person's Budget panel in April, both budgets of the year are listed.
  const panel = await inPartnership(db, w.partnershipId, (tx) =>
    budgetPanelIn(tx, x.person.id, '2027-04-10' as CivilDate),
  );
  assert.deepEqual(
    panel.streams.map((s) => [s.budget.startsOn, s.budget.endsOn, s.budget.replacedByPlanId]),
    [
      ['2027-04-01', '2027-04-30', x.planIds[1]],
      ['2027-05-01', null, null],
    ],
  );
});

test('a new version from exactly 1 April: nothing more is made for the old one', async () => {
  const w = await world();
  const x = await firstPlan(w, 'Gap none', dp(10_000));
  await newVersion(w, x, from('2027-04-01', 15_000), MARCH);
  const before = await budgetsOfPerson(w, x.person.id);
  const r = await renewBudgetsForYear(db, w.partnershipId, Y);
  assert.equal(r.budgets, 0);
  const all = await budgetsOfPerson(w, x.person.id);
  assert.deepEqual(all, before);
  assert.deepEqual(
    all.map((b) => [b.plan_id, b.financial_year, b.starts_on, b.ends_on]),
    [
      [x.planIds[0], 2026, '2026-04-01', null],
      [x.planIds[1], Y, '2027-04-01', null],
    ],
  );
  await checkInvariants(w, x.person.id);
});

test('a new version from a later year still: the old one runs the whole year, then to its start', async () => {
  const w = await world();
  const x = await firstPlan(w, 'Gap later', dp(10_000));
  await newVersion(w, x, from('2028-05-01', 15_000), MARCH);
  assert.deepEqual(
    (await budgetsOfPerson(w, x.person.id)).map((b) => [b.financial_year, b.starts_on]),
    [
      [2026, '2026-04-01'],
      [2028, '2028-05-01'],
    ],
    'the new version has its budget from its start, made at sign-off',
  );

  // 2027/28: the old version is the one in force all year, so it is renewed as any plan.
  assert.equal((await renewBudgetsForYear(db, w.partnershipId, Y)).budgets, 1);
  const y27 = (await budgetsOfPerson(w, x.person.id)).find((b) => b.financial_year === Y);
  assert.ok(y27);
  assert.equal(y27.plan_id, x.planIds[0]);
  assert.equal(y27.starts_on, '2027-04-01');
  assert.equal(y27.ends_on, null);
  // 12 periods of £400 and the 13th of 30 days (to 31 March 2028, a leap year).
  assert.equal(y27.amount_pence, 12 * 40_000 + 42_857);
  assert.equal((await linesOf(w, y27.id)).length, 13);

  // 2028/29: it runs from 1 April to 30 April 2028, and the new version from 1 May.
  assert.equal((await renewBudgetsForYear(db, w.partnershipId, Y + 1)).budgets, 1);
  const y28 = (await budgetsOfPerson(w, x.person.id)).filter((b) => b.financial_year === Y + 1);
  assert.deepEqual(
    y28.map((b) => [b.plan_id, b.starts_on, b.ends_on, b.amount_pence]),
    [
      [x.planIds[0], '2028-04-01', '2028-04-30', 40_000 + 2_857],
      [x.planIds[1], '2028-05-01', null, y28[1]?.amount_pence],
    ],
  );
  assert.equal((await renewBudgetsForYear(db, w.partnershipId, Y + 1)).budgets, 0);
  await payUpTo(w, '2028-05-01' as CivilDate);
  await checkInvariants(w, x.person.id);
});

test('a third version from 10 April, during the weeks the old one covers: no day is paid twice', async () => {
  const w = await world();
  const x = await firstPlan(w, 'Gap third', dp(10_000));
  await newVersion(w, x, from('2027-05-01', 15_000), MARCH);
  await renewBudgetsForYear(db, w.partnershipId, Y);
  assert.equal(await payUpTo(w, '2027-04-01' as CivilDate), 14, 'the 2026/27 lines and 1 April');
  const TENTH = '2027-04-10' as CivilDate;
  const made = await newVersion(w, x, from(TENTH, 20_000), TENTH);
  const y27 = (await budgetsOfPerson(w, x.person.id)).filter((b) => b.financial_year === Y);
  assert.deepEqual(
    y27.map((b) => [b.plan_id, b.starts_on, b.ends_on]),
    [
      [x.planIds[0], '2027-04-01', '2027-04-09'],
      [x.planIds[2], TENTH, null],
      [x.planIds[1], '2027-05-01', '2027-04-30'],
    ].sort((a, b) => String(a[1]).localeCompare(String(b[1]))),
    'the old version now covers 1–9 April, the May version nothing',
  );
  // Period 1 (1–28 April) was paid in advance by the old version: 19 of its days are the new
  // version's, carried into its first payments.
  assert.equal(made.created[0]?.carried, 40_000 - 12_857);
  await payUpTo(w, '2028-03-31' as CivilDate);
  // Paid for 2027/28: 9 days of £100 a week from the old version, then the new version's year.
  const third = y27.find((b) => b.plan_id === x.planIds[2]);
  assert.ok(third);
  let paid = 0;
  for (const b of y27)
    for (const l of await linesOf(w, b.id)) if (l.status === 'paid') paid += l.amount_pence;
  assert.equal(paid, 12_857 + third.amount_pence);
  await checkInvariants(w, x.person.id);
});

test('the Budget panel: a budget that runs until a later day says so, with its next payment', async () => {
  // Today is 24 November 2026 (the tests' clock): a version signed off today from 1 December.
  const w = await world();
  const x = await firstPlan(w, 'Gap panel', dp(10_000));
  await payUpTo(w, '2026-11-01' as CivilDate);
  await newVersion(w, x, from('2026-12-01', 15_000), '2026-11-24' as CivilDate);
  const client = new TestClient(t.url);
  assert.equal((await client.signIn(w.a.email, w.a.password)).status, 303);
  const page = await client.get(`/people/${x.person.id}`);
  assert.equal(page.status, 200);
  const text = page.text.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
  assert.match(text, /social-care \(until 30 November 2026\)/);
  assert.doesNotMatch(text, /\(ended\)/);
  assert.match(
    text,
    /This budget runs until 30 November 2026 because a new version of the support plan was signed off\. The new version’s budget runs from 1 December 2026\./,
  );
  // Period 9 (11 November – 8 December) is cut to its 20 days to 30 November: £400 × 20 / 28.
  assert.match(text, /Next payment £285\.71, due on 11 November 2026 and not paid yet/);
});

// The property: versions signed off for support that starts later (up to 60 days), with
// renewals of 2027/28 and payment runs in any order across both years, keep the ledger exact,
// pay each line once, and never have two budgets of a stream cover the same day.
type Step =
  | { op: 'version'; gap: number; ahead: number; weekly: number }
  | { op: 'pay'; gap: number }
  | { op: 'renew' };
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    op: fc.constant('version' as const),
    gap: fc.integer({ min: 0, max: 120 }),
    ahead: fc.integer({ min: 0, max: 60 }),
    weekly: fc.integer({ min: 100, max: 30_000 }),
  }),
  fc.record({ op: fc.constant('pay' as const), gap: fc.integer({ min: 0, max: 120 }) }),
  fc.record({ op: fc.constant('renew' as const) }),
);

test('property: versions that start later, renewals and payment runs pay each day once', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 7 }), async (steps) => {
      const w = await world();
      const x = await firstPlan(w, 'Gap property', dp(10_000));
      let d = 250; // from early December 2026, so that 1 April 2027 comes up
      // Each version starts no sooner than the one before: a version that starts before an
      // earlier-signed version it replaces is a known limit (decision 14), but for the one case
      // of this feature, tested above.
      let latest = APRIL;
      for (const s of steps) {
        if (s.op !== 'renew') d = Math.min(500, d + s.gap);
        const on = addDays(APRIL, d);
        if (s.op === 'version') {
          if (addDays(on, s.ahead) > latest) latest = addDays(on, s.ahead);
          await newVersion(w, x, from(latest, s.weekly), on);
        } else if (s.op === 'pay') await payUpTo(w, on);
        else await renewBudgetsForYear(db, w.partnershipId, Y);
      }
      await renewBudgetsForYear(db, w.partnershipId, Y);
      await payUpTo(w, '2028-03-31' as CivilDate);
      await checkInvariants(w, x.person.id);
      // Every day of both years is covered by one budget: no gap, no overlap.
      const all = await budgetsOfPerson(w, x.person.id);
      for (const year of [Y - 1, Y]) {
        let next = yearStart(year);
        for (const b of all
          .filter((b) => b.financial_year === year)
          .filter((b) => b.ends_on === null || b.ends_on >= b.starts_on)
          .sort((a, b) => a.starts_on.localeCompare(b.starts_on))) {
          assert.equal(b.starts_on, next, `${String(year)}: the next budget starts the day after`);
          next = addDays(b.ends_on ?? yearEnd(year), 1);
        }
        assert.equal(next, yearStart(year + 1), `${String(year)}: covered to 31 March`);
      }
    }),
    { numRuns: 30 },
  );
});
