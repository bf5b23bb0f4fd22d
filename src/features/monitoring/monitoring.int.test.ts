// Monitoring against a real database: flags raised from an imported statement and the ledger,
// not raised twice, the finance officer's actions, recoveries refused beyond the balance and
// posted to the ledger when confirmed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { sql } from 'kysely';
import { inPartnership, type Db, type Tx } from '../../platform/db/database.ts';
import type { UserPrincipal } from '../../platform/auth/principal.ts';
import type { CivilDate } from '../../platform/dates.ts';
import { Conflict, Forbidden, Invalid } from '../../platform/http/errors.ts';
import { freshDb } from '../../../test/support/db.ts';
import {
  createPartnership,
  createPerson,
  createUser,
  type TestPartnership,
} from '../../../test/support/factories.ts';
import { balanceByKey, ensureAccounts, post } from '../ledger/index.ts';
import { importStatement } from '../statements/index.ts';
import { createMonitoringService, runMonitoring } from './index.ts';

let db: Db;
let p: TestPartnership;
let finance: UserPrincipal;
let coordinator: UserPrincipal;
const people: Record<'quiet' | 'saver' | 'gambler', { id: string; key: string; ref: string }> = {
  quiet: { id: '', key: '', ref: 'CARD-Q' },
  saver: { id: '', key: '', ref: 'CARD-S' },
  gambler: { id: '', key: '', ref: 'CARD-G' },
};
const today = '2026-06-30' as CivilDate;
const service = () => createMonitoringService({ db, now: () => new Date('2026-06-30T10:00:00Z') });

function principal(userId: string, roles: string[]): UserPrincipal {
  return {
    kind: 'user',
    userId,
    partnershipId: p.id,
    partnershipName: 'M',
    fullName: 'Fiona Finance',
    email: 'f@example.test',
    roles: new Set(roles) as UserPrincipal['roles'],
    teamIds: [],
    organisationId: null,
    organisationKind: null,
    mustChangePassword: false,
    sessionId: 's',
  };
}
const inP = <T>(fn: (tx: Tx) => Promise<T>) => inPartnership(db, p.id, fn);

