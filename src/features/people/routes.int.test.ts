// People pages over a real HTTP server and database, with real CSRF tokens.
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
import { nhsCheckDigit } from '../../platform/nhs-number.ts';

let t: TestApp;
let p: TestPartnership;
let other: TestPartnership;
let coordinator: TestUser;
before(async () => {
  t = await startTestApp();
  p = await createPartnership(t.db);
  other = await createPartnership(t.db, 'Other');
  coordinator = await createUser(t.db, p, ['care_coordinator'], { name: 'Casey Coordinator' });
});
after(() => t.close());

let serial = 100_000;
/** A valid NHS number in the 999 range (never issued to real patients). */
function nhsNumber(): string {
  for (;;) {
    const nine = `999${String(serial++).padStart(6, '0')}`;
    const check = nhsCheckDigit(nine);
    if (check !== undefined) return `${nine}${check}`;
  }
}

async function signedIn(user: TestUser): Promise<TestClient> {
  const c = new TestClient(t.url);
  const r = await c.signIn(user.email, user.password);
  assert.equal(r.status, 303, 'signed in');
  return c;
}

const personForm = (over: Record<string, string> = {}) => ({
  givenName: 'Robin',
  familyName: 'Ashworth',
  'dateOfBirth-day': '4',
  'dateOfBirth-month': '7',
  'dateOfBirth-year': '1979',
  nhsNumber: '',
  postcode: 'ZZ1 4AB',
  primarySupportReason: 'Mental Health Support',
  s117Section: '',
  careCoordinatorId: coordinator.id,
  teamId: p.teamId,
  ...over,
});

/** Match against the page with runs of whitespace collapsed; a short message on failure. */
function has(text: string, re: RegExp, yes = true): void {
  const flat = text.replace(/\s+/g, ' ');
  assert.equal(re.test(flat), yes, `${yes ? 'expected' : 'did not expect'} ${re}`);
}

async function auditCount(action: string, userId: string, personId?: string): Promise<number> {
  let q = t.db.system
    .selectFrom('audit_events')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('action', '=', action)
    .where('user_id', '=', userId);
  if (personId) q = q.where('person_id', '=', personId);
  return (await q.executeTakeFirstOrThrow()).n;
}

test('a care coordinator signs in and lands on their caseload', async () => {
  await createPerson(t.db, p, {
    givenName: 'Morwenna',
    familyName: 'Caseloadson',
    coordinatorId: coordinator.id,
  });
  const c = await signedIn(coordinator);
  const home = await c.get('/');
  assert.equal(home.status, 303);
  assert.equal(home.location, '/caseload');
  const page = await c.get('/caseload');
  assert.equal(page.status, 200);
  has(page.text, /Your caseload/);
  has(page.text, /Caseloadson, Morwenna/);
  has(page.text, /href="\/people\/new"/);
});

test('bad input comes back with the error summary, field errors and the answers kept', async () => {
  const c = await signedIn(coordinator);
  await c.get('/people/new');
  const r = await c.post(
    '/people/new',
    personForm({
      givenName: 'Kept Name',
      familyName: '',
      nhsNumber: '123 456 7890',
      'dateOfBirth-day': '1',
      'dateOfBirth-month': '1',
      'dateOfBirth-year': '2999',
    }),
  );
  assert.equal(r.status, 400);
  has(r.text, /There is a problem/);
  has(r.text, /href="#familyName"> Enter a last name/);
  has(r.text, /href="#nhsNumber"> Enter a valid NHS number/);
  has(r.text, /href="#dateOfBirth-day"> Date of birth must be today or in the past/);
  has(r.text, /value="Kept Name"/);
  has(r.text, /value="123 456 7890"/);
  has(r.text, /value="2999"/);
  has(r.text, /<title>Error: /);
});

test('a good person is created, the user is sent to the record, and it is audited', async () => {
  const c = await signedIn(coordinator);
  await c.get('/people/new');
  const number = nhsNumber();
  const r = await c.post('/people/new', personForm({ nhsNumber: number, familyName: 'Createdby' }));
  assert.equal(r.status, 303);
  const id = /^\/people\/([0-9a-f-]{36})$/.exec(r.location ?? '')?.[1];
  assert.ok(id, `redirect to the record, got ${r.location}`);
  const page = await c.get(`/people/${id}`);
  assert.equal(page.status, 200);
  has(page.text, /Robin Createdby/);
  has(page.text, /Robin Createdby has been added/);
  assert.doesNotMatch(
    (await c.get(`/people/${id}`)).text,
    /Robin Createdby has been added/,
    'the message shows once',
  );
  has(page.text, new RegExp(`${number.slice(0, 3)} ${number.slice(3, 6)} ${number.slice(6)}`));
  assert.equal(await auditCount('create', coordinator.id, id), 1);
});

