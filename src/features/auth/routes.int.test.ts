// Sign-in, sign-out, lockout, CSRF and forced password change over a real HTTP server.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, TestClient, type TestApp } from '../../../test/support/app.ts';
import {
  createPartnership,
  createUser,
  type TestPartnership,
} from '../../../test/support/factories.ts';

let t: TestApp;
let p: TestPartnership;
before(async () => {
  t = await startTestApp({ LOGIN_MAX_FAILURES: '3' });
  p = await createPartnership(t.db);
});
after(() => t.close());

test('a signed-out visitor is sent to sign in, and back afterwards', async () => {
  const user = await createUser(t.db, p, ['broker']);
  const c = new TestClient(t.url);
  const r = await c.get('/accessibility?x=1');
  assert.equal(r.status, 200, 'public page');
  const home = await c.get('/');
  assert.equal(home.status, 303);
  assert.equal(home.location, '/sign-in?next=%2F');
  await c.get('/sign-in');
  const signedIn = await c.post('/sign-in', {
    email: user.email,
    password: user.password,
    next: '/accessibility',
  });
  assert.equal(signedIn.status, 303);
  assert.equal(signedIn.location, '/accessibility');
  const cookie = signedIn.headers.getSetCookie().find((x) => x.startsWith('pooled_session='));
  assert.ok(cookie);
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /Secure/);
  assert.match(cookie, /SameSite=Lax/);
  const page = await c.get('/');
  assert.equal(page.status, 200);
  assert.match(page.text, /Welcome, Test broker/);
});

test('an open redirect in next is not followed', async () => {
  const user = await createUser(t.db, p, ['finance_officer']);
  const c = new TestClient(t.url);
  await c.get('/sign-in');
  const r = await c.post('/sign-in', {
    email: user.email,
    password: user.password,
    next: '//evil.example/',
  });
  assert.equal(r.location, '/');
});

test('a wrong password shows the error summary and keeps the email', async () => {
  const user = await createUser(t.db, p, ['care_coordinator']);
  const c = new TestClient(t.url);
  const r = await c.signIn(user.email, 'not the password');
  assert.equal(r.status, 400);
  assert.match(r.text, /There is a problem/);
  assert.match(r.text, /The email address or password is not right/);
  assert.match(r.text, /href="#email"/);
  assert.ok(r.text.includes(`value="${user.email}"`));
  assert.ok(!r.text.includes('not the password'), 'the password is never echoed');
});

test('missing fields are each reported', async () => {
  const c = new TestClient(t.url);
  await c.get('/sign-in');
  const r = await c.post('/sign-in', { email: '', password: '' });
  assert.equal(r.status, 400);
  assert.match(r.text, /Enter your email address/);
  assert.match(r.text, /Enter your password/);
});

test('repeated failures lock the account, even against the right password', async () => {
  const user = await createUser(t.db, p, ['care_coordinator']);
  const c = new TestClient(t.url);
  for (let i = 0; i < 3; i++)
    assert.equal((await c.signIn(user.email, 'wrong-wrong-wrong')).status, 400);
  const r = await c.signIn(user.email, user.password);
  assert.equal(r.status, 400);
  assert.match(r.text, /locked/);
  const row = await t.db.system
    .selectFrom('users')
    .select(['failed_sign_ins', 'locked_until'])
    .where('id', '=', user.id)
    .executeTakeFirstOrThrow();
  assert.equal(row.failed_sign_ins, 3);
  assert.ok(row.locked_until && row.locked_until.getTime() > Date.now());
  const events = await t.db.system
    .selectFrom('audit_events')
    .select('action')
    .where('user_id', '=', user.id)
    .execute();
  assert.equal(events.filter((e) => e.action === 'sign_in_failed').length, 3);
});

test('a POST without the CSRF token, or with a forged one, is refused', async () => {
  const user = await createUser(t.db, p, ['care_coordinator']);
  const c = new TestClient(t.url);
  await c.get('/sign-in');
  const none = await c.post(
    '/sign-in',
    { email: user.email, password: user.password },
    { csrf: false },
  );
  assert.equal(none.status, 403);
  assert.match(none.text, /form has expired/);
  const forged = await c.post('/sign-in', {
    email: user.email,
    password: user.password,
    _csrf: 'forged',
  });
  assert.equal(forged.status, 403);
  const other = new TestClient(t.url);
  await other.get('/sign-in');
  const stolen = await c.post('/sign-in', {
    email: user.email,
    password: user.password,
    _csrf: other.csrf,
  });
  assert.equal(stolen.status, 403, "another browser's token does not match this browser's cookie");
});

test('sign out ends the session on the server', async () => {
  const user = await createUser(t.db, p, ['finance_officer']);
  const c = new TestClient(t.url);
  await c.signIn(user.email, user.password);
  const sessionCookie = c.cookies.get('pooled_session');
  assert.ok(sessionCookie);
  await c.get('/');
  const out = await c.post(`/sign-out?_csrf=${c.csrf}`, {}, { csrf: false });
  assert.equal(out.status, 303);
  const replay = new TestClient(t.url);
  replay.cookies.set('pooled_session', sessionCookie);
  assert.equal((await replay.get('/')).status, 303, 'the old cookie no longer works');
});

test('an administrator-set password must be changed before anything else', async () => {
  const user = await createUser(t.db, p, ['care_coordinator'], { mustChangePassword: true });
  const c = new TestClient(t.url);
  const r = await c.signIn(user.email, user.password);
  assert.equal(r.location, '/change-password');
  assert.equal((await c.get('/')).location, '/change-password');
  await c.get('/change-password');
  const weak = await c.post('/change-password', {
    currentPassword: user.password,
    newPassword: 'short',
    confirmPassword: 'short',
  });
  assert.equal(weak.status, 400);
  assert.match(weak.text, /at least 12 characters/);
  const mismatch = await c.post('/change-password', {
    currentPassword: user.password,
    newPassword: 'a-long-enough-password',
    confirmPassword: 'something else',
  });
  assert.match(mismatch.text, /do not match/);
  const ok = await c.post('/change-password', {
    currentPassword: user.password,
    newPassword: 'a-long-enough-password',
    confirmPassword: 'a-long-enough-password',
  });
  assert.equal(ok.status, 303);
  const row = await t.db.system
    .selectFrom('users')
    .select('must_change_password')
    .where('id', '=', user.id)
    .executeTakeFirstOrThrow();
  assert.equal(row.must_change_password, false);
  const again = new TestClient(t.url);
  assert.equal((await again.signIn(user.email, 'a-long-enough-password')).location, '/');
});

test('sign-in is rate limited per address', async () => {
  const limited = await startTestApp({ SIGN_IN_RATE_LIMIT_PER_MINUTE: '3' }, undefined);
  try {
    const c = new TestClient(limited.url);
    await c.get('/sign-in');
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push(
        (await c.post('/sign-in', { email: 'nobody@example.org', password: 'x' })).status,
      );
    assert.deepEqual(statuses, [400, 400, 400, 429, 429]);
  } finally {
    await limited.close();
  }
});
