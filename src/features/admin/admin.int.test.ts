// Administration over a real HTTP server: users, roles, passwords, teams, organisations, API
// clients, who may reach it, and partnership isolation.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, TestClient, type TestApp } from '../../../test/support/app.ts';
import {
  createPartnership,
  createUser,
  type TestPartnership,
  type TestUser,
} from '../../../test/support/factories.ts';
import { authenticateApiToken } from '../../platform/auth/api-tokens.ts';

let t: TestApp;
let p: TestPartnership;
let q: TestPartnership;
let admin: TestUser;
let c: TestClient;
before(async () => {
  t = await startTestApp();
  p = await createPartnership(t.db, 'Partnership A');
  q = await createPartnership(t.db, 'Partnership B');
  admin = await createUser(t.db, p, ['partnership_admin'], { name: 'Ada Admin' });
  c = new TestClient(t.url);
  await c.signIn(admin.email, admin.password);
});
after(() => t.close());

const userIdByEmail = async (email: string) =>
  (
    await t.db.system
      .selectFrom('users')
      .select('id')
      .where('email', '=', email)
      .executeTakeFirstOrThrow()
  ).id;

const auditFor = (recordId: string) =>
  t.db.system
    .selectFrom('audit_events')
    .select(['action', 'record_type', 'user_id', 'detail'])
    .where('record_id', '=', recordId)
    .orderBy('id')
    .execute();

test('the dashboard links to every admin area', async () => {
  const r = await c.get('/admin');
  assert.equal(r.status, 200);
  for (const href of [
    '/admin/users',
    '/admin/teams',
    '/admin/organisations',
    '/admin/api-clients',
    '/audit',
  ])
    assert.ok(r.text.includes(`href="${href}"`), href);
});