test('a POST without the CSRF token is refused', async () => {
  const c = await signedIn(coordinator);
  const r = await c.post('/people/new', personForm(), { csrf: false });
  assert.equal(r.status, 403);
});

test('a duplicate NHS number is refused with a link to the existing record', async () => {
  const number = nhsNumber();
  const existing = await createPerson(t.db, p, { nhsNumber: number });
  const c = await signedIn(coordinator);
  await c.get('/people/new');
  const r = await c.post(
    '/people/new',
    personForm({ nhsNumber: number.replace(/(\d{3})(\d{3})/, '$1 $2 ') }),
  );
  assert.equal(r.status, 409);
  has(r.text, /already recorded/);
  has(r.text, new RegExp(`href="/people/${existing.id}"`));
  has(r.text, /value="Robin"/);
});

test('outside the care team: 403 with break glass, then a reason gives access, audited', async () => {
  const outsider = await createUser(t.db, p, ['care_coordinator'], { teamId: p.otherTeamId });
  const person = await createPerson(t.db, p, { familyName: 'Glasshouse' });
  const c = await signedIn(outsider);
  const refused = await c.get(`/people/${person.id}`);
  assert.equal(refused.status, 403);
  has(refused.text, new RegExp(`href="/people/${person.id}/break-glass"`));
  has(refused.text, /Glasshouse/, false);
  assert.equal(await auditCount('access_refused', outsider.id, person.id), 1);
  const form = await c.get(`/people/${person.id}/break-glass`);
  assert.equal(form.status, 200);
  const short = await c.post(`/people/${person.id}/break-glass`, { reason: 'because' });
  assert.equal(short.status, 400);
  has(short.text, /href="#reason"/);
  has(short.text, />because</);
  const reason = 'Duty worker: person in crisis, need the contingency plan';
  const ok = await c.post(`/people/${person.id}/break-glass`, { reason });
  assert.equal(ok.status, 303);
  assert.equal(ok.location, `/people/${person.id}`);
  const page = await c.get(`/people/${person.id}`);
  assert.equal(page.status, 200);
  has(page.text, /Glasshouse/);
  has(page.text, /Emergency \(break-glass\) access/);
  const event = await t.db.system
    .selectFrom('audit_events')
    .select(['reason', 'record_id'])
    .where('action', '=', 'break_glass')
    .where('user_id', '=', outsider.id)
    .executeTakeFirstOrThrow();
  assert.equal(event.reason, reason);
  assert.equal(event.record_id, person.id);
});

test('a commissioner gets 403 on the people pages', async () => {
  const commissioner = await createUser(t.db, p, ['commissioner'], { organisationId: p.icbId });
  const person = await createPerson(t.db, p);
  const c = await signedIn(commissioner);
  for (const path of [
    '/people',
    '/people?name=smith',
    `/people/${person.id}`,
    '/caseload',
    '/team',
  ]) {
    const r = await c.get(path);
    assert.equal(r.status, 403, path);
    has(r.text, /break-glass/, false);
  }
});

test('budget holders and representatives have no staff pages about people', async () => {
  const person = await createPerson(t.db, p);
  for (const role of ['budget_holder', 'representative'] as const) {
    const user = await createUser(t.db, p, [role], { organisationId: p.councilId, teamId: null });
    const c = await signedIn(user);
    for (const path of ['/people', '/people/new', `/people/${person.id}`, '/caseload'])
      assert.equal((await c.get(path)).status, 403, `${role} ${path}`);
  }
});

test('search: by NHS number typed with spaces, and a bad date of birth comes back with the error', async () => {
  const number = nhsNumber();
  await createPerson(t.db, p, { familyName: 'Numberfound', nhsNumber: number });
  const c = await signedIn(coordinator);
  const spaced = `${number.slice(0, 3)}+${number.slice(3, 6)}+${number.slice(6)}`;
  const found = await c.get(`/people?nhsNumber=${spaced}`);
  assert.equal(found.status, 200);
  has(found.text, /Numberfound/);
  const bad = await c.get(
    '/people?name=x&dateOfBirth-day=31&dateOfBirth-month=2&dateOfBirth-year=1980',
  );
  assert.equal(bad.status, 400);
  has(bad.text, /href="#dateOfBirth-day"> Date of birth must be a real date/);
  has(bad.text, /value="31"/);
  const none = await c.get('/people?name=zzzznobody');
  has(none.text, /No one found/);
});

