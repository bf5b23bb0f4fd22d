// bench search: person search through the JSON API (GET /api/v1/people with a bearer token) on
// PostgreSQL with N generated people (default 1,000,000). Median and 95th percentile latency over
// a few hundred mixed queries: family-name beginnings, full names, dates of birth, NHS numbers.
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench -- search [--people N]
//   [--queries 400] [--database NAME: use (and keep) this database, generating only if empty]
import { spawn, type ChildProcess } from 'node:child_process';
import { openDatabase, type Db } from '../src/platform/db/database.ts';
import { migrate } from '../src/platform/db/migrations.ts';
import { createApiToken } from '../src/platform/auth/api-tokens.ts';
import { makeRandom } from '../src/features/generator/rules.ts';
import {
  admin,
  arg,
  createDatabase,
  databaseUrlFor,
  dropDatabase,
  fmt,
  numberArg,
  percentile,
  requireDatabaseUrl,
  runGenerate,
} from './support.ts';

const base = requireDatabaseUrl('search');
const people = numberArg('people', 1_000_000);
const queryCount = numberArg('queries', 400);
const kept = arg('database', '');
const dbName = kept || `pooled_bench_search_${String(process.pid)}`;
const code = 'bench';
const TARGET_P95_MS = 50;

type Kind = 'family-name beginning' | 'full name' | 'date of birth' | 'NHS number';
interface Query {
  kind: Kind;
  path: string;
}

async function ensureData(url: string): Promise<void> {
  const db = await openDatabase({ databaseUrl: url, poolSize: 1 });
  let exists = false;
  try {
    const rows = await db.withClient((c) =>
      c.query("select 1 from pg_tables where tablename = 'partnerships'"),
    );
    if (rows.length)
      exists =
        (await db.withClient((c) => c.query('select 1 from partnerships where code = $1', [code])))
          .length > 0;
  } finally {
    await db.close();
  }
  if (exists) {
    console.log(`Using the people already generated in ${dbName}.`);
    return;
  }
  console.log(`Generating ${fmt(people)} people ...`);
  const { figures, wallSeconds } = await runGenerate(url, people, '2026', code, { money: false });
  console.log(`  done in ${fmt(wallSeconds, 1)} s (${fmt(figures.rows)} rows)`);
}

async function sampleQueries(db: Db, partnershipId: string, n: number): Promise<Query[]> {
  const total = (
    await db.withClient((c) =>
      c.query<{ n: number }>('select count(*)::int as n from people where partnership_id = $1', [
        partnershipId,
      ]),
    )
  )[0]!.n;
  const rand = makeRandom(7);
  const picks = Array.from(
    { length: n },
    () => `GEN-${String(1 + Math.floor(rand() * total)).padStart(7, '0')}`,
  );
  const rows = await db.withClient((c) =>
    c.query<{
      given_name: string;
      family_name: string;
      date_of_birth: string;
      nhs_number: string | null;
    }>(
      `select given_name, family_name, date_of_birth, nhs_number from people
        where partnership_id = $1 and external_id = any($2)`,
      [partnershipId, picks],
    ),
  );
  const kinds: Kind[] = ['family-name beginning', 'full name', 'date of birth', 'NHS number'];
  return rows.map((r, i) => {
    const kind = kinds[i % kinds.length]!;
    const q = (params: Record<string, string>) =>
      `/api/v1/people?${new URLSearchParams(params).toString()}`;
    switch (kind) {
      case 'family-name beginning':
        return { kind, path: q({ name: r.family_name.slice(0, 3 + (i % 3)) }) };
      case 'full name':
        return { kind, path: q({ name: `${r.given_name} ${r.family_name}` }) };
      case 'date of birth':
        return { kind, path: q({ dateOfBirth: r.date_of_birth }) };
      case 'NHS number':
        return r.nhs_number
          ? { kind, path: q({ nhsNumber: r.nhs_number }) }
          : { kind: 'full name', path: q({ name: `${r.given_name} ${r.family_name}` }) };
    }
  });
}

function startServer(url: string, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['bin/pooled.mjs', 'serve', '--port', String(port)], {
    env: {
      ...process.env,
      DATABASE_URL: url,
      NODE_ENV: 'production',
      SESSION_SECRET: 'bench-only-session-secret-0123456789abcdef',
      LOG_LEVEL: 'warn',
      API_RATE_LIMIT_PER_MINUTE: '1000000',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + 60_000;
    const poll = async () => {
      try {
        const res = await fetch(`http://127.0.0.1:${String(port)}/health`);
        if (res.ok) return resolve(child);
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) return reject(new Error('the server did not start in 60 s'));
      setTimeout(() => void poll(), 200);
    };
    child.on('exit', (c) => reject(new Error(`the server exited with ${String(c)}`)));
    void poll();
  });
}

