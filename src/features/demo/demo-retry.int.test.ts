// A demo seed that failed part-way is detected and made good: each finished step is recorded;
// the next seed sets the half-made partnership aside (renamed, its users unable to sign in,
// nothing deleted), says so, and makes the demo again, whole; a complete demo is left alone.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.ts';
import type { CivilDate } from '../../platform/dates.ts';
import { freshDb } from '../../../test/support/db.ts';
import { DEMO_PARTNERSHIP_CODE, DEMO_USERS, seedDemo } from './seed.ts';

const TODAY = '2026-11-24' as CivilDate;
const now = () => new Date(`${TODAY}T10:00:00Z`);

let db: Db;
before(async () => {
  db = await freshDb();
});
after(() => db.close());

const partnerships = async () =>
  (
    await sql<{ code: string; steps: string[] }>`
      select p.code, coalesce(array_agg(s.seed order by s.seed)
               filter (where s.seed is not null), '{}') as steps
        from partnerships p left join seed_runs s on s.partnership_id = p.id
       group by p.code order by p.code`.execute(db.system)
  ).rows;

const failing = (step: string) => () => Promise.reject(new Error(`${step} failed`));

test('a failed step leaves a record of how far it got; the next seed sets it aside and makes the demo whole', async () => {
  await assert.rejects(seedDemo(db, { now, steps: { plans: failing('plans') } }), /plans failed/);
  assert.deepEqual(await partnerships(), [{ code: 'demo', steps: ['demo-people'] }]);

  const notices: string[] = [];
  await assert.rejects(
    seedDemo(db, { now, steps: { money: failing('money') }, notice: (m) => notices.push(m) }),
    /money failed/,
  );
  assert.equal(notices.length, 1);
  assert.match(notices[0] ?? '', /the support plans and money did not finish/);
  assert.match(notices[0] ?? '', /set aside as "demo-incomplete-1"/);
  assert.deepEqual(await partnerships(), [
    { code: 'demo', steps: ['demo-people', 'demo-plans'] },
    { code: 'demo-incomplete-1', steps: ['demo-people'] },
  ]);

  notices.length = 0;
  assert.equal(await seedDemo(db, { now, notice: (m) => notices.push(m) }), true);
  assert.match(notices[0] ?? '', /the payment runs and card statement did not finish/);
  assert.match(notices[0] ?? '', /"demo-incomplete-2"/);
  assert.deepEqual(await partnerships(), [
    { code: 'demo', steps: ['demo', 'demo-people', 'demo-plans'] },
    { code: 'demo-incomplete-1', steps: ['demo-people'] },
    { code: 'demo-incomplete-2', steps: ['demo-people', 'demo-plans'] },
  ]);

  // The demo's sign-ins belong to the whole demo; those set aside cannot sign in.
  const users = await sql<{ code: string; email: string; can_sign_in: boolean }>`
    select p.code, u.email, (u.password_hash is not null and u.disabled_at is null) as can_sign_in
      from users u join partnerships p on p.id = u.partnership_id`.execute(db.system);
  for (const u of DEMO_USERS) {
    const mine = users.rows.filter((r) => r.email === u.email);
    assert.deepEqual(mine, [{ code: DEMO_PARTNERSHIP_CODE, email: u.email, can_sign_in: true }]);
  }
  const aside = users.rows.filter((r) => r.code !== DEMO_PARTNERSHIP_CODE);
  assert.equal(aside.length, DEMO_USERS.length * 2);
  assert.ok(aside.every((r) => !r.can_sign_in && /\+incomplete-[12]@/.test(r.email)));

  // The whole demo has its money: the money step ran.
  const money = await sql<{ runs: number; imports: number }>`
    select (select count(*) from payment_runs r join partnerships p on p.id = r.partnership_id
             where p.code = 'demo')::int as runs,
           (select count(*) from statement_imports i join partnerships p on p.id = i.partnership_id
             where p.code = 'demo')::int as imports`.execute(db.system);
  assert.ok((money.rows[0]?.runs ?? 0) > 0);
  assert.equal(money.rows[0]?.imports, 1);

  // Its cards and bank accounts were recorded first: the statement matched the cards, and the
  // runs pay the bank accounts.
  const accounts = await sql<{ cards: number; banks: number; matched: number; to_banks: number }>`
    with demo as (select id from partnerships where code = 'demo')
    select (select count(*) from payment_accounts where kind = 'card'
             and partnership_id = (select id from demo))::int as cards,
           (select count(*) from payment_accounts where kind = 'bank'
             and partnership_id = (select id from demo))::int as banks,
           (select count(*) from card_transactions c
              join ledger_accounts a on a.id = c.holding_account_id
             where c.partnership_id = (select id from demo) and a.reference like 'BRK 5355 ****%')::int
             as matched,
           (select count(*) from payment_run_lines
             where partnership_id = (select id from demo) and account_reference like '99-01-02 7100%')::int
             as to_banks`.execute(db.system);
  const a = accounts.rows[0];
  assert.ok(a && a.cards === 3 && a.banks > 0, JSON.stringify(a));
  assert.ok(a.matched > 0 && a.to_banks > 0, JSON.stringify(a));

  // Complete: left alone, nothing said.
  notices.length = 0;
  assert.equal(await seedDemo(db, { now, notice: (m) => notices.push(m) }), false);
  assert.deepEqual(notices, []);
  assert.equal((await partnerships()).length, 3);
});