test('HTML typed into a name is stored as typed and shown escaped', async () => {
  const c = await signedIn(coordinator);
  await c.get('/people/new');
  const evil = '<script>alert("x")</script>';
  const r = await c.post('/people/new', personForm({ givenName: evil, familyName: "O'Brien <b>" }));
  assert.equal(r.status, 303);
  const id = r.location?.split('/').pop() ?? '';
  const stored = await t.db.system
    .selectFrom('people')
    .select(['given_name', 'family_name'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  assert.equal(stored.given_name, evil);
  const page = await c.get(`/people/${id}`);
  has(page.text, /<script>alert/, false);
  has(page.text, /<b>/, false);
  has(page.text, /&lt;script&gt;alert/);
  const found = await c.get('/people?name=o%27brien');
  has(found.text, /O&#39;Brien &lt;b&gt;/);
});

test('a person in another partnership, an unknown id and a malformed id all give 404', async () => {
  const theirs = await createPerson(t.db, other, { familyName: 'Elsewhere' });
  const c = await signedIn(coordinator);
  for (const path of [
    `/people/${theirs.id}`,
    `/people/${theirs.id}/edit`,
    `/people/${theirs.id}/consent`,
    `/people/${theirs.id}/break-glass`,
    '/people/00000000-0000-4000-8000-000000000000',
    '/people/not-a-uuid',
    "/people/1'%20or%201=1",
  ]) {
    const r = await c.get(path);
    assert.equal(r.status, 404, path);
    has(r.text, /Elsewhere/, false);
  }
  const post = await c.post(`/people/${theirs.id}/break-glass`, {
    reason: 'trying to get in here',
  });
  assert.equal(post.status, 404);
  const search = await c.get('/people?name=elsewhere');
  has(search.text, /Elsewhere/, false);
});

test('editing with a stale version shows the other change and keeps the answers', async () => {
  const person = await createPerson(t.db, p, {
    givenName: 'Vera',
    familyName: 'Versioned',
    coordinatorId: coordinator.id,
  });
  const a = await signedIn(coordinator);
  const b = await signedIn(coordinator);
  const formA = await a.get(`/people/${person.id}/edit`);
  has(formA.text, /name="version" value="1"/);
  await b.get(`/people/${person.id}/edit`);
  const saved = await b.post(
    `/people/${person.id}/edit`,
    personForm({ givenName: 'Vera', familyName: 'Changedbyb', version: '1' }),
  );
  assert.equal(saved.status, 303);
  const stale = await a.post(
    `/people/${person.id}/edit`,
    personForm({ givenName: 'Vera', familyName: 'Changedbya', version: '1' }),
  );
  assert.equal(stale.status, 409);
  has(stale.text, /Someone else changed this record/);
  has(stale.text, /Vera Changedbyb/);
  has(stale.text, /value="Changedbya"/);
  has(stale.text, /name="version" value="2"/);
  const again = await a.post(
    `/people/${person.id}/edit`,
    personForm({ givenName: 'Vera', familyName: 'Changedbya', version: '2' }),
  );
  assert.equal(again.status, 303);
});

test('consent: a council worker in the team needs it, and loses access when it is withdrawn', async () => {
  const council = await createUser(t.db, p, ['care_coordinator'], { organisationId: p.councilId });
  const person = await createPerson(t.db, p, {
    familyName: 'Consentwell',
    coordinatorId: coordinator.id,
  });
  const cc = await signedIn(council);
  const refused = await cc.get(`/people/${person.id}`);
  assert.equal(refused.status, 403);
  has(refused.text, /no current consent/);
  const c = await signedIn(coordinator);
  await c.get(`/people/${person.id}/consent`);
  const bad = await c.post(`/people/${person.id}/consent`, { givenBy: 'the person' });
  assert.equal(bad.status, 400);
  has(bad.text, /href="#scope"/);
  has(bad.text, /href="#givenOn-day"/);
  const ok = await c.post(`/people/${person.id}/consent`, {
    scope: 'full_record',
    'givenOn-day': '1',
    'givenOn-month': '2',
    'givenOn-year': '2025',
    howGiven: 'written',
    givenBy: 'the person',
    notes: '',
  });
  assert.equal(ok.status, 303);
  assert.equal((await cc.get(`/people/${person.id}`)).status, 200);
  const record = await c.get(`/people/${person.id}`);
  has(record.text, /Consent given/);
  const consentId = /consent\/([0-9a-f-]{36})\/withdraw/.exec(record.text)?.[1];
  assert.ok(consentId);
  await c.get(`/people/${person.id}/consent/${consentId}/withdraw`);
  const withdrawn = await c.post(`/people/${person.id}/consent/${consentId}/withdraw`, {
    'withdrawnOn-day': '1',
    'withdrawnOn-month': '3',
    'withdrawnOn-year': '2025',
    reason: 'Changed their mind',
  });
  assert.equal(withdrawn.status, 303);
  assert.equal((await cc.get(`/people/${person.id}`)).status, 403);
  has((await c.get(`/people/${person.id}`)).text, /Changed their mind/);
});

test('representatives and care-team members can be added and removed', async () => {
  const finance = await createUser(t.db, p, ['finance_officer'], {
    teamId: null,
    name: 'Fin Ance',
  });
  const person = await createPerson(t.db, p, {
    familyName: 'Teamwork',
    coordinatorId: coordinator.id,
  });
  const c = await signedIn(coordinator);
  await c.get(`/people/${person.id}/representatives/new`);
  const bad = await c.post(`/people/${person.id}/representatives/new`, {
    name: '',
    relationship: 'Sister',
  });
  assert.equal(bad.status, 400);
  has(bad.text, /value="Sister"/);
  const rep = await c.post(`/people/${person.id}/representatives/new`, {
    name: 'Ada Teamwork',
    relationship: 'Sister',
    kind: 'nominee',
    phone: '',
    email: '',
  });
  assert.equal(rep.status, 303);
  has((await c.get(`/people/${person.id}`)).text, /Ada Teamwork/);
  const f = await signedIn(finance);
  assert.equal((await f.get(`/people/${person.id}`)).status, 403);
  await c.get(`/people/${person.id}/care-team`);
  const added = await c.post(`/people/${person.id}/care-team`, {
    action: 'add',
    userId: finance.id,
    roleOnTeam: 'Finance',
  });
  assert.equal(added.status, 303);
  assert.equal((await f.get(`/people/${person.id}`)).status, 200);
  // A finance officer may read the record but not change it.
  for (const path of ['edit', 'consent', 'representatives/new', 'care-team'])
    assert.equal((await f.get(`/people/${person.id}/${path}`)).status, 403, path);
  await c.get(`/people/${person.id}/care-team`);
  const removed = await c.post(`/people/${person.id}/care-team`, {
    action: 'remove',
    userId: finance.id,
  });
  assert.equal(removed.status, 303);
  assert.equal((await f.get(`/people/${person.id}`)).status, 403);
});

test('GET of every personal-data page writes an audit event', async () => {
  const manager = await createUser(t.db, p, ['team_manager', 'care_coordinator']);
  const person = await createPerson(t.db, p, { familyName: 'Audited', coordinatorId: manager.id });
  const c = await signedIn(manager);
  await c.get(`/people/${person.id}/consent`);
  await c.post(`/people/${person.id}/consent`, {
    scope: 'full_record',
    'givenOn-day': '1',
    'givenOn-month': '2',
    'givenOn-year': '2025',
    howGiven: 'verbal',
    givenBy: 'the person',
  });
  const consent = await t.db.system
    .selectFrom('consents')
    .select('id')
    .where('person_id', '=', person.id)
    .executeTakeFirstOrThrow();
  const pages: [string, string][] = [
    ['/caseload', 'list'],
    ['/team', 'list'],
    ['/people?name=audited', 'search'],
    [`/people/${person.id}`, 'read'],
    [`/people/${person.id}/edit`, 'read'],
    [`/people/${person.id}/consent`, 'read'],
    [`/people/${person.id}/consent/${consent.id}/withdraw`, 'read'],
    [`/people/${person.id}/representatives/new`, 'read'],
    [`/people/${person.id}/care-team`, 'read'],
  ];
  for (const [path, action] of pages) {
    const before = await auditCount(action, manager.id);
    const r = await c.get(path);
    assert.equal(r.status, 200, path);
    assert.equal(await auditCount(action, manager.id), before + 1, `audit for ${path}`);
  }
});
