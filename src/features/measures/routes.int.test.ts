// Outcome measures over a real server and database: recording SWEMWBS, EQ-5D-5L and statuses,
// the scores the rules give, the change from baseline, incomplete questionnaires refused with
// each missing item, access rules, and the stored row holding item ids, never wording.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, TestClient, type TestApp } from '../../../test/support/app.ts';
import {
  createPartnership,
  createPerson,
  createUser,
  type TestPartnership,
  type TestUser,
} from '../../../test/support/factories.ts';
import {
  ASCOT_DOMAINS,
  DEMO_WORDING,
  SWEMWBS_ITEMS,
  formatHundredths,
  scoreSwemwbs,
  type Level5,
} from './index.ts';

let t: TestApp;
let p: TestPartnership;
let other: TestPartnership;
let coordinator: TestUser;
let stranger: TestUser;
let outsider: TestUser;

before(async () => {
  t = await startTestApp();
  p = await createPartnership(t.db);
  other = await createPartnership(t.db, 'Other');
  coordinator = await createUser(t.db, p, ['care_coordinator']);
  stranger = await createUser(t.db, p, ['care_coordinator'], { teamId: p.otherTeamId });
  outsider = await createUser(t.db, other, ['care_coordinator']);
});
after(() => t.close());

async function signedIn(user: TestUser): Promise<TestClient> {
  const c = new TestClient(t.url);
  const r = await c.signIn(user.email, user.password);
  assert.equal(r.status, 303, 'signed in');
  return c;
}

const flat = (text: string) =>
  text
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/\s+/g, ' ');

function dateFields(iso: string): Record<string, string> {
  const [y, m, d] = iso.split('-');
  return { 'taken_on-day': d ?? '', 'taken_on-month': m ?? '', 'taken_on-year': y ?? '' };
}

function swemwbsForm(levels: Level5[], takenOn: string): Record<string, string> {
  const f: Record<string, string> = dateFields(takenOn);
  SWEMWBS_ITEMS.forEach((item, i) => {
    const l = levels[i];
    if (l !== undefined) f[item] = String(l);
  });
  return f;
}

async function record(
  c: TestClient,
  personId: string,
  instrument: string,
  form: Record<string, string>,
) {
  const page = await c.get(`/people/${personId}/measures/new?instrument=${instrument}`);
  assert.equal(page.status, 200, `the ${instrument} form opens`);
  return c.post(`/people/${personId}/measures/new?instrument=${instrument}`, form);
}

const swemwbsAnswers = (levels: Level5[]) =>
  Object.fromEntries(SWEMWBS_ITEMS.map((item, i) => [item, levels[i]]));

