// The review pages over a real server and database: each team's due and overdue reviews (a
// review scheduled on approval, 8 weeks after sign-off; an overdue one marked and first),
// recording a review (the next one scheduled on the same timetable), an unplanned review with its
// Client Level Data reason, and another team's coordinator kept out.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, TestClient, type TestApp } from '../../../test/support/app.ts';
import {
  createPartnership,
  createUser,
  publishRas,
  type TestPartnership,
  type TestUser,
} from '../../../test/support/factories.ts';
import { approve, ctxFor, submittedPlan } from '../../../test/support/submitted-plans.ts';
import { formatCivilDate, todayInLondon } from '../../platform/dates.ts';
import { addDays, addMonths, PLANNED_REVIEW_RULE_DETAILS } from './rules.ts';

let t: TestApp;
let p: TestPartnership;
let rasId: string;
let coordinator: TestUser;
let manager: TestUser;
let stranger: TestUser;
let admin: TestUser;

before(async () => {
  t = await startTestApp();
  p = await createPartnership(t.db);
  rasId = await publishRas(t.db, p.id);
  coordinator = await createUser(t.db, p, ['care_coordinator'], { name: 'Casey Coordinator' });
  manager = await createUser(t.db, p, ['team_manager']);
  stranger = await createUser(t.db, p, ['care_coordinator'], { teamId: p.otherTeamId });
  admin = await createUser(t.db, p, ['partnership_admin'], { teamId: null });
});
after(() => t.close());

async function signedIn(user: TestUser): Promise<TestClient> {
  const c = new TestClient(t.url);
  const r = await c.signIn(user.email, user.password);
  assert.equal(r.status, 303, 'signed in');
  return c;
}

const flat = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

/** A person with an approved plan (approved today by the coordinator). */
async function approvedPlan(givenName: string) {
  const by = ctxFor(p, coordinator, ['care_coordinator']);
  const x = await submittedPlan(t.db, p, {
    rasId,
    coordinatorId: coordinator.id,
    author: by,
    givenName,
  });
  await approve(t.db, by, x.planId);
  const first = await t.db.system
    .selectFrom('reviews')
    .select(['id', 'due_on'])
    .where('plan_id', '=', x.planId)
    .where('rule', '=', 'care_plan_first')
    .executeTakeFirstOrThrow();
  return { ...x, firstReviewId: first.id, firstDueOn: first.due_on };
}

test('the team’s list shows the review scheduled on approval, 8 weeks after sign-off, with its rule and coordinator', async () => {
  const x = await approvedPlan('Ada');
  const today = todayInLondon();
  assert.equal(x.firstDueOn, addDays(today, 56));
  const c = await signedIn(manager);
  // Within the default 4 weeks it is not due yet; within 3 months it is.
  const soon = flat((await c.get('/reviews')).text);
  assert.doesNotMatch(soon, /Ada /);
  const r = await c.get('/reviews?show=90');
  assert.equal(r.status, 200);
  const text = flat(r.text);
  assert.match(
    text,
    new RegExp(
      `${formatCivilDate(addDays(today, 56))} from ${formatCivilDate(addDays(today, 42))} Ada`,
    ),
  );
  assert.match(text, new RegExp(PLANNED_REVIEW_RULE_DETAILS.care_plan_first.label));
  assert.match(text, /Casey Coordinator/);
  assert.match(r.text, new RegExp(`href="/reviews/${x.firstReviewId}"`));
  // The partnership administrator sees every team's.
  const a = await signedIn(admin);
  assert.match(flat((await a.get('/reviews?show=90')).text), /Ada /);
});

test('an overdue review is marked and listed first; "overdue only" shows just those', async () => {
  const x = await approvedPlan('Bea');
  const past = addDays(todayInLondon(), -10);
  await t.db.system
    .updateTable('reviews')
    .set({ due_on: past, earliest_on: null })
    .where('id', '=', x.firstReviewId)
    .execute();
  const c = await signedIn(coordinator);
  const text = flat((await c.get('/reviews?show=90')).text);
  assert.match(text, new RegExp(`${formatCivilDate(past)} Overdue Bea`));
  assert.ok(text.indexOf('Bea') < text.indexOf('Ada'), 'overdue first');
  assert.match(text, /1 review is overdue/);
  const only = flat((await c.get('/reviews?show=overdue')).text);
  assert.match(only, /Bea/);
  assert.doesNotMatch(only, /Ada /);
});

