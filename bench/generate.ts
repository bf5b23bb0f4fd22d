// bench generate: `pooled generate --people N` on PostgreSQL, against a plain COPY of the same
// people rows into an unlogged table with no indexes, in a fresh database made for the run.
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench -- generate [--people N]
import { openDatabase } from '../src/platform/db/database.ts';
import { PEOPLE_COLUMNS, peopleCsv } from '../src/features/generator/generate.ts';
import {
  createDatabase,
  dropDatabase,
  fmt,
  numberArg,
  arg,
  requireDatabaseUrl,
  runGenerate,
} from './support.ts';

const base = requireDatabaseUrl('generate');
const people = numberArg('people', 1_000_000);
const seed = arg('seed', '2026');
const code = 'bench';
const dbName = `pooled_bench_generate_${String(process.pid)}`;

console.log(
  `pooled generate --people ${fmt(people)} --seed ${seed} on PostgreSQL (database ${dbName})`,
);
const url = await createDatabase(base, dbName);
try {
  // 1. The real command, as a user runs it (a child process: Node start-up and migrations included).
  const { figures, wallSeconds } = await runGenerate(url, people, seed, code);
  const peopleTable = figures.tables.find((t) => t.table === 'people')!;

  const db = await openDatabase({ databaseUrl: url, poolSize: 2 });
  try {
    // 2. Making the CSV alone, no database: what the generator's own work costs.
    let start = performance.now();
    let bytes = 0;
    for await (const chunk of peopleCsv({ people, seed }, code)) bytes += chunk.length;
    const csvSeconds = (performance.now() - start) / 1000;

    // 3. A plain COPY of the same rows into an unlogged table with no indexes or foreign keys.
    await db.withClient((c) =>
      c.exec('create unlogged table bench_people_plain (like people including defaults)'),
    );
    start = performance.now();
    await db.withClient((c) =>
      c.copyIn('bench_people_plain', PEOPLE_COLUMNS, peopleCsv({ people, seed }, code)),
    );
    const plainSeconds = (performance.now() - start) / 1000;
    const [{ n }] = (await db.withClient((c) =>
      c.query<{ n: number }>('select count(*)::int as n from bench_people_plain'),
    )) as [{ n: number }];
    if (n !== people)
      throw new Error(`plain COPY loaded ${String(n)} rows, expected ${String(people)}`);

    const line = (label: string, rows: number, seconds: number) =>
      console.log(
        `  ${label.padEnd(52)} ${fmt(rows).padStart(10)} rows ${fmt(seconds, 2).padStart(8)} s ${fmt(rows / seconds).padStart(10)} rows/s`,
      );
    console.log('\nResults');
    line(
      'generate: people table (9 indexes, 4 FKs, in txn)',
      peopleTable.rows,
      peopleTable.seconds,
    );
    for (const t of figures.tables.filter((t) => t.table !== 'people'))
      line(`generate: ${t.table}`, t.rows, t.seconds);
    line('generate: all tables, inside the command', figures.rows, figures.seconds);
    line('generate: whole command, spawn to figures printed', figures.rows, wallSeconds);
    line('plain COPY of the same people rows (unlogged, bare)', people, plainSeconds);
    line('making the people CSV alone (no database)', people, csvSeconds);
    console.log(
      `\n  people rows/s, generate vs plain COPY: ${fmt(peopleTable.rows / peopleTable.seconds)} vs ${fmt(people / plainSeconds)} ` +
        `(${fmt((plainSeconds / peopleTable.seconds) * 100)}% of plain COPY speed); CSV ${fmt(bytes / 1e6, 1)} MB`,
    );
  } finally {
    await db.close();
  }
} finally {
  await dropDatabase(base, dbName);
}