test('SWEMWBS: the metric score from the Rasch table, the change from baseline, and the stored row has item ids only', async () => {
  const person = await createPerson(t.db, p, { coordinatorId: coordinator.id });
  const c = await signedIn(coordinator);
  const baseline: Level5[] = [2, 3, 3, 2, 3, 4, 2];
  const later: Level5[] = [4, 4, 3, 4, 4, 4, 3];
  const form = await c.get(`/people/${person.id}/measures/new?instrument=swemwbs`);
  assert.ok(
    form.text.includes(DEMO_WORDING.swemwbs.copyright.replace(/'/g, '&#39;')) ||
      flat(form.text).includes(DEMO_WORDING.swemwbs.copyright),
    'the copyright line is on the form',
  );
  assert.ok(flat(form.text).includes(DEMO_WORDING.notice), 'the placeholder notice is shown');

  const r1 = await record(c, person.id, 'swemwbs', swemwbsForm(baseline, '2026-01-12'));
  assert.equal(r1.status, 303);
  assert.equal(r1.location, `/people/${person.id}/measures`);
  const r2 = await record(c, person.id, 'swemwbs', swemwbsForm(later, '2026-07-14'));
  assert.equal(r2.status, 303);

  const first = scoreSwemwbs(swemwbsAnswers(baseline));
  const second = scoreSwemwbs(swemwbsAnswers(later));
  assert.ok(first.metricHundredths !== null && second.metricHundredths !== null);
  const page = flat((await c.get(`/people/${person.id}/measures`)).text);
  assert.ok(page.includes(formatHundredths(first.metricHundredths)), 'baseline metric shown');
  assert.ok(page.includes(formatHundredths(second.metricHundredths)), 'latest metric shown');
  const change = formatHundredths(second.metricHundredths - first.metricHundredths, {
    signed: true,
  });
  assert.ok(
    page.includes(
      `${change} (from ${formatHundredths(first.metricHundredths)} to ${formatHundredths(second.metricHundredths)})`,
    ),
    `change from baseline shown as ${change}`,
  );
  assert.ok(page.includes(DEMO_WORDING.swemwbs.copyright), 'copyright line with the results');

  const rows = await t.db.system
    .selectFrom('outcome_measures')
    .selectAll()
    .where('person_id', '=', person.id)
    .orderBy('taken_on')
    .execute();
  assert.equal(rows.length, 2);
  const stored = rows[0];
  assert.ok(stored);
  assert.equal(stored.instrument, 'swemwbs');
  assert.equal(stored.taken_on, '2026-01-12');
  assert.equal(stored.recorded_by, coordinator.id);
  assert.deepEqual(stored.answers, swemwbsAnswers(baseline));
  assert.deepEqual(stored.score, JSON.parse(JSON.stringify(first)));
  const text = JSON.stringify(stored.answers);
  for (const wording of Object.values(DEMO_WORDING.swemwbs.items))
    assert.ok(!text.includes(wording), 'no wording stored');
  assert.doesNotMatch(text, /placeholder/i);

  const audited = await t.db.system
    .selectFrom('audit_events')
    .select(['action', 'record_id'])
    .where('record_type', '=', 'outcome_measure')
    .where('person_id', '=', person.id)
    .execute();
  assert.equal(audited.filter((a) => a.action === 'create').length, 2, 'both writes audited');
  assert.ok(
    audited.some((a) => a.action === 'create' && a.record_id === stored.id),
    'the write names the row',
  );
  assert.ok(
    audited.some((a) => a.action === 'read'),
    'the read is audited',
  );

  const personPage = flat((await c.get(`/people/${person.id}`)).text);
  assert.match(personPage, /Outcome measures/);
  assert.ok(personPage.includes(`Change since baseline: ${change}`), 'panel shows the change');
  assert.match(personPage, /See all outcome measures/);
});

test('EQ-5D-5L 12345: the England index 0.322 and the NICE crosswalk 0.063, with the EQ-5D notice', async () => {
  const person = await createPerson(t.db, p, { coordinatorId: coordinator.id });
  const c = await signedIn(coordinator);
  const form = await c.get(`/people/${person.id}/measures/new?instrument=eq5d5l`);
  assert.ok(flat(form.text).includes(DEMO_WORDING.eq5d5l.copyright));
  const r = await c.post(`/people/${person.id}/measures/new?instrument=eq5d5l`, {
    ...dateFields('2026-03-02'),
    MO: '1',
    SC: '2',
    UA: '3',
    PD: '4',
    AD: '5',
    vas: '70',
  });
  assert.equal(r.status, 303);
  const page = flat((await c.get(`/people/${person.id}/measures`)).text);
  assert.match(page, /12345/);
  assert.match(page, /0\.322/);
  assert.match(page, /0\.063/);
  assert.match(page, / 70 /);
  assert.match(page, /Only one measurement so far/);
  assert.ok(page.includes(DEMO_WORDING.eq5d5l.copyright));
  const row = await t.db.system
    .selectFrom('outcome_measures')
    .select(['answers', 'score'])
    .where('person_id', '=', person.id)
    .executeTakeFirstOrThrow();
  assert.deepEqual(row.answers, { MO: 1, SC: 2, UA: 3, PD: 4, AD: 5, vas: 70 });
  assert.deepEqual((row.score as { indexThousandths: unknown }).indexThousandths, {
    england2018: 322,
    ukCrosswalk: 63,
    uk2026: 114,
  });

  // A second one without the optional health score: the index changes, the VAS is not comparable.
  const r2 = await c.post(`/people/${person.id}/measures/new?instrument=eq5d5l`, {
    ...dateFields('2026-09-01'),
    MO: '1',
    SC: '1',
    UA: '1',
    PD: '1',
    AD: '1',
  });
  assert.equal(r2.status, 303);
  const after = flat((await c.get(`/people/${person.id}/measures`)).text);
  assert.match(after, /\+0\.678 \(from 0\.322 to 1\.000\)/);
  assert.match(after, /\+0\.937 \(from 0\.063 to 1\.000\)/);
  assert.match(after, /Health score \(0 to 100\) Not comparable/);
});

test('an incomplete SWEMWBS is refused with each missing item listed and the answers kept', async () => {
  const person = await createPerson(t.db, p, { coordinatorId: coordinator.id });
  const c = await signedIn(coordinator);
  const r = await record(c, person.id, 'swemwbs', swemwbsForm([3, 4, 5], '2026-02-01'));
  assert.equal(r.status, 400);
  const page = flat(r.text);
  assert.match(page, /There is a problem/);
  for (const n of [4, 5, 6, 7])
    assert.ok(page.includes(`Select an answer for statement ${String(n)} of 7`));
  for (const n of [1, 2, 3])
    assert.ok(!page.includes(`Select an answer for statement ${String(n)} of 7`));
  for (const item of SWEMWBS_ITEMS.slice(3)) assert.ok(r.text.includes(`href="#${item}"`));
  assert.match(r.text, /name="wemwbs1" type="radio" value="3" checked/);
  assert.match(r.text, /name="wemwbs3" type="radio" value="5" checked/);
  assert.match(
    r.text,
    /name="taken_on-day" type="text" value="01"|name="taken_on-day"[^>]*value="01"/,
  );
  const stored = await t.db.system
    .selectFrom('outcome_measures')
    .select('id')
    .where('person_id', '=', person.id)
    .execute();
  assert.equal(stored.length, 0, 'nothing saved');

  const badVas = await record(c, person.id, 'eq5d5l', {
    ...dateFields('2026-02-01'),
    MO: '1',
    SC: '1',
    UA: '1',
    PD: '1',
    AD: '1',
    vas: '101',
  });
  assert.equal(badVas.status, 400);
  assert.match(flat(badVas.text), /The health score must be a whole number from 0 to 100/);

  const future = await record(
    c,
    person.id,
    'swemwbs',
    swemwbsForm([3, 3, 3, 3, 3, 3, 3], '2099-01-01'),
  );
  assert.equal(future.status, 400);
  assert.match(flat(future.text), /The date taken must be today or in the past/);
});

test('employment and accommodation: CLD values, and the change shown plainly', async () => {
  const person = await createPerson(t.db, p, { coordinatorId: coordinator.id });
  const c = await signedIn(coordinator);
  const none = await record(c, person.id, 'employment', dateFields('2026-01-05'));
  assert.equal(none.status, 400);
  assert.match(flat(none.text), /Select the employment status/);
  const invented = await record(c, person.id, 'employment', {
    ...dateFields('2026-01-05'),
    status: 'Astronaut',
  });
  assert.equal(invented.status, 400);
  for (const [on, status] of [
    ['2026-01-05', 'Not in Paid Employment (seeking work)'],
    ['2026-06-05', 'Paid: 16 or more hours a week'],
  ] as const) {
    const r = await record(c, person.id, 'employment', { ...dateFields(on), status });
    assert.equal(r.status, 303);
  }
  const acc = await record(c, person.id, 'accommodation', {
    ...dateFields('2026-01-05'),
    status: 'Tenant',
  });
  assert.equal(acc.status, 303);
  const page = flat((await c.get(`/people/${person.id}/measures`)).text);
  assert.ok(
    page.includes(
      'Changed from “Not in Paid Employment (seeking work)” to “Paid: 16 or more hours a week”',
    ),
  );
  assert.match(page, /Accommodation status .*Only one measurement so far/);
});

test('a review link: review_id is kept, and someone else’s review is refused', async () => {
  const person = await createPerson(t.db, p, { coordinatorId: coordinator.id });
  const c = await signedIn(coordinator);
  const plan = await t.db.system
    .insertInto('support_plans')
    .values({
      partnership_id: p.id,
      person_id: person.id,
      sequence: 1,
      allocation_id: null,
      document: '{}',
      indicative_annual_pence: null,
      route: null,
      created_by: null,
      updated_by: null,
      submitted_by: null,
      submitted_at: null,
      approved_on: null,
      approved_at: null,
      person_agreed_at: null,
      person_agreement: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const review = await t.db.system
    .insertInto('reviews')
    .values({
      partnership_id: p.id,
      person_id: person.id,
      plan_id: plan.id,
      kind: 'planned',
      rule: 'care_plan_first',
      due_on: '2026-04-01',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const form = await c.get(
    `/people/${person.id}/measures/new?instrument=employment&review_id=${review.id}`,
  );
  assert.equal(form.status, 200);
  assert.ok(form.text.includes(`name="review_id" value="${review.id}"`), 'review id on the form');
  assert.match(flat(form.text), /recorded as part of their review/);
  const ok = await c.post(`/people/${person.id}/measures/new?instrument=employment`, {
    ...dateFields('2026-04-01'),
    status: 'Unknown',
    review_id: review.id,
  });
  assert.equal(ok.status, 303);
  const row = await t.db.system
    .selectFrom('outcome_measures')
    .select('review_id')
    .where('person_id', '=', person.id)
    .executeTakeFirstOrThrow();
  assert.equal(row.review_id, review.id);
  assert.match(flat((await c.get(`/people/${person.id}/measures`)).text), /\(at a review\)/);

  const r = await record(c, person.id, 'employment', {
    ...dateFields('2026-01-05'),
    status: 'Unknown',
    review_id: '00000000-0000-4000-8000-000000000000',
  });
  assert.equal(r.status, 400);
  assert.match(flat(r.text), /That review is not one of theirs/);
});

test('access: another team’s coordinator is refused; another partnership’s person is not found', async () => {
  const person = await createPerson(t.db, p, { coordinatorId: coordinator.id });
  const c = await signedIn(stranger);
  assert.equal((await c.get(`/people/${person.id}/measures`)).status, 403);
  assert.equal((await c.get(`/people/${person.id}/measures/new?instrument=swemwbs`)).status, 403);
  const post = await c.post(
    `/people/${person.id}/measures/new?instrument=swemwbs`,
    swemwbsForm([3, 3, 3, 3, 3, 3, 3], '2026-01-01'),
  );
  assert.equal(post.status, 403);

  const o = await signedIn(outsider);
  assert.equal((await o.get(`/people/${person.id}/measures`)).status, 404);
  assert.equal((await o.get(`/people/${person.id}/measures/new?instrument=eq5d5l`)).status, 404);
  const stored = await t.db.system
    .selectFrom('outcome_measures')
    .select('id')
    .where('person_id', '=', person.id)
    .execute();
  assert.equal(stored.length, 0);
});

test('ASCOT SCT4: the simple score out of 24 and its change', async () => {
  const person = await createPerson(t.db, p, { coordinatorId: coordinator.id });
  const c = await signedIn(coordinator);
  const all = (level: string) =>
    Object.fromEntries(ASCOT_DOMAINS.map((d) => [d, level] as [string, string]));
  const missing = await record(c, person.id, 'ascot_sct4', {
    ...dateFields('2026-01-05'),
    controlOverDailyLife: 'ideal',
  });
  assert.equal(missing.status, 400);
  assert.match(flat(missing.text), /Select an answer for dignity/);
  assert.match(flat(missing.text), /Select an answer for food and drink/);
  const r1 = await record(c, person.id, 'ascot_sct4', {
    ...dateFields('2026-01-05'),
    ...all('someNeeds'),
  });
  assert.equal(r1.status, 303);
  const r2 = await record(c, person.id, 'ascot_sct4', {
    ...dateFields('2026-05-05'),
    ...all('noNeeds'),
  });
  assert.equal(r2.status, 303);
  const page = flat((await c.get(`/people/${person.id}/measures`)).text);
  assert.match(page, /Score \+8 \(from 8 to 16\)/);
  assert.ok(page.includes(DEMO_WORDING.ascot_sct4.copyright));
});
