// The generator's budgets, schedules, ledger and card transactions (issue 5 point 9): the ledger
// balances, every budget is what the budgets rules make of its plan and adds up, lines due by the
// generated day are paid once, holding accounts hold payments less card spending, and the card
// transactions give light-touch monitoring something (but not much) to find.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.ts';
import { pence } from '../../platform/money.ts';
import { freshDb } from '../../../test/support/db.ts';
import { planBudgets, streamsForBudget } from '../budgets/index.ts';
import { planDocumentSchema } from '../planning/document.ts';
import { isNeverBuy } from '../statements/index.ts';
import { generatePartnership, type GenerateResult } from './generate.ts';
import { createReadStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addDays, createPaymentsService } from '../budgets/index.ts';
import { importStatement } from '../statements/index.ts';
import { runMonitoring } from '../monitoring/index.ts';
import { ctxFor } from '../../../test/support/submitted-plans.ts';
import type { TestPartnership } from '../../../test/support/factories.ts';
import { STATEMENT_FILE_HEADER, writeStatementFile } from './statement-file.ts';

let db: Db;
let first: GenerateResult;
let second: GenerateResult;
before(async () => {
  db = await freshDb();
  first = await generatePartnership(db, { people: 400, seed: 5, partnershipCode: 'money-a' });
  second = await generatePartnership(db, { people: 400, seed: 5, partnershipCode: 'money-b' });
});
after(() => db.close());

const rowsOf = async <T>(query: ReturnType<typeof sql<T>>): Promise<T[]> =>
  (await query.execute(db.system)).rows;

test('the generated ledger balances: every transaction sums to zero with all its entries, and so does the whole ledger', async () => {
  const p = first.partnershipId;
  const [total] = await rowsOf(
    sql<{ total: string; n: string }>`select coalesce(sum(amount_pence), 0)::text as total,
      count(*)::text as n from ledger_entries where partnership_id = ${p}`,
  );
  assert.equal(total?.total, '0');
  assert.equal(Number(total?.n), first.money?.ledgerEntries);
  const bad = await rowsOf(
    sql<{ id: string }>`select t.id from ledger_transactions t
      left join (select transaction_id, count(*) as n, sum(amount_pence) as s from ledger_entries
                  where partnership_id = ${p} group by transaction_id) e on e.transaction_id = t.id
     where t.partnership_id = ${p} and (e.n is null or e.n <> t.entry_count or e.s <> 0)`,
  );
  assert.deepEqual(bad, []);
  const kinds = await rowsOf(
    sql<{
      kind: string;
    }>`select distinct kind from ledger_transactions where partnership_id = ${p} order by kind`,
  );
  assert.deepEqual(
    kinds.map((k) => k.kind),
    ['allocation', 'contribution', 'payment', 'spend'],
  );
});

test('every budget is what the budgets rules make of its plan, and its schedule lines and commitments add up to it', async () => {
  const p = first.partnershipId;
  const budgets = await rowsOf(
    sql<{
      id: string;
      stream_id: string;
      holding: string;
      amount_pence: number;
      starts_on: string;
      document: unknown;
      weekly: number | null;
      effective_from: string | null;
      lines: number;
      commitments: number;
      holding_account_id: string | null;
    }>`select b.id, b.stream_id, b.holding, b.amount_pence, b.starts_on::text, s.document,
        f.weekly_contribution_pence as weekly, f.effective_from::text,
        coalesce((select sum(l.amount_pence + l.contribution_pence) from payment_schedule_lines l
                   where l.budget_id = b.id), 0)::int as lines,
        coalesce((select sum(c.amount_pence) from commitments c where c.budget_id = b.id), 0)::int
          as commitments, b.holding_account_id
      from budgets b join support_plans s on s.id = b.plan_id
      left join financial_assessments f on f.person_id = b.person_id
     where b.partnership_id = ${p}`,
  );
  assert.equal(budgets.length, first.money?.budgets);
  assert.equal(budgets.length, first.people, 'one budget each: only the first stream has items');
  for (const b of budgets) {
    assert.equal(b.lines + b.commitments, b.amount_pence, `budget ${b.id} adds up`);
    const doc = planDocumentSchema.parse(b.document);
    const again = planBudgets({
      startsOn: b.starts_on as never,
      streams: streamsForBudget(doc),
      contributions:
        b.weekly === null || b.effective_from === null
          ? []
          : [{ effectiveFrom: b.effective_from, weeklyPence: pence(b.weekly) }],
    }).find((x) => x.streamId === b.stream_id);
    assert.equal(again?.amount, b.amount_pence, 'the amount the rules give');
    assert.equal(again.holding, b.holding);
    assert.equal(b.holding_account_id !== null, b.holding !== 'managed', 'paid streams hold money');
  }
  const holdings = new Set(budgets.map((b) => b.holding));
  for (const h of ['direct_payment', 'third_party', 'individual_service_fund', 'managed'])
    assert.ok(holdings.has(h), `some ${h}`);
  assert.ok(
    budgets.some((b) => b.weekly !== null && b.weekly > 0),
    'some pay a contribution',
  );
  assert.ok(
    budgets.every((b) => b.weekly === null || !b.stream_id.startsWith('section-117-')),
    'never for section 117 after-care',
  );
});

