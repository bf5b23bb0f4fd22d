// bench payment-run: a payment run for N people (default 100,000) on PostgreSQL, each with one
// direct-payment line due, through the same code as `pooled payments run`: prepare (reserve the
// due lines), preview (figures by funding body and the first page), approval by a second finance
// officer, posting to the ledger in batches (one ledger transaction per line, idempotency key
// payment-line:<id>), then the payment file. Target: the whole run under 60 s.
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench -- payment-run
//   [--people N] [--batch N]
// The people, budgets, ledger accounts and schedule lines are made in bulk with SQL (not timed):
// the benchmark is the run, not the set-up.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { sql } from 'kysely';
import { openDatabase } from '../src/platform/db/database.ts';
import { migrate } from '../src/platform/db/migrations.ts';
import { runPayments } from '../src/features/budgets/cli.ts';
import { DEFAULT_BATCH_SIZE } from '../src/features/budgets/payments.ts';
import { createDatabase, dropDatabase, fmt, numberArg, requireDatabaseUrl } from './support.ts';

const base = requireDatabaseUrl('payment-run');
const people = numberArg('people', 100_000);
const batchSize = numberArg('batch', DEFAULT_BATCH_SIZE);
const TARGET_SECONDS = 60;
const dbName = `pooled_bench_payrun_${String(process.pid)}`;

