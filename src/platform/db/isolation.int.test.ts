// Row-level security: the application role sees only its partnership, and nothing without one.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { asAppRoleWithoutPartnership, inPartnership, type Db } from './database.ts';
import { freshDb } from '../../../test/support/db.ts';
import {
  createPartnership,
  createPerson,
  createUser,
  type TestPartnership,
} from '../../../test/support/factories.ts';

let db: Db;
let a: TestPartnership;
let b: TestPartnership;
before(async () => {
  db = await freshDb();
  a = await createPartnership(db, 'A');
  b = await createPartnership(db, 'B');
  await createPerson(db, a, { familyName: 'Ashdown' });
  await createPerson(db, b, { familyName: 'Birch' });
  await createUser(db, a, ['care_coordinator']);
  await createUser(db, b, ['care_coordinator']);
});
after(() => db.close());

const TABLES = [
  'people',
  'users',
  'teams',
  'organisations',
  'role_grants',
  'team_members',
  'audit_events',
  'consents',
] as const;

test('a query without partnership context sees no rows in any tenant table', async () => {
  for (const table of TABLES) {
    const rows = await asAppRoleWithoutPartnership(db, (tx) =>
      tx.selectFrom(table).selectAll().execute(),
    );
    assert.equal(rows.length, 0, table);
  }
});

test('each partnership sees only its own people', async () => {
  const seenByA = await inPartnership(db, a.id, (tx) =>
    tx.selectFrom('people').select('family_name').execute(),
  );
  const seenByB = await inPartnership(db, b.id, (tx) =>
    tx.selectFrom('people').select('family_name').execute(),
  );
  assert.deepEqual(
    seenByA.map((r) => r.family_name),
    ['Ashdown'],
  );
  assert.deepEqual(
    seenByB.map((r) => r.family_name),
    ['Birch'],
  );
});

test('writing a row into another partnership is refused by the database', async () => {
  await assert.rejects(
    inPartnership(db, a.id, (tx) =>
      tx
        .insertInto('people')
        .values({
          partnership_id: b.id,
          given_name: 'X',
          family_name: 'Y',
          date_of_birth: '1990-01-01',
        })
        .execute(),
    ),
    /row-level security/,
  );
  const moved = await inPartnership(db, a.id, (tx) =>
    tx
      .updateTable('people')
      .set({ family_name: 'Moved' })
      .where('partnership_id', '=', b.id)
      .executeTakeFirst(),
  );
  assert.equal(Number(moved.numUpdatedRows), 0);
});

test('the application role cannot switch row-level security off or drop a policy', async () => {
  await assert.rejects(
    inPartnership(db, a.id, (tx) => sql`alter table people disable row level security`.execute(tx)),
    /owner/,
  );
  await assert.rejects(
    inPartnership(db, a.id, (tx) => sql`drop policy partnership_isolation on people`.execute(tx)),
    /owner/,
  );
  const role = await inPartnership(db, a.id, (tx) =>
    sql<{ r: string }>`select current_user as r`.execute(tx),
  );
  assert.equal(role.rows[0]?.r, 'pooled_app');
});

test('audit events cannot be changed or deleted, even by the owner', async () => {
  await db.system
    .insertInto('audit_events')
    .values({ partnership_id: a.id, actor: 'test', action: 'read', record_type: 'person' })
    .execute();
  await assert.rejects(
    db.system.updateTable('audit_events').set({ actor: 'someone else' }).execute(),
    /append-only/,
  );
  await assert.rejects(db.system.deleteFrom('audit_events').execute(), /append-only/);
});