test('a new user with a typed temporary password must change it before anything else', async () => {
  await c.get('/admin/users/new');
  const r = await c.post('/admin/users', {
    fullName: 'Nia Newcomer',
    email: 'Nia.Newcomer@example.org',
    organisationId: p.councilId,
    teams: [p.teamId, p.otherTeamId],
    roles: ['finance_officer'],
    temporaryPassword: 'temporary-password-1',
  });
  assert.equal(r.status, 200);
  assert.match(r.text, /Nia Newcomer has been added/);
  assert.equal(r.headers.get('cache-control'), 'no-store');
  assert.ok(!r.text.includes('temporary-password-1'), 'a typed password is not echoed');
  const id = await userIdByEmail('nia.newcomer@example.org');
  const row = await t.db.system
    .selectFrom('users')
    .select(['must_change_password', 'partnership_id', 'organisation_id'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  assert.deepEqual(row, {
    must_change_password: true,
    partnership_id: p.id,
    organisation_id: p.councilId,
  });
  const grants = await t.db.system
    .selectFrom('role_grants')
    .selectAll()
    .where('user_id', '=', id)
    .execute();
  assert.deepEqual(
    grants.map((g) => [g.role, g.granted_by]),
    [['finance_officer', admin.id]],
  );
  const actions = (await auditFor(id)).map((e) => e.action);
  assert.deepEqual(actions, ['create']);

  const nia = new TestClient(t.url);
  const signIn = await nia.signIn('nia.newcomer@example.org', 'temporary-password-1');
  assert.equal(signIn.location, '/change-password');
  assert.equal((await nia.get('/')).location, '/change-password');
  await nia.get('/change-password');
  const changed = await nia.post('/change-password', {
    currentPassword: 'temporary-password-1',
    newPassword: 'my-own-long-password',
    confirmPassword: 'my-own-long-password',
  });
  assert.equal(changed.location, '/');
  // A finance officer's first page is the monitoring queue.
  assert.equal((await nia.get('/')).location, '/finance/monitoring');
  const home = await nia.get('/finance/monitoring');
  assert.equal(home.status, 200);
  assert.match(home.text, /Nia Newcomer/);
});

test('a generated temporary password is shown once and works', async () => {
  await c.get('/admin/users/new');
  const r = await c.post('/admin/users', {
    fullName: 'Gene Rated',
    email: 'gene@example.org',
    roles: 'broker',
  });
  assert.equal(r.status, 200);
  const password = /data-temporary-password>([^<]+)</.exec(r.text)?.[1];
  assert.ok(password && password.length >= 12);
  const list = await c.get('/admin/users');
  assert.ok(!list.text.includes(password), 'not shown again');
  const gene = new TestClient(t.url);
  assert.equal((await gene.signIn('gene@example.org', password)).location, '/change-password');
});

test('bad answers come back with the error summary and the answers kept', async () => {
  await c.get('/admin/users/new');
  const r = await c.post('/admin/users', {
    fullName: '<b>Kept</b>',
    email: 'not-an-email',
    roles: ['care_coordinator', 'nonsense'],
    temporaryPassword: 'short',
  });
  assert.equal(r.status, 400);
  assert.match(r.text, /There is a problem/);
  assert.match(r.text, /href="#email"/);
  assert.match(r.text, /Enter an email address in the correct format/);
  assert.match(r.text, /The temporary password must be at least 12 characters/);
  assert.ok(r.text.includes('value="&lt;b&gt;Kept&lt;/b&gt;"'), 'name kept and escaped');
  assert.ok(r.text.includes('value="not-an-email"'));
  assert.match(r.text, /value="care_coordinator" checked/);
  assert.ok(!r.text.includes('value="short"'), 'password not echoed');
});

test('a duplicate email is refused on the email field, even in another partnership', async () => {
  const other = await createUser(t.db, q, ['care_coordinator']);
  for (const email of [admin.email, other.email.toUpperCase()]) {
    await c.get('/admin/users/new');
    const r = await c.post('/admin/users', { fullName: 'Dup Licate', email, roles: 'broker' });
    assert.equal(r.status, 400, email);
    assert.match(r.text, /There is a problem/);
    assert.match(
      r.text,
      /<a href="#email">\s*A user with this email address already exists\s*<\/a>/,
    );
    assert.ok(r.text.includes('value="Dup Licate"'));
  }
  const count = await t.db.system
    .selectFrom('users')
    .select('id')
    .where('full_name', '=', 'Dup Licate')
    .execute();
  assert.equal(count.length, 0);
});

test('granting and revoking roles keeps history: rows are stamped, never deleted, and audited', async () => {
  const u = await createUser(t.db, p, ['care_coordinator'], { name: 'Rory Roles' });
  await c.get(`/admin/users/${u.id}/edit`);
  const r = await c.post(`/admin/users/${u.id}/edit`, {
    fullName: 'Rory Roles',
    organisationId: p.trustId,
    teams: p.otherTeamId,
    roles: ['team_manager', 'commissioner'],
  });
  assert.equal(r.status, 303);
  assert.equal(r.location, `/admin/users/${u.id}`);
  const grants = await t.db.system
    .selectFrom('role_grants')
    .selectAll()
    .where('user_id', '=', u.id)
    .orderBy('role')
    .execute();
  const summary = grants.map((g) => [g.role, g.granted_by, g.revoked_at !== null, g.revoked_by]);
  assert.deepEqual(summary, [
    ['care_coordinator', null, true, admin.id],
    ['commissioner', admin.id, false, null],
    ['team_manager', admin.id, false, null],
  ]);
  const teams = await t.db.system
    .selectFrom('team_members')
    .select('team_id')
    .where('user_id', '=', u.id)
    .execute();
  assert.deepEqual(
    teams.map((x) => x.team_id),
    [p.otherTeamId],
  );
  const events = await t.db.system
    .selectFrom('audit_events')
    .select(['action', 'record_type'])
    .where('user_id', '=', admin.id)
    .where((eb) => eb(eb.ref('detail', '->>').key('userId'), '=', u.id))
    .orderBy('id')
    .execute();
  assert.deepEqual(events.map((e) => e.action).sort(), ['grant', 'grant', 'revoke']);
  const page = await c.get(`/admin/users/${u.id}`);
  assert.match(page.text, /Commissioner, Team manager|Team manager, Commissioner/);
  // Granting the role back makes a new row; the old revoked one stays.
  await c.get(`/admin/users/${u.id}/edit`);
  await c.post(`/admin/users/${u.id}/edit`, {
    fullName: 'Rory Roles',
    roles: ['care_coordinator'],
  });
  const again = await t.db.system
    .selectFrom('role_grants')
    .select('role')
    .where('user_id', '=', u.id)
    .execute();
  assert.equal(again.filter((g) => g.role === 'care_coordinator').length, 2);
});

test('an administrator cannot remove their own admin role or switch themselves off', async () => {
  await c.get(`/admin/users/${admin.id}/edit`);
  const r = await c.post(`/admin/users/${admin.id}/edit`, {
    fullName: 'Ada Admin',
    roles: ['broker'],
  });
  assert.equal(r.status, 400);
  assert.match(r.text, /You cannot remove your own partnership administrator role/);
  assert.match(r.text, /href="#roles"/);
  await c.get(`/admin/users/${admin.id}`);
  const off = await c.post(`/admin/users/${admin.id}/disable`, {});
  assert.equal(off.status, 303);
  assert.match(
    (await c.get(`/admin/users/${admin.id}`)).text,
    /You cannot switch off your own account/,
  );
  const row = await t.db.system
    .selectFrom('users')
    .select('disabled_at')
    .where('id', '=', admin.id)
    .executeTakeFirstOrThrow();
  assert.equal(row.disabled_at, null);
  const grants = await t.db.system
    .selectFrom('role_grants')
    .select('role')
    .where('user_id', '=', admin.id)
    .where('revoked_at', 'is', null)
    .execute();
  assert.deepEqual(
    grants.map((g) => g.role),
    ['partnership_admin'],
  );
});

test('reset password ends their sessions; unlock clears a lockout; switch off and on', async () => {
  const u = await createUser(t.db, p, ['broker'], { name: 'Lou Locked' });
  const lou = new TestClient(t.url);
  await lou.signIn(u.email, u.password);
  assert.equal((await lou.get('/')).status, 200);
  await c.get(`/admin/users/${u.id}/reset-password`);
  const reset = await c.post(`/admin/users/${u.id}/reset-password`, { temporaryPassword: '' });
  assert.equal(reset.status, 200);
  const password = /data-temporary-password>([^<]+)</.exec(reset.text)?.[1];
  assert.ok(password);
  assert.equal((await lou.get('/')).status, 303, 'their old session has ended');
  assert.equal(
    (await new TestClient(t.url).signIn(u.email, password)).location,
    '/change-password',
  );

  await t.db.system
    .updateTable('users')
    .set({ failed_sign_ins: 5, locked_until: new Date(Date.now() + 3_600_000) })
    .where('id', '=', u.id)
    .execute();
  assert.match((await c.get('/admin/users')).text, /Lou Locked[\s\S]*?Locked/);
  await c.get(`/admin/users/${u.id}`);
  assert.equal((await c.post(`/admin/users/${u.id}/unlock`, {})).status, 303);
  let row = await t.db.system
    .selectFrom('users')
    .selectAll()
    .where('id', '=', u.id)
    .executeTakeFirstOrThrow();
  assert.equal(row.failed_sign_ins, 0);
  assert.equal(row.locked_until, null);

  await c.get(`/admin/users/${u.id}`);
  await c.post(`/admin/users/${u.id}/disable`, {});
  row = await t.db.system
    .selectFrom('users')
    .selectAll()
    .where('id', '=', u.id)
    .executeTakeFirstOrThrow();
  assert.ok(row.disabled_at);
  assert.match((await new TestClient(t.url).signIn(u.email, password)).text, /switched off/);
  await c.get(`/admin/users/${u.id}`);
  await c.post(`/admin/users/${u.id}/enable`, {});
  row = await t.db.system
    .selectFrom('users')
    .selectAll()
    .where('id', '=', u.id)
    .executeTakeFirstOrThrow();
  assert.equal(row.disabled_at, null);
  const actions = (await auditFor(u.id)).filter((e) => e.user_id === admin.id).map((e) => e.detail);
  assert.deepEqual(actions, [
    { passwordReset: true, sessionsEnded: true },
    { unlocked: true },
    { disabled: true },
    { disabled: false },
  ]);
});

test('teams: create, add and remove members; organisations: create; with form errors', async () => {
  await c.get('/admin/teams/new');
  const bad = await c.post('/admin/teams', { name: '', organisationId: q.councilId });
  assert.equal(bad.status, 400);
  assert.match(bad.text, /Enter the team name/);
  await c.get('/admin/teams/new');
  const foreignOrg = await c.post('/admin/teams', { name: 'Sneaky', organisationId: q.councilId });
  assert.equal(foreignOrg.status, 400, "another partnership's organisation is not an option");
  await c.get('/admin/teams/new');
  const made = await c.post('/admin/teams', { name: 'Crisis Team', organisationId: p.trustId });
  assert.equal(made.status, 303);
  const teamId = made.location?.split('/').pop() ?? '';
  await c.get('/admin/teams/new');
  const dup = await c.post('/admin/teams', { name: 'Crisis Team', organisationId: p.trustId });
  assert.match(dup.text, /There is already a team with this name/);

  const u = await createUser(t.db, p, ['care_coordinator'], {
    name: 'Tess Teammate',
    teamId: null,
  });
  await c.get(`/admin/teams/${teamId}`);
  assert.equal((await c.post(`/admin/teams/${teamId}/members`, { userId: u.id })).status, 303);
  assert.match((await c.get(`/admin/teams/${teamId}`)).text, /Tess Teammate/);
  const outsider = await createUser(t.db, q, ['care_coordinator']);
  const refused = await c.post(`/admin/teams/${teamId}/members`, { userId: outsider.id });
  assert.equal(refused.status, 400);
  await c.get(`/admin/teams/${teamId}`);
  assert.equal((await c.post(`/admin/teams/${teamId}/members/${u.id}/remove`, {})).status, 303);
  const members = await t.db.system
    .selectFrom('team_members')
    .select('user_id')
    .where('team_id', '=', teamId)
    .execute();
  assert.deepEqual(members, []);
  assert.deepEqual(
    (await auditFor(teamId)).map((e) => e.action),
    ['create', 'update', 'update'],
  );

  await c.get('/admin/organisations/new');
  const badOrg = await c.post('/admin/organisations', {
    name: 'Mind',
    kind: 'charity',
    odsCode: '!!',
  });
  assert.equal(badOrg.status, 400);
  assert.match(badOrg.text, /Select the kind of organisation/);
  assert.match(badOrg.text, /ODS code must be 3 to 10 letters or numbers/);
  assert.ok(badOrg.text.includes('value="Mind"'));
  const okOrg = await c.post('/admin/organisations', {
    name: 'Mind in Town',
    kind: 'provider',
    odsCode: 'ab1',
  });
  assert.equal(okOrg.status, 303);
  assert.match(
    (await c.get('/admin/organisations')).text,
    /Mind in Town[\s\S]*?Provider[\s\S]*?AB1/,
  );
});

test('an API client token is shown once, authenticates, and stops working when revoked', async () => {
  await c.get('/admin/api-clients/new');
  const none = await c.post('/admin/api-clients', { name: 'EPR feed' });
  assert.equal(none.status, 400);
  assert.match(none.text, /Select at least one permission/);
  const r = await c.post('/admin/api-clients', {
    name: 'EPR feed',
    permissions: ['people:read', 'audit:read'],
  });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('cache-control'), 'no-store');
  const token = /data-api-token>([^<]+)</.exec(r.text)?.[1];
  assert.ok(token);
  assert.match(token, /^pooled_[0-9a-f]{12}_/);
  const list = await c.get('/admin/api-clients');
  assert.ok(!list.text.includes(token), 'the token is not shown again');
  const stored = await t.db.system
    .selectFrom('api_clients')
    .selectAll()
    .where('name', '=', 'EPR feed')
    .executeTakeFirstOrThrow();
  // The secret is base64url and may itself contain '_': take everything after the prefix.
  const secret = token.split('_').slice(2).join('_');
  assert.ok(secret.length >= 40, 'a 32-byte secret');
  assert.ok(!JSON.stringify(stored).includes(secret), 'only a hash is stored');
  assert.equal(stored.partnership_id, p.id);

  const principal = await authenticateApiToken(t.db, token);
  assert.equal(principal?.clientId, stored.id);
  assert.deepEqual([...(principal?.permissions ?? [])].sort(), ['audit:read', 'people:read']);
  assert.equal(await authenticateApiToken(t.db, `${token.slice(0, -2)}xx`), undefined);

  assert.equal((await c.post(`/admin/api-clients/${stored.id}/revoke`, {})).status, 303);
  assert.equal(await authenticateApiToken(t.db, token), undefined);
  assert.deepEqual(
    (await auditFor(stored.id)).map((e) => e.action),
    ['create', 'revoke'],
  );
});

test('people without the administrator role get 403 on every admin page', async () => {
  const manager = await createUser(t.db, p, ['team_manager', 'commissioner']);
  const m = new TestClient(t.url);
  await m.signIn(manager.email, manager.password);
  for (const path of [
    '/admin',
    '/admin/users',
    '/admin/users/new',
    `/admin/users/${admin.id}`,
    `/admin/users/${admin.id}/edit`,
    '/admin/teams',
    `/admin/teams/${p.teamId}`,
    '/admin/organisations',
    '/admin/api-clients',
  ])
    assert.equal((await m.get(path)).status, 403, path);
  await m.get('/');
  const post = await m.post('/admin/users', { fullName: 'X', email: 'x@example.org' });
  assert.equal(post.status, 403);
  const signedOut = await new TestClient(t.url).get('/admin/users');
  assert.equal(signedOut.status, 303);
});

test('an administrator of partnership A never sees or changes partnership B', async () => {
  const bAdmin = await createUser(t.db, q, ['partnership_admin'], { name: 'Bea Bside' });
  const bUser = await createUser(t.db, q, ['care_coordinator'], { name: 'Bob Bside' });
  const users = await c.get('/admin/users');
  assert.ok(!users.text.includes('Bside'));
  const teams = await c.get('/admin/teams');
  assert.ok(!teams.text.includes(q.code));
  assert.ok(teams.text.includes(p.code));
  const orgs = await c.get('/admin/organisations');
  assert.ok(!orgs.text.includes(q.code));
  for (const path of [
    `/admin/users/${bUser.id}`,
    `/admin/users/${bUser.id}/edit`,
    `/admin/teams/${q.teamId}`,
    '/admin/users/not-a-uuid',
  ])
    assert.equal((await c.get(path)).status, 404, path);
  await c.get('/admin/users');
  assert.equal((await c.post(`/admin/users/${bUser.id}/disable`, {})).status, 404);
  assert.equal((await c.post(`/admin/users/${bUser.id}/reset-password`, {})).status, 404);
  const row = await t.db.system
    .selectFrom('users')
    .selectAll()
    .where('id', '=', bUser.id)
    .executeTakeFirstOrThrow();
  assert.equal(row.disabled_at, null);
  const b = new TestClient(t.url);
  await b.signIn(bAdmin.email, bAdmin.password);
  const bList = await b.get('/admin/users');
  assert.ok(bList.text.includes('Bob Bside'));
  assert.ok(!bList.text.includes('Ada Admin'));
});
