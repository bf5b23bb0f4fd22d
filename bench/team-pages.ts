// bench team-pages: a team's sign-off queue (/sign-off) and due reviews (/reviews) on
// PostgreSQL with N generated people (default 1,000,000; each with an assessment, an approved
// plan and reviews; about one in 50 with a plan waiting for sign-off), under 20 concurrent
// signed-in users, against the hello-world throughput of the same server (/health) in the same
// run. The server is the real app (`pooled serve`); the load comes from wrk (Debian's package;
// `apt-get install wrk`), or without it from 20 concurrent clients in this process, on the same
// machine. Target: p95 under 100 ms.
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench -- team-pages
//   [--people N] [--seconds 15] [--concurrency 20] [--database NAME: use (and keep) it]
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { openDatabase } from '../src/platform/db/database.ts';
import { migrate } from '../src/platform/db/migrations.ts';
import { hashPassword } from '../src/platform/auth/passwords.ts';
import {
  admin,
  arg,
  createDatabase,
  databaseUrlFor,
  dropDatabase,
  fmt,
  numberArg,
  percentile,
  runGenerate,
} from './support.ts';

const base = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const people = numberArg('people', 1_000_000);
const seconds = numberArg('seconds', 15);
const concurrency = numberArg('concurrency', 20);
const kept = arg('database', '');
const dbName = kept || `pooled_bench_pages_${String(process.pid)}`;
const code = 'bench';
const PASSWORD = 'bench-password-2026';
const PORT = 3000 + (process.pid % 2000) + 1000;
const TARGET_MS = 100;

let url: string;
if (kept) {
  url = databaseUrlFor(base, dbName);
  await admin(base, `create database ${dbName}`).catch(() => undefined);
} else url = await createDatabase(base, dbName);

