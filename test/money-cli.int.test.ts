// The money commands other than payment runs, run as real processes against a real database
// (PGlite, or PostgreSQL when DATABASE_URL is set): `import statements` (good and bad rows, exit
// codes, nothing imported twice), `monitoring run`, `budgets renew` (a new year once, then
// nothing), and each refusing a partnership code that does not exist.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { cliDatabase, runPooled, type CliDatabase } from './support/cli.ts';
import { createPartnership } from './support/factories.ts';
import {
  doc,
  makeBudgets,
  paItem,
  personWithApprovedPlan,
} from '../src/features/budgets/fixtures.int-support.ts';

let cli: CliDatabase;
let dir: string;
let code: string;
let card = '';

before(async () => {
  cli = await cliDatabase('moneycli');
  dir = cli.dir;
  await cli.setUp(async (db) => {
    const p = await createPartnership(db);
    code = p.code;
    const f = { partnershipId: p.id, teamId: p.teamId, trustId: p.trustId };
    const person = await personWithApprovedPlan(db, f, {
      familyName: 'Ayo',
      document: doc({
        startsOn: '2025-05-10',
        streams: [{ id: 'social-care', body: 'council', holding: 'direct_payment' }],
        items: [paItem('pa', 'social-care', 7_000)],
      }),
    });
    await makeBudgets(db, p.id, person);
    const account = await sql<{ reference: string }>`
    select reference from ledger_accounts where kind = 'holding_account' and partnership_id = ${p.id}`.execute(
      db.system,
    );
    card = account.rows[0]?.reference ?? '';
  });
});
after(() => cli.cleanup());

const pooled = (...args: string[]) => runPooled(cli.env, ...args);

test('import statements: good rows imported, bad rows listed by line with exit code 1, the same file again adds nothing', () => {
  assert.ok(card, 'the holding account has a reference');
  const file = join(dir, 'card.csv');
  writeFileSync(
    file,
    [
      'Transaction ID,Date,Card Number,Merchant,MCC,Amount',
      `CLI-1,12/06/2025,${card},Tesco Stores,5411,-12.50`,
      `CLI-2,31/06/2025,${card},Bad date,5411,-1.00`,
      `CLI-3,13/06/2025,${card},"Bus, city",4131,-3.20`,
      `CLI-4,14/06/2025,NO SUCH CARD,Shop,5411,-1.00`,
    ].join('\n'),
  );
  const args = ['import', 'statements', file, '--format', 'prepaid-card', '--partnership', code];
  const first = pooled(...args);
  assert.equal(first.code, 1, first.err);
  assert.match(first.out, /Line 3: Date: "31\/06\/2025" is not a date/);
  assert.match(first.out, /Line 5: Card Number: no direct payment account in Pooled/);
  assert.match(first.out, /2 new, 0 already imported, 2 bad/);
  const again = pooled(...args);
  assert.equal(again.code, 1, again.err);
  assert.match(again.out, /0 new, 2 already imported, 2 bad/);
});

test('monitoring run checks the partnership and says what it found', () => {
  const r = pooled('monitoring', 'run', '--partnership', code, '--date', '2025-08-01');
  assert.equal(r.code, 0, r.err);
  // One new flag: the bus fare of 13 June (transport, which the plan does not buy) is within the
  // 13 weeks before 1 August. The card's overspend (it was never paid, and £15.70 was spent)
  // was flagged when the statement was imported, and nothing about it is new.
  assert.equal(r.out, 'Monitoring checked 1 account: 1 new flag.\n');
});

test('budgets renew makes the next year once; run again it makes nothing', () => {
  const first = pooled('budgets', 'renew', '--partnership', code, '--year', '2026');
  assert.equal(first.code, 0, first.err);
  assert.match(first.out, /Made 1 budget(s)? for 1 (person|people) for 2026\/27\./);
  const again = pooled('budgets', 'renew', '--partnership', code, '--year', '2026');
  assert.equal(again.code, 0, again.err);
  assert.match(again.out, /Made 0 budgets for 0 people for 2026\/27\./);
});

test('each command refuses a partnership code that does not exist, with exit code 2', () => {
  const file = join(dir, 'empty.csv');
  writeFileSync(file, 'Transaction ID,Date,Card Number,Merchant,MCC,Amount\n');
  for (const args of [
    ['monitoring', 'run', '--partnership', 'NOPE'],
    ['monitoring', 'settings', '--partnership', 'NOPE'],
    ['budgets', 'renew', '--partnership', 'NOPE'],
    ['import', 'statements', file, '--format', 'prepaid-card', '--partnership', 'NOPE'],
  ]) {
    const r = pooled(...args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.err, /There is no partnership with code "NOPE"\./, args.join(' '));
  }
});

test('monitoring settings shows the checks, changes one and keeps the other, and refuses a bad number', () => {
  const shown = pooled('monitoring', 'settings', '--partnership', code);
  assert.equal(shown.code, 0, shown.err);
  assert.equal(
    shown.out,
    'Monitoring flags a balance above 8 weeks of payments and no spending for 12 weeks.\n',
  );
  const changed = pooled('monitoring', 'settings', '--partnership', code, '--balance-weeks', '6');
  assert.equal(changed.code, 0, changed.err);
  assert.match(changed.out, /above 6 weeks of payments and no spending for 12 weeks\./);
  const both = pooled('monitoring', 'settings', '--partnership', code, '--idle-weeks', '10');
  assert.equal(both.code, 0, both.err);
  assert.match(both.out, /above 6 weeks of payments and no spending for 10 weeks\./);
  const bad = pooled('monitoring', 'settings', '--partnership', code, '--balance-weeks', '53');
  assert.notEqual(bad.code, 0);
  assert.match(bad.err, /A whole number of weeks from 1 to 52/);
  // Kept, as a later command reads them.
  assert.match(
    pooled('monitoring', 'settings', '--partnership', code).out,
    /above 6 weeks of payments and no spending for 10 weeks\./,
  );
});
