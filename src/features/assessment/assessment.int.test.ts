// The integrated assessment over a real server and database: drafts saved page by page, the
// check page listing what is missing with links, completion storing the decision (with its
// rules version and explanation) and the indicative budget, professional judgement with an
// audited reason, reassessment and comparison, access rules and bad input.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, TestClient, type TestApp } from '../../../test/support/app.ts';
import {
  createPartnership,
  createPerson,
  createUser,
  publishRas,
  type TestPartnership,
  type TestUser,
} from '../../../test/support/factories.ts';
import {
  calculateIndicativeBudget,
  DEMO_RAS,
  formatBasisPoints,
  rasVersionSchema,
} from '../allocation/index.ts';
import { formatPounds } from '../../platform/money.ts';
import { CARE_ACT_OUTCOMES } from './eligibility.ts';
import { WELLBEING_AREAS } from './answers.ts';

let t: TestApp;
let p: TestPartnership;
let coordinator: TestUser;
let stranger: TestUser;
let commissioner: TestUser;
const ras = rasVersionSchema.parse(DEMO_RAS);

before(async () => {
  t = await startTestApp();
  p = await createPartnership(t.db);
  await publishRas(t.db, p.id);
  coordinator = await createUser(t.db, p, ['care_coordinator'], { name: 'Casey Coordinator' });
  stranger = await createUser(t.db, p, ['care_coordinator'], { teamId: p.otherTeamId });
  commissioner = await createUser(t.db, p, ['commissioner'], { teamId: null });
});
after(() => t.close());

async function signedIn(user: TestUser): Promise<TestClient> {
  const c = new TestClient(t.url);
  const r = await c.signIn(user.email, user.password);
  assert.equal(r.status, 303, 'signed in');
  return c;
}

function flat(text: string): string {
  return text.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
}

function versionOf(html: string): string {
  const m = /name="version" value="(\d+)"/.exec(html);
  assert.ok(m, 'the page carries the draft version');
  return m[1] ?? '';
}

/** Outcomes: the first `unable` cannot be achieved (needs assistance), the rest can. */
function outcomesForm(unable: number): Record<string, string | string[]> {
  const f: Record<string, string | string[]> = { 'outcomes-respondent': 'person' };
  CARE_ACT_OUTCOMES.forEach((o, i) => {
    f[`${o.id}-achievable`] = i < unable ? 'no' : 'yes';
    if (i < unable)
      f[`${o.id}-reasons`] = ['needs_assistance', 'significant_pain_distress_anxiety'];
  });
  return f;
}

function wellbeingForm(significant: boolean): Record<string, string> {
  const f: Record<string, string> = { 'wellbeing-respondent': 'worker' };
  for (const a of WELLBEING_AREAS) f[`area-${a.id}`] = significant ? 'significant' : 'some';
  f.significantImpact = significant ? 'yes' : 'no';
  return f;
}

const budgetAnswers: Record<string, string> = Object.fromEntries(
  ras.questions.map((q, i) => [q.id, q.answers[i % q.answers.length]?.id ?? '']),
);
function budgetForm(answers = budgetAnswers): Record<string, string> {
  const f: Record<string, string> = { 'budget-respondent': 'representative' };
  for (const [q, a] of Object.entries(answers)) f[`q-${q}`] = a;
  return f;
}

/** Posts a page with the draft's current version; returns the response. */
async function save(
  c: TestClient,
  id: string,
  section: string,
  form: Record<string, string | string[]>,
) {
  const page = await c.get(`/assessments/${id}/${section}`);
  assert.equal(page.status, 200, `${section} page opens`);
  return c.post(`/assessments/${id}/${section}`, { ...form, version: versionOf(page.text) });
}

async function startFor(c: TestClient, personId: string): Promise<string> {
  await c.get(`/people/${personId}`);
  const r = await c.post(`/people/${personId}/assessments`, {});
  assert.equal(r.status, 303, 'start redirects');
  const id = /\/assessments\/([0-9a-f-]{36})$/.exec(r.location ?? '')?.[1];
  assert.ok(id, `redirected to the draft: ${String(r.location)}`);
  return id;
}

