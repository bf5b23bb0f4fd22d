// The support plan pages over a real server and database: start from the person's page, add an
// outcome and an item, bad input kept with 400, stale versions 409, the plan check with the
// budget comparison and its problems, submission routed by cost, the printable plan, the
// person's agreement, access rules and CSRF.
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
import { createCompletedAssessment } from '../../../test/support/assessments.ts';
import { DEMO_RAS, rasVersionSchema } from '../allocation/index.ts';
import { formatPounds, pence } from '../../platform/money.ts';
import type { UserPrincipal } from '../../platform/auth/principal.ts';
import { createPlanningService } from './service.ts';

let t: TestApp;
let p: TestPartnership;
let rasId: string;
let coordinator: TestUser;
let stranger: TestUser;
const ras = rasVersionSchema.parse(DEMO_RAS);
const answers = Object.fromEntries(ras.questions.map((q) => [q.id, q.answers[1]?.id ?? '']));

before(async () => {
  t = await startTestApp();
  p = await createPartnership(t.db);
  rasId = await publishRas(t.db, p.id);
  coordinator = await createUser(t.db, p, ['care_coordinator'], { name: 'Casey Coordinator' });
  stranger = await createUser(t.db, p, ['care_coordinator'], { teamId: p.otherTeamId });
});
after(() => t.close());

async function signedIn(user: TestUser): Promise<TestClient> {
  const c = new TestClient(t.url);
  const r = await c.signIn(user.email, user.password);
  assert.equal(r.status, 303, 'signed in');
  return c;
}

const flat = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');

function versionOf(html: string): string {
  const m = /name="version" value="(\d+)"/.exec(html);
  assert.ok(m, 'the page carries the plan version');
  return m[1] ?? '';
}

async function assessedPerson() {
  const person = await createPerson(t.db, p, { coordinatorId: coordinator.id });
  const a = await createCompletedAssessment(t.db, {
    partnershipId: p.id,
    personId: person.id,
    rasVersionId: rasId,
    rasAnswers: answers,
  });
  return { person, budget: a.budget };
}

/** Starts a plan from the person's page (the panel's button); returns its id. */
async function startFromPersonPage(c: TestClient, personId: string): Promise<string> {
  const page = await c.get(`/people/${personId}`);
  assert.equal(page.status, 200);
  assert.match(flat(page.text), /Support plan No support plan yet/);
  assert.match(page.text, new RegExp(`action="/people/${personId}/plans"`));
  const r = await c.post(`/people/${personId}/plans`, {});
  assert.equal(r.status, 303);
  const id = /\/plans\/([0-9a-f-]{36})$/.exec(r.location ?? '')?.[1];
  assert.ok(id, `redirected to the plan: ${String(r.location)}`);
  return id;
}

/** Posts a part's form with the version read from its page. */
async function save(c: TestClient, path: string, form: Record<string, string | string[]>) {
  const page = await c.get(path);
  assert.equal(page.status, 200, `${path} opens`);
  return c.post(path, { ...form, version: versionOf(page.text) });
}

const choir = { text: 'I want to sing in a choir again', needIds: ['relationships'], note: '' };
function itemForm(over: Record<string, string | string[]> = {}) {
  return {
    what: 'Peer support group',
    details: 'Tuesday and Thursday afternoons',
    category: 'peer_support',
    providerKind: 'provider',
    providerName: 'Hearing Voices Network',
    closeRelative: 'no',
    necessaryReason: '',
    unitCost: '15.50',
    units: '3',
    frequency: 'twice a week',
    streamId: 'social-care',
    outcomeIds: ['outcome-1'],
    ...over,
  };
}

