// The monitoring settings page over a real server: a finance officer sees the defaults (8 weeks
// of payments, 12 weeks without spending), bad numbers come back with the error summary and the
// answers kept, a good change is stored, audited with before and after, and used by the next
// check (a card that the defaults leave alone is flagged under the new weeks); an administrator
// may change them; a care coordinator may not.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { inPartnership } from '../../platform/db/database.ts';
import { todayInLondon } from '../../platform/dates.ts';
import { startTestApp, TestClient, type TestApp } from '../../../test/support/app.ts';
import {
  createPartnership,
  createUser,
  type TestPartnership,
} from '../../../test/support/factories.ts';
import { ensureAccounts } from '../ledger/index.ts';
import { paidCardHolder } from './fixtures.int-support.ts';
import { runMonitoring } from './service.ts';
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

/**
 * A card holding £100, paid ten days ago, whose budget pays £60 every four weeks (£15 a week):
 * under the defaults (8 weeks: £120; 12 weeks without spending) it raises nothing eleven weeks
 * on; under 6 and 10 weeks it is above £90 and has gone 10 weeks without spending.
 */
async function cardPaidFifteenAWeek(): Promise<string> {
  const { personId, holdingId } = await paidCardHolder(
    t.db,
    p,
    { givenName: 'Wes', familyName: 'Weekly' },
    'CARD-SET-1',
  );
  const plan = await t.db.system
    .insertInto('support_plans')
    .values({
      partnership_id: p.id,
      person_id: personId,
      sequence: 1,
      document: JSON.stringify({ items: [] }),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const key = `budget:${personId}`;
  const budgetAccount = await inPartnership(t.db, p.id, (tx) =>
    ensureAccounts(tx, p.id, [
      { key, kind: 'person_budget', name: 'Budget', fundingBody: 'council', personId },
    ]),
  );
  await sql`
    with b as (
      insert into budgets (partnership_id, person_id, plan_id, stream_id, stream_name, funding_body,
        holding, financial_year, starts_on, amount_pence, ledger_account_id, holding_account_id,
        payee_name, payee_reference)
      values (${p.id}, ${personId}, ${plan.id}, 'social-care', 'Social care', 'council',
        'direct_payment', 2026, '2026-04-01', 78000, ${budgetAccount.get(key)}, ${holdingId},
        'Card', 'CARD-SET-1')
      returning id)
    insert into payment_schedule_lines (partnership_id, budget_id, person_id, kind, period_no, due_on,
      amount_pence, description, reference)
    select ${p.id}, b.id, ${personId}, 'periodic', 1, ${todayInLondon()}::date, 6000, 'Period 1',
      'ref-settings-1' from b`.execute(t.db.system);
  return holdingId;
}

const flat = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
const valueOf = (html: string, name: string) =>
  new RegExp(`name="${name}"[^>]*value="([^"]*)"`).exec(html)?.[1];

test('a finance officer sees the defaults and changes them; the change is audited and used', async () => {
  const holdingId = await cardPaidFifteenAWeek();
  const elevenWeeksOn = todayInLondon(new Date(Date.now() + 67 * 86_400_000));
  const check = async () => {
    const run = await runMonitoring(t.db, p.id, elevenWeeksOn, [holdingId]);
    const raised = await sql<{ kind: string; details: Record<string, unknown> }>`
      select kind, details from monitoring_flags
       where holding_account_id = ${holdingId}::uuid order by kind`.execute(t.db.system);
    return { run, raised: raised.rows };
  };
  const underDefaults = await check();
  assert.equal(underDefaults.run.accounts, 1, 'the card was checked');
  assert.deepEqual(underDefaults.raised, [], 'the defaults leave this card alone');

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

  // The next check uses the new weeks.
  const underNew = await check();
  assert.equal(underNew.run.raised, 2);
  assert.deepEqual(
    underNew.raised.map((f) => f.kind),
    ['balance_above_weeks', 'no_activity'],
  );
  assert.deepEqual(underNew.raised[0]?.details, {
    kind: 'balance_above_weeks',
    balancePence: 10_000,
    weeklyPaymentPence: 1_500,
    weeks: 6,
    thresholdPence: 9_000,
    proposedRecoveryPence: 1_000,
  });
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
  const changed = await admin.post('/finance/monitoring/settings', {
    balanceWeeks: '7',
    noActivityWeeks: '11',
  });
  assert.equal(changed.status, 303);
  const stored = () => inPartnership(t.db, p.id, (tx) => settingsOf(tx, p.id));
  assert.deepEqual(await stored(), { balanceWeeks: 7, noActivityWeeks: 11 });

  const coordinator = await signedIn(['care_coordinator']);
  assert.equal((await coordinator.get('/finance/monitoring/settings')).status, 403);
  const r = await coordinator.post('/finance/monitoring/settings', {
    balanceWeeks: '1',
    noActivityWeeks: '1',
  });
  assert.equal(r.status, 403);
  assert.deepEqual(await stored(), { balanceWeeks: 7, noActivityWeeks: 11 }, 'nothing saved');
});
