// Forward-only SQL migrations from migrations/NNNN_verb_words.sql, applied in name order,
// each in its own transaction, under a session advisory lock so two starting nodes never race.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Db } from './database.js';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../../migrations/', import.meta.url));

/** NNNN_verb_words.sql: four digits, a verb, lower-case words. */
export const MIGRATION_NAME =
  /^\d{4}_(create|add|alter|drop|rename|backfill|enable|extend|index)_[a-z0-9_]+\.sql$/;

const LOCK_KEY = 4_242_117; // arbitrary, fixed: "pooled migrations"

export function listMigrations(dir = MIGRATIONS_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort();
}

export function checkMigrationNames(names: readonly string[]): string[] {
  const problems: string[] = [];
  const numbers = new Set<string>();
  for (const name of names) {
    if (!MIGRATION_NAME.test(name)) problems.push(`${name}: must look like 0001_create_things.sql`);
    const number = name.slice(0, 4);
    if (numbers.has(number)) problems.push(`${name}: number ${number} is used twice`);
    numbers.add(number);
  }
  return problems;
}

export async function migrate(db: Db, dir = MIGRATIONS_DIR): Promise<string[]> {
  const names = listMigrations(dir);
  const problems = checkMigrationNames(names);
  if (problems.length > 0) throw new Error(`Bad migration names:\n${problems.join('\n')}`);
  return db.withClient(async (client) => {
    await client.query('select pg_advisory_lock($1)', [LOCK_KEY]);
    try {
      await client.exec(
        `create table if not exists schema_migrations (name text primary key, applied_at timestamptz not null default now())`,
      );
      const done = new Set(
        (await client.query<{ name: string }>('select name from schema_migrations')).map(
          (r) => r.name,
        ),
      );
      const applied: string[] = [];
      for (const name of names) {
        if (done.has(name)) continue;
        const script = readFileSync(`${dir}/${name}`, 'utf8');
        await client.exec('begin');
        try {
          await client.exec(script);
          await client.query('insert into schema_migrations (name) values ($1)', [name]);
          await client.exec('commit');
        } catch (error) {
          await client.exec('rollback');
          throw new Error(`Migration ${name} failed: ${(error as Error).message}`, {
            cause: error,
          });
        }
        applied.push(name);
      }
      return applied;
    } finally {
      await client.query('select pg_advisory_unlock($1)', [LOCK_KEY]);
    }
  });
}
