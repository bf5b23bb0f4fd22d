// Withdrawing a proposed recovery over a real server: finance officers only, with CSRF, a reason
// required (error summary, answer kept), audited; the ledger is untouched (a proposed recovery
// has posted nothing) and the flag is open again; a withdrawn recovery can be neither confirmed
// nor withdrawn again, nor changed in the database.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { inPartnership } from '../../platform/db/database.ts';
import { startTestApp, TestClient, type TestApp } from '../../../test/support/app.ts';
import {
  createPartnership,
  createUser,
  type TestPartnership,
} from '../../../test/support/factories.ts';
import { balanceByKey } from '../ledger/index.ts';
import { paidCardHolder, signedInFinanceOfficer } from './fixtures.int-support.ts';

let t: TestApp;
let p: TestPartnership;
let finance: TestClient;
let holdingKey = '';
let personId = '';

before(async () => {
  t = await startTestApp();
  p = await createPartnership(t.db, 'Withdraw');
  const holder = await paidCardHolder(
    t.db,
    p,
    { givenName: 'Sam', familyName: 'Saver' },
    'CARD-W1',
  );
  ({ personId, holdingKey } = holder);
  await inPartnership(t.db, p.id, (tx) =>
    sql`
      insert into monitoring_flags (partnership_id, person_id, holding_account_id, kind, details, raised_on)
      values (${p.id}, ${personId}, ${holder.holdingId}, 'balance_above_weeks',
              ${JSON.stringify({ kind: 'balance_above_weeks', balancePence: 10_000, weeklyPaymentPence: 500, weeks: 8, thresholdPence: 4_000, proposedRecoveryPence: 6_000 })}::jsonb,
              current_date)`.execute(tx),
  );
  finance = await signedInFinanceOfficer(t, p);
});
after(() => t.close());

const ledgerState = () =>
  inPartnership(t.db, p.id, async (tx) => {
    const n = await sql<{ n: number }>`
      select (select count(*) from ledger_transactions)::int +
             (select count(*) from ledger_entries)::int as n`.execute(tx);
    const bal = await balanceByKey(tx, p.id, [holdingKey]);
    return { rows: n.rows[0]?.n ?? -1, balance: bal.get(holdingKey) };
  });

async function proposeOne(): Promise<{ flagId: string; recoveryId: string }> {
  const queue = await finance.get('/finance/monitoring');
  const flagId = /href="\/finance\/monitoring\/([0-9a-f-]{36})"/.exec(queue.text)?.[1] ?? '';
  assert.ok(flagId, 'a flag in the queue');
  const flag = await finance.get(`/finance/monitoring/${flagId}`);
  const version = /name="version" value="(\d+)"/.exec(flag.text)?.[1] ?? '';
  const proposed = await finance.post(`/finance/monitoring/${flagId}/recovery`, {
    version,
    amount: '60.00',
    reasons: 'Money built up beyond eight weeks',
    'repayBy-day': '31',
    'repayBy-month': '12',
    'repayBy-year': '2099',
    whoMustRepay: 'Sam Saver',
    reconsideration: 'Tell us within 28 days',
  });
  assert.equal(proposed.status, 303);
  const page = await finance.get(`/finance/monitoring/${flagId}`);
  const recoveryId =
    /action="\/finance\/recoveries\/([0-9a-f-]{36})\/withdraw"/.exec(page.text)?.[1] ?? '';
  assert.ok(recoveryId, 'the withdraw button is on the page');
  return { flagId, recoveryId };
}

test('a proposed recovery is withdrawn with a reason; the ledger is untouched and the flag is open again', async () => {
  const before = await ledgerState();
  const { flagId, recoveryId } = await proposeOne();
  assert.deepEqual(await ledgerState(), before, 'proposing posts nothing');

  const noCsrf = await finance.post(
    `/finance/recoveries/${recoveryId}/withdraw`,
    { flagId, withdrawReason: 'Agreed with the person', _csrf: 'wrong' },
    { csrf: false },
  );
  assert.equal(noCsrf.status, 403);

  for (const reason of ['', '  ', 'no']) {
    const r = await finance.post(`/finance/recoveries/${recoveryId}/withdraw`, {
      flagId,
      withdrawReason: reason,
    });
    assert.equal(r.status, 400);
    assert.match(r.text, /nhsuk-error-summary/);
    assert.match(r.text, /href="#withdrawReason">\s*Give the reason for withdrawing the recovery/);
    if (reason === 'no') assert.match(r.text, /id="withdrawReason"[^>]*>no</);
  }

  const ok = await finance.post(`/finance/recoveries/${recoveryId}/withdraw`, {
    flagId,
    withdrawReason: 'The person is saving for a course, agreed by phone',
  });
  assert.equal(ok.status, 303);
  assert.equal(ok.headers.get('location'), `/finance/monitoring/${flagId}`);
  assert.deepEqual(await ledgerState(), before, 'withdrawing posts nothing');

  const page = await finance.get(`/finance/monitoring/${flagId}`);
  assert.match(page.text, /Recovery of £60.00: withdrawn/);
  assert.match(page.text, /Withdrawn: The person is saving for a course, agreed by phone/);
  assert.match(page.text, /Propose the recovery/, 'the flag can be acted on again');
  assert.doesNotMatch(page.text, /\/withdraw"/);

  const rows = await inPartnership(t.db, p.id, async (tx) => {
    const r = await sql<{ status: string; withdrawal_reason: string; flag_status: string }>`
      select r.status, r.withdrawal_reason, f.status as flag_status
        from recoveries r join monitoring_flags f on f.id = r.flag_id
       where r.id = ${recoveryId}::uuid`.execute(tx);
    const a = await sql<{ reason: string; detail: { withdrawn?: boolean } }>`
      select reason, detail from audit_events
       where record_type = 'recovery' and record_id = ${recoveryId} and action = 'update'`.execute(
      tx,
    );
    return { r: r.rows[0], audit: a.rows };
  });
  assert.equal(rows.r?.status, 'withdrawn');
  assert.equal(rows.r?.flag_status, 'open');
  assert.equal(rows.audit.length, 1);
  assert.equal(rows.audit[0]?.detail.withdrawn, true);
  assert.equal(rows.audit[0]?.reason, 'The person is saving for a course, agreed by phone');

  // Neither confirmed nor withdrawn again, and fixed in the database.
  const again = await finance.post(`/finance/recoveries/${recoveryId}/withdraw`, {
    flagId,
    withdrawReason: 'A second time',
  });
  assert.equal(again.status, 409);
  const confirm = await finance.post(`/finance/recoveries/${recoveryId}/confirm`, { flagId });
  assert.equal(confirm.status, 409);
  assert.deepEqual(await ledgerState(), before);
  await assert.rejects(
    inPartnership(t.db, p.id, (tx) =>
      sql`update recoveries set status = 'proposed' where id = ${recoveryId}::uuid`.execute(tx),
    ),
    /cannot be changed/,
  );
});

test('only finance officers may withdraw a recovery; an unknown one is not found', async () => {
  const coordinator = await createUser(t.db, p, ['care_coordinator']);
  const c = new TestClient(t.url);
  await c.signIn(coordinator.email, coordinator.password);
  const id = '00000000-0000-4000-8000-000000000000';
  const refused = await c.post(`/finance/recoveries/${id}/withdraw`, {
    flagId: id,
    withdrawReason: 'Not mine to withdraw',
  });
  assert.equal(refused.status, 403);
  const missing = await finance.post(`/finance/recoveries/${id}/withdraw`, {
    flagId: id,
    withdrawReason: 'Not there at all',
  });
  assert.equal(missing.status, 404);
});