async function fillAll(
  c: TestClient,
  id: string,
  o: {
    unable?: number;
    significant?: boolean;
    impairment?: boolean;
    detained?: string;
    answers?: Record<string, string>;
  } = {},
) {
  const steps: [string, Record<string, string | string[]>][] = [
    ['outcomes', outcomesForm(o.unable ?? 3)],
    [
      'impairment',
      {
        'impairment-respondent': 'person',
        needsFromImpairmentOrIllness: o.impairment === false ? 'no' : 'yes',
        'impairment-notes': 'Bipolar disorder, diagnosed 2015',
      },
    ],
    ['wellbeing', wellbeingForm(o.significant ?? true)],
    [
      'nhs',
      {
        'nhs-respondent': 'worker',
        detained: o.detained ? 'yes' : 'no',
        detentionSection: o.detained ?? '',
        discharged: o.detained ? 'yes' : '',
        continuingHealthcare: 'not_assessed',
        otherHealthNeeds: '',
      },
    ],
    [
      'recovery',
      {
        'recovery-respondent': 'person',
        whatIsWorking: 'Walking group on Tuesdays',
        strengths: 'Good with people',
        familyAndCommunitySupport: 'Sister nearby',
        goals: 'I want to get back to work part time',
        hasUnpaidCarer: 'yes',
        carerName: 'Sam',
        carerAssessment: 'wanted',
      },
    ],
    ['budget', budgetForm(o.answers)],
  ];
  for (const [section, form] of steps) {
    const r = await save(c, id, section, form);
    assert.equal(r.status, 303, `${section} saved: ${flat(r.text).slice(0, 300)}`);
  }
}

async function complete(c: TestClient, id: string) {
  const check = await c.get(`/assessments/${id}/check`);
  assert.equal(check.status, 200);
  return c.post(`/assessments/${id}/complete`, { version: versionOf(check.text) });
}

test('a coordinator completes an assessment: decision with reasons and version, budget stored with every answer’s points', async () => {
  const person = await createPerson(t.db, p, {
    coordinatorId: coordinator.id,
    givenName: 'Jordan',
  });
  const c = await signedIn(coordinator);
  const record = await c.get(`/people/${person.id}`);
  assert.match(flat(record.text), /Not assessed yet/);
  assert.match(record.text, /Start an assessment/);
  const id = await startFor(c, person.id);
  const list = await c.get(`/assessments/${id}`);
  assert.equal(list.status, 200);
  assert.match(flat(list.text), /0 of 6 sections completed/);
  await fillAll(c, id);
  const list2 = await c.get(`/assessments/${id}`);
  assert.match(flat(list2.text), /6 of 6 sections completed/);
  const done = await complete(c, id);
  assert.equal(done.status, 303, flat(done.text).slice(0, 400));
  const result = await c.get(`/assessments/${id}`);
  const text = flat(result.text);
  assert.match(text, /Care and support from the council \(Care Act\) Eligible/);
  assert.match(
    text,
    /You are eligible for care and support from the council because all three conditions/,
  );
  assert.match(text, /eligibility-2026-11/);
  assert.match(text, /No legal right: a personal health budget may be offered locally/);

  const expected = calculateIndicativeBudget(ras, budgetAnswers);
  assert.ok(expected.ok);
  const stored = await t.db.system
    .selectFrom('allocations')
    .selectAll()
    .where('assessment_id', '=', id)
    .executeTakeFirstOrThrow();
  assert.equal(stored.annual_pence, expected.budget.annual);
  assert.equal(stored.total_points, expected.budget.totalPoints);
  assert.deepEqual(stored.answers, budgetAnswers);
  assert.deepEqual(stored.result, JSON.parse(JSON.stringify(expected.budget)));
  const decision = await t.db.system
    .selectFrom('eligibility_decisions')
    .selectAll()
    .where('assessment_id', '=', id)
    .executeTakeFirstOrThrow();
  assert.equal(decision.rules_version, 'eligibility-2026-11');
  assert.equal(decision.care_act_eligible, true);
  assert.match(decision.explanation, /^You are eligible/);
  for (const amount of [expected.budget.annual, expected.budget.fourWeekly, expected.budget.weekly])
    assert.ok(text.includes(formatPounds(amount)), `shows ${formatPounds(amount)}`);
  for (const s of expected.budget.streams)
    assert.ok(
      text.includes(`${s.name} ${formatBasisPoints(s.shareBasisPoints)} ${formatPounds(s.annual)}`),
      s.name,
    );

  // The person's page shows the decision and the budget.
  const after1 = flat((await c.get(`/people/${person.id}`)).text);
  assert.match(after1, /Care Act: eligible/);
  assert.match(after1, /Start a reassessment/);

  // Completed answers are fixed: the page redirects, a post is refused, the database refuses.
  const again = await c.get(`/assessments/${id}/outcomes`);
  assert.equal(again.status, 303);
  await assert.rejects(
    t.db.system.updateTable('assessments').set({ answers: '{}' }).where('id', '=', id).execute(),
    /completed assessment cannot be changed/,
  );
});

