// Audit viewing, break-glass review and access histories over a real HTTP server.
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
import { inPartnership } from '../../platform/db/database.ts';
import { accessHistoryFor } from './index.ts';

let t: TestApp;
let a: TestPartnership;
let b: TestPartnership;
let adminA: TestUser;
let managerA: TestUser; // manages team A only
let coordinator: TestUser; // in team A
let otherCoordinator: TestUser; // in team B of partnership A
before(async () => {
  t = await startTestApp();
  a = await createPartnership(t.db, 'A');
  b = await createPartnership(t.db, 'B');
  adminA = await createUser(t.db, a, ['partnership_admin'], { name: 'Ada Admin', teamId: null });
  managerA = await createUser(t.db, a, ['team_manager'], { name: 'Morgan Ellis' });
  coordinator = await createUser(t.db, a, ['care_coordinator'], { name: 'Sam Okafor' });
  otherCoordinator = await createUser(t.db, a, ['care_coordinator'], {
    name: 'Priya Raman',
    teamId: a.otherTeamId,
  });
});
after(() => t.close());

async function event(
  p: TestPartnership,
  user: TestUser & { name?: string },
  values: { action: string; personId?: string; at?: Date; recordType?: string; reason?: string },
) {
  await t.db.system
    .insertInto('audit_events')
    .values({
      partnership_id: p.id,
      user_id: user.id,
      actor: `${user.name ?? 'Someone'} <${user.email}>`,
      action: values.action,
      record_type: values.recordType ?? 'person',
      record_id: values.personId ?? null,
      person_id: values.personId ?? null,
      reason: values.reason ?? null,
      ...(values.at ? { at: values.at } : {}),
    })
    .execute();
}

async function signedIn(user: TestUser) {
  const c = new TestClient(t.url);
  await c.signIn(user.email, user.password);
  return c;
}

const rowsOf = (html: string) => (html.match(/<tr class="nhsuk-table__row">/g) ?? []).length - 1;

test('the audit page lists events newest first, and records that it was viewed', async () => {
  const person = await createPerson(t.db, a, { familyName: 'Audited' });
  await event(
    a,
    { ...coordinator, name: 'Sam Okafor' },
    { action: 'read', personId: person.id, at: new Date('2026-03-03T10:04:00Z') },
  );
  await event(
    a,
    { ...coordinator, name: 'Sam Okafor' },
    {
      action: 'update',
      personId: person.id,
      at: new Date('2026-03-04T09:00:00Z'),
      reason: 'New address',
    },
  );
  const c = await signedIn(adminA);
  const r = await c.get(`/audit?personId=${person.id}`);
  assert.equal(r.status, 200);
  const table = r.text.slice(r.text.indexOf('<tbody'));
  const changed = table.indexOf('Changed');
  const viewed = table.indexOf('Viewed');
  assert.ok(changed > 0 && viewed > changed, 'newest first');
  assert.match(r.text, /Sam Okafor/);
  assert.match(r.text, /New address/);
  assert.ok(r.text.includes(`href="/people/${person.id}"`));
  assert.equal(rowsOf(r.text), 2);
  const own = await t.db.system
    .selectFrom('audit_events')
    .select(['action', 'record_type', 'detail'])
    .where('user_id', '=', adminA.id)
    .where('record_type', '=', 'audit')
    .execute();
  assert.equal(own.length, 1);
  assert.equal(own[0]?.action, 'read');
  assert.deepEqual((own[0]?.detail as { filter: { personId: string } }).filter.personId, person.id);
});

test('filters: by action, user and London date range; bad filters come back with the error summary', async () => {
  const person = await createPerson(t.db, a);
  const u = { ...otherCoordinator, name: 'Priya Raman' };
  await event(a, u, {
    action: 'export',
    personId: person.id,
    at: new Date('2025-06-30T22:30:00Z'),
  }); // 30 June 23:30 BST
  await event(a, u, {
    action: 'export',
    personId: person.id,
    at: new Date('2025-06-30T23:30:00Z'),
  }); // 1 July 00:30 BST
  const c = await signedIn(adminA);
  const july = await c.get(
    `/audit?action=export&userId=${otherCoordinator.id}&from=2025-07-01&to=2025-07-01`,
  );
  assert.equal(july.status, 200);
  assert.equal(rowsOf(july.text), 1);
  const june = await c.get(`/audit?action=export&from=2025-06-30&to=2025-06-30`);
  assert.equal(rowsOf(june.text), 1);
  const bad = await c.get('/audit?personId=nope&from=2025-02-30&to=2025-01-01&action=delete');
  assert.equal(bad.status, 400);
  assert.match(bad.text, /There is a problem/);
  assert.match(bad.text, /href="#personId"/);
  assert.match(bad.text, /href="#from"/);
  assert.match(bad.text, /href="#action"/);
  assert.ok(bad.text.includes('value="nope"'), 'the filter is kept');
  const reversed = await c.get('/audit?from=2025-03-01&to=2025-01-01');
  assert.equal(reversed.status, 400);
  assert.match(reversed.text, /The end date must be the same as or after the start date/);
});