test('recording a review: every answer is needed; completing it stores it and schedules the next one 12 months on', async () => {
  const x = await approvedPlan('Cleo');
  const c = await signedIn(coordinator);
  const page = await c.get(`/reviews/${x.firstReviewId}`);
  assert.equal(page.status, 200);
  assert.match(page.text, /I want to sing in a choir again/);
  const bad = await c.post(`/reviews/${x.firstReviewId}`, { personView: 'Going well' });
  assert.equal(bad.status, 400);
  assert.match(bad.text, /Say whether “I want to sing in a choir again” was achieved/);
  assert.match(bad.text, /Say whether the budget is still enough/);
  assert.match(bad.text, />Going well<\/textarea>/);
  const ok = await c.post(`/reviews/${x.firstReviewId}`, {
    'outcome-choir': 'partly',
    personView: 'I have been to choir three times and want to go every week.',
    budgetSufficient: 'no',
    usedAsAgreed: 'yes',
    changesNeeded: 'yes',
    changes: 'More PA hours on Thursdays',
  });
  assert.equal(ok.status, 303);
  assert.equal(ok.location, `/reviews/${x.firstReviewId}`);
  const today = todayInLondon();
  const done = await t.db.system
    .selectFrom('reviews')
    .select(['status', 'completed_on', 'completed_by', 'document'])
    .where('id', '=', x.firstReviewId)
    .executeTakeFirstOrThrow();
  assert.equal(done.status, 'completed');
  assert.equal(done.completed_on, today);
  assert.equal(done.completed_by, coordinator.id);
  const doc = done.document as { record: { outcomes: { achieved: string }[]; changes: string } };
  assert.equal(doc.record.outcomes[0]?.achieved, 'partly');
  assert.equal(doc.record.changes, 'More PA hours on Thursdays');
  const next = await t.db.system
    .selectFrom('reviews')
    .select(['rule', 'due_on', 'status'])
    .where('plan_id', '=', x.planId)
    .where('rule', '=', 'care_plan_annual')
    .execute();
  assert.deepEqual(next, [
    { rule: 'care_plan_annual', due_on: addMonths(today, 12), status: 'due' },
  ]);
  const measure = await t.db.system
    .selectFrom('outcome_measures')
    .select(['instrument', 'score'])
    .where('review_id', '=', x.firstReviewId)
    .executeTakeFirstOrThrow();
  assert.equal(measure.instrument, 'goal_attainment');
  assert.equal((measure.score as { partly: number }).partly, 1);
  // The completed review shows what was found and offers a new plan version.
  const shown = await c.get(`/reviews/${x.firstReviewId}`);
  assert.match(flat(shown.text), /Partly achieved/);
  assert.match(
    flat(shown.text),
    new RegExp(`Status Completed on ${formatCivilDate(today)} by Casey Coordinator`),
  );
  assert.match(shown.text, new RegExp(`action="/people/${x.personId}/plans"`));
  assert.match(
    flat(shown.text),
    new RegExp(`next review is due by ${formatCivilDate(addMonths(today, 12))}`),
  );
  // It cannot be completed twice.
  const again = await c.post(`/reviews/${x.firstReviewId}`, {
    'outcome-choir': 'fully',
    personView: 'x',
    budgetSufficient: 'yes',
    usedAsAgreed: 'yes',
    changesNeeded: 'no',
  });
  assert.equal(again.status, 409);
});

test('an unplanned review with a CLD reason and a due date', async () => {
  const x = await approvedPlan('Dev');
  const c = await signedIn(coordinator);
  const page = await c.get(`/people/${x.personId}/reviews/new`);
  assert.equal(page.status, 200);
  assert.match(page.text, /value="Unplanned - Carer related"/);
  const bad = await c.post(`/people/${x.personId}/reviews/new`, {
    details: '',
    'dueOn-day': '31',
    'dueOn-month': '2',
    'dueOn-year': '2027',
  });
  assert.equal(bad.status, 400);
  assert.match(bad.text, /Choose why the review is needed/);
  assert.match(bad.text, /Say what has happened/);
  assert.match(bad.text, /Enter a real date/);
  const due = addDays(todayInLondon(), 14);
  const [y, m, d] = due.split('-');
  const ok = await c.post(`/people/${x.personId}/reviews/new`, {
    reason: 'Unplanned - Carer related',
    details: 'Her sister, who cares for her, has gone into hospital.',
    'dueOn-day': d ?? '',
    'dueOn-month': m ?? '',
    'dueOn-year': y ?? '',
  });
  assert.equal(ok.status, 303);
  const row = await t.db.system
    .selectFrom('reviews')
    .select(['id', 'kind', 'rule', 'due_on', 'plan_id'])
    .where('person_id', '=', x.personId)
    .where('kind', '=', 'unplanned')
    .executeTakeFirstOrThrow();
  assert.deepEqual(
    { kind: row.kind, rule: row.rule, due: row.due_on, plan: row.plan_id },
    { kind: 'unplanned', rule: 'Unplanned - Carer related', due, plan: x.planId },
  );
  assert.equal(ok.location, `/reviews/${row.id}`);
  const list = flat((await c.get('/reviews')).text);
  assert.match(list, /Dev [^]*?Unplanned review: something has changed for a carer/);
});