async function explain(db: Db, partnershipId: string, queries: Query[]): Promise<void> {
  // The SQL the store runs, as the application role under row-level security.
  const sqlFor: Record<Kind, (p: URLSearchParams) => [string, unknown[]]> = {
    'family-name beginning': (p) => [
      `select p.id from people p where (lower(p.family_name) like $1 or lower(p.given_name) like $1)
        order by lower(p.family_name), lower(p.given_name), p.date_of_birth, p.id limit 51`,
      [`${(p.get('name') ?? '').toLowerCase()}%`],
    ],
    'full name': (p) => {
      const [g, f] = (p.get('name') ?? '').toLowerCase().split(' ');
      return [
        `select p.id from people p where ((lower(p.given_name) like $1 and lower(p.family_name) like $2)
          or (lower(p.family_name) like $1 and lower(p.given_name) like $2))
          order by lower(p.family_name), lower(p.given_name), p.date_of_birth, p.id limit 51`,
        [`${g ?? ''}%`, `${f ?? ''}%`],
      ];
    },
    'date of birth': (p) => [
      `select p.id from people p where p.date_of_birth = $1
        order by lower(p.family_name), lower(p.given_name), p.date_of_birth, p.id limit 51`,
      [p.get('dateOfBirth')],
    ],
    'NHS number': (p) => [
      `select p.id from people p where p.nhs_number = $1
        order by lower(p.family_name), lower(p.given_name), p.date_of_birth, p.id limit 51`,
      [p.get('nhsNumber')],
    ],
  };
  for (const kind of Object.keys(sqlFor) as Kind[]) {
    const q = queries.find((x) => x.kind === kind);
    if (!q) continue;
    const [text, params] = sqlFor[kind](new URL(q.path, 'http://x').searchParams);
    const plan = await db.withClient(async (c) => {
      await c.exec('begin');
      try {
        await c.exec('set local role pooled_app');
        await c.query(`select set_config('pooled.partnership_id', $1, true)`, [partnershipId]);
        return await c.query<{ 'QUERY PLAN': string }>(`explain analyze ${text}`, params);
      } finally {
        await c.exec('rollback');
      }
    });
    console.log(`\nEXPLAIN ANALYZE, ${kind} (${q.path}):`);
    for (const row of plan) console.log(`  ${row['QUERY PLAN']}`);
  }
}

const MAX_CHAR = String.fromCodePoint(0x10ffff);
const SUMMARY = `select p.id, p.given_name, p.family_name, p.preferred_name, p.date_of_birth, p.nhs_number,
  p.postcode, p.team_id, t.name as team_name, p.care_coordinator_id, u.full_name, o.kind
  from hits h join people p on p.id = h.id left join teams t on t.id = p.team_id
  left join users u on u.id = p.care_coordinator_id left join organisations o on o.id = p.lead_organisation_id
  order by h.family_name_key, h.given_name_key, h.date_of_birth, h.id limit 51`;
const HIT = 'select p.id, p.family_name_key, p.given_name_key, p.date_of_birth from people p';
const ORDER = 'order by 2, 3, 4, 1 limit 51';

/**
 * The name search written as migration 0002 intends (range conditions on the C-collated keys,
 * one index range a branch), timed as SQL under row-level security. Proposed for the people store.
 */
function proposedSql(name: string): [string, unknown[]] {
  const words = name
    .toLowerCase()
    .split(/[\s,]+/)
    .filter(Boolean);
  const [a = '', b] = words;
  const range = (col: string, i: number) =>
    `(${col} >= $${String(i)} and ${col} < $${String(i + 1)})`;
  if (b === undefined)
    return [
      `with hits as ((${HIT} where ${range('p.family_name_key', 1)} ${ORDER})
        union (${HIT} where ${range('p.given_name_key', 1)} ${ORDER})) ${SUMMARY}`,
      [a, a + MAX_CHAR],
    ];
  return [
    `with hits as (${HIT} where (${range('p.given_name_key', 1)} and ${range('p.family_name_key', 3)})
      or (${range('p.family_name_key', 1)} and ${range('p.given_name_key', 3)}) ${ORDER}) ${SUMMARY}`,
    [a, a + MAX_CHAR, b, b + MAX_CHAR],
  ];
}

