// Migrations: applied once, in order, and safe when two nodes start at the same moment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { freshDb } from '../../../test/support/db.ts';
import { listMigrations, migrate, MIGRATIONS_DIR } from './migrations.ts';

test('a migrated database is up to date; migrating again applies nothing', async () => {
  const db = await freshDb();
  try {
    assert.deepEqual(await migrate(db), []);
    const rows = await sql<{
      name: string;
    }>`select name from schema_migrations order by name`.execute(db.system);
    assert.deepEqual(
      rows.rows.map((r) => r.name),
      listMigrations(),
    );
  } finally {
    await db.close();
  }
});

test('two migrators started at once apply a new migration exactly once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pooled-migrations-'));
  cpSync(MIGRATIONS_DIR, dir, { recursive: true });
  writeFileSync(
    join(dir, '9999_create_migration_probe.sql'),
    'create table migration_probe (id int); insert into migration_probe values (1);',
  );
  const db = await freshDb();
  try {
    const results = await Promise.all([migrate(db, dir), migrate(db, dir)]);
    assert.deepEqual(results.flat(), ['9999_create_migration_probe.sql']);
    const probe = await sql<{ n: number }>`select count(*)::int as n from migration_probe`.execute(
      db.system,
    );
    assert.equal(probe.rows[0]?.n, 1);
  } finally {
    await db.close();
  }
});

test('a failing migration rolls back whole and is not recorded', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pooled-migrations-'));
  cpSync(MIGRATIONS_DIR, dir, { recursive: true });
  writeFileSync(
    join(dir, '9998_create_half_done.sql'),
    'create table half_done (id int); select no_such_function();',
  );
  const db = await freshDb();
  try {
    await assert.rejects(migrate(db, dir), /9998_create_half_done.sql failed/);
    const exists = await sql<{
      t: string | null;
    }>`select to_regclass('half_done')::text as t`.execute(db.system);
    assert.equal(exists.rows[0]?.t, null);
    const recorded = await sql<{
      n: number;
    }>`select count(*)::int as n from schema_migrations where name like '9998%'`.execute(db.system);
    assert.equal(recorded.rows[0]?.n, 0);
  } finally {
    await db.close();
  }
});