test('schedule lines due by the generated day are paid once by a posted run (payment-line:<id>); later ones are due and unposted', async () => {
  const p = first.partnershipId;
  const lines = await rowsOf(
    sql<{
      id: string;
      status: string;
      due_on: string;
      amount_pence: number;
      tx_id: string | null;
      key: string | null;
      run_status: string | null;
      prepared_by: string | null;
      approved_by: string | null;
      postings: number;
      in_file: number;
    }>`select l.id, l.status, l.due_on::text, l.amount_pence, l.ledger_transaction_id as tx_id,
        t.idempotency_key as key, r.status as run_status, r.prepared_by, r.approved_by,
        (select count(*) from ledger_transactions x where x.partnership_id = ${p}
          and x.idempotency_key = 'payment-line:' || l.id)::int as postings,
        (select count(*) from payment_run_lines rl where rl.line_id = l.id)::int as in_file
      from payment_schedule_lines l
      left join ledger_transactions t on t.id = l.ledger_transaction_id
      left join payment_runs r on r.id = l.run_id
     where l.partnership_id = ${p}`,
  );
  assert.equal(lines.length, first.money?.scheduleLines);
  const paid = lines.filter((l) => l.status === 'paid');
  const due = lines.filter((l) => l.status === 'due');
  assert.equal(paid.length + due.length, lines.length);
  assert.ok(paid.length > 0 && due.length > 0);
  for (const l of paid) {
    assert.ok(l.due_on <= first.asOf);
    assert.equal(l.key, `payment-line:${l.id}`);
    assert.equal(l.postings, 1);
    assert.equal(l.in_file, 1);
    assert.equal(l.run_status, 'posted');
    assert.notEqual(l.prepared_by, l.approved_by, 'four eyes');
  }
  for (const l of due) {
    assert.ok(l.due_on > first.asOf);
    assert.equal(l.postings, 0);
    assert.equal(l.in_file, 0);
  }
  const runs = await rowsOf(
    sql<{ line_count: number; total_pence: number; n: number; total: number }>`
      select r.line_count, r.total_pence, count(rl.*)::int as n,
             coalesce(sum(rl.amount_pence), 0)::int as total
        from payment_runs r left join payment_run_lines rl on rl.run_id = r.id
       where r.partnership_id = ${p} group by r.id`,
  );
  assert.ok(runs.length > 1);
  for (const r of runs) assert.deepEqual([r.line_count, r.total_pence], [r.n, r.total]);
});

