// Payment runs under concurrency and crashes, on PostgreSQL: two runs started at once pay each
// line exactly once, and a `pooled payments run` killed (SIGKILL) at a random point and run again
// ends in the same state as a run that was never interrupted.
//
// PostgreSQL only: PGlite is a single connection inside one process, so nothing there can run at
// the same time, and a second process cannot open its data directory while the first holds it.
// Without DATABASE_URL this file registers no tests.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { adminQuery, databaseUrlFor, TEMPLATE_DB } from './support/db.ts';
import {
  createPartnership,
  createUser,
  type TestPartnership,
  type TestUser,
} from './support/factories.ts';
import { ctxFor } from './support/submitted-plans.ts';
import { openDatabase, type Db } from '../src/platform/db/database.ts';
import { migrate } from '../src/platform/db/migrations.ts';
import type { CivilDate } from '../src/platform/dates.ts';
import { Conflict } from '../src/platform/http/errors.ts';
import {
  doc,
  makeBudgets,
  paItem,
  personWithApprovedPlan,
} from '../src/features/budgets/fixtures.int-support.ts';
import { createPaymentsService } from '../src/features/budgets/payments.ts';

const base = process.env.DATABASE_URL;
if (base) registerPostgresTests(base);

interface Side {
  p: TestPartnership;
  a: TestUser;
  b: TestUser;
}

