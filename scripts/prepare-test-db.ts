// Used by scripts/test.mjs: build the migrated template database for a test run, or drop it.
import { writeFileSync } from 'node:fs';
import { openDatabase } from '../src/platform/db/database.ts';
import { migrate } from '../src/platform/db/migrations.ts';
import { adminQuery, databaseUrlFor } from '../test/support/db.ts';

const [mode, target] = process.argv.slice(2);
if (!target) throw new Error('usage: prepare-test-db pglite FILE | postgres NAME | drop NAME');
const base = process.env.DATABASE_URL;

if (mode === 'pglite') {
  const db = await openDatabase({});
  await migrate(db);
  const dump = await db.dumpDataDir!();
  writeFileSync(target, Buffer.from(await dump.arrayBuffer()));
  await db.close();
} else if (mode === 'postgres') {
  if (!base) throw new Error('DATABASE_URL is not set');
  await adminQuery(base, `drop database if exists ${target} with (force)`);
  await adminQuery(base, `create database ${target}`);
  const db = await openDatabase({ databaseUrl: databaseUrlFor(base, target), poolSize: 1 });
  await migrate(db);
  await db.close();
} else if (mode === 'drop') {
  if (base) await adminQuery(base, `drop database if exists ${target} with (force)`);
}