test('drafts: pages save part-way, the check page lists what is missing with links, completing refuses', async () => {
  const person = await createPerson(t.db, p, { coordinatorId: coordinator.id });
  const c = await signedIn(coordinator);
  const id = await startFor(c, person.id);
  // Half the outcomes answered, no respondent: the page saves (a draft), nothing is lost.
  const half: Record<string, string | string[]> = {};
  CARE_ACT_OUTCOMES.slice(0, 5).forEach((o) => (half[`${o.id}-achievable`] = 'yes'));
  const r = await save(c, id, 'outcomes', { ...half, then: 'list' });
  assert.equal(r.status, 303);
  assert.equal(r.location, `/assessments/${id}`);
  const reopened = await c.get(`/assessments/${id}/outcomes`);
  assert.match(reopened.text, /id="nutrition-achievable"[^>]*value="yes"[^>]*checked/);
  assert.match(flat((await c.get(`/assessments/${id}`)).text), /In progress/);

  const check = await c.get(`/assessments/${id}/check`);
  const text = flat(check.text);
  assert.match(text, /Still to answer before you can complete it/);
  assert.match(check.text, new RegExp(`href="/assessments/${id}/outcomes#outcomes-respondent"`));
  assert.match(check.text, new RegExp(`href="/assessments/${id}/outcomes#home_safety-achievable"`));
  assert.match(check.text, new RegExp(`href="/assessments/${id}/budget#q-personal-care"`));
  assert.match(text, /Write down the person’s goals, in their own words/);

  const refused = await c.post(`/assessments/${id}/complete`, { version: versionOf(check.text) });
  assert.equal(refused.status, 400);
  assert.match(refused.text, /nhsuk-error-summary/);
  assert.match(refused.text, new RegExp(`href="/assessments/${id}/nhs#detained"`));
  const row = await t.db.system
    .selectFrom('assessments')
    .select('status')
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  assert.equal(row.status, 'draft');
});

test('bad input on a page: a clear error, the answers kept, nothing saved', async () => {
  const person = await createPerson(t.db, p, { coordinatorId: coordinator.id });
  const c = await signedIn(coordinator);
  const id = await startFor(c, person.id);
  const form = outcomesForm(2);
  form['nutrition-reasons'] = []; // "cannot" with no reason
  form['clothing-notes'] = 'Needs prompting to change clothes';
  form['toilet_needs-achievable'] = 'perhaps'; // not offered
  const r = await save(c, id, 'outcomes', form);
  assert.equal(r.status, 400);
  assert.match(r.text, /nhsuk-error-summary/);
  assert.match(flat(r.text), /Select why they cannot achieve getting enough to eat and drink/);
  assert.match(flat(r.text), /Select one of the options for using the toilet/);
  assert.match(r.text, /Needs prompting to change clothes/);
  const budget = await save(c, id, 'budget', { ...budgetForm(), 'q-personal-care': 'a-million' });
  assert.equal(budget.status, 400);
  assert.match(flat(budget.text), /Select one of the options for “Looking after yourself/);
  const row = await t.db.system
    .selectFrom('assessments')
    .select('answers')
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  assert.deepEqual(row.answers, {});
});

