// The monitoring settings page over a real server: a finance officer sees the defaults (8 weeks
// of payments, 12 weeks without spending), bad numbers come back with the error summary and the
// answers kept, a good change is stored, audited with before and after, and used by the next
// check; an administrator may change them; a care coordinator may not.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { inPartnership } from '../../platform/db/database.ts';
import { startTestApp, TestClient, type TestApp } from '../../../test/support/app.ts';
import {
  createPartnership,
  createUser,
  type TestPartnership,
} from '../../../test/support/factories.ts';
import { settingsOf } from './settings.ts';

let t: TestApp;
let p: TestPartnership;

before(async () => {
  t = await startTestApp();
  p = await createPartnership(t.db, 'Settings');
});
after(() => t.close());

async function signedIn(roles: Parameters<typeof createUser>[2]): Promise<TestClient> {
  const u = await createUser(t.db, p, roles);
  const c = new TestClient(t.url);
  assert.equal((await c.signIn(u.email, u.password)).status, 303);
  return c;
}

const flat = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
const valueOf = (html: string, name: string) =>
  new RegExp(`name="${name}"[^>]*value="([^"]*)"`).exec(html)?.[1];

test('a finance officer sees the defaults and changes them; the change is audited and used', async () => {
  const c = await signedIn(['finance_officer']);
  const page = await c.get('/finance/monitoring/settings');
  assert.equal(page.status, 200);
  assert.equal(valueOf(page.text, 'balanceWeeks'), '8');
  assert.equal(valueOf(page.text, 'noActivityWeeks'), '12');
  const saved = await c.post('/finance/monitoring/settings', {
    balanceWeeks: '6',
    noActivityWeeks: '10',
  });
  assert.equal(saved.status, 303);
  assert.equal(saved.location, '/finance/monitoring');
  assert.match(flat((await c.get('/finance/monitoring')).text), /Monitoring checks saved/);
  const stored = await inPartnership(t.db, p.id, (tx) => settingsOf(tx, p.id));
  assert.deepEqual(stored, { balanceWeeks: 6, noActivityWeeks: 10 });
  const events = await t.db.system
    .selectFrom('audit_events')
    .select(['action', 'detail'])
    .where('partnership_id', '=', p.id)
    .where('record_type', '=', 'monitoring_settings')
    .execute();
  assert.equal(events.length, 1);
  assert.equal(events[0]?.action, 'update');
  assert.deepEqual(events[0]?.detail, {
    before: { balanceWeeks: 8, noActivityWeeks: 12 },
    after: { balanceWeeks: 6, noActivityWeeks: 10 },
  });
  assert.equal(valueOf((await c.get('/finance/monitoring/settings')).text, 'balanceWeeks'), '6');
});

test('bad numbers: 400 with the error summary, each field named, the answers kept, nothing saved', async () => {
  const c = await signedIn(['finance_officer']);
  const before = await inPartnership(t.db, p.id, (tx) => settingsOf(tx, p.id));
  const cases: [Record<string, string>, RegExp[]][] = [
    [
      { balanceWeeks: '', noActivityWeeks: '12' },
      [/Enter the number of weeks for money building up/],
    ],
    [
      { balanceWeeks: '0', noActivityWeeks: '53' },
      [/between 1 and 52/, /no spending must be between 1 and 52/],
    ],
    [
      { balanceWeeks: 'eight', noActivityWeeks: '2.5' },
      [/must be a whole number/, /no spending must be a whole number/],
    ],
  ];
  for (const [form, messages] of cases) {
    const r = await c.post('/finance/monitoring/settings', form);
    assert.equal(r.status, 400, JSON.stringify(form));
    assert.match(r.text, /nhsuk-error-summary/);
    for (const m of messages) assert.match(flat(r.text), m);
    assert.equal(valueOf(r.text, 'balanceWeeks'), form.balanceWeeks);
    assert.equal(valueOf(r.text, 'noActivityWeeks'), form.noActivityWeeks);
  }
  assert.deepEqual(await inPartnership(t.db, p.id, (tx) => settingsOf(tx, p.id)), before);
});

test('an administrator may change the checks; a care coordinator may not', async () => {
  const admin = await signedIn(['partnership_admin']);
  assert.equal((await admin.get('/finance/monitoring/settings')).status, 200);
  const coordinator = await signedIn(['care_coordinator']);
  assert.equal((await coordinator.get('/finance/monitoring/settings')).status, 403);
  const r = await coordinator.post('/finance/monitoring/settings', {
    balanceWeeks: '1',
    noActivityWeeks: '1',
  });
  assert.equal(r.status, 403);
});
