// pooled monitoring run --partnership CODE [--date YYYY-MM-DD]: the daily job. Checks every
// direct payment account of the partnership and raises the flags that apply (idempotent: a
// second run the same day raises nothing new).
import { Command, InvalidArgumentError } from 'commander';
import type { Db } from '../../platform/db/database.js';
import { isCivilDate, todayInLondon, type CivilDate } from '../../platform/dates.js';
import { describeRun } from './after-import.js';
import { runMonitoring } from './service.js';

type WithDb = <T>(fn: (db: Db) => Promise<T>) => Promise<T>;

export function monitoringCommand(withDb: WithDb): Command {
  const command = new Command('monitoring').description(
    'Light-touch monitoring of direct payments',
  );
  command
    .command('run')
    .description(
      'Check every direct payment account and raise the flags that apply (the daily job)',
    )
    .requiredOption('--partnership <code>', 'the partnership')
    .option('--date <date>', 'the day to check as (default today in England)', (v) => {
      if (!isCivilDate(v)) throw new InvalidArgumentError('Not a date like 2026-04-01');
      return v;
    })
    .action(async (opts: { partnership: string; date?: CivilDate }) => {
      await withDb(async (db) => {
        const p = await db.system
          .selectFrom('partnerships')
          .select('id')
          .where('code', '=', opts.partnership)
          .executeTakeFirst();
        if (!p) {
          console.error(`There is no partnership with code "${opts.partnership}".`);
          process.exitCode = 2;
          return;
        }
        const run = await runMonitoring(db, p.id, opts.date ?? todayInLondon());
        console.log(describeRun(run));
      });
    });
  return command;
}