test('every holding account holds what was paid into it less what its card statements show; budget accounts what is left', async () => {
  const p = first.partnershipId;
  const accounts = await rowsOf(
    sql<{ key: string; balance: number; paid: number; cards: number }>`
      select a.key,
        coalesce((select sum(e.amount_pence) from ledger_entries e where e.account_id = a.id), 0)::int
          as balance,
        coalesce((select sum(l.amount_pence) from payment_schedule_lines l
                   join budgets b on b.id = l.budget_id
                  where b.holding_account_id = a.id and l.status = 'paid'), 0)::int as paid,
        coalesce((select sum(c.amount_pence) from card_transactions c
                   where c.holding_account_id = a.id), 0)::int as cards
      from ledger_accounts a where a.partnership_id = ${p} and a.kind = 'holding_account'`,
  );
  assert.ok(accounts.length > 0);
  for (const a of accounts) {
    assert.equal(a.balance, a.paid + a.cards, a.key);
    assert.ok(a.balance >= 0, `${a.key} never overdrawn`);
  }
  const budgets = await rowsOf(
    sql<{ id: string; balance: number; left: number }>`
      select b.id,
        coalesce((select sum(e.amount_pence) from ledger_entries e
                   where e.account_id = b.ledger_account_id), 0)::int as balance,
        (b.amount_pence
          - coalesce((select sum(l.amount_pence + l.contribution_pence) from payment_schedule_lines l
                       where l.budget_id = b.id and l.status = 'paid'), 0)
          - coalesce((select sum(l.contribution_pence) from payment_schedule_lines l
                       where l.budget_id = b.id and l.status = 'due'), 0))::int as left
      from budgets b where b.partnership_id = ${p}`,
  );
  for (const b of budgets) assert.equal(b.balance, b.left, `budget ${b.id}`);
});

test('card and bank statement transactions: on real holding accounts (prepaid cards for direct payments, bank accounts for third parties and ISFs), each in its import batch’s ledger transaction, which holds each account’s net, ids unique, with something for monitoring to find', async () => {
  const p = first.partnershipId;
  const cards = await rowsOf(
    sql<{
      id: string;
      holding_account_id: string;
      kind: string | null;
      holding: string | null;
      reference: string | null;
      provider_transaction_id: string;
      provider: string;
      mcc: string | null;
      amount_pence: number;
      category: string | null;
      plan_item_id: string | null;
      key: string | null;
      import_id: string;
      batch_no: number;
    }>`select c.id, c.holding_account_id, a.kind, b.holding, a.reference,
        c.provider_transaction_id, i.format as provider, c.mcc, c.amount_pence, c.category,
        c.plan_item_id, t.idempotency_key as key, c.import_id, c.batch_no
      from card_transactions c
      join statement_imports i on i.id = c.import_id
      left join ledger_accounts a on a.id = c.holding_account_id
      left join budgets b on b.holding_account_id = a.id
      left join statement_import_batches ib using (import_id, batch_no)
      left join ledger_transactions t on t.id = ib.ledger_transaction_id
     where c.partnership_id = ${p}`,
  );
  assert.equal(cards.length, first.money?.cardTransactions);
  assert.ok(cards.length > first.people * 10, `months of spending (got ${String(cards.length)})`);
  for (const c of cards) {
    assert.equal(c.kind, 'holding_account');
    assert.equal(c.provider, c.holding === 'direct_payment' ? 'prepaid-card' : 'bank');
    if (c.provider === 'bank') assert.equal(c.mcc, null, 'bank statements have no merchant codes');
    assert.ok(c.reference, 'the holding account has the reference statements name it by');
    assert.equal(c.key, `import:${c.import_id}:${String(c.batch_no)}`);
  }
  // Each batch's ledger transaction holds, for each holding account, the net of its rows.
  const mismatched = await rowsOf(
    sql<{ tx: string }>`select coalesce(x.tx, y.tx) as tx
      from (select ib.ledger_transaction_id as tx, c.holding_account_id as account,
                   sum(c.amount_pence) as net
              from card_transactions c
              join statement_import_batches ib using (import_id, batch_no)
             where c.partnership_id = ${p} group by 1, 2) x
      full join (select e.transaction_id as tx, e.account_id as account, sum(e.amount_pence) as net
                   from ledger_entries e join ledger_accounts a on a.id = e.account_id
                   join ledger_transactions t on t.id = e.transaction_id
                  where e.partnership_id = ${p} and t.kind = 'spend' and a.kind = 'holding_account'
                  group by 1, 2) y on y.tx = x.tx and y.account = x.account
     where x.net is distinct from y.net and not (x.net = 0 and y.net is null)`,
  );
  assert.deepEqual(mismatched, []);
  assert.equal(new Set(cards.map((c) => c.provider_transaction_id)).size, cards.length);
  for (const provider of ['prepaid-card', 'bank'])
    assert.ok(
      cards.some((c) => c.provider === provider),
      provider,
    );
  const within = cards.filter((c) => c.plan_item_id !== null).length;
  const never = cards.filter((c) => isNeverBuy(c.category)).length;
  const outside = cards.filter(
    (c) => c.category !== null && !isNeverBuy(c.category) && c.plan_item_id === null,
  ).length;
  assert.ok(within > cards.length * 0.8, `mostly within the plan (${String(within)})`);
  assert.ok(outside > 0 && outside < cards.length * 0.05, `a few outside (${String(outside)})`);
  assert.ok(never > 0 && never < cards.length * 0.005, `very few never-buy (${String(never)})`);
  assert.ok(
    cards.some((c) => c.amount_pence > 0),
    'some refunds',
  );
  // Some card holders never use the card; some let money build up past 8 weeks of payments.
  const holders = await rowsOf(
    sql<{ cards: number; balance: number; four_weekly: number }>`
      select (select count(*) from card_transactions c where c.holding_account_id = b.holding_account_id)::int
               as cards,
             (select sum(e.amount_pence) from ledger_entries e
               where e.account_id = b.holding_account_id)::int as balance,
             (select max(l.amount_pence) from payment_schedule_lines l where l.budget_id = b.id)::int
               as four_weekly
        from budgets b where b.partnership_id = ${p} and b.holding_account_id is not null`,
  );
  assert.ok(holders.some((h) => h.cards === 0));
  assert.ok(holders.some((h) => h.cards > 0 && h.balance > 2 * h.four_weekly));
  assert.ok(holders.filter((h) => h.balance > 2 * h.four_weekly).length < holders.length / 4);
  const imports = await rowsOf(
    sql<{ status: string; imported_count: number; n: number }>`
      select i.status, i.imported_count, (select count(*) from card_transactions c
        where c.import_id = i.id)::int as n
        from statement_imports i where i.partnership_id = ${p}`,
  );
  assert.ok(imports.length > 1);
  for (const i of imports) assert.deepEqual([i.status, i.imported_count], ['finished', i.n]);
});