test('two workers on the same draft: the second save is told, and keeps their answers', async () => {
  const person = await createPerson(t.db, p, { coordinatorId: coordinator.id });
  const a = await signedIn(coordinator);
  const manager = await createUser(t.db, p, ['team_manager']);
  const b = await signedIn(manager);
  const id = await startFor(a, person.id);
  const pageA = await a.get(`/assessments/${id}/impairment`);
  const pageB = await b.get(`/assessments/${id}/impairment`);
  const first = await a.post(`/assessments/${id}/impairment`, {
    'impairment-respondent': 'person',
    needsFromImpairmentOrIllness: 'yes',
    'impairment-notes': 'from A',
    version: versionOf(pageA.text),
  });
  assert.equal(first.status, 303);
  const second = await b.post(`/assessments/${id}/impairment`, {
    'impairment-respondent': 'worker',
    needsFromImpairmentOrIllness: 'no',
    'impairment-notes': 'from B',
    version: versionOf(pageB.text),
  });
  assert.equal(second.status, 409);
  assert.match(flat(second.text), /Someone else saved changes to this assessment/);
  assert.match(second.text, /from B/);
  const row = await t.db.system
    .selectFrom('assessments')
    .select('answers')
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  assert.equal((row.answers as { impairment: { notes: string } }).impairment.notes, 'from A');
});

test('not eligible (one outcome): the reasons say why; a professional judgement needs a reason and is audited', async () => {
  const person = await createPerson(t.db, p, { coordinatorId: coordinator.id });
  const c = await signedIn(coordinator);
  const id = await startFor(c, person.id);
  await fillAll(c, id, { unable: 1, detained: '3' });
  assert.equal((await complete(c, id)).status, 303);
  const text = flat((await c.get(`/assessments/${id}`)).text);
  assert.match(text, /Not eligible/);
  assert.match(
    text,
    /There is only one of the ten outcomes you cannot achieve\. The law needs two or more\./,
  );
  assert.match(text, /Legal right to a personal health budget: section 117 after-care/);
  // Section 117: the budget is after-care, jointly funded.
  assert.match(text, /Section 117 after-care: NHS share/);

  const form = await c.get(`/assessments/${id}/judgement`);
  assert.equal(form.status, 200);
  const short = await c.post(`/assessments/${id}/judgement`, {
    careActEligible: 'yes',
    reason: 'short',
  });
  assert.equal(short.status, 400);
  assert.match(flat(short.text), /at least 10 characters/);
  assert.match(short.text, /value="yes"[^>]*checked/);
  const same = await c.post(`/assessments/${id}/judgement`, {
    careActEligible: 'no',
    reason: 'This is the same as the rules say',
  });
  assert.equal(same.status, 400);
  assert.match(flat(same.text), /That is already the decision/);
  const reason = 'Fluctuating needs: on bad weeks she cannot manage three outcomes at all';
  const ok = await c.post(`/assessments/${id}/judgement`, { careActEligible: 'yes', reason });
  assert.equal(ok.status, 303);
  const shown = flat((await c.get(`/assessments/${id}`)).text);
  assert.match(shown, /Eligible \(by professional judgement; the rules said not eligible\)/);
  assert.match(shown, new RegExp(reason));
  const audited = await t.db.system
    .selectFrom('audit_events')
    .selectAll()
    .where('record_type', '=', 'eligibility_decision')
    .where('person_id', '=', person.id)
    .execute();
  assert.equal(audited.length, 1);
  assert.equal(audited[0]?.reason, reason);
});

