// `pooled payments run`, run as a real process against a real database (PGlite, or PostgreSQL
// when DATABASE_URL is set): prepare and wait for approval; four eyes refused with exit code 2;
// approve, pay and write the file; nothing due the next time; unknown users refused.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliDatabase, runPooled, type CliDatabase } from './support/cli.ts';
import { createPartnership, createUser, type TestUser } from './support/factories.ts';
import {
  doc,
  makeBudgets,
  paItem,
  personWithApprovedPlan,
} from '../src/features/budgets/fixtures.int-support.ts';

let cli: CliDatabase;
let dir: string;
let code: string;
let fran: TestUser;
let bo: TestUser;
let coordinator: TestUser;

before(async () => {
  cli = await cliDatabase('paycli');
  dir = cli.dir;
  await cli.setUp(async (db) => {
    const p = await createPartnership(db);
    code = p.code;
    fran = await createUser(db, p, ['finance_officer']);
    bo = await createUser(db, p, ['finance_officer']);
    coordinator = await createUser(db, p, ['care_coordinator']);
    const f = { partnershipId: p.id, teamId: p.teamId, trustId: p.trustId };
    for (const [name, weekly] of [
      ['Ayo', 7_000],
      ['Bea', 3_500],
    ] as const)
      await makeBudgets(
        db,
        p.id,
        await personWithApprovedPlan(db, f, {
          familyName: name,
          document: doc({
            startsOn: '2025-05-10',
            streams: [
              { id: 'social-care', body: 'council', holding: 'direct_payment' },
              { id: 'nhs-phb', body: 'nhs', holding: 'direct_payment' },
            ],
            items: [paItem('pa', 'social-care', weekly), paItem('nhs-pa', 'nhs-phb', 1_400)],
          }),
        }),
      );
  });
});
after(() => cli.cleanup());

const pooled = (...args: string[]) => runPooled(cli.env, 'payments', 'run', ...args);

test('payments run: prepare, four eyes, approve and pay, write the file, then nothing due', () => {
  const common = ['--partnership', code, '--prepared-by', fran.email, '--due-by', '2025-05-31'];
  const prepared = pooled(...common);
  assert.equal(prepared.code, 0, prepared.err);
  // 10 May is in period 2 (29 April – 26 May): 17 days; period 3 starts 27 May. Two people,
  // two streams: 8 lines. Social care: £70 → £280 × 17/28 = £170 + £280; £35 → £85 + £140.
  // NHS: £14 a week → £56 × 17/28 = £34 + £56, twice.
  assert.match(prepared.out, /Prepared payment run/);
  assert.match(prepared.out, /8 payments, £855\.00 in all\./);
  assert.match(prepared.out, /Council: 4 payments, £675\.00/);
  assert.match(prepared.out, /NHS: 4 payments, £180\.00/);
  assert.match(prepared.out, /Waiting for approval/);

  const refused = pooled(...common, '--approve-as', fran.email);
  assert.equal(refused.code, 2);
  assert.match(refused.out, /Resuming payment run/);
  assert.match(refused.err, /different finance officer/);

  const out = join(dir, 'payments.csv');
  const paid = pooled(...common, '--approve-as', bo.email, '--out', out, '--batch-size', '3');
  assert.equal(paid.code, 0, paid.err);
  assert.match(paid.out, /Resuming payment run/);
  assert.match(paid.out, /Paid 8 lines in this run of the command; run posted\./);
  const rows = readFileSync(out, 'utf8').trimEnd().split('\r\n');
  assert.equal(rows[0], 'payee,account_reference,amount,reference');
  assert.deepEqual(
    rows
      .slice(1)
      .map((r) => r.split(',').slice(0, 3).join(','))
      .filter((r) => r.startsWith('Sam Ayo'))
      .map((r) => r.replace(/DP-[0-9A-F]{32}-/, 'DP-…-'))
      .sort(),
    [
      'Sam Ayo,DP-…-nhs-phb,34.00',
      'Sam Ayo,DP-…-nhs-phb,56.00',
      'Sam Ayo,DP-…-social-care,170.00',
      'Sam Ayo,DP-…-social-care,280.00',
    ],
  );

  const again = pooled(...common, '--approve-as', bo.email, '--out', out);
  assert.equal(again.code, 0, again.err);
  assert.match(again.out, /No payments are due/);
});

test('payments run refuses an unknown user or one who is not a finance officer', () => {
  const r = pooled('--partnership', code, '--prepared-by', 'nobody@example.test');
  assert.equal(r.code, 2);
  assert.match(r.err, /There is no user nobody@example\.test/);
  const c = pooled('--partnership', code, '--prepared-by', coordinator.email);
  assert.equal(c.code, 2);
  assert.match(c.err, /Only finance officers/);
});