async function ensureData(): Promise<void> {
  const db = await openDatabase({ databaseUrl: url, poolSize: 1 });
  let found = false;
  try {
    await migrate(db);
    found =
      (
        await db.withClient((c) =>
          c.query(
            `select 1 from partnerships p where p.code = $1
               and exists (select 1 from support_plans s where s.partnership_id = p.id)`,
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
  console.log(`Generating ${fmt(people)} people with assessments, plans and reviews ...`);
  const { figures, wallSeconds } = await runGenerate(url, people, '2026', code, { money: false });
  console.log(`  done in ${fmt(wallSeconds, 1)} s (${fmt(figures.rows)} rows)`);
}

/** The busiest team's manager, with a known password; their team's size. */
async function manager(): Promise<{ email: string; teamPeople: number; waiting: number }> {
  const db = await openDatabase({ databaseUrl: url, poolSize: 1 });
  try {
    const hash = await hashPassword(PASSWORD);
    const rows = await db.withClient((c) =>
      c.query<{ email: string; team_id: string; n: number }>(
        `select u.email, m.team_id,
                (select count(*)::int from people p where p.team_id = m.team_id) as n
           from users u
           join role_grants g on g.user_id = u.id and g.role = 'team_manager'
           join team_members m on m.user_id = u.id
           join partnerships pa on pa.id = u.partnership_id and pa.code = $1
          order by n desc limit 1`,
        [code],
      ),
    );
    const m = rows[0];
    if (!m) throw new Error('no generated team manager');
    await db.withClient((c) =>
      c.query(
        'update users set password_hash = $1, must_change_password = false where email = $2',
        [hash, m.email],
      ),
    );
    const waiting = await db.withClient((c) =>
      c.query<{ n: number }>(
        `select count(*)::int as n from support_plans s join people p on p.id = s.person_id
          where s.status = 'submitted' and p.team_id = $1`,
        [m.team_id],
      ),
    );
    return { email: m.email, teamPeople: m.n, waiting: waiting[0]?.n ?? 0 };
  } finally {
    await db.close();
  }
}

function cookiesOf(res: Response, jar: Map<string, string>): void {
  for (const c of res.headers.getSetCookie()) {
    const pair = c.split(';')[0] ?? '';
    const eq = pair.indexOf('=');
    jar.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
}
const cookieHeader = (jar: Map<string, string>) => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');

async function signIn(origin: string, email: string): Promise<string> {
  const jar = new Map<string, string>();
  const page = await fetch(`${origin}/sign-in`);
  cookiesOf(page, jar);
  const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
  const res = await fetch(`${origin}/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieHeader(jar) },
    body: new URLSearchParams({ email, password: PASSWORD, _csrf: token }).toString(),
  });
  cookiesOf(res, jar);
  if (res.status !== 303) throw new Error(`sign-in failed: ${String(res.status)}`);
  return cookieHeader(jar);
}

// wrk (Debian's package) is a load tool written in C: it leaves more of the 2 cores to the server
// than clients in this process would. Its Lua hook prints the percentiles as JSON.
const WRK_SCRIPT = `done = function(summary, latency, requests)
  io.write(string.format('{"requests":%d,"micros":%d,"p50":%d,"p95":%d,"p99":%d,"errors":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout))
end`;
const wrk = spawnSync('wrk', ['--version']).error ? null : 'wrk';

async function loadWithWrk(origin: string, path: string, cookie: string) {
  const script = join(tmpdir(), `pooled-bench-${String(process.pid)}.lua`);
  writeFileSync(script, WRK_SCRIPT);
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn(
      'wrk',
      [
        '-t2',
        `-c${String(concurrency)}`,
        `-d${String(seconds)}s`,
        '-s',
        script,
        '-H',
        `Cookie: ${cookie}`,
        origin + path,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let text = '';
    child.stdout.on('data', (d: Buffer) => (text += d.toString()));
    child.on('error', reject);
    child.on('close', () => resolve(text));
  });
  const json = out.split('\n').find((l) => l.startsWith('{"requests"'));
  if (!json) throw new Error(`wrk printed no figures:\n${out}`);
  const r = JSON.parse(json) as Record<string, number>;
  const n = (k: string): number => r[k] ?? 0;
  return {
    requests: n('requests'),
    perSecond: n('requests') / (n('micros') / 1e6),
    p50: n('p50') / 1000,
    p95: n('p95') / 1000,
    p99: n('p99') / 1000,
    errors: n('errors'),
  };
}

/** `concurrency` clients each requesting `path` in a loop for `seconds`; latencies in ms. */
async function load(origin: string, path: string, cookie: string) {
  if (wrk) return loadWithWrk(origin, path, cookie);
  const latencies: number[] = [];
  let errors = 0;
  const end = performance.now() + seconds * 1000;
  const client = async () => {
    while (performance.now() < end) {
      const t0 = performance.now();
      const res = await fetch(origin + path, { headers: { cookie } });
      await res.arrayBuffer();
      latencies.push(performance.now() - t0);
      if (res.status !== 200) errors += 1;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, client));
  const elapsed = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    perSecond: latencies.length / elapsed,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    errors,
  };
}

try {
  await ensureData();
  const who = await manager();
  const server = spawn(process.execPath, ['bin/pooled.mjs', 'serve', '--port', String(PORT)], {
    env: {
      ...process.env,
      DATABASE_URL: url,
      // Production: templates compiled once and cached, as a real deployment runs.
      NODE_ENV: 'production',
      SESSION_SECRET: 'bench-secret-bench-secret-bench-secret-42',
      LOG_LEVEL: 'silent',
      API_RATE_LIMIT_PER_MINUTE: '1000000',
      SIGN_IN_RATE_LIMIT_PER_MINUTE: '1000',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const origin = `http://127.0.0.1:${String(PORT)}`;
  try {
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${origin}/health`)).ok) break;
      } catch {
        if (i > 300) throw new Error('the server did not start');
      }
      await sleep(100);
    }
    const cookie = await signIn(origin, who.email);
    console.log(
      `\nMachine: ${String(cpus().length)} cores, ${fmt(totalmem() / 2 ** 30, 1)} GiB; load average ${loadavg()
        .map((l) => fmt(l, 1))
        .join(', ')}; Node ${process.version}`,
    );
    console.log(
      `${fmt(people)} people; the busiest team: ${fmt(who.teamPeople)} people, ${fmt(who.waiting)} plans waiting for sign-off.`,
    );
    console.log(
      `${String(concurrency)} concurrent clients (${wrk ? 'wrk, 2 threads' : 'fetch in this process: install wrk for a lighter load tool'}), ${String(seconds)} s each, after a 3 s warm-up:\n`,
    );
    for (const [label, path] of [
      ['hello world (/health)', '/health'],
      ['sign-off queue (/sign-off)', '/sign-off'],
      ['due reviews, 4 weeks (/reviews)', '/reviews'],
      ['due reviews, 3 months (/reviews?show=90)', '/reviews?show=90'],
    ] as const) {
      const end = performance.now() + 3000;
      while (performance.now() < end)
        await (await fetch(origin + path, { headers: { cookie } })).arrayBuffer();
      const r = await load(origin, path, cookie);
      console.log(
        `  ${label.padEnd(44)} ${fmt(r.perSecond).padStart(6)} req/s  p50 ${fmt(r.p50, 1).padStart(6)} ms  p95 ${fmt(r.p95, 1).padStart(6)} ms  p99 ${fmt(r.p99, 1).padStart(6)} ms${r.errors ? `  ${String(r.errors)} non-200` : ''}${path === '/health' ? '' : r.p95 < TARGET_MS ? '  (target met)' : '  (TARGET MISSED)'}`,
      );
    }
  } finally {
    server.kill('SIGTERM');
  }
} finally {
  if (!kept) await dropDatabase(base, dbName);
}
