// Signing in to the demo: the team manager, the finance officers and a care coordinator each
// find their work waiting on their own pages (served by the real app over the seeded demo).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { freshDb } from '../../../test/support/db.ts';
import { startTestApp, TestClient, type TestApp } from '../../../test/support/app.ts';
import { DEMO_PASSWORD, seedDemo } from './seed.ts';

let t: TestApp;
before(async () => {
  const db = await freshDb();
  assert.equal(await seedDemo(db), true);
  t = await startTestApp({}, db);
});
after(() => t.close());

async function signedIn(email: string): Promise<TestClient> {
  const c = new TestClient(t.url);
  const r = await c.signIn(email, DEMO_PASSWORD);
  assert.equal(r.status, 303);
  return c;
}

const personId = async (given: string) =>
  (
    await sql<{ id: string }>`select id from people where given_name = ${given}`.execute(
      t.db.system,
    )
  ).rows[0]?.id ?? '';

test('the team manager’s sign-off queue has the plan over budget', async () => {
  const c = await signedIn('manager@demo.pooled.test');
  const page = await c.get('/sign-off');
  assert.equal(page.status, 200);
  assert.match(page.text, /Deepa/);
});

test('the finance officers see the flags and the payment run waiting for the second of them', async () => {
  const chris = await signedIn('finance@demo.pooled.test');
  const flags = await chris.get('/finance/monitoring');
  assert.equal(flags.status, 200);
  // Spending flags from the statement (the balance flag depends on the time of year).
  for (const name of ['Declan', 'Tomasz']) assert.match(flags.text, new RegExp(name));
  const runs = await chris.get('/payments');
  assert.equal(runs.status, 200);
  assert.match(runs.text, /Waiting for approval/);
  assert.match(runs.text, /Chris Hale/);
});

test('a care coordinator sees a person’s budgets and balances on their page', async () => {
  const sam = await signedIn('coordinator@demo.pooled.test');
  const page = await sam.get(`/people/${await personId('Tomasz')}`);
  assert.equal(page.status, 200);
  assert.match(page.text, /<h2>Budget<\/h2>/);
  assert.match(page.text, /Left in the budget/);
  assert.match(page.text, /Next payment/);
  assert.match(page.text, /Commitments to providers/);
});

test('the care coordinator’s reviews page has an overdue review and one due soon', async () => {
  const sam = await signedIn('coordinator@demo.pooled.test');
  const page = await sam.get('/reviews');
  assert.equal(page.status, 200);
  assert.match(page.text, /[Oo]verdue/);
  assert.match(page.text, /Yasmin/);
  assert.match(page.text, /Tomasz/);
});