test('reassessment: a new version prefilled from the last; the comparison shows what changed and how the budget moved', async () => {
  const person = await createPerson(t.db, p, { coordinatorId: coordinator.id });
  const c = await signedIn(coordinator);
  const first = await startFor(c, person.id);
  const low = Object.fromEntries(ras.questions.map((q) => [q.id, q.answers[0]?.id ?? '']));
  await fillAll(c, first, { answers: low });
  assert.equal((await complete(c, first)).status, 303);
  const second = await startFor(c, person.id);
  assert.notEqual(second, first);
  // Prefilled: the check page has nothing missing.
  const check = flat((await c.get(`/assessments/${second}/check`)).text);
  assert.doesNotMatch(check, /Still to answer/);
  const higher = { ...low, crisis: 'often', 'keeping-safe': 'all' };
  assert.equal((await save(c, second, 'budget', budgetForm(higher))).status, 303);
  assert.equal((await complete(c, second)).status, 303);
  const cmp = await c.get(`/assessments/${second}/compare`);
  assert.equal(cmp.status, 200);
  const text = flat(cmp.text);
  assert.match(
    text,
    /How often you reach a crisis Not in the last year \(0 points\) More than four times in the last year \(10 points\)/,
  );
  const a1 = calculateIndicativeBudget(ras, low);
  const a2 = calculateIndicativeBudget(ras, higher);
  assert.ok(a1.ok && a2.ok);
  assert.match(text, /Up £/);
  assert.ok(a2.budget.annual > a1.budget.annual);
  const rows = await t.db.system
    .selectFrom('assessments')
    .select(['sequence', 'status'])
    .where('person_id', '=', person.id)
    .orderBy('sequence')
    .execute();
  assert.deepEqual(rows, [
    { sequence: 1, status: 'completed' },
    { sequence: 2, status: 'completed' },
  ]);
  assert.match(flat((await c.get(`/people/${person.id}`)).text), /What changed since assessment 1/);
});

test('access: another team’s coordinator is refused (and audited); a commissioner sees no assessment; other partnerships get 404', async () => {
  const person = await createPerson(t.db, p, { coordinatorId: coordinator.id });
  const c = await signedIn(coordinator);
  const id = await startFor(c, person.id);
  const s = await signedIn(stranger);
  assert.equal((await s.get(`/assessments/${id}`)).status, 403);
  assert.equal((await s.post(`/people/${person.id}/assessments`, {})).status, 403);
  const refusals = await t.db.system
    .selectFrom('audit_events')
    .select('action')
    .where('person_id', '=', person.id)
    .where('action', '=', 'access_refused')
    .execute();
  assert.ok(refusals.length >= 1);
  const com = await signedIn(commissioner);
  assert.equal((await com.get(`/assessments/${id}`)).status, 403);
  const other = await createPartnership(t.db, 'Elsewhere');
  await publishRas(t.db, other.id);
  const outsider = await createUser(t.db, other, ['care_coordinator']);
  const o = await signedIn(outsider);
  assert.equal((await o.get(`/assessments/${id}`)).status, 404);
  assert.equal((await o.get('/assessments/not-a-uuid')).status, 404);
  assert.equal((await c.get(`/assessments/${id}/no-such-page`)).status, 404);
  // Without CSRF the start is refused.
  assert.equal((await c.post(`/people/${person.id}/assessments`, { _csrf: 'forged' })).status, 403);
});

test('no published RAS: starting an assessment is refused with a clear message', async () => {
  const bare = await createPartnership(t.db, 'No RAS');
  const u = await createUser(t.db, bare, ['care_coordinator']);
  const person = await createPerson(t.db, bare, { coordinatorId: u.id });
  const c = await signedIn(u);
  await c.get(`/people/${person.id}`);
  const r = await c.post(`/people/${person.id}/assessments`, {});
  assert.equal(r.status, 409);
  assert.match(flat(r.text), /no published resource allocation system/);
});

test('the caseload’s next actions: drafts to continue and people not assessed yet', async () => {
  const own = await createUser(t.db, p, ['care_coordinator'], { name: 'Nat Next' });
  const waiting = await createPerson(t.db, p, {
    coordinatorId: own.id,
    givenName: 'Wren',
    familyName: 'Waiting',
  });
  const drafting = await createPerson(t.db, p, {
    coordinatorId: own.id,
    givenName: 'Dara',
    familyName: 'Drafting',
  });
  const c = await signedIn(own);
  const id = await startFor(c, drafting.id);
  const page = await c.get('/caseload');
  assert.equal(page.status, 200);
  const text = flat(page.text);
  assert.match(text, /Assessments to finish \(1\) Continue the assessment for Dara Drafting/);
  assert.match(page.text, new RegExp(`href="/assessments/${id}"`));
  assert.match(text, /Not assessed yet \(1\) Wren Waiting/);
  assert.match(page.text, new RegExp(`href="/people/${waiting.id}"`));
});
