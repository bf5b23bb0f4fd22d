// The generator: right counts, deterministic names, valid and unique NHS numbers, loadable twice.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from '../../platform/db/database.ts';
import { isValidNhsNumber } from '../../platform/nhs-number.ts';
import { freshDb } from '../../../test/support/db.ts';
import { GenerateError, generatePartnership, type GenerateResult } from './generate.ts';
import { plan } from './rules.ts';

let db: Db;
let first: GenerateResult;
let second: GenerateResult;
before(async () => {
  db = await freshDb();
  first = await generatePartnership(db, { people: 500, seed: 42, partnershipCode: 'gen-a' });
  second = await generatePartnership(db, { people: 500, seed: 42, partnershipCode: 'gen-b' });
});
after(() => db.close());

const count = async (
  table: 'people' | 'users' | 'teams' | 'consents' | 'care_team_members',
  partnershipId: string,
) =>
  Number(
    (
      await db.system
        .selectFrom(table)
        .select((eb) => eb.fn.countAll().as('n'))
        .where('partnership_id', '=', partnershipId)
        .executeTakeFirstOrThrow()
    ).n,
  );

test('generate makes the people, teams, coordinators and care teams asked for', async () => {
  const { teams, coordinators } = plan(500);
  assert.equal(await count('people', first.partnershipId), 500);
  assert.equal(await count('teams', first.partnershipId), teams);
  assert.equal(await count('users', first.partnershipId), coordinators + teams);
  assert.equal(await count('care_team_members', first.partnershipId), 500);
  const consents = await count('consents', first.partnershipId);
  assert.ok(consents > 350 && consents < 500, `most people consent (got ${String(consents)})`);
  const grants = await db.system
    .selectFrom('role_grants')
    .select(['role', (eb) => eb.fn.countAll().as('n')])
    .where('partnership_id', '=', first.partnershipId)
    .groupBy('role')
    .orderBy('role')
    .execute();
  assert.deepEqual(
    grants.map((g) => [g.role, Number(g.n)]),
    [
      ['care_coordinator', coordinators],
      ['team_manager', teams],
    ],
  );
  const unassigned = await db.system
    .selectFrom('people')
    .select('id')
    .where('partnership_id', '=', first.partnershipId)
    .where((eb) => eb.or([eb('care_coordinator_id', 'is', null), eb('team_id', 'is', null)]))
    .execute();
  assert.equal(unassigned.length, 0, 'everyone has a coordinator and a team');
});

test('the same seed gives the same people', async () => {
  const names = (partnershipId: string) =>
    db.system
      .selectFrom('people')
      .select(['external_id', 'given_name', 'family_name', 'date_of_birth', 'nhs_number'])
      .where('partnership_id', '=', partnershipId)
      .orderBy('external_id')
      .execute();
  const a = await names(first.partnershipId);
  const b = await names(second.partnershipId);
  assert.equal(a.length, 500);
  assert.deepEqual(a, b);
  assert.ok(new Set(a.map((p) => p.family_name)).size > 50, 'family names vary');
});

test('NHS numbers are all valid and unique', async () => {
  const rows = await db.system
    .selectFrom('people')
    .select('nhs_number')
    .where('partnership_id', '=', first.partnershipId)
    .where('nhs_number', 'is not', null)
    .execute();
  assert.ok(rows.length > 450);
  for (const r of rows) assert.ok(isValidNhsNumber(r.nhs_number ?? ''), String(r.nhs_number));
  assert.equal(new Set(rows.map((r) => r.nhs_number)).size, rows.length);
});

test('a partnership code that is taken is refused and nothing is added', async () => {
  await assert.rejects(
    generatePartnership(db, { people: 10, seed: 1, partnershipCode: 'gen-a' }),
    GenerateError,
  );
  assert.equal(await count('people', first.partnershipId), 500);
});
