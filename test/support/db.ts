// A fresh, migrated database for each test file: PGlite loaded from a dumped template, or on
// PostgreSQL a new database copied from this run's migrated template database.
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Db } from '../../src/platform/db/database.ts';
import { migrate } from '../../src/platform/db/migrations.ts';

export const TEMPLATE_FILE = process.env.POOLED_TEST_TEMPLATE_FILE ?? '.cache/test-template.tar.gz';
export const TEMPLATE_DB = process.env.POOLED_TEST_TEMPLATE_DB;

export function databaseUrlFor(base: string, name: string): string {
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function adminQuery(base: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: base });
  client.on('error', () => undefined); // the query below rejects with the same error
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** Opens a new database for one test file. Close it with db.close() (Postgres: also dropped). */
export async function freshDb(): Promise<Db> {
  const base = process.env.DATABASE_URL;
  if (!base) {
    let blob: Blob;
    try {
      blob = new Blob([readFileSync(TEMPLATE_FILE)]);
    } catch {
      // Running one file by hand without scripts/test.mjs: migrate from nothing (slower).
      const db = await openDatabase({});
      await migrate(db);
      return db;
    }
    return openDatabase({ loadDataDir: blob });
  }
  const name = `pooled_t_${process.pid}_${randomBytes(4).toString('hex')}`;
  if (TEMPLATE_DB) {
    await adminQuery(base, `create database ${name} template ${TEMPLATE_DB}`);
  } else {
    await adminQuery(base, `create database ${name}`);
  }
  let closing = false;
  const db = await openDatabase({
    databaseUrl: databaseUrlFor(base, name),
    poolSize: 5,
    // Dropping the database "with (force)" may end a connection the pool is still letting go of.
    onConnectionError: (error) => {
      if (!closing) throw error;
    },
  });
  if (!TEMPLATE_DB) await migrate(db);
  const close = db.close.bind(db);
  return {
    ...db,
    close: async () => {
      closing = true;
      await close();
      await adminQuery(base, `drop database if exists ${name} with (force)`);
    },
  };
}
