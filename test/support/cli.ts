// For tests that run `pooled` as a real process: a database of the test file's own (a fresh
// PostgreSQL database when DATABASE_URL is set, else a PGlite data folder), and running the
// command against it.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../src/platform/db/database.ts';
import { migrate } from '../../src/platform/db/migrations.ts';
import { adminQuery, databaseUrlFor } from './db.ts';

export interface CliDatabase {
  /** The environment that points `pooled` at the database. */
  env: Record<string, string>;
  /** A folder for the test's files, removed by cleanup. */
  dir: string;
  /** The database, opened in this process; close it before running a command (PGlite allows one process at a time). */
  open(): Promise<Db>;
  /**
   * The test's set-up, written directly: the database opened and migrated, `fn` run, and the
   * database closed again so the commands can open it (PGlite: one process at a time).
   */
  setUp<T>(fn: (db: Db) => Promise<T>): Promise<T>;
  cleanup(): Promise<void>;
}

export async function cliDatabase(prefix: string): Promise<CliDatabase> {
  const dir = mkdtempSync(join(tmpdir(), `pooled-${prefix}-`));
  const base = process.env.DATABASE_URL;
  let env: Record<string, string>;
  let drop = () => Promise.resolve();
  if (base) {
    const name = `pooled_${prefix}_${randomBytes(4).toString('hex')}`;
    await adminQuery(base, `create database ${name}`);
    env = { DATABASE_URL: databaseUrlFor(base, name) };
    drop = () => adminQuery(base, `drop database if exists ${name} with (force)`);
  } else env = { DATA_DIR: join(dir, 'data') };
  const open = () =>
    openDatabase(
      env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL, poolSize: 1 } : { dataDir: env.DATA_DIR },
    );
  return {
    env,
    dir,
    open,
    setUp: async (fn) => {
      const db = await open();
      try {
        await migrate(db);
        return await fn(db);
      } finally {
        await db.close();
      }
    },
    cleanup: async () => {
      await drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs `pooled ARGS` with the database's environment: its exit code, stdout and stderr. */
export function runPooled(
  env: Record<string, string>,
  ...args: string[]
): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, ['bin/pooled.mjs', ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'silent', ...env },
    timeout: 120_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