test('start from the person page, add an outcome and an item, and see the costs', async () => {
  const { person } = await assessedPerson();
  const c = await signedIn(coordinator);
  const id = await startFromPersonPage(c, person.id);
  const overview = await c.get(`/plans/${id}`);
  assert.equal(overview.status, 200);
  assert.match(flat(overview.text), /Add at least one outcome, in the person's own words/);
  assert.match(flat(overview.text), /A plan needs at least one outcome/);

  const o = await save(c, `/plans/${id}/outcomes/new`, choir);
  assert.equal(o.status, 303);
  const i = await save(c, `/plans/${id}/items/new`, itemForm());
  assert.equal(i.status, 303, 'item saved');

  const text = flat((await c.get(`/plans/${id}`)).text);
  assert.match(text, /“I want to sing in a choir again” \(meets: keeping up relationships/);
  // £15.50 × 3 × twice a week = £93.00 a week, £372.00 every 4 weeks, £4,836.00 a year.
  assert.match(text, /Peer support group/);
  assert.match(text, /£93\.00 £372\.00 £4,836\.00/);
  assert.match(text, /Total a year £4,836\.00/);
  assert.match(text, /Under the indicative budget/);

  // The person's page now shows the draft to continue.
  const personPage = flat((await c.get(`/people/${person.id}`)).text);
  assert.match(personPage, /Version 1: draft\. Continue the plan/);
});

test('bad cost, frequency or stream: 400 with messages, everything typed kept, the plan unchanged', async () => {
  const { person } = await assessedPerson();
  const c = await signedIn(coordinator);
  const id = await startFromPersonPage(c, person.id);
  await save(c, `/plans/${id}/outcomes/new`, choir);
  const r = await save(
    c,
    `/plans/${id}/items/new`,
    itemForm({ unitCost: '-5', frequency: 'now and then', streamId: '', what: 'Gym pass' }),
  );
  assert.equal(r.status, 400);
  const text = flat(r.text);
  assert.match(text, /There is a problem/);
  assert.match(text, /The unit cost must not be negative/);
  assert.match(text, /Choose which funding stream pays for it/);
  assert.match(r.text, /href="#frequency"/);
  assert.match(r.text, /value="Gym pass"/);
  assert.match(r.text, /value="-5"/);
  assert.match(r.text, /value="now and then"/);
  assert.match(r.text, /value="Hearing Voices Network"/);

  const absurd = await save(c, `/plans/${id}/items/new`, itemForm({ unitCost: '250000' }));
  assert.equal(absurd.status, 400);
  assert.match(flat(absurd.text), /The unit cost must be £100,000\.00 or less/);

  const overview = flat((await c.get(`/plans/${id}`)).text);
  assert.match(overview, /I want to sing in a choir again/, 'the rest of the plan is kept');
  assert.match(overview, /No items yet/);
});

test('a stale version: 409 with the answers kept', async () => {
  const { person } = await assessedPerson();
  const c = await signedIn(coordinator);
  const id = await startFromPersonPage(c, person.id);
  const page = await c.get(`/plans/${id}/outcomes/new`);
  const stale = versionOf(page.text);
  assert.equal(
    (
      await save(c, `/plans/${id}/crisis`, {
        whoToCall: 'My sister, 07700 900123',
        whatToDo: 'Call her first',
        setAside: '200',
      })
    ).status,
    303,
  );
  const r = await c.post(`/plans/${id}/outcomes/new`, {
    ...choir,
    text: 'I want to get back to swimming',
    version: stale,
  });
  assert.equal(r.status, 409);
  assert.match(flat(r.text), /Someone else saved changes to this plan/);
  // …and shown what changed since they opened the page, and who saved it.
  assert.match(flat(r.text), /Casey Coordinator saved the plan at .* Since you opened this page:/);
  assert.match(flat(r.text), /The crisis and contingency plan changed/);
  assert.match(r.text, /I want to get back to swimming/);
  const overview = flat((await c.get(`/plans/${id}`)).text);
  assert.doesNotMatch(overview, /swimming/);
  assert.match(overview, /My sister, 07700 900123/);
  assert.match(overview, /£200\.00 a year/);
});

test('over budget: the check shows it and the justification problem; submitted, it goes to a team manager', async () => {
  const { person, budget } = await assessedPerson();
  const c = await signedIn(coordinator);
  const id = await startFromPersonPage(c, person.id);
  await save(c, `/plans/${id}/outcomes/new`, choir);
  // £2,000 a week is over any indicative budget the demo RAS gives (at most £60,000 a year).
  await save(
    c,
    `/plans/${id}/items/new`,
    itemForm({ unitCost: '2000', units: '1', frequency: 'weekly' }),
  );
  let text = flat((await c.get(`/plans/${id}`)).text);
  assert.match(text, /Over the indicative budget by/);
  assert.match(
    text,
    new RegExp(
      `Indicative budget ${formatPounds(pence(budget.annual)).replace('.', '\\.')} a year`,
    ),
  );
  assert.match(text, /A plan over its indicative budget needs a justification/);
  assert.match(text, /Source: Issue 4 point 4/);
  assert.match(
    (await c.get(`/plans/${id}`)).text,
    /href="\/plans\/[0-9a-f-]+\/budget-and-start#overBudgetJustification"/,
  );

  // Submitting with problems: 400, the problems as an error summary.
  const page = await c.get(`/plans/${id}`);
  const refused = await c.post(`/plans/${id}/submit`, { version: versionOf(page.text) });
  assert.equal(refused.status, 400);
  assert.match(flat(refused.text), /There is a problem/);

  await save(c, `/plans/${id}/budget-and-start`, {
    overBudgetJustification: 'Two nights a week in a crisis house instead of hospital',
    startsOn: '2026-12-01',
  });
  await save(c, `/plans/${id}/money`, {
    'holding-social-care': 'direct_payment',
    'managedBy-social-care': 'person',
    'holding-nhs-phb': 'managed',
    'managedBy-nhs-phb': '',
  });
  text = flat((await c.get(`/plans/${id}`)).text);
  assert.match(text, /Nothing to put right/);
  const ready = await c.get(`/plans/${id}`);
  const submitted = await c.post(`/plans/${id}/submit`, { version: versionOf(ready.text) });
  assert.equal(submitted.status, 303);
  const after = flat((await c.get(`/plans/${id}`)).text);
  assert.match(after, /It must be signed off by a team manager\./);
  assert.match(after, /Waiting for sign-off by a team manager/);
  assert.match(after, /Support starts 1 December 2026/);

  // The person's agreement, from the overview.
  const ag = await c.post(`/plans/${id}/agreement`, {
    how: 'Signed the printed plan at home',
    by: 'Casey Coordinator',
  });
  assert.equal(ag.status, 303);
  assert.match(
    flat((await c.get(`/plans/${id}`)).text),
    /agreed to this plan on .*Signed the printed plan at home/,
  );
  const noHow = await c.post(`/plans/${id}/agreement`, { how: '', by: '' });
  assert.equal(noHow.status, 400);
  assert.match(flat(noHow.text), /Say how the person agreed to the plan/);

  // A submitted plan cannot be edited.
  assert.equal((await c.get(`/plans/${id}/crisis`)).status, 409);
});

test('within budget: the coordinator is told they may sign it off, with a link to the decision', async () => {
  const { person } = await assessedPerson();
  const c = await signedIn(coordinator);
  const id = await startFromPersonPage(c, person.id);
  await save(c, `/plans/${id}/outcomes/new`, choir);
  await save(c, `/plans/${id}/items/new`, itemForm());
  await save(c, `/plans/${id}/procedure`, {
    procedure: 'If the group stops, I call my coordinator and we find another.',
    risksExplained: 'yes',
    agreedWith: 'The person\nThe care coordinator',
    agreedOn: '2026-11-20',
  });
  const page = await c.get(`/plans/${id}`);
  assert.match(flat(page.text), /Nothing to put right/);
  const r = await c.post(`/plans/${id}/submit`, { version: versionOf(page.text) });
  assert.equal(r.status, 303);
  const after = await c.get(`/plans/${id}`);
  assert.match(flat(after.text), /signed off by the care coordinator, and you may do that now/);
  assert.match(after.text, new RegExp(`href="/plans/${id}/decision"`));
});

test('changing an item: a close relative in the household needs a reason, and giving it clears the problem', async () => {
  const { person } = await assessedPerson();
  const c = await signedIn(coordinator);
  const id = await startFromPersonPage(c, person.id);
  await save(c, `/plans/${id}/outcomes/new`, choir);
  const pa = {
    category: 'personal_assistant',
    providerKind: 'personal_assistant',
    providerName: 'Sam (my brother)',
    closeRelative: 'yes',
    what: 'My brother as my personal assistant',
  };
  assert.equal((await save(c, `/plans/${id}/items/new`, itemForm(pa))).status, 303);
  const page = await c.get(`/plans/${id}`);
  const text = flat(page.text);
  assert.match(text, /Paying a close relative in the household from a direct payment/);
  assert.match(page.text, new RegExp(`href="/plans/${id}/items/item-1"`));
  const edit = await c.get(`/plans/${id}/items/item-1`);
  assert.match(edit.text, /value="Sam \(my brother\)"/);
  assert.match(edit.text, /value="15\.50"/);
  assert.match(flat(edit.text), /Now costs £93\.00 a week/);
  const changed = await c.post(`/plans/${id}/items/item-1`, {
    ...itemForm(pa),
    necessaryReason: 'No agency covers the village and Sam already knows my routines',
    units: '2',
    version: versionOf(edit.text),
  });
  assert.equal(changed.status, 303);
  const after = flat((await c.get(`/plans/${id}`)).text);
  assert.doesNotMatch(after, /Paying a close relative in the household from a direct payment/);
  assert.match(after, /£62\.00 £248\.00 £3,224\.00/, 'the new cost: £15.50 × 2 × twice a week');
});

test('risks: a positive risk-taking decision is recorded; missing answers give 400 with the rest kept', async () => {
  const { person } = await assessedPerson();
  const c = await signedIn(coordinator);
  const id = await startFromPersonPage(c, person.id);
  const risk = {
    risk: 'Travelling to choir alone',
    whatCouldHappen: 'Getting lost or anxious on the bus',
    likelihood: 'possible',
    impact: 'minor',
    whoIsAffected: ['the_person'],
    whoIsAffectedDetails: '',
    nhsDirectPaymentKind: '',
    personsView: 'I want to do this on my own',
    agreedApproach: 'Travel alone with a phone and a plan for getting home',
    agreedBy: 'Alex\nCasey Coordinator',
    agreedOn: '2026-11-20',
    positive: 'yes',
    prtDecision: 'Alex will travel to choir alone',
    prtBenefits: 'Independence and confidence',
    prtDecidedBy: 'Alex\nCasey Coordinator',
    prtDecidedOn: '2026-11-20',
    prtRevisitOn: '',
  };
  const bad = await save(c, `/plans/${id}/risks/new`, { ...risk, prtBenefits: '', likelihood: '' });
  assert.equal(bad.status, 400);
  assert.match(flat(bad.text), /Enter why the risk is worth taking/);
  assert.match(flat(bad.text), /Choose how likely it is/);
  assert.match(bad.text, /Getting lost or anxious on the bus/);
  const ok = await save(c, `/plans/${id}/risks/new`, risk);
  assert.equal(ok.status, 303);
  const text = flat((await c.get(`/plans/${id}`)).text);
  assert.match(text, /Travelling to choir alone/);
  assert.match(
    text,
    /Positive risk-taking decision: Alex will travel to choir alone\. Why it is worth it: Independence and confidence\. Decided by Alex, Casey Coordinator on 20 November 2026/,
  );
});

test('the person page shows the approved plan, its reviews and "Start a new version"', async () => {
  const { person } = await assessedPerson();
  const c = await signedIn(coordinator);
  const id = await startFromPersonPage(c, person.id);
  await save(c, `/plans/${id}/outcomes/new`, choir);
  await save(c, `/plans/${id}/items/new`, itemForm());
  await save(c, `/plans/${id}/money`, {
    'holding-social-care': 'managed',
    'managedBy-social-care': '',
    'holding-nhs-phb': 'managed',
    'managedBy-nhs-phb': '',
  });
  const page = await c.get(`/plans/${id}`);
  assert.equal(
    (await c.post(`/plans/${id}/submit`, { version: versionOf(page.text) })).status,
    303,
  );
  assert.match(flat((await c.get(`/people/${person.id}`)).text), /Version 1: waiting for sign-off/);
  // A team manager signs it off (the sign-off pages are another feature's).
  const manager = await createUser(t.db, p, ['team_manager']);
  const principal: UserPrincipal = {
    kind: 'user',
    userId: manager.id,
    partnershipId: p.id,
    partnershipName: 'Test',
    fullName: 'Morgan Manager',
    email: manager.email,
    roles: new Set(['team_manager']),
    teamIds: [p.teamId],
    organisationId: p.trustId,
    organisationKind: 'nhs_trust',
    mustChangePassword: false,
    sessionId: 'test',
  };
  await createPlanningService({ db: t.db, now: () => new Date() }).decide({ principal }, id, {
    outcome: 'approved',
    reason: '',
  });
  const personPage = await c.get(`/people/${person.id}`);
  const text = flat(personPage.text);
  assert.match(text, /Current plan: version 1, £4,836\.00 a year, approved on /);
  assert.match(text, /Their agreement is not recorded yet/);
  assert.match(text, /Reviews Due \d+ \w+ \d{4}: not done yet/);
  assert.match(text, /Start a new version/);
});

test('the printable plan is in plain English with the print stylesheet', async () => {
  const { person } = await assessedPerson();
  const c = await signedIn(coordinator);
  const id = await startFromPersonPage(c, person.id);
  await save(c, `/plans/${id}/outcomes/new`, choir);
  await save(c, `/plans/${id}/items/new`, itemForm());
  const r = await c.get(`/plans/${id}/print`);
  assert.equal(r.status, 200);
  assert.match(r.text, /\/assets\/app\/print\.css/);
  const text = flat(r.text);
  assert.match(text, /This plan says what Alex wants to achieve/);
  assert.match(text, /It costs £4,836\.00 a year/);
  assert.doesNotMatch(r.text, /\/remove"/, 'no editing controls');
});

test('no completed assessment: starting is refused with a sentence, not an error page', async () => {
  const person = await createPerson(t.db, p, { coordinatorId: coordinator.id });
  const c = await signedIn(coordinator);
  await c.get(`/people/${person.id}`);
  const r = await c.post(`/people/${person.id}/plans`, {});
  assert.equal(r.status, 303);
  assert.equal(r.location, `/people/${person.id}`);
  assert.match(flat((await c.get(`/people/${person.id}`)).text), /Complete an assessment first/);
});

test('access: another team’s coordinator is refused; other partnerships get 404; CSRF enforced', async () => {
  const { person } = await assessedPerson();
  const c = await signedIn(coordinator);
  const id = await startFromPersonPage(c, person.id);
  const s = await signedIn(stranger);
  assert.equal((await s.get(`/plans/${id}`)).status, 403);
  assert.equal((await s.post(`/people/${person.id}/plans`, {})).status, 403);
  const other = await createPartnership(t.db, 'Elsewhere');
  const outsider = await createUser(t.db, other, ['care_coordinator']);
  const o = await signedIn(outsider);
  assert.equal((await o.get(`/plans/${id}`)).status, 404);
  assert.equal((await o.get(`/plans/${id}/print`)).status, 404);
  assert.equal((await o.get('/plans/not-a-uuid')).status, 404);
  const page = await c.get(`/plans/${id}/outcomes/new`);
  const forged = await c.post(`/plans/${id}/outcomes/new`, {
    ...choir,
    version: versionOf(page.text),
    _csrf: 'forged',
  });
  assert.equal(forged.status, 403);
  assert.doesNotMatch(flat((await c.get(`/plans/${id}`)).text), /choir/);
});
