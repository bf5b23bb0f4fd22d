// The sign-off pages over a real server and database: the queue (oldest first, how long each
// plan has waited at its step and since submission), approving, refusing (reasons required) and
// passing a plan up through the decision page, and the own-plan delegated-limit rule shown as a
// clear refusal on the page.
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
import { ctxFor, submittedPlan } from '../../../test/support/submitted-plans.ts';

let t: TestApp;
let p: TestPartnership;
let rasId: string;
let coordinator: TestUser;
let manager: TestUser;
let otherManager: TestUser;

before(async () => {
  t = await startTestApp();
  p = await createPartnership(t.db);
  rasId = await publishRas(t.db, p.id);
  coordinator = await createUser(t.db, p, ['care_coordinator'], { name: 'Casey Coordinator' });
  manager = await createUser(t.db, p, ['team_manager'], { name: 'Morgan Manager' });
  otherManager = await createUser(t.db, p, ['team_manager'], { teamId: p.otherTeamId });
});
after(() => t.close());

async function signedIn(user: TestUser): Promise<TestClient> {
  const c = new TestClient(t.url);
  const r = await c.signIn(user.email, user.password);
  assert.equal(r.status, 303, 'signed in');
  return c;
}

const flat = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
const DAY = 86_400_000;

function plan(o: { over?: number; givenName?: string; by?: 'coordinator' | 'manager' } = {}) {
  const author =
    o.by === 'manager'
      ? ctxFor(p, manager, ['team_manager'])
      : ctxFor(p, coordinator, ['care_coordinator']);
  return submittedPlan(t.db, p, {
    rasId,
    coordinatorId: coordinator.id,
    author,
    ...(o.over !== undefined ? { overWeeklyPence: o.over } : {}),
    ...(o.givenName ? { givenName: o.givenName } : {}),
  });
}

async function backdate(planId: string, days: number) {
  await t.db.system
    .updateTable('support_plans')
    .set({ submitted_at: new Date(Date.now() - days * DAY - 3_600_000) })
    .where('id', '=', planId)
    .execute();
}

test('another team’s manager sees an empty queue in a plain sentence; the header links to sign-off and reviews', async () => {
  const c = await signedIn(otherManager);
  const r = await c.get('/sign-off');
  assert.equal(r.status, 200);
  assert.match(r.text, /There are no support plans waiting for you to sign off/);
  assert.match(r.text, /href="\/sign-off"/);
  assert.match(r.text, /href="\/reviews"/);
});

test('the queue lists plans oldest first with the budget, who signs off and how long each step has taken', async () => {
  const newer = await plan({ givenName: 'Newer', over: 5_000 });
  const older = await plan({ givenName: 'Older' });
  await backdate(newer.planId, 3);
  await backdate(older.planId, 10);
  const c = await signedIn(manager);
  const r = await c.get('/sign-off');
  assert.equal(r.status, 200);
  const text = flat(r.text);
  const a = text.indexOf('Older');
  const b = text.indexOf('Newer');
  assert.ok(a > 0 && b > a, 'oldest first');
  assert.match(r.text, new RegExp(`href="/plans/${older.planId}"`));
  assert.match(text, /Older [^]*?10 days at this step 10 days since it was submitted/);
  assert.match(text, /Newer [^]*?over [^]*?A team manager [^]*?3 days at this step/);
  assert.match(text, /Older [^]*?Within budget [^]*?The care coordinator/);
  // The coordinator passes the older one up: it has waited 0 days at the new step.
  const cc = await signedIn(coordinator);
  await cc.get(`/plans/${older.planId}/decision`);
  const up = await cc.post(`/plans/${older.planId}/decision`, {
    outcome: 'escalated',
    reason: 'I would like a manager to look at the PA rate.',
  });
  assert.equal(up.status, 303);
  assert.equal(up.location, '/sign-off');
  const after = flat((await c.get('/sign-off')).text);
  assert.match(
    after,
    /Older [^]*?A team manager [^]*?0 days at this step 10 days since it was submitted/,
  );
  const row = await t.db.system
    .selectFrom('support_plans')
    .select(['route', 'status'])
    .where('id', '=', older.planId)
    .executeTakeFirstOrThrow();
  assert.deepEqual(row, { route: 'team_manager', status: 'submitted' });
});