test('the second load of the same seed has the same budgets, lines and card transactions', async () => {
  const of = (partnershipId: string) =>
    rowsOf(
      sql<Record<string, unknown>>`select pe.external_id, b.stream_id, b.amount_pence,
          (select json_agg(json_build_array(l.due_on, l.amount_pence, l.status) order by l.due_on, l.kind)
             from payment_schedule_lines l where l.budget_id = b.id) as lines,
          (select json_agg(json_build_array(c.occurred_on, c.amount_pence, c.description)
                           order by c.occurred_on, c.provider_transaction_id)
             from card_transactions c where c.holding_account_id = b.holding_account_id) as cards
        from budgets b join people pe on pe.id = b.person_id
       where b.partnership_id = ${partnershipId} order by pe.external_id, b.stream_id`,
    );
  assert.deepEqual(await of(second.partnershipId), await of(first.partnershipId));
});

test('light-touch monitoring on the generated day finds a little of each kind, and most card holders have no flag', async () => {
  const p = first.partnershipId;
  const run = await runMonitoring(db, p, first.asOf);
  assert.ok(run.accounts > 0);
  const flags = await rowsOf(
    sql<{ kind: string; n: number }>`select kind, count(distinct person_id)::int as n
      from monitoring_flags where partnership_id = ${p} group by kind order by kind`,
  );
  const [holders] = await rowsOf(
    sql<{ n: number; flagged: number }>`select count(*)::int as n,
        count(*) filter (where exists (select 1 from monitoring_flags f
          where f.person_id = b.person_id))::int as flagged
      from budgets b where b.partnership_id = ${p} and b.holding_account_id is not null`,
  );
  const by = new Map(flags.map((f) => [f.kind, f.n]));
  for (const kind of [
    'balance_above_weeks',
    'outside_plan_categories',
    'never_buy_category',
    'no_activity',
  ])
    assert.ok((by.get(kind) ?? 0) > 0, `some ${kind}`);
  assert.ok(holders && holders.flagged < holders.n / 4, 'most are never asked anything');
});