const url = await createDatabase(base, dbName);
const db = await openDatabase({ databaseUrl: url, poolSize: 4 });
const dir = mkdtempSync(join(tmpdir(), 'pooled-payrun-'));
try {
  await migrate(db);
  const setupStart = performance.now();
  const code = 'bench-pay';
  await sql`
    with p as (insert into partnerships (code, name) values (${code}, 'Payment run bench') returning id),
    o as (insert into organisations (partnership_id, kind, name)
            select id, 'council', 'Bench Council' from p returning id, partnership_id),
    t as (insert into teams (partnership_id, organisation_id, name)
            select partnership_id, id, 'Bench team' from o returning id)
    select 1`.execute(db.system);
  const ids = await sql<{ p: string; o: string; t: string }>`
    select p.id as p, o.id as o, t.id as t from partnerships p
      join organisations o on o.partnership_id = p.id join teams t on t.partnership_id = p.id
     where p.code = ${code}`.execute(db.system);
  const { p, o, t } = ids.rows[0]!;
  for (const [email, name] of [
    ['prepares@bench.test', 'Fran Finance'],
    ['approves@bench.test', 'Bo Books'],
  ] as const) {
    await sql`
      with u as (insert into users (partnership_id, organisation_id, email, full_name, password_hash,
                                    must_change_password)
                 values (${p}::uuid, ${o}::uuid, ${email}, ${name}, 'not-a-hash', false) returning id)
      insert into role_grants (partnership_id, user_id, role)
        select ${p}::uuid, id, 'finance_officer' from u`.execute(db.system);
  }
  const doc = JSON.stringify({
    startsOn: '2026-04-01',
    streams: [
      {
        id: 'social-care',
        name: 'Council social care',
        body: 'council',
        holding: 'direct_payment',
        managedBy: 'person',
      },
    ],
    items: [],
  });
  // People, approved plans, budgets with their ledger accounts, and one line due each.
  await sql`
    create temporary table bench_people as
      select gen_random_uuid() as person_id, gen_random_uuid() as plan_id,
             gen_random_uuid() as budget_id, gen_random_uuid() as line_id,
             gen_random_uuid() as budget_acc, gen_random_uuid() as holding_acc, n
        from generate_series(1, ${people}::int) as n`.execute(db.system);
  await sql`
    insert into people (id, partnership_id, given_name, family_name, date_of_birth, team_id,
                        lead_organisation_id)
      select person_id, ${p}::uuid, 'Sam', 'Person' || n, date '1980-01-01', ${t}::uuid, ${o}::uuid
        from bench_people`.execute(db.system);
  await sql`
    insert into support_plans (id, partnership_id, person_id, sequence, status, document,
                               submitted_at, approved_on, approved_at)
      select plan_id, ${p}::uuid, person_id, 1, 'approved', ${doc}::jsonb, now(),
             date '2026-04-01', now()
        from bench_people`.execute(db.system);
  await sql`
    insert into ledger_accounts (id, partnership_id, key, kind, funding_body, person_id,
                                 budget_id, name, reference)
      select budget_acc, ${p}::uuid, 'budget:' || budget_id, 'person_budget', 'council',
             person_id, budget_id, 'Budget ' || n, null from bench_people
      union all
      select holding_acc, ${p}::uuid, 'holding:' || person_id || ':social-care',
             'holding_account', 'council', person_id, null, 'Direct payment ' || n,
             'DP-' || n from bench_people`.execute(db.system);
  await sql`
    insert into budgets (id, partnership_id, person_id, plan_id, stream_id, stream_name,
                         funding_body, holding, financial_year, starts_on, amount_pence,
                         ledger_account_id, holding_account_id, payee_name, payee_reference)
      select budget_id, ${p}::uuid, person_id, plan_id, 'social-care', 'Council social care',
             'council', 'direct_payment', 2026, date '2026-04-01', 364000 + n,
             budget_acc, holding_acc, 'Sam Person' || n, 'DP-' || n
        from bench_people`.execute(db.system);
  await sql`
    insert into payment_schedule_lines (id, partnership_id, budget_id, person_id, kind,
                                        period_no, due_on, amount_pence, description, reference)
      select line_id, ${p}::uuid, budget_id, person_id, 'periodic', 1, date '2026-04-01',
             28000 + n % 1000, 'Council social care: period 1 (28 days)',
             'PB' || upper(substr(replace(line_id::text, '-', ''), 1, 16))
        from bench_people`.execute(db.system);
  await sql`analyze`.execute(db.system);
  const setupSeconds = (performance.now() - setupStart) / 1000;
  console.log(`Set up ${fmt(people)} people with a line due each in ${fmt(setupSeconds, 1)} s.`);

  const out = join(dir, 'payments.csv');
  const marks: [string, number][] = [];
  const start = performance.now();
  let last = start;
  const run = await runPayments(db, {
    partnership: code,
    preparedBy: 'prepares@bench.test',
    approveAs: 'approves@bench.test',
    dueBy: '2026-04-01' as never,
    out,
    batchSize,
    print: (line) => {
      const now = performance.now();
      const stage = line.startsWith('Posted ') ? null : line;
      if (stage) {
        marks.push([stage, (now - last) / 1000]);
        last = now;
      }
    },
  });
  const seconds = (performance.now() - start) / 1000;
  const file = readFileSync(out, 'utf8');
  const rows = file.trimEnd().split('\r\n').length - 1;
  const paid = await sql<{ n: number }>`
    select count(*)::int as n from ledger_transactions where kind = 'payment'`.execute(db.system);
  console.log(
    `CPU: ${cpus().length} × ${cpus()[0]?.model ?? '?'}; load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  for (const [stage, s] of marks) console.log(`  ${fmt(s, 2).padStart(7)} s  until: ${stage}`);
  console.log(
    `Payment run for ${fmt(people)} people: ${fmt(seconds, 1)} s end to end ` +
      `(${fmt(paid.rows[0]?.n ?? 0)} payments posted, ${fmt(rows)} file rows, batches of ${fmt(batchSize)}, ` +
      `run ${run?.status ?? 'missing'}). Target under ${String(TARGET_SECONDS)} s: ` +
      `${seconds < TARGET_SECONDS ? 'met' : 'NOT met'}.`,
  );
  if (rows !== people || (paid.rows[0]?.n ?? 0) !== people) {
    console.error('Not every person was paid exactly once.');
    process.exitCode = 1;
  }
} finally {
  await db.close();
  await dropDatabase(base, dbName);
  rmSync(dir, { recursive: true, force: true });
}