test('the decision page shows the plan against its budget; approving flashes and goes to the plan', async () => {
  const x = await plan({ over: 4_000 });
  const c = await signedIn(manager);
  const page = await c.get(`/plans/${x.planId}/decision`);
  assert.equal(page.status, 200);
  const text = flat(page.text);
  assert.match(text, /over/);
  assert.match(text, /Choir is in the evening/);
  assert.match(text, /The plan check found nothing to put right/);
  // At team manager level with no panel in this partnership, there is no higher level.
  assert.doesNotMatch(text, /Pass it up/);
  const r = await c.post(`/plans/${x.planId}/decision`, { outcome: 'approved', reason: '' });
  assert.equal(r.status, 303);
  assert.equal(r.location, `/plans/${x.planId}`);
  const row = await t.db.system
    .selectFrom('support_plans')
    .select('status')
    .where('id', '=', x.planId)
    .executeTakeFirstOrThrow();
  assert.equal(row.status, 'approved');
  const next = await c.get('/sign-off');
  assert.match(next.text, /is approved/);
  // Approval made the budgets in the same transaction (the budgets feature, wired in compose.ts).
  const budgets = await t.db.withClient((client) =>
    client.query<{ plan_id: string }>('select plan_id from budgets where person_id = $1', [
      x.personId,
    ]),
  );
  assert.ok(budgets.length > 0, 'budgets made on approval');
  for (const b of budgets) assert.equal(b.plan_id, x.planId);
});

test('refusing without reasons is a 400 with the answers kept; with reasons the plan is refused', async () => {
  const x = await plan();
  const c = await signedIn(coordinator);
  await c.get(`/plans/${x.planId}/decision`);
  const bad = await c.post(`/plans/${x.planId}/decision`, { outcome: 'refused', reason: 'no' });
  assert.equal(bad.status, 400);
  assert.match(bad.text, /Give the reasons for refusing, in at least 10 characters/);
  assert.match(bad.text, /value="refused" checked/);
  assert.match(bad.text, />no<\/textarea>/);
  const none = await c.post(`/plans/${x.planId}/decision`, { reason: '' });
  assert.equal(none.status, 400);
  assert.match(none.text, /Select whether you approve, refuse or pass it up/);
  const ok = await c.post(`/plans/${x.planId}/decision`, {
    outcome: 'refused',
    reason: 'The PA rate is above the local rate; please check with the broker.',
  });
  assert.equal(ok.status, 303);
  const d = await t.db.system
    .selectFrom('plan_decisions')
    .select(['outcome', 'reason', 'step'])
    .where('plan_id', '=', x.planId)
    .executeTakeFirstOrThrow();
  assert.deepEqual(d, {
    outcome: 'refused',
    reason: 'The PA rate is above the local rate; please check with the broker.',
    step: 'coordinator',
  });
});

test('a coordinator cannot approve a plan that needs a team manager: a clear message with 403', async () => {
  const x = await plan({ over: 6_000 });
  const c = await signedIn(coordinator);
  await c.get(`/plans/${x.planId}/decision`);
  const r = await c.post(`/plans/${x.planId}/decision`, { outcome: 'approved', reason: '' });
  assert.equal(r.status, 403);
  assert.match(flat(r.text), /You cannot make this decision/);
  assert.match(flat(r.text), /must be signed off by a team manager/);
});

test('approving one’s own plan above one’s delegated limit is refused on the page with the reason', async () => {
  await t.db.system
    .insertInto('partnership_policies')
    .values({
      partnership_id: p.id,
      kind: 'sign_off',
      policy: JSON.stringify({
        teamManagerAbove: { basisPoints: 0, pence: null, combine: 'smaller' },
        delegatedLimits: { care_coordinator: null, team_manager: 100_000 },
      }),
    })
    .execute();
  const x = await plan({ over: 2_000, by: 'manager' });
  assert.equal(x.route, 'team_manager');
  const c = await signedIn(manager);
  await c.get(`/plans/${x.planId}/decision`);
  const r = await c.post(`/plans/${x.planId}/decision`, { outcome: 'approved', reason: '' });
  assert.equal(r.status, 403);
  assert.match(
    flat(r.text),
    /You wrote this plan, and it costs .* more than your delegated limit of £1,000\.00/,
  );
  const row = await t.db.system
    .selectFrom('support_plans')
    .select('status')
    .where('id', '=', x.planId)
    .executeTakeFirstOrThrow();
  assert.equal(row.status, 'submitted');
  // Someone else in the team may approve it.
  const colleague = await createUser(t.db, p, ['team_manager']);
  const cc = await signedIn(colleague);
  await cc.get(`/plans/${x.planId}/decision`);
  const ok = await cc.post(`/plans/${x.planId}/decision`, { outcome: 'approved', reason: '' });
  assert.equal(ok.status, 303);
});
