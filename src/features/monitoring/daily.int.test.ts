// The daily monitoring run the application makes itself (decision 0020): once a day for each
// partnership however many instances check, again the next day, again after a failure or an
// instance that stopped part way (but not while another is running it), and told on the finance
// queue page.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { inPartnership } from '../../platform/db/database.ts';
import { startTestApp, type TestApp } from '../../../test/support/app.ts';
import { createPartnership, type TestPartnership } from '../../../test/support/factories.ts';
import { todayInLondon } from '../../platform/dates.ts';
import { paidCardHolder, signedInFinanceOfficer } from './fixtures.int-support.ts';
import { runDailyMonitoring, startDailyJobs } from './daily.ts';

let t: TestApp;
let a: TestPartnership;
let b: TestPartnership;
const DAY = 86_400_000;
// Noon in London on days of our choosing (the runs are keyed by the day in England).
const noon = (day: string) => new Date(`${day}T12:00:00Z`);

before(async () => {
  t = await startTestApp();
  a = await createPartnership(t.db, 'Daily A');
  b = await createPartnership(t.db, 'Daily B');
  await paidCardHolder(t.db, a, { givenName: 'Ada', familyName: 'Daily' }, 'CARD-D1');
  await paidCardHolder(t.db, b, { givenName: 'Bo', familyName: 'Daily' }, 'CARD-D2');
});
after(() => t.close());

const ours = <T extends { partnershipId: string }>(outcomes: T[]) =>
  outcomes.filter((o) => o.partnershipId === a.id || o.partnershipId === b.id);

async function runsOf(partnershipId: string) {
  return inPartnership(
    t.db,
    partnershipId,
    async (tx) =>
      (
        await sql<{
          day: string;
          attempts: number;
          finished: boolean;
          error: string | null;
          accounts: number | null;
        }>`select to_char(day, 'YYYY-MM-DD') as day, attempts, finished_at is not null as finished,
                error, (outcome->>'accounts')::int as accounts
           from daily_runs where partnership_id = ${partnershipId} order by day`.execute(tx)
      ).rows,
  );
}

test('once a day for each partnership, however many checks there are, and again the next day', async () => {
  const first = ours(await runDailyMonitoring(t.db, () => noon('2026-03-02')));
  assert.deepEqual(
    first.map((o) => o.ran),
    [true, true],
  );
  assert.ok(first.every((o) => o.run?.accounts === 1));
  const again = ours(await runDailyMonitoring(t.db, () => noon('2026-03-02')));
  assert.deepEqual(
    again.map((o) => o.ran),
    [false, false],
  );

  // Two checks at once on a new day (two instances): each partnership's day is run by one.
  const both = await Promise.all([
    runDailyMonitoring(t.db, () => noon('2026-03-03')),
    runDailyMonitoring(t.db, () => noon('2026-03-03')),
  ]);
  for (const p of [a, b])
    assert.equal(
      both.flat().filter((o) => o.partnershipId === p.id && o.ran).length,
      1,
      'run once by one of the two',
    );
  assert.deepEqual(await runsOf(a.id), [
    { day: '2026-03-02', attempts: 1, finished: true, error: null, accounts: 1 },
    { day: '2026-03-03', attempts: 1, finished: true, error: null, accounts: 1 },
  ]);
});

test('a failed run, or one whose instance stopped over an hour ago, is run again; one under way is left alone', async () => {
  const day = '2026-05-11';
  await inPartnership(t.db, a.id, (tx) =>
    sql`insert into daily_runs (job, partnership_id, day, error)
        values ('monitoring', ${a.id}, ${day}, 'the database went away')`.execute(tx),
  );
  await inPartnership(t.db, b.id, (tx) =>
    sql`insert into daily_runs (job, partnership_id, day, started_at)
        values ('monitoring', ${b.id}, ${day}, now() - interval '10 minutes')`.execute(tx),
  );
  const outcomes = ours(await runDailyMonitoring(t.db, () => noon(day)));
  assert.deepEqual(
    outcomes.map((o) => [o.partnershipId === a.id ? 'a' : 'b', o.ran]),
    [a.id < b.id ? ['a', true] : ['b', false], a.id < b.id ? ['b', false] : ['a', true]],
  );
  assert.deepEqual((await runsOf(a.id)).at(-1), {
    day,
    attempts: 2,
    finished: true,
    error: null,
    accounts: 1,
  });
  assert.equal((await runsOf(b.id)).at(-1)?.finished, false, 'left to the instance running it');

  // An hour on, b's run is taken to have stopped with its instance, and is run again.
  await inPartnership(t.db, b.id, (tx) =>
    sql`update daily_runs set started_at = now() - interval '61 minutes'
         where partnership_id = ${b.id} and day = ${day}`.execute(tx),
  );
  const later = ours(await runDailyMonitoring(t.db, () => noon(day)));
  assert.equal(later.find((o) => o.partnershipId === b.id)?.ran, true);
  assert.equal(later.find((o) => o.partnershipId === a.id)?.ran, false);
  assert.deepEqual((await runsOf(b.id)).at(-1), {
    day,
    attempts: 2,
    finished: true,
    error: null,
    accounts: 1,
  });
});

test('the application checks on its own, soon after it starts, and stops when told', async () => {
  const day = todayInLondon(new Date(Date.now() + 40 * DAY));
  const logged: string[] = [];
  let clockReads = 0; // each check reads the clock
  const jobs = startDailyJobs({
    db: t.db,
    now: () => {
      clockReads += 1;
      return noon(day);
    },
    log: (m) => logged.push(m),
    firstAfterMs: 0,
    everyMs: 20,
  });
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  for (let i = 0; i < 200 && (await runsOf(a.id)).every((r) => r.day !== day); i++) await sleep(50);
  // Checking every 20 ms: it goes on checking until it is stopped, and not after.
  const seen = clockReads;
  for (let i = 0; i < 100 && clockReads === seen; i++) await sleep(20);
  assert.ok(clockReads > seen, 'it checks again');
  await jobs.stop();
  const atStop = clockReads;
  await sleep(300);
  assert.equal(clockReads, atStop, 'no check after it was stopped');
  assert.equal((await runsOf(a.id)).filter((r) => r.day === day && r.finished).length, 1);
  assert.ok(
    logged.some((m) =>
      m.startsWith(`Daily monitoring for partnership ${a.id}: accounts checked 1,`),
    ),
    logged.join('\n'),
  );
});

test('the finance queue says when every account was last checked', async () => {
  const fresh = await createPartnership(t.db, 'Daily C');
  const finance = await signedInFinanceOfficer(t, fresh);
  assert.match(
    (await finance.get('/finance/monitoring')).text,
    /The daily check has not run yet\./,
  );
  await runDailyMonitoring(t.db, () => new Date());
  assert.match(
    (await finance.get('/finance/monitoring')).text,
    /Every account was last checked on \d{1,2} [A-Z][a-z]+ \d{4} at \d{2}:\d{2} \(0 accounts\)\./,
  );
});