function registerPostgresTests(baseUrl: string): void {
  let db: Db;
  let url: string;
  let dropDb: () => Promise<void>;
  const dir = mkdtempSync(join(tmpdir(), 'pooled-pay-'));

  before(async () => {
    const name = `pooled_pay_${randomBytes(4).toString('hex')}`;
    await adminQuery(
      baseUrl,
      `create database ${name}${TEMPLATE_DB ? ` template ${TEMPLATE_DB}` : ''}`,
    );
    url = databaseUrlFor(baseUrl, name);
    dropDb = () => adminQuery(baseUrl, `drop database if exists ${name} with (force)`);
    db = await openDatabase({ databaseUrl: url, poolSize: 6 });
    if (!TEMPLATE_DB) await migrate(db);
  });
  after(async () => {
    await db.close();
    await dropDb();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A partnership with two finance officers and n people paid on two streams from 1 April 2025. */
  async function side(n: number): Promise<Side> {
    const p = await createPartnership(db);
    const a = await createUser(db, p, ['finance_officer']);
    const b = await createUser(db, p, ['finance_officer']);
    const f = { partnershipId: p.id, teamId: p.teamId, trustId: p.trustId };
    for (let i = 0; i < n; i++)
      await makeBudgets(
        db,
        p.id,
        await personWithApprovedPlan(db, f, {
          familyName: `Person${String(i).padStart(3, '0')}`,
          document: doc({
            startsOn: '2025-04-01',
            streams: [
              { id: 'social-care', body: 'council', holding: 'direct_payment' },
              { id: 'nhs-phb', body: 'nhs', holding: 'individual_service_fund' },
            ],
            items: [
              paItem('pa', 'social-care', 5_000 + 100 * i),
              paItem('isf', 'nhs-phb', 2_500 + i),
            ],
          }),
        }),
      );
    return { p, a, b };
  }

  /** Each line's number of payment postings, and where it is. */
  async function paymentsPerLine(p: TestPartnership) {
    const r = await sql<{ status: string; runs: number; postings: number; run_id: string | null }>`
      select l.status, l.run_id,
             (select count(*)::int from payment_run_lines rl where rl.line_id = l.id) as runs,
             (select count(*)::int from ledger_transactions t
               where t.idempotency_key = 'payment-line:' || l.id::text) as postings
        from payment_schedule_lines l where l.partnership_id = ${p.id}::uuid`.execute(db.system);
    return r.rows;
  }

  test('two payment runs started at once pay each line exactly once', async () => {
    const s = await side(12);
    const service = createPaymentsService({ db, now: () => new Date() });
    const ctxA = ctxFor(s.p, s.a, ['finance_officer']);
    const ctxB = ctxFor(s.p, s.b, ['finance_officer']);
    // Rounds of lines coming due; in each, two runs prepared, approved and posted at once (the
    // second run approves the first's and the other way round), and each also posted twice at
    // once.
    for (const dueUpTo of ['2025-06-30', '2025-10-31', '2026-03-31'] as CivilDate[]) {
      const flow = async (prep: typeof ctxA, appr: typeof ctxA) => {
        // The other run may have taken every line: then there is nothing to prepare.
        const run = await service.prepare(prep, dueUpTo).catch((e: unknown) => {
          if (e instanceof Conflict) return { id: '', lineCount: 0 };
          throw e;
        });
        if (run.id === '') return { run, paid: 0 };
        await service.approve(appr, run.id);
        const posted = await Promise.all([
          service.post(appr, run.id, { batchSize: 7 }),
          service.post(appr, run.id, { batchSize: 5 }),
        ]);
        return { run, paid: posted[0].paid + posted[1].paid };
      };
      const before = (await paymentsPerLine(s.p)).filter((l) => l.status === 'paid').length;
      const [x, y] = await Promise.all([flow(ctxA, ctxB), flow(ctxB, ctxA)]);
      assert.equal(x.paid + y.paid, x.run.lineCount + y.run.lineCount);
      const paidNow = (await paymentsPerLine(s.p)).filter((l) => l.status === 'paid').length;
      assert.equal(paidNow - before, x.paid + y.paid);
      assert.ok(x.paid + y.paid > 0);
    }
    const lines = await paymentsPerLine(s.p);
    assert.equal(lines.length, 12 * 26);
    for (const l of lines) {
      assert.equal(l.status, 'paid');
      assert.equal(l.runs, 1, 'in exactly one run');
      assert.equal(l.postings, 1, 'paid exactly once');
    }
    // Every holding account holds exactly its paid lines.
    const wrong = await sql<{ n: number }>`
      select count(*)::int as n from budgets b
       where b.partnership_id = ${s.p.id}::uuid
         and (select coalesce(sum(amount_pence), 0) from ledger_entries e
               where e.account_id = b.holding_account_id)
          <> (select coalesce(sum(amount_pence), 0) from payment_schedule_lines l
               where l.budget_id = b.id and l.status = 'paid')`.execute(db.system);
    assert.equal(wrong.rows[0]?.n, 0);
  });

  /**
   * Runs the real command in a child process; kill decides at each line of output whether to
   * SIGKILL it, and killAfterMs kills it after that long whatever it is doing.
   */
  function pooled(
    s: Side,
    out: string,
    kill?: (line: string, lineNo: number) => boolean,
    killAfterMs?: number,
  ): Promise<{ code: number | null; signal: string | null; out: string; err: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [
          'bin/pooled.mjs',
          'payments',
          'run',
          '--partnership',
          s.p.code,
          '--prepared-by',
          s.a.email,
          '--approve-as',
          s.b.email,
          '--due-by',
          '2026-03-31',
          '--batch-size',
          '9',
          '--out',
          out,
        ],
        {
          env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'silent', DATABASE_URL: url },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let stdout = '';
      let stderr = '';
      let lineNo = 0;
      let pending = '';
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => {
        stdout += chunk;
        pending += chunk;
        const parts = pending.split('\n');
        pending = parts.pop() ?? '';
        for (const line of parts) if (kill?.(line, lineNo++)) child.kill('SIGKILL');
      });
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => (stderr += chunk));
      const timer =
        killAfterMs === undefined ? null : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      child.on('error', reject);
      child.on('close', (code, signal) => {
        if (timer) clearTimeout(timer);
        resolve({ code, signal, out: stdout, err: stderr });
      });
    });
  }

  /** A partnership's state with its ids replaced by names, to compare two partnerships. */
  async function state(s: Side, file: string) {
    const names = await sql<{ id: string; family_name: string }>`
      select id, family_name from people where partnership_id = ${s.p.id}::uuid`.execute(db.system);
    const nameOf = new Map(names.rows.map((r) => [r.id, r.family_name]));
    const budgets = await sql<{ id: string; person_id: string; stream_id: string }>`
      select id, person_id, stream_id from budgets where partnership_id = ${s.p.id}::uuid`.execute(
      db.system,
    );
    const budgetName = new Map(
      budgets.rows.map((b) => [b.id, `${nameOf.get(b.person_id) ?? '?'}:${b.stream_id}`]),
    );
    const normalKey = (key: string) => {
      const [kind, a, b] = key.split(':');
      if (kind === 'budget') return `budget:${budgetName.get(a ?? '') ?? '?'}`;
      if (kind === 'holding') return `holding:${nameOf.get(a ?? '') ?? '?'}:${b ?? ''}`;
      return key;
    };
    const balances = await sql<{ key: string; balance: number }>`
      select a.key, coalesce(sum(e.amount_pence), 0)::bigint as balance
        from ledger_accounts a left join ledger_entries e on e.account_id = a.id
       where a.partnership_id = ${s.p.id}::uuid group by a.key`.execute(db.system);
    const lines = await sql<{
      budget_id: string;
      due_on: string;
      amount_pence: number;
      status: string;
      reference: string;
      postings: number;
    }>`
      select l.budget_id, l.due_on, l.amount_pence, l.status, l.reference,
             (select count(*)::int from ledger_transactions t
               where t.idempotency_key = 'payment-line:' || l.id::text) as postings
        from payment_schedule_lines l where l.partnership_id = ${s.p.id}::uuid`.execute(db.system);
    const lineName = new Map(
      lines.rows.map((l) => [l.reference, `${budgetName.get(l.budget_id) ?? '?'}@${l.due_on}`]),
    );
    const runs = await sql<{ status: string; line_count: number; total_pence: number }>`
      select status, line_count, total_pence from payment_runs
       where partnership_id = ${s.p.id}::uuid and status <> 'cancelled'`.execute(db.system);
    const csv = readFileSync(file, 'utf8')
      .trimEnd()
      .split('\r\n')
      .map((row) => {
        const cells = row.split(',');
        const ref = cells.at(-1) ?? '';
        return [cells[0], cells[2], lineName.get(ref) ?? ref].join(',');
      })
      .sort();
    return {
      balances: balances.rows.map((r) => [normalKey(r.key), r.balance]).sort(),
      lines: lines.rows
        .map((l) => [lineName.get(l.reference), l.amount_pence, l.status, l.postings])
        .sort(),
      runs: runs.rows.map((r) => [r.status, r.line_count, r.total_pence]),
      csv,
    };
  }

  test('a payment run killed at a random point and run again ends as an uninterrupted run', async (t) => {
    const whole = await side(20);
    const killed = await side(20);
    const wholeFile = join(dir, 'whole.csv');
    const killedFile = join(dir, 'killed.csv');
    const wholeStarted = Date.now();
    const first = await pooled(whole, wholeFile);
    const wholeMs = Date.now() - wholeStarted;
    assert.equal(first.code, 0, first.err);
    assert.match(first.out, /520 payments/);
    assert.match(first.out, /run posted/);
    // 520 lines in batches of 9: 58 "Posted" lines. Kill at a random output line from the
    // "Prepared" line on (0) to the last batch, or at a random moment after starting.
    const batches = first.out.split('\n').filter((l) => l.startsWith('Posted ')).length;
    const at = randomInt(0, batches + 4);
    let interrupted;
    if (at < batches + 3) {
      interrupted = await pooled(killed, killedFile, (_line, n) => n >= at);
    } else {
      // At a random moment while it runs (the uninterrupted run's time is the guide), whatever
      // it is doing: not only between lines of output.
      interrupted = await pooled(killed, killedFile, undefined, randomInt(0, Math.max(1, wholeMs)));
    }
    const context = `killed at output line ${at}: ${interrupted.out}`;
    const posted = interrupted.out
      .split('\n')
      .filter((l) => l.startsWith('Posted '))
      .at(-1);
    t.diagnostic(
      `interrupted: ${interrupted.signal ?? `exit ${String(interrupted.code)}`} after ${posted ?? 'no batch'}`,
    );
    if (interrupted.signal !== 'SIGKILL') assert.equal(interrupted.code, 0, interrupted.err);
    const rerun = await pooled(killed, killedFile);
    assert.equal(rerun.code, 0, `${context}\n${rerun.err}`);
    const [a, b] = [await state(whole, wholeFile), await state(killed, killedFile)];
    assert.deepEqual(b.runs, a.runs, context);
    assert.deepEqual(b.lines, a.lines, context);
    assert.deepEqual(b.balances, a.balances, context);
    assert.deepEqual(b.csv, a.csv, context);
    assert.ok(a.lines.every((l) => l[2] === 'paid' && l[3] === 1));
  });
}
