// The daily monitoring run, made by the web application itself (decision 0020): issue 5 asks for
// flags "computed on import and daily", and a daily job that needs an operator's cron entry is
// one that does not run on the day someone forgets. `pooled serve` checks every quarter of an
// hour whether each partnership has had today's run (today in England) and runs it if not. Any
// number of instances may do this at once: each claims a partnership's day by inserting its row
// in daily_runs (migration 0014), and only the one whose insert lands runs it. A run that failed,
// or that was started over an hour ago and never finished (its instance stopped part way), is
// claimed again at the next check. `pooled monitoring run` still runs it by hand.
import { sql } from 'kysely';
import { inPartnership, type Db } from '../../platform/db/database.js';
import { todayInLondon, type CivilDate } from '../../platform/dates.js';
import { runMonitoring, type MonitoringRun } from './service.js';

/** How often the application checks for a day's run due. */
export const DAILY_CHECK_MS = 15 * 60_000;
/** A run started this long ago and not finished is taken to have stopped with its instance. */
export const STALE_RUN_MINUTES = 60;

export interface DailyOutcome {
  partnershipId: string;
  /** This check ran the day's monitoring (false: it was run or running already). */
  ran: boolean;
  run?: MonitoringRun;
  error?: string;
}

/** Claims the day for this instance: true when it should run it. */
async function claim(db: Db, partnershipId: string, day: CivilDate): Promise<boolean> {
  return inPartnership(db, partnershipId, async (tx) => {
    const claimed = await sql<{ attempts: number }>`
      insert into daily_runs (job, partnership_id, day)
      values ('monitoring', ${partnershipId}, ${day})
      on conflict (job, partnership_id, day) do update
         set started_at = now(), error = null, attempts = daily_runs.attempts + 1
       where daily_runs.finished_at is null
         and (daily_runs.error is not null
              or daily_runs.started_at < now() - make_interval(mins => ${STALE_RUN_MINUTES}))
      returning attempts`.execute(tx);
    return claimed.rows.length === 1;
  });
}

async function finish(
  db: Db,
  partnershipId: string,
  day: CivilDate,
  done: { outcome: MonitoringRun } | { error: string },
): Promise<void> {
  await inPartnership(db, partnershipId, (tx) =>
    sql`update daily_runs
           set finished_at = ${'outcome' in done ? sql`now()` : null},
               outcome = ${'outcome' in done ? JSON.stringify(done.outcome) : null}::jsonb,
               error = ${'error' in done ? done.error : null}
         where job = 'monitoring' and partnership_id = ${partnershipId} and day = ${day}`.execute(
      tx,
    ),
  );
}

/** Runs today's monitoring for every partnership that has not had it. */
export async function runDailyMonitoring(db: Db, now: () => Date): Promise<DailyOutcome[]> {
  const day = todayInLondon(now());
  const partnerships = await db.system
    .selectFrom('partnerships')
    .select('id')
    .orderBy('id')
    .execute();
  const outcomes: DailyOutcome[] = [];
  for (const { id } of partnerships) {
    if (!(await claim(db, id, day))) {
      outcomes.push({ partnershipId: id, ran: false });
      continue;
    }
    try {
      const run = await runMonitoring(db, id, day);
      await finish(db, id, day, { outcome: run });
      outcomes.push({ partnershipId: id, ran: true, run });
    } catch (e) {
      const error = (e as Error).message;
      await finish(db, id, day, { error });
      outcomes.push({ partnershipId: id, ran: true, error });
    }
  }
  return outcomes;
}

/** When all of a partnership's accounts were last checked by a finished daily run, if ever. */
export async function lastDailyRun(
  db: Db,
  partnershipId: string,
): Promise<{ day: CivilDate; finishedAt: Date; outcome: MonitoringRun } | null> {
  const row = await inPartnership(
    db,
    partnershipId,
    async (tx) =>
      (
        await sql<{ day: CivilDate; finished_at: Date; outcome: MonitoringRun }>`
        select to_char(day, 'YYYY-MM-DD') as day, finished_at, outcome from daily_runs
         where job = 'monitoring' and partnership_id = ${partnershipId}
           and finished_at is not null
         order by day desc limit 1`.execute(tx)
      ).rows[0],
  );
  return row ? { day: row.day, finishedAt: row.finished_at, outcome: row.outcome } : null;
}

export interface DailyJobs {
  /** Stops checking, after waiting for a check under way. */
  stop(): Promise<void>;
}

/**
 * Checks soon after start, then every `everyMs`. A check that fails is logged and tried again at
 * the next one; the timer never keeps the process alive on its own.
 */
export function startDailyJobs(options: {
  db: Db;
  now: () => Date;
  log: (message: string, error?: unknown) => void;
  firstAfterMs?: number;
  everyMs?: number;
}): DailyJobs {
  const { db, now, log } = options;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const check = () => {
    running = runDailyMonitoring(db, now)
      .then((outcomes) => {
        for (const o of outcomes)
          if (o.error) log(`Daily monitoring failed for partnership ${o.partnershipId}`, o.error);
          else if (o.ran && o.run)
            log(
              `Daily monitoring for partnership ${o.partnershipId}: accounts checked ${String(o.run.accounts)}, flags raised ${String(o.run.raised)}`,
            );
      })
      .catch((e: unknown) => log('The daily monitoring check failed', e))
      .finally(() => {
        if (!stopped) schedule(options.everyMs ?? DAILY_CHECK_MS);
      });
  };
  const schedule = (ms: number) => {
    timer = setTimeout(check, ms);
    timer.unref();
  };
  schedule(options.firstAfterMs ?? 5_000);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