async function timeProposed(db: Db, partnershipId: string, queries: Query[]): Promise<void> {
  const names = queries.filter((q) => q.kind === 'family-name beginning' || q.kind === 'full name');
  const times = new Map<Kind, number[]>();
  await db.withClient(async (c) => {
    for (const [i, q] of names.entries()) {
      const [text, params] = proposedSql(
        new URL(q.path, 'http://x').searchParams.get('name') ?? '',
      );
      await c.exec('begin');
      await c.exec('set local role pooled_app');
      await c.query(`select set_config('pooled.partnership_id', $1, true)`, [partnershipId]);
      const start = performance.now();
      await c.query(text, params);
      const ms = performance.now() - start;
      await c.exec('rollback');
      if (i >= 10) times.set(q.kind, [...(times.get(q.kind) ?? []), ms]);
    }
  });
  console.log('\nProposed name search (migration 0002 keys), SQL only, under row-level security:');
  for (const [kind, ms] of times) {
    ms.sort((x, y) => x - y);
    console.log(
      `  ${kind.padEnd(24)} ${String(ms.length).padStart(5)} ${fmt(percentile(ms, 50), 1).padStart(6)} ms ${fmt(percentile(ms, 95), 1).padStart(6)} ms ${fmt(ms.at(-1) ?? 0, 1).padStart(6)} ms (median, p95, max)`,
    );
  }
}

let url: string;
if (kept) {
  url = databaseUrlFor(base, dbName);
  // Made on first use and kept, so a second run skips generating.
  await admin(base, `create database ${dbName}`).catch(() => undefined);
} else url = await createDatabase(base, dbName);
let server: ChildProcess | undefined;
try {
  await ensureData(url);
  const db = await openDatabase({ databaseUrl: url, poolSize: 2 });
  try {
    const partnership = (
      await db.withClient((c) =>
        c.query<{ id: string }>('select id from partnerships where code = $1', [code]),
      )
    )[0]!;
    // Migrations first (a kept database may predate some), then fresh statistics.
    await migrate(db);
    await db.withClient((c) => c.exec('analyze'));
    const t = createApiToken();
    await db.withClient((c) =>
      c.query(
        `insert into api_clients (partnership_id, name, token_prefix, token_hash, permissions)
         values ($1, 'search benchmark', $2, $3, '{people:read}')`,
        [partnership.id, t.prefix, t.hash],
      ),
    );
    const queries = await sampleQueries(db, partnership.id, queryCount);
    const port = 3900 + (process.pid % 90);
    server = await startServer(url, port);
    const call = async (path: string) => {
      const start = performance.now();
      const res = await fetch(`http://127.0.0.1:${String(port)}${path}`, {
        headers: { authorization: `Bearer ${t.token}`, accept: 'application/json' },
      });
      const body = (await res.json()) as { items?: unknown[] };
      const ms = performance.now() - start;
      if (res.status !== 200)
        throw new Error(`${path}: ${String(res.status)} ${JSON.stringify(body)}`);
      return { ms, results: body.items?.length ?? 0 };
    };
    // Warm up: the first requests pay for connections and plan caching.
    for (const q of queries.slice(0, 20)) await call(q.path);
    const times = new Map<Kind | 'all', number[]>();
    const results = new Map<Kind, number[]>();
    for (const q of queries) {
      const { ms, results: n } = await call(q.path);
      for (const k of [q.kind, 'all'] as const) times.set(k, [...(times.get(k) ?? []), ms]);
      results.set(q.kind, [...(results.get(q.kind) ?? []), n]);
    }
    console.log(
      `\nGET /api/v1/people with a bearer token, ${fmt(queries.length)} queries, one at a time, ${fmt(people)} people`,
    );
    console.log(
      `  ${'query'.padEnd(24)} ${'n'.padStart(5)} ${'median'.padStart(9)} ${'p95'.padStart(9)} ${'p99'.padStart(9)} ${'max'.padStart(9)}  mean results`,
    );
    let p95All = 0;
    for (const [kind, ms] of times) {
      ms.sort((a, b) => a - b);
      const p95 = percentile(ms, 95);
      if (kind === 'all') p95All = p95;
      const r = kind === 'all' ? [] : (results.get(kind) ?? []);
      console.log(
        `  ${kind.padEnd(24)} ${String(ms.length).padStart(5)} ${fmt(percentile(ms, 50), 1).padStart(6)} ms ${fmt(p95, 1).padStart(6)} ms ${fmt(percentile(ms, 99), 1).padStart(6)} ms ${fmt(ms.at(-1) ?? 0, 1).padStart(6)} ms  ${r.length ? fmt(r.reduce((a, b) => a + b, 0) / r.length, 1) : ''}`,
      );
    }
    console.log(
      `\n  target p95 < ${String(TARGET_P95_MS)} ms: ${p95All < TARGET_P95_MS ? 'met' : 'MISSED'} (p95 ${fmt(p95All, 1)} ms)`,
    );
    await timeProposed(db, partnership.id, queries);
    if (process.argv.includes('--explain') || p95All >= TARGET_P95_MS)
      await explain(db, partnership.id, queries);
  } finally {
    await db.close();
  }
} finally {
  server?.kill('SIGTERM');
  if (!kept) await dropDatabase(base, dbName);
}