test('the audit is paginated 50 a page', async () => {
  const person = await createPerson(t.db, a);
  for (let i = 0; i < 55; i++)
    await event(a, coordinator, {
      action: 'read',
      personId: person.id,
      at: new Date(Date.UTC(2024, 0, 1, 0, i)),
    });
  const c = await signedIn(adminA);
  const one = await c.get(`/audit?personId=${person.id}`);
  assert.equal(rowsOf(one.text), 50);
  assert.match(one.text, /rel="next"/);
  const two = await c.get(`/audit?personId=${person.id}&page=2`);
  assert.equal(rowsOf(two.text), 5);
  assert.match(two.text, /rel="prev"/);
  assert.doesNotMatch(two.text, /rel="next"/);
});

test('a team manager sees their teams; an administrator of A never sees B', async () => {
  const inTeam = await createPerson(t.db, a, { teamId: a.teamId });
  const otherTeam = await createPerson(t.db, a, { teamId: a.otherTeamId });
  const inB = await createPerson(t.db, b);
  const bUser = await createUser(t.db, b, ['care_coordinator'], { name: 'Bea Bside' });
  await event(a, otherCoordinator, {
    action: 'search',
    personId: otherTeam.id,
    reason: 'OTHER-TEAM-MARK',
  });
  await event(a, coordinator, { action: 'search', personId: inTeam.id, reason: 'OWN-TEAM-MARK' });
  await event(b, bUser, { action: 'search', personId: inB.id, reason: 'PARTNERSHIP-B-MARK' });
  const m = await signedIn(managerA);
  const seen = await m.get('/audit?action=search');
  assert.match(seen.text, /OWN-TEAM-MARK/);
  assert.doesNotMatch(seen.text, /OTHER-TEAM-MARK/);
  assert.doesNotMatch(seen.text, /PARTNERSHIP-B-MARK/);
  const admin = await signedIn(adminA);
  const all = await admin.get('/audit?action=search');
  assert.match(all.text, /OWN-TEAM-MARK/);
  assert.match(all.text, /OTHER-TEAM-MARK/);
  assert.doesNotMatch(all.text, /PARTNERSHIP-B-MARK/);
  assert.doesNotMatch(all.text, /Bea Bside/, 'B users are not even offered as a filter');
  const byB = await admin.get(`/audit?personId=${inB.id}`);
  assert.equal(rowsOf(byB.text), 1);
  assert.match(byB.text, /No events match/);
});

test('only managers and administrators reach oversight pages', async () => {
  const person = await createPerson(t.db, a);
  for (const role of ['care_coordinator', 'commissioner', 'finance_officer'] as const) {
    const c = await signedIn(await createUser(t.db, a, [role]));
    for (const path of ['/audit', '/oversight/break-glass', `/people/${person.id}/access-log`])
      assert.equal((await c.get(path)).status, 403, `${role} ${path}`);
  }
});