test('another team’s coordinator cannot see or record the reviews', async () => {
  const x = await approvedPlan('Eve');
  const c = await signedIn(stranger);
  const list = flat((await c.get('/reviews?show=90')).text);
  assert.doesNotMatch(list, /Eve /);
  assert.match(list, /No reviews are due in this period/);
  assert.equal((await c.get(`/reviews/${x.firstReviewId}`)).status, 403);
  const post = await c.post(`/reviews/${x.firstReviewId}`, {
    'outcome-choir': 'fully',
    personView: 'x',
    budgetSufficient: 'yes',
    usedAsAgreed: 'yes',
    changesNeeded: 'no',
  });
  assert.equal(post.status, 403);
  assert.equal((await c.get(`/people/${x.personId}/reviews/new`)).status, 403);
  const still = await t.db.system
    .selectFrom('reviews')
    .select('status')
    .where('id', '=', x.firstReviewId)
    .executeTakeFirstOrThrow();
  assert.equal(still.status, 'due');
});

test('a person who moves team takes their due reviews to the new team’s list (the database keeps the copy)', async () => {
  const x = await approvedPlan('Mervyn');
  const ours = await signedIn(manager);
  const theirs = await signedIn(stranger);
  assert.match(flat((await ours.get('/reviews?show=90')).text), /Mervyn /);
  assert.doesNotMatch(flat((await theirs.get('/reviews?show=90')).text), /Mervyn /);
  await t.db.system
    .updateTable('people')
    .set({ team_id: p.otherTeamId })
    .where('id', '=', x.personId)
    .execute();
  assert.doesNotMatch(flat((await ours.get('/reviews?show=90')).text), /Mervyn /);
  assert.match(flat((await theirs.get('/reviews?show=90')).text), /Mervyn /);
  const rows = await t.db.system
    .selectFrom('reviews')
    .select('team_id')
    .where('person_id', '=', x.personId)
    .execute();
  assert.ok(rows.length > 0);
  for (const r of rows) assert.equal(r.team_id, p.otherTeamId);
});

test('a long list comes a page at a time, with the total, and every review on exactly one page', async () => {
  const other = await createUser(t.db, p, ['team_manager'], { teamId: p.otherTeamId });
  const before = await t.db.system
    .selectFrom('reviews')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', '=', 'due')
    .where('team_id', '=', p.otherTeamId)
    .executeTakeFirstOrThrow();
  // 53 more due reviews for a person in team B, due over the next 53 days.
  const x = await approvedPlan('Paget');
  await t.db.system
    .updateTable('people')
    .set({ team_id: p.otherTeamId })
    .where('id', '=', x.personId)
    .execute();
  const today = todayInLondon();
  await t.db.system
    .insertInto('reviews')
    .values(
      Array.from({ length: 53 }, (_, i) => ({
        partnership_id: p.id,
        person_id: x.personId,
        plan_id: x.planId,
        kind: 'unplanned' as const,
        rule: 'other',
        due_on: addDays(today, i + 1),
      })),
    )
    .execute();
  const total = before.n + 53 + 1;
  const c = await signedIn(other);
  const first = await c.get('/reviews?show=90');
  assert.equal(first.status, 200);
  assert.match(flat(first.text), new RegExp(`Due in the next 3 months: ${String(total)} reviews`));
  assert.match(flat(first.text), /Showing 1 to 50/);
  assert.match(first.text, /href="\/reviews\?show=90&amp;page=2"/);
  const ids = new Set<string>();
  for (let page = 1; page <= Math.ceil(total / 50); page++) {
    const r = await c.get(`/reviews?show=90${page > 1 ? `&page=${String(page)}` : ''}`);
    for (const m of r.text.matchAll(/href="\/reviews\/([0-9a-f-]{36})"/g)) {
      assert.ok(!ids.has(m[1] ?? ''), 'a review on two pages');
      ids.add(m[1] ?? '');
    }
  }
  assert.equal(ids.size, total);
  const past = await c.get('/reviews?show=90&page=40');
  assert.equal(past.status, 200);
  assert.match(flat(past.text), /There are no more reviews to show/);
});
