// pooled monitoring run --partnership CODE [--date YYYY-MM-DD]: the daily job. Checks every
// direct payment account of the partnership and raises the flags that apply (idempotent: a
// second run the same day raises nothing new).
import { Command, InvalidArgumentError } from 'commander';
import { inPartnership } from '../../platform/db/database.js';
import { partnershipIdForCommand, type WithDb } from '../../platform/db/cli-support.js';
import { isCivilDate, todayInLondon, type CivilDate } from '../../platform/dates.js';
import { describeRun } from './after-import.js';
import { runMonitoring } from './service.js';
import { settingsOf, writeSettings } from './settings.js';

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
        const partnershipId = await partnershipIdForCommand(db, opts.partnership);
        if (partnershipId === null) return;
        const run = await runMonitoring(db, partnershipId, opts.date ?? todayInLondon());
        console.log(describeRun(run));
      });
    });
  command
    .command('settings')
    .description("Show or change a partnership's monitoring thresholds")
    .requiredOption('--partnership <code>', 'the partnership')
    .option('--balance-weeks <n>', 'flag a balance above this many weeks of payments (1-52)', weeks)
    // Not --no-activity-weeks: commander reads an option that starts with --no- as turning an
    // option off, so that name set `activityWeeks` and the change was silently ignored.
    .option('--idle-weeks <n>', 'flag money and no spending for this many weeks (1-52)', weeks)
    .action(async (opts: { partnership: string; balanceWeeks?: number; idleWeeks?: number }) => {
      await withDb(async (db) => {
        const partnershipId = await partnershipIdForCommand(db, opts.partnership);
        if (partnershipId === null) return;
        const s = await inPartnership(db, partnershipId, async (tx) => {
          const current = await settingsOf(tx, partnershipId);
          if (opts.balanceWeeks === undefined && opts.idleWeeks === undefined) return current;
          const next = {
            balanceWeeks: opts.balanceWeeks ?? current.balanceWeeks,
            noActivityWeeks: opts.idleWeeks ?? current.noActivityWeeks,
          };
          await writeSettings(tx, partnershipId, next, null);
          return next;
        });
        console.log(
          `Monitoring flags a balance above ${String(s.balanceWeeks)} weeks of payments and no spending for ${String(s.noActivityWeeks)} weeks.`,
        );
      });
    });
  return command;
}

function weeks(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 52)
    throw new InvalidArgumentError('A whole number of weeks from 1 to 52');
  return n;
}
