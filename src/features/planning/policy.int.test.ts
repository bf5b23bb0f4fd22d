// The sign-off policy page: administrators only, every change audited, bad input kept, and the
// saved policy is the one the plan service routes by.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, TestClient, type TestApp } from '../../../test/support/app.ts';
import {
  createPartnership,
  createUser,
  type TestPartnership,
} from '../../../test/support/factories.ts';
import { inPartnership } from '../../platform/db/database.ts';

let t: TestApp;
let p: TestPartnership;
before(async () => {
  t = await startTestApp();
  p = await createPartnership(t.db);
});
after(() => t.close());

const flat = (s: string) => s.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

async function signedIn(roles: Parameters<typeof createUser>[2]) {
  const u = await createUser(t.db, p, roles);
  const c = new TestClient(t.url);
  assert.equal((await c.signIn(u.email, u.password)).status, 303);
  return c;
}

test('an administrator sees the defaults and the legal spending rules with their sources', async () => {
  const c = await signedIn(['partnership_admin']);
  const page = await c.get('/admin/sign-off');
  assert.equal(page.status, 200);
  const text = flat(page.text);
  assert.match(text, /These are the defaults/);
  assert.match(text, /SI 2014\/2871/);
  assert.match(text, /Blocked/);
});

test('saving a policy: audited, and read back as the partnership’s policy', async () => {
  const c = await signedIn(['partnership_admin']);
  await c.get('/admin/sign-off');
  const r = await c.post('/admin/sign-off', {
    tmPercent: '10',
    tmPounds: '',
    panelEnabled: 'yes',
    panelPercent: '30',
    panelPounds: '',
    panelTotal: '60,000',
    limitCoordinator: '5,000',
    limitManager: '',
  });
  assert.equal(r.status, 303, flat(r.text).slice(0, 300));
  const page = flat((await c.get('/admin/sign-off')).text);
  assert.match(page, /Last changed/);
  const rows = await inPartnership(t.db, p.id, (tx) =>
    tx.selectFrom('partnership_policies').select(['kind', 'policy']).execute(),
  );
  assert.equal(rows.length, 1);
  const policy = rows[0]?.policy as {
    teamManagerAbove: { basisPoints: number };
    panel: { enabled: boolean; annualTotalAbovePence: number };
    delegatedLimits: { care_coordinator: number };
  };
  assert.equal(policy.teamManagerAbove.basisPoints, 1_000);
  assert.equal(policy.panel.enabled, true);
  assert.equal(policy.panel.annualTotalAbovePence, 6_000_000);
  assert.equal(policy.delegatedLimits.care_coordinator, 500_000);
  const audit = await t.db.system
    .selectFrom('audit_events')
    .select('record_type')
    .where('partnership_id', '=', p.id)
    .where('record_type', '=', 'sign_off_policy')
    .execute();
  assert.equal(audit.length, 1);
});

test('bad input: each problem on its field, what was typed kept, nothing saved', async () => {
  const c = await signedIn(['partnership_admin']);
  const before = await t.db.system
    .selectFrom('partnership_policies')
    .select('id')
    .where('partnership_id', '=', p.id)
    .execute();
  await c.get('/admin/sign-off');
  const r = await c.post('/admin/sign-off', {
    tmPercent: 'ten',
    tmPounds: '-5',
    panelEnabled: 'yes',
    panelPercent: '5',
    panelPounds: '',
    panelTotal: '',
    limitCoordinator: '',
    limitManager: '',
  });
  assert.equal(r.status, 400);
  const text = flat(r.text);
  assert.match(text, /Enter a percentage like 10 or 12.5/);
  assert.match(text, /Enter an amount in pounds/);
  assert.match(r.text, /value="ten"/);
  // A panel below the team manager margin is refused by the policy's own rule.
  const lower = await c.post('/admin/sign-off', {
    tmPercent: '20',
    tmPounds: '',
    panelEnabled: 'yes',
    panelPercent: '5',
    panelPounds: '',
    panelTotal: '',
    limitCoordinator: '',
    limitManager: '',
  });
  assert.equal(lower.status, 400);
  assert.match(flat(lower.text), /must not be lower than the team manager margin/);
  const after = await t.db.system
    .selectFrom('partnership_policies')
    .select('id')
    .where('partnership_id', '=', p.id)
    .execute();
  assert.equal(after.length, before.length);
});

test('only administrators: a team manager gets 403; without CSRF the change is refused', async () => {
  const m = await signedIn(['team_manager']);
  assert.equal((await m.get('/admin/sign-off')).status, 403);
  const a = await signedIn(['partnership_admin']);
  await a.get('/admin/sign-off');
  const r = await a.post('/admin/sign-off', { panelEnabled: 'no', _csrf: 'forged' });
  assert.equal(r.status, 403);
});