const ledgerTotal = async (p: string) =>
  (
    await rowsOf(
      sql<{ total: string }>`select coalesce(sum(amount_pence), 0)::text as total
        from ledger_entries where partnership_id = ${p}`,
    )
  )[0]?.total;

test('a payment run after generation pays only the lines still due, each once, and the ledger still balances', async () => {
  const p = first.partnershipId;
  const finance = await rowsOf(
    sql<{ id: string; email: string }>`select u.id, u.email from users u
      join role_grants g on g.user_id = u.id
     where u.partnership_id = ${p} and g.role = 'finance_officer' order by u.email`,
  );
  assert.equal(finance.length, 2);
  const partnership = { id: p, trustId: p, teamId: p } as TestPartnership;
  const [a, b] = finance.map((u) =>
    ctxFor(partnership, { ...u, password: '' }, ['finance_officer'], []),
  );
  assert.ok(a && b);
  const upTo = addDays(first.asOf, 28);
  const [expected] = await rowsOf(
    sql<{ n: number; paid_before: number }>`select
        count(*) filter (where status = 'due' and due_on <= ${upTo})::int as n,
        count(*) filter (where status = 'paid')::int as paid_before
      from payment_schedule_lines where partnership_id = ${p}`,
  );
  assert.ok(expected && expected.n > 0);
  const payments = createPaymentsService({ db, now: () => new Date(`${upTo}T09:00:00Z`) });
  const run = await payments.prepare(a, upTo);
  assert.equal(run.lineCount, expected.n, 'only the lines still due');
  await payments.approve(b, run.id);
  const posted = await payments.post(b, run.id);
  assert.equal(posted.paid, expected.n);
  const [after] = await rowsOf(
    sql<{ paid: number; double: number }>`select
        (select count(*) from payment_schedule_lines where partnership_id = ${p}
          and status = 'paid')::int as paid,
        (select count(*) from (select idempotency_key from ledger_transactions
          where partnership_id = ${p} and idempotency_key like 'payment-line:%'
          group by idempotency_key having count(*) > 1) d)::int as double`,
  );
  assert.deepEqual(after, { paid: expected.paid_before + expected.n, double: 0 });
  assert.equal(await ledgerTotal(p), '0');
});

test("the generated statement file imports into the prepaid-card holders' accounts, and a second time adds nothing", async () => {
  const p = second.partnershipId;
  const dir = mkdtempSync(join(tmpdir(), 'pooled-gen-statement-'));
  try {
    const path = join(dir, 'statement.csv');
    const written = await writeStatementFile(db, {
      partnershipId: p,
      seed: 5,
      asOf: second.asOf,
      path,
      rows: 3000,
    });
    assert.equal(written.rows, 3000);
    const text = readFileSync(path, 'utf8');
    assert.ok(text.startsWith(STATEMENT_FILE_HEADER));
    assert.equal(text.trimEnd().split('\n').length, 3001);
    const again = await writeStatementFile(db, {
      partnershipId: p,
      seed: 5,
      asOf: second.asOf,
      path: join(dir, 'again.csv'),
      rows: 3000,
    });
    assert.equal(again.cards, written.cards);
    assert.equal(readFileSync(join(dir, 'again.csv'), 'utf8'), text, 'deterministic');
    const load = () =>
      importStatement(db, {
        partnershipId: p,
        format: 'prepaid-card',
        fileName: 'statement.csv',
        source: createReadStream(path),
        userId: null,
        actor: 'test',
      });
    const one = await load();
    assert.deepEqual([one.status, one.imported, one.bad, one.duplicates], ['finished', 3000, 0, 0]);
    const two = await load();
    assert.deepEqual([two.imported, two.duplicates, two.bad], [0, 3000, 0]);
    assert.equal(await ledgerTotal(p), '0');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