before(async () => {
  db = await freshDb();
  p = await createPartnership(db, 'M');
  finance = principal((await createUser(db, p, ['finance_officer'])).id, ['finance_officer']);
  coordinator = principal((await createUser(db, p, ['care_coordinator'])).id, ['care_coordinator']);
  for (const who of Object.keys(people) as (keyof typeof people)[]) {
    const id = (await createPerson(db, p)).id;
    people[who] = { ...people[who], id, key: `holding:${id}:social-care` };
  }
  const ids = await inP(async (tx) => {
    const ids = await ensureAccounts(tx, p.id, [
      { key: 'pot:council', kind: 'stream_pot', name: 'Council pot', fundingBody: 'council' },
      ...Object.values(people).map((x) => ({
        key: x.key,
        kind: 'holding_account' as const,
        name: 'Card',
        fundingBody: 'council' as const,
        personId: x.id,
        reference: x.ref,
      })),
    ]);
    // Money paid into each card on 1 June: £200 each (a payment, simplified to pot → card).
    for (const x of Object.values(people))
      await post(tx, p.id, {
        idempotencyKey: `test-payment:${x.id}`,
        kind: 'payment',
        occurredOn: '2026-06-01',
        description: 'Payment',
        lines: [
          { accountId: ids.get(x.key) ?? '', amountPence: 20_000 },
          { accountId: ids.get('pot:council') ?? '', amountPence: -20_000 },
        ],
      });
    return ids;
  });
  // The saver and the gambler have plans (transport only) and budgets paying £40 every four
  // weeks (£10 a week) into their cards; the quiet person's card has no plan linked.
  for (const who of ['saver', 'gambler'] as const) {
    const x = people[who];
    const plan = await db.system
      .insertInto('support_plans')
      .values({
        partnership_id: p.id,
        person_id: x.id,
        sequence: 1,
        document: JSON.stringify({
          items: [{ id: 'bus', category: 'transport', streamId: 'social-care' }],
        }),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const budgetAccount = await inP((tx) =>
      ensureAccounts(tx, p.id, [
        {
          key: `budget:${x.id}`,
          kind: 'person_budget',
          name: 'Budget',
          fundingBody: 'council',
          personId: x.id,
        },
      ]),
    );
    await sql`
      with b as (
        insert into budgets (partnership_id, person_id, plan_id, stream_id, stream_name, funding_body,
          holding, financial_year, starts_on, amount_pence, ledger_account_id, holding_account_id,
          payee_name, payee_reference)
        values (${p.id}, ${x.id}, ${plan.id}, 'social-care', 'Social care', 'council', 'direct_payment',
          2026, '2026-04-01', 52000, ${budgetAccount.get(`budget:${x.id}`)}, ${ids.get(x.key)}, 'Card', ${x.ref})
        returning id)
      insert into payment_schedule_lines (partnership_id, budget_id, person_id, kind, period_no, due_on,
        amount_pence, description, reference)
      select ${p.id}, b.id, ${x.id}, 'periodic', 3, '2026-06-01', 4000, 'Period 3', ${`ref-${who}`} from b`.execute(
      db.system,
    );
  }
});
after(() => db.close());

async function importCsv(lines: string[]) {
  return importStatement(db, {
    partnershipId: p.id,
    format: 'prepaid-card',
    fileName: 'm.csv',
    source: Readable.from([Buffer.from(lines.join('\n'))]),
    userId: null,
    actor: 'test',
  });
}

async function flags() {
  return inP((tx) =>
    sql<{
      id: string;
      person_id: string;
      kind: string;
      status: string;
      details: Record<string, unknown>;
      version: number;
    }>`
      select id, person_id, kind, status, details, version from monitoring_flags order by raised_at, kind`.execute(
      tx,
    ),
  ).then((r) => r.rows);
}

test('an import raises flags only where there is something to look at', async () => {
  const r = await importCsv([
    'Transaction ID,Date,Card Number,Merchant,MCC,Amount',
    'Q1,20/06/2026,CARD-Q,Bus,4131,-2.00',
    'G1,21/06/2026,CARD-G,Bet365,7995,-25.00',
    'G2,22/06/2026,CARD-G,Gym,7997,-10.00',
    'G3,22/06/2026,CARD-G,Tesco,5411,-10.00',
  ]);
  assert.equal(r.imported, 4);
  // On import: only the accounts the statement touched. The quiet person's bus fare raises
  // nothing (no plan linked to judge it by); the gambler's bet and gym (the plan buys transport
  // only) do, and so does the £155 left on the card (more than 8 weeks of £10); the unknown
  // Tesco spend raises nothing.
  const run = await runMonitoring(db, p.id, today, r.touchedAccounts);
  assert.equal(run.accounts, 2);
  const f = await flags();
  assert.deepEqual(
    f.map((x) => [x.person_id, x.kind]).sort(),
    [
      [people.gambler.id, 'balance_above_weeks'],
      [people.gambler.id, 'never_buy_category'],
      [people.gambler.id, 'outside_plan_categories'],
    ].sort(),
  );
  const outside = f.find((x) => x.kind === 'outside_plan_categories');
  assert.deepEqual(
    (outside?.details.transactions as { description: string }[]).map((t) => t.description),
    ['Gym'],
  );
  // The daily job (every account): the saver holds £200, more than 8 weeks of £10 a week, and
  // gets a flag with the suggested recovery of £120.
  const daily = await runMonitoring(db, p.id, today);
  assert.equal(daily.raised, 1);
  const saver = (await flags()).find((x) => x.person_id === people.saver.id);
  assert.deepEqual(saver?.details, {
    kind: 'balance_above_weeks',
    balancePence: 20_000,
    weeklyPaymentPence: 1_000,
    weeks: 8,
    thresholdPence: 8_000,
    proposedRecoveryPence: 12_000,
  });
  // Running again adds nothing, and changes nothing: no flag is said to have new transactions,
  // and none gets a new version (which would turn a finance officer's action on it away as
  // stale).
  const versions = (await flags()).map((x) => [x.id, x.version]);
  const again = await runMonitoring(db, p.id, today);
  assert.deepEqual({ raised: again.raised, updated: again.updated }, { raised: 0, updated: 0 });
  assert.deepEqual(
    (await flags()).map((x) => [x.id, x.version]),
    versions,
  );
  // Twelve weeks on with no spending, the quiet person's account is flagged too.
  const later = await runMonitoring(db, p.id, '2026-09-14' as CivilDate);
  assert.ok(later.raised >= 1);
  assert.ok(
    (await flags()).some((x) => x.person_id === people.quiet.id && x.kind === 'no_activity'),
  );
});

test('the finance queue: oldest first, finance officers only; dismiss needs a reason', async () => {
  const queue = await service().queue(finance);
  assert.ok(queue.length >= 2);
  assert.deepEqual(
    queue.map((q) => q.raisedAt.getTime()),
    [...queue.map((q) => q.raisedAt.getTime())].sort((a, b) => a - b),
  );
  await assert.rejects(service().queue(coordinator), Forbidden);
  const outside = queue.find((q) => q.kind === 'outside_plan_categories');
  assert.ok(outside);
  await assert.rejects(service().dismiss(finance, outside.id, outside.version, ' '), Invalid);
  await service().dismiss(
    finance,
    outside.id,
    outside.version,
    'Gym is agreed with the coordinator',
  );
  // A second action on the same version is stale.
  await assert.rejects(
    service().dismiss(finance, outside.id, outside.version, 'Again please'),
    Conflict,
  );
  const after = await service().queue(finance);
  assert.ok(!after.some((q) => q.id === outside.id));
  // The dismissed transactions are not flagged again.
  await runMonitoring(db, p.id, today);
  assert.equal((await flags()).filter((x) => x.kind === 'outside_plan_categories').length, 1);
});

test('a recovery larger than the balance is refused; a confirmed one is posted to the ledger', async () => {
  const flag = (await service().queue(finance)).find((q) => q.kind === 'never_buy_category');
  assert.ok(flag);
  const view = await service().flag(finance, flag.id);
  assert.equal(view.balancePence, 20_000 - 4_500);
  const input = {
    amountPence: view.balancePence + 1,
    reasons: 'Money was used for gambling, which a direct payment may never be used for',
    repayBy: '2026-07-31' as CivilDate,
    whoMustRepay: 'The person, from the card account',
    reconsideration: 'Tell us within 28 days if you want us to look at this again',
  };
  await assert.rejects(
    service().proposeRecovery(finance, flag.id, flag.version, input, today),
    (e: unknown) =>
      e instanceof Invalid && /must not be more than the £155.00 in the account/.test(e.message),
  );
  const id = await service().proposeRecovery(
    finance,
    flag.id,
    flag.version,
    { ...input, amountPence: 2_500 },
    today,
  );
  const before = await inP((tx) => balanceByKey(tx, p.id, [people.gambler.key]));
  assert.equal(before.get(people.gambler.key), 15_500);
  const txId = await service().confirmRecovery(finance, id, today);
  assert.ok(txId);
  const bal = await inP((tx) => balanceByKey(tx, p.id, [people.gambler.key, 'recoveries:council']));
  assert.equal(bal.get(people.gambler.key), 13_000);
  assert.equal(bal.get('recoveries:council'), 2_500);
  await assert.rejects(service().confirmRecovery(finance, id, today), Conflict);
  const resolved = (await flags()).find((x) => x.id === flag.id);
  assert.equal(resolved?.status, 'resolved');
  // The database keeps a confirmed recovery as it is.
  await assert.rejects(
    inP((tx) => sql`update recoveries set amount_pence = 1 where id = ${id}`.execute(tx)),
    /cannot be changed/,
  );
});

test('an open flag takes new transactions; an account flag that no longer applies is closed', async () => {
  const saverFlags = async () =>
    (await flags())
      .filter((x) => x.person_id === people.saver.id && x.kind !== 'no_activity')
      .map((x) => [x.kind, x.status]);
  assert.deepEqual(await saverFlags(), [['balance_above_weeks', 'open']]);
  // A bet: a new flag, and the balance flag's figures are now £190 (updated).
  const first = await importCsv([
    'Transaction ID,Date,Card Number,Merchant,MCC,Amount',
    'S1,25/06/2026,CARD-S,Bet365,7995,-10.00',
  ]);
  const one = await runMonitoring(db, p.id, today, first.touchedAccounts);
  assert.deepEqual(
    { raised: one.raised, updated: one.updated, cleared: one.cleared },
    { raised: 1, updated: 1, cleared: 0 },
  );
  // A second bet: added to the open flag, not a flag of its own; the £50 left is less than 8
  // weeks of £10, so the balance flag is closed.
  const second = await importCsv([
    'Transaction ID,Date,Card Number,Merchant,MCC,Amount',
    'S2,26/06/2026,CARD-S,Paddy Power,7995,-140.00',
  ]);
  const two = await runMonitoring(db, p.id, today, second.touchedAccounts);
  assert.deepEqual(
    { raised: two.raised, updated: two.updated, cleared: two.cleared },
    { raised: 0, updated: 1, cleared: 1 },
  );
  assert.deepEqual(await saverFlags(), [
    ['balance_above_weeks', 'resolved'],
    ['never_buy_category', 'open'],
  ]);
  const never = (await flags()).find(
    (x) => x.person_id === people.saver.id && x.kind === 'never_buy_category',
  );
  assert.equal(never?.version, 2);
  assert.deepEqual(
    (never?.details.transactions as { description: string }[]).map((t) => t.description),
    ['Bet365', 'Paddy Power'],
  );
  assert.equal(never?.details.totalPence, -15_000);
});

test('spending outside the plan is looked at for the last 13 weeks only', async () => {
  // On 30 June, 13 weeks (91 days) back is 31 March: a gym visit that day counts, one the day
  // before does not.
  const r = await importCsv([
    'Transaction ID,Date,Card Number,Merchant,MCC,Amount',
    'G91,31/03/2026,CARD-G,Gym day 91,7997,-5.00',
    'G92,30/03/2026,CARD-G,Gym day 92,7997,-5.00',
  ]);
  assert.equal(r.imported, 2);
  await runMonitoring(db, p.id, today, r.touchedAccounts);
  const seen = (await flags())
    .filter((x) => x.person_id === people.gambler.id && x.kind === 'outside_plan_categories')
    .flatMap((x) =>
      (x.details.transactions as { description: string }[]).map((t) => t.description),
    );
  assert.ok(seen.includes('Gym day 91'), seen.join(', '));
  assert.ok(!seen.includes('Gym day 92'), seen.join(', '));
});
