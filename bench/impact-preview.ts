// bench impact-preview: the impact preview of a new RAS version over every current allocation of
// a generated partnership (default 1,000,000 people, each with a completed assessment and an
// allocation, 5% reassessed) on PostgreSQL, in one run:
//   (a) previewImpact end to end: batched reads under row-level security, recalculation, sums;
//   (r) reading the same current allocations alone, no calculation;
//   (b) the pure calculation alone: calculateIndicativeBudget over the same answers in memory;
//   (c) a plain loop that sums the same points, with no checks, limits or funding streams.
// Target: (a) under 30 s.
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench -- impact-preview
//   [--people N] [--batch N] [--runs 2] [--database NAME: use (and keep) this database,
//   generating only if it has no generated partnership]
import { cpus, loadavg, totalmem } from 'node:os';
import { openDatabase } from '../src/platform/db/database.ts';
import { migrate } from '../src/platform/db/migrations.ts';
import {
  calculateIndicativeBudget,
  DEMO_RAS,
  rasVersionSchema,
  type RasAnswers,
} from '../src/features/allocation/index.ts';
import {
  currentAllocationBatches,
  DEFAULT_PREVIEW_BATCH_SIZE,
  previewImpact,
} from '../src/features/allocation/preview.ts';
import {
  admin,
  arg,
  createDatabase,
  databaseUrlFor,
  dropDatabase,
  fmt,
  numberArg,
  runGenerate,
} from './support.ts';

const base = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const people = numberArg('people', 1_000_000);
const batchSize = numberArg('batch', DEFAULT_PREVIEW_BATCH_SIZE);
const runs = numberArg('runs', 2);
const kept = arg('database', '');
const dbName = kept || `pooled_bench_impact_${String(process.pid)}`;
const code = 'bench';
const TARGET_SECONDS = 30;

/** The candidate: the demo RAS at £375 a point instead of £350. */
const current = rasVersionSchema.parse(DEMO_RAS);
const candidate = rasVersionSchema.parse({
  ...DEMO_RAS,
  id: 'bench-candidate',
  name: 'Benchmark candidate: £375 a point',
  pricing: { kind: 'pricePerPoint', pencePerPoint: 37_500 },
});

async function ensureData(url: string): Promise<void> {
  const db = await openDatabase({ databaseUrl: url, poolSize: 1 });
  let found = false;
  try {
    const tables = await db.withClient((c) =>
      c.query("select 1 from pg_tables where tablename = 'allocations'"),
    );
    if (tables.length)
      found =
        (
          await db.withClient((c) =>
            c.query(
              `select 1 from partnerships p where p.code = $1
                 and exists (select 1 from allocations a where a.partnership_id = p.id)`,
              [code],
            ),
          )
        ).length > 0;
  } finally {
    await db.close();
  }
  if (found) {
    console.log(`Using the partnership already generated in ${dbName}.`);
    return;
  }
  console.log(`Generating ${fmt(people)} people with assessments and allocations ...`);
  const { figures, wallSeconds } = await runGenerate(url, people, '2026', code, { money: false });
  console.log(`  done in ${fmt(wallSeconds, 1)} s (${fmt(figures.rows)} rows)`);
  for (const t of figures.tables)
    if (['people', 'assessments', 'eligibility_decisions', 'allocations'].includes(t.table))
      console.log(
        `  ${t.table.padEnd(22)} ${fmt(t.rows).padStart(10)} rows ${fmt(t.seconds, 1)} s`,
      );
}

const line = (label: string, n: number, seconds: number, unit = 'assessments') =>
  console.log(
    `  ${label.padEnd(58)} ${fmt(seconds, 2).padStart(7)} s ${fmt(n / seconds).padStart(12)} ${unit}/s`,
  );