test('break-glass events: unreviewed first, scoped to the manager, reviewed with a note', async () => {
  const inTeam = await createPerson(t.db, a, {
    givenName: 'Glenda',
    familyName: 'Glass',
    teamId: a.teamId,
  });
  const elsewhere = await createPerson(t.db, a, {
    givenName: 'Ophelia',
    familyName: 'Otherteam',
    teamId: a.otherTeamId,
  });
  const insert = async (personId: string, minutesAgo: number, reviewed = false) =>
    (
      await t.db.system
        .insertInto('break_glass_events')
        .values({
          partnership_id: a.id,
          person_id: personId,
          user_id: otherCoordinator.id,
          reason: `Emergency reason ${minutesAgo} minutes`,
          created_at: new Date(Date.now() - minutesAgo * 60_000),
          expires_at: new Date(Date.now() + 3_600_000),
          ...(reviewed
            ? { reviewed_at: new Date(), reviewed_by: managerA.id, review_note: 'Checked earlier' }
            : {}),
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  await insert(inTeam.id, 1, true);
  const older = await insert(inTeam.id, 30);
  const foreign = await insert(elsewhere.id, 5);

  const m = await signedIn(managerA);
  const page = await m.get('/oversight/break-glass');
  assert.equal(page.status, 200);
  assert.match(page.text, /Glenda Glass/);
  assert.doesNotMatch(page.text, /Otherteam/);
  assert.ok(
    page.text.indexOf('Emergency reason 30 minutes') <
      page.text.indexOf('Emergency reason 1 minutes'),
    'the unreviewed one comes first although it is older',
  );
  const listed = await t.db.system
    .selectFrom('audit_events')
    .select('person_id')
    .where('user_id', '=', managerA.id)
    .where('record_type', '=', 'break_glass_event')
    .execute();
  assert.deepEqual(
    listed.map((e) => e.person_id),
    [inTeam.id],
    'seeing names is audited',
  );

  const empty = await m.post(`/oversight/break-glass/${older}/review`, { reviewNote: '  ' });
  assert.equal(empty.status, 400);
  assert.match(empty.text, new RegExp(`href="#reviewNote-${older}"`));
  assert.match(empty.text, /Enter a review note/);
  const outside = await m.post(`/oversight/break-glass/${foreign}/review`, {
    reviewNote: 'Not mine',
  });
  assert.equal(outside.status, 404);
  const ok = await m.post(`/oversight/break-glass/${older}/review`, {
    reviewNote: 'Spoke to Priya: crisis call, access was right',
  });
  assert.equal(ok.status, 303);
  const row = await t.db.system
    .selectFrom('break_glass_events')
    .selectAll()
    .where('id', '=', older)
    .executeTakeFirstOrThrow();
  assert.equal(row.reviewed_by, managerA.id);
  assert.ok(row.reviewed_at);
  assert.equal(row.review_note, 'Spoke to Priya: crisis call, access was right');
  assert.equal(
    (await m.post(`/oversight/break-glass/${older}/review`, { reviewNote: 'Again' })).status,
    404,
  );
  const reviewEvent = await t.db.system
    .selectFrom('audit_events')
    .select(['action', 'person_id'])
    .where('record_id', '=', older)
    .executeTakeFirstOrThrow();
  assert.deepEqual(reviewEvent, { action: 'update', person_id: inTeam.id });

  const adminPage = await (await signedIn(adminA)).get('/oversight/break-glass');
  assert.match(adminPage.text, /Otherteam/, 'administrators see every team');
});

test('the access log says who looked, in plain English, and is itself recorded', async () => {
  const person = await createPerson(t.db, a, { teamId: a.teamId });
  await event(
    a,
    { ...coordinator, name: 'Sam Okafor' },
    { action: 'read', personId: person.id, at: new Date('2026-03-03T10:04:00Z') },
  );
  const m = await signedIn(managerA);
  const r = await m.get(`/people/${person.id}/access-log`);
  assert.equal(r.status, 200);
  assert.match(
    r.text,
    /Sam Okafor \(care coordinator\) viewed the record on 3 March 2026 at 10:04/,
  );
  const history = await inPartnership(t.db, a.id, (tx) => accessHistoryFor(tx, person.id));
  assert.match(
    history[0]?.sentence ?? '',
    /^Morgan Ellis \(team manager\) looked at who has seen the record on /,
  );
  assert.equal(history.length, 2);

  const elsewhere = await createPerson(t.db, a, { teamId: a.otherTeamId });
  assert.equal((await m.get(`/people/${elsewhere.id}/access-log`)).status, 403);
  const refused = await t.db.system
    .selectFrom('audit_events')
    .select('action')
    .where('person_id', '=', elsewhere.id)
    .execute();
  assert.deepEqual(
    refused.map((e) => e.action),
    ['access_refused'],
  );
  const inB = await createPerson(t.db, b);
  const admin = await signedIn(adminA);
  assert.equal((await admin.get(`/people/${inB.id}/access-log`)).status, 404);
  assert.equal((await admin.get('/people/not-a-uuid/access-log')).status, 404);
  assert.equal((await admin.get(`/people/${elsewhere.id}/access-log`)).status, 200);
});
