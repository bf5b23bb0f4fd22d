// Small things the `pooled` commands share: how a feature's command is given a database, and
// finding the partnership a command names by its code.
import type { Db } from './database.js';

/** Runs fn with an open database and closes it after (the CLI makes one per command). */
export type WithDb = <T>(fn: (db: Db) => Promise<T>) => Promise<T>;

/**
 * The id of the partnership with this code. When there is none, says so on stderr, sets the
 * exit code 2 and returns null: the command then stops.
 */
export async function partnershipIdForCommand(db: Db, code: string): Promise<string | null> {
  const p = await db.system
    .selectFrom('partnerships')
    .select('id')
    .where('code', '=', code)
    .executeTakeFirst();
  if (p) return p.id;
  console.error(`There is no partnership with code "${code}".`);
  process.exitCode = 2;
  return null;
}