let url: string;
if (kept) {
  url = databaseUrlFor(base, dbName);
  await admin(base, `create database ${dbName}`).catch(() => undefined);
} else url = await createDatabase(base, dbName);
try {
  await ensureData(url);
  const db = await openDatabase({ databaseUrl: url, poolSize: 4 });
  try {
    await migrate(db);
    await db.withClient((c) => c.exec('analyze'));
    const info = await db.withClient((c) =>
      c.query<{ id: string; stored: number; version: string; buffers: string }>(
        `select p.id, (select count(*)::int from allocations a where a.partnership_id = p.id) as stored,
                current_setting('server_version') as version,
                current_setting('shared_buffers') as buffers
           from partnerships p where p.code = $1`,
        [code],
      ),
    );
    const { id: partnershipId, stored, version, buffers } = info[0]!;
    console.log(
      `\nMachine: ${String(cpus().length)} cores, ${fmt(totalmem() / 2 ** 30, 1)} GiB; load average ${loadavg()
        .map((l) => fmt(l, 1))
        .join(', ')}; PostgreSQL ${version} (shared_buffers ${buffers}); Node ${process.version}`,
    );
    console.log(
      `Candidate "${candidate.id}" (£375 a point) against "${current.id}" (£350 a point); batches of ${fmt(batchSize)}; ${fmt(stored)} allocations stored`,
    );

    // (a) The whole preview, as the admin page and the CLI call it.
    console.log('\nResults');
    let first = 0;
    let counted = 0;
    for (let run = 1; run <= runs; run++) {
      const r = await previewImpact(db, partnershipId, candidate, { batchSize });
      const seconds = r.elapsedMs / 1000;
      if (run === 1) first = seconds;
      counted = r.people + r.notCalculable;
      line(`(a) previewImpact end to end, run ${String(run)}`, counted, seconds);
      if (run === 1)
        console.log(
          `      ${fmt(r.people)} people: ${fmt(r.up)} up, ${fmt(r.down)} down, ${fmt(r.same)} the same; ` +
            `${fmt(r.byTeam.length)} teams, ${fmt(r.bySupportReason.length)} support reasons; ` +
            `total £${fmt(r.oldTotal / 100)} → £${fmt(r.newTotal / 100)}; not calculable ${fmt(r.notCalculable)}`,
        );
    }

    // (r) The same batched reads with no calculation, keeping the answers for (b) and (c).
    let start = performance.now();
    const held: { answers: RasAnswers; section117: boolean }[] = [];
    for await (const rows of currentAllocationBatches(db, partnershipId, batchSize))
      for (const row of rows) held.push({ answers: row.answers, section117: row.section_117 });
    line(
      '(r) reading the current allocations alone',
      held.length,
      (performance.now() - start) / 1000,
    );

    // (b) The pure calculation over the answers held in memory.
    start = performance.now();
    let points = 0;
    let pounds = 0;
    for (const h of held) {
      const r = calculateIndicativeBudget(candidate, h.answers, { section117: h.section117 });
      if (!r.ok) continue;
      points += r.budget.totalPoints;
      pounds += r.budget.annual;
    }
    const pureSeconds = (performance.now() - start) / 1000;
    line('(b) calculateIndicativeBudget alone, answers in memory', held.length, pureSeconds);

    // (c) A plain loop over the same answers: look up each answer's points and add them up.
    const table = new Map(
      candidate.questions.map((q) => [q.id, new Map(q.answers.map((a) => [a.id, a.points]))]),
    );
    start = performance.now();
    let plainPoints = 0;
    for (const h of held)
      for (const [questionId, byAnswer] of table)
        plainPoints += byAnswer.get(h.answers[questionId] ?? '') ?? 0;
    const plainSeconds = (performance.now() - start) / 1000;
    line('(c) plain loop summing the same points', held.length, plainSeconds);
    if (plainPoints !== points)
      throw new Error(`points differ: ${String(plainPoints)} against ${String(points)}`);

    console.log(
      `\n  ${fmt(held.length)} current allocations; ${fmt(points)} points, £${fmt(pounds / 100)} a year (checks agree)` +
        `\n  the full calculation costs ${fmt(pureSeconds / plainSeconds, 1)}× the plain loop; ` +
        `it is ${fmt((pureSeconds / first) * 100)}% of the whole preview`,
    );
    console.log(
      `  target: the whole preview under ${String(TARGET_SECONDS)} s: ${first < TARGET_SECONDS ? 'met' : 'MISSED'} (${fmt(first, 1)} s for ${fmt(counted)} people, first run)`,
    );
  } finally {
    await db.close();
  }
} finally {
  if (!kept) await dropDatabase(base, dbName);
}
