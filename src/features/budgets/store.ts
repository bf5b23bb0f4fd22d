// Budgets, schedules, payment runs, commitments and invoices in the database. Every function
// takes a transaction already inside a partnership (row-level security); the services audit.
import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database.js';
import type { CivilDate } from '../../platform/dates.js';
import { isUuid } from '../../platform/ids.js';
import type { FundingBody, Holding } from './rules.js';
import type { BudgetTables, LineStatus, RunStatus } from './tables.js';

export { isUuid };

/** The transaction with this feature's tables added to its type. */
export const bt = (tx: Tx) => tx.withTables<BudgetTables>();

// ---------------------------------------------------------------------------------------------
// Budgets

export interface BudgetRecord {
  id: string;
  personId: string;
  planId: string;
  streamId: string;
  streamName: string;
  body: FundingBody;
  holding: Holding;
  financialYear: number;
  startsOn: CivilDate;
  amount: number;
  ledgerAccountId: string;
  holdingAccountId: string | null;
  payeeName: string | null;
  payeeReference: string | null;
  /** The last day the budget covers when a new plan version replaced it; null while open. */
  endsOn: CivilDate | null;
  replacedByPlanId: string | null;
}

export async function budgetsOf(
  tx: Tx,
  personId: string,
  financialYear?: number,
): Promise<BudgetRecord[]> {
  let q = bt(tx).selectFrom('budgets').selectAll().where('person_id', '=', personId);
  if (financialYear !== undefined) q = q.where('financial_year', '=', financialYear);
  const rows = await q
    .orderBy('financial_year', 'desc')
    .orderBy('stream_name')
    .orderBy('starts_on')
    .orderBy('created_at')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    personId: r.person_id,
    planId: r.plan_id,
    streamId: r.stream_id,
    streamName: r.stream_name,
    body: r.funding_body,
    holding: r.holding,
    financialYear: r.financial_year,
    startsOn: r.starts_on,
    amount: r.amount_pence,
    ledgerAccountId: r.ledger_account_id,
    holdingAccountId: r.holding_account_id,
    payeeName: r.payee_name,
    payeeReference: r.payee_reference,
    endsOn: r.ends_on,
    replacedByPlanId: r.replaced_by_plan_id,
  }));
}

/** The ledger account of a budget. */
export async function ledgerAccountOfBudget(tx: Tx, budgetId: string): Promise<string> {
  const r = await bt(tx)
    .selectFrom('budgets')
    .select('ledger_account_id')
    .where('id', '=', budgetId)
    .executeTakeFirstOrThrow();
  return r.ledger_account_id;
}

export async function weeklyContributionsOf(
  tx: Tx,
  personId: string,
): Promise<{ effectiveFrom: CivilDate; weeklyPence: number; recordedAt: Date }[]> {
  const rows = await bt(tx)
    .selectFrom('financial_assessments')
    .select(['effective_from', 'weekly_contribution_pence', 'recorded_at'])
    .where('person_id', '=', personId)
    .orderBy('effective_from')
    .orderBy('recorded_at')
    .execute();
  // A later assessment with the same effective date replaces an earlier one.
  const byDate = new Map<
    string,
    { effectiveFrom: CivilDate; weeklyPence: number; recordedAt: Date }
  >();
  for (const r of rows)
    byDate.set(r.effective_from, {
      effectiveFrom: r.effective_from,
      weeklyPence: r.weekly_contribution_pence,
      recordedAt: r.recorded_at,
    });
  return [...byDate.values()];
}

// ---------------------------------------------------------------------------------------------
// Schedule lines

export interface LineRecord {
  id: string;
  budgetId: string;
  kind: 'periodic' | 'one_off';
  periodNo: number;
  dueOn: CivilDate;
  amount: number;
  contribution: number;
  description: string;
  reference: string;
  status: LineStatus;
  runId: string | null;
}

export async function linesOfBudgets(tx: Tx, budgetIds: readonly string[]): Promise<LineRecord[]> {
  if (budgetIds.length === 0) return [];
  const rows = await bt(tx)
    .selectFrom('payment_schedule_lines')
    .selectAll()
    .where('budget_id', 'in', [...budgetIds])
    .orderBy('due_on')
    .orderBy('reference')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    budgetId: r.budget_id,
    kind: r.kind,
    periodNo: r.period_no,
    dueOn: r.due_on,
    amount: r.amount_pence,
    contribution: r.contribution_pence,
    description: r.description,
    reference: r.reference,
    status: r.status,
    runId: r.run_id,
  }));
}

// ---------------------------------------------------------------------------------------------
// Commitments and invoices

export interface CommitmentRecord {
  id: string;
  budgetId: string;
  personId: string;
  itemId: string;
  what: string;
  providerName: string;
  providerAccountId: string;
  /** What is committed: the plan's figure, or less when the budget ended early. */
  amount: number;
  /** The last day covered when the budget ended early (a new plan version). */
  endsOn: CivilDate | null;
  invoiced: number;
  invoices: { number: string; date: CivilDate; amount: number }[];
}

export async function commitmentsOf(
  tx: Tx,
  where: { budgetIds: readonly string[] } | { id: string },
): Promise<CommitmentRecord[]> {
  let q = bt(tx)
    .selectFrom('commitments as c')
    .leftJoin('commitment_ends as ce', 'ce.commitment_id', 'c.id')
    .selectAll('c')
    .select(['ce.ends_on', 'ce.amount_pence as ended_amount_pence']);
  if ('id' in where) {
    if (!isUuid(where.id)) return [];
    q = q.where('c.id', '=', where.id);
  } else {
    if (where.budgetIds.length === 0) return [];
    q = q.where('c.budget_id', 'in', [...where.budgetIds]);
  }
  const rows = await q.orderBy('c.provider_name').orderBy('c.what').execute();
  if (rows.length === 0) return [];
  const invoices = await bt(tx)
    .selectFrom('provider_invoices')
    .select(['commitment_id', 'invoice_number', 'invoice_date', 'amount_pence'])
    .where(
      'commitment_id',
      'in',
      rows.map((r) => r.id),
    )
    .orderBy('invoice_date')
    .orderBy('invoice_number')
    .execute();
  return rows.map((r) => {
    const mine = invoices.filter((i) => i.commitment_id === r.id);
    return {
      id: r.id,
      budgetId: r.budget_id,
      personId: r.person_id,
      itemId: r.item_id,
      what: r.what,
      providerName: r.provider_name,
      providerAccountId: r.provider_account_id,
      amount: r.ended_amount_pence ?? r.amount_pence,
      endsOn: r.ends_on,
      invoiced: mine.reduce((t, i) => t + i.amount_pence, 0),
      invoices: mine.map((i) => ({
        number: i.invoice_number,
        date: i.invoice_date,
        amount: i.amount_pence,
      })),
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Payment runs

export interface RunRecord {
  id: string;
  status: RunStatus;
  dueUpTo: CivilDate;
  preparedBy: string;
  preparedByName: string | null;
  preparedAt: Date;
  approvedBy: string | null;
  approvedByName: string | null;
  approvedAt: Date | null;
  postedAt: Date | null;
  lineCount: number;
  total: number;
}

function runsQuery(tx: Tx) {
  return bt(tx)
    .selectFrom('payment_runs as r')
    .leftJoin('users as p', 'p.id', 'r.prepared_by')
    .leftJoin('users as a', 'a.id', 'r.approved_by')
    .select([
      'r.id',
      'r.status',
      'r.due_up_to',
      'r.prepared_by',
      'p.full_name as prepared_by_name',
      'r.prepared_at',
      'r.approved_by',
      'a.full_name as approved_by_name',
      'r.approved_at',
      'r.posted_at',
      'r.line_count',
      'r.total_pence',
    ]);
}
type RunRow = Awaited<ReturnType<ReturnType<typeof runsQuery>['execute']>>[number];
const toRun = (r: RunRow): RunRecord => ({
  id: r.id,
  status: r.status,
  dueUpTo: r.due_up_to,
  preparedBy: r.prepared_by,
  preparedByName: r.prepared_by_name,
  preparedAt: r.prepared_at,
  approvedBy: r.approved_by,
  approvedByName: r.approved_by_name,
  approvedAt: r.approved_at,
  postedAt: r.posted_at,
  lineCount: r.line_count,
  total: r.total_pence,
});

export async function runById(tx: Tx, id: string): Promise<RunRecord | undefined> {
  if (!isUuid(id)) return undefined;
  const r = await runsQuery(tx).where('r.id', '=', id).executeTakeFirst();
  return r ? toRun(r) : undefined;
}

export async function listRuns(tx: Tx, limit = 100): Promise<RunRecord[]> {
  const rows = await runsQuery(tx).orderBy('r.prepared_at', 'desc').limit(limit).execute();
  return rows.map(toRun);
}

/** Runs approved but not finished: a posting was interrupted, or is going on now. */
export async function unfinishedRuns(tx: Tx): Promise<RunRecord[]> {
  const rows = await runsQuery(tx)
    .where('r.status', 'in', ['prepared', 'approved'])
    .orderBy('r.prepared_at')
    .execute();
  return rows.map(toRun);
}

/** Posted runs whose payment file has never been produced (no export in the audit trail). */
export async function postedWithoutFile(tx: Tx): Promise<RunRecord[]> {
  const rows = await runsQuery(tx)
    .where('r.status', '=', 'posted')
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('audit_events as e')
            .select('e.id')
            .where('e.record_type', '=', 'payment_run')
            .where('e.action', '=', 'export')
            .where('e.record_id', '=', sql<string>`r.id::text`),
        ),
      ),
    )
    .orderBy('r.posted_at')
    .execute();
  return rows.map(toRun);
}

export async function insertRun(
  tx: Tx,
  d: { partnershipId: string; dueUpTo: CivilDate; preparedBy: string },
): Promise<string> {
  const r = await bt(tx)
    .insertInto('payment_runs')
    .values({ partnership_id: d.partnershipId, due_up_to: d.dueUpTo, prepared_by: d.preparedBy })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

/**
 * Puts every due line up to the date into the run, with its payee as it is now. A line already
 * in another run (even one being prepared at this moment in another transaction) is left out:
 * the unique line_id waits for that transaction and then does nothing. Lines are taken in id
 * order so two runs prepared at once cannot deadlock.
 */
export async function reserveLines(
  tx: Tx,
  partnershipId: string,
  runId: string,
  dueUpTo: CivilDate,
): Promise<{ count: number; total: number }> {
  await sql`
    insert into payment_run_lines
      (partnership_id, run_id, line_id, person_id, funding_body, payee, account_reference,
       amount_pence, reference)
    select l.partnership_id, ${runId}::uuid, l.id, l.person_id, b.funding_body, b.payee_name,
           b.payee_reference, l.amount_pence, l.reference
      from payment_schedule_lines l
      join budgets b on b.id = l.budget_id
     where l.partnership_id = ${partnershipId}::uuid
       and l.status = 'due' and l.due_on <= ${dueUpTo}::date
       and b.holding_account_id is not null
     order by l.id
    on conflict (line_id) do nothing`.execute(tx);
  await sql`
    update payment_schedule_lines l set status = 'in_run', run_id = ${runId}::uuid
      from payment_run_lines rl
     where rl.run_id = ${runId}::uuid and rl.line_id = l.id and l.status = 'due'`.execute(tx);
  const t = await sql<{ n: number; total: number | null }>`
    select count(*)::int as n, sum(amount_pence)::bigint as total
      from payment_run_lines where run_id = ${runId}::uuid`.execute(tx);
  const row = t.rows[0];
  const count = row?.n ?? 0;
  const total = row?.total ?? 0;
  await bt(tx)
    .updateTable('payment_runs')
    .set({ line_count: count, total_pence: total })
    .where('id', '=', runId)
    .execute();
  return { count, total };
}

export async function runSummaryByBody(
  tx: Tx,
  runId: string,
): Promise<{ body: FundingBody; count: number; total: number }[]> {
  const rows = await bt(tx)
    .selectFrom('payment_run_lines')
    .select((eb) => [
      'funding_body',
      eb.fn.countAll<number>().as('n'),
      eb.fn.sum<number>('amount_pence').as('total'),
    ])
    .where('run_id', '=', runId)
    .groupBy('funding_body')
    .orderBy('funding_body')
    .execute();
  return rows.map((r) => ({ body: r.funding_body, count: r.n, total: r.total }));
}

export interface RunLineRecord {
  lineId: string;
  personId: string;
  personName: string;
  body: FundingBody;
  payee: string;
  accountReference: string;
  amount: number;
  reference: string;
  dueOn: CivilDate;
  description: string;
  status: LineStatus;
}

export async function runLines(
  tx: Tx,
  runId: string,
  page: { limit: number; offset: number } | null,
): Promise<RunLineRecord[]> {
  let q = bt(tx)
    .selectFrom('payment_run_lines as rl')
    .innerJoin('payment_schedule_lines as l', 'l.id', 'rl.line_id')
    .innerJoin('people as p', 'p.id', 'rl.person_id')
    .select([
      'rl.line_id',
      'rl.person_id',
      'p.given_name',
      'p.family_name',
      'rl.funding_body',
      'rl.payee',
      'rl.account_reference',
      'rl.amount_pence',
      'rl.reference',
      'l.due_on',
      'l.description',
      'l.status',
    ])
    .where('rl.run_id', '=', runId)
    .orderBy('rl.reference');
  if (page) q = q.limit(page.limit).offset(page.offset);
  const rows = await q.execute();
  return rows.map((r) => ({
    lineId: r.line_id,
    personId: r.person_id,
    personName: `${r.given_name} ${r.family_name}`,
    body: r.funding_body,
    payee: r.payee,
    accountReference: r.account_reference,
    amount: r.amount_pence,
    reference: r.reference,
    dueOn: r.due_on,
    description: r.description,
    status: r.status,
  }));
}

/** The rows of the payment file, in reference order. */
export async function fileRows(
  tx: Tx,
  runId: string,
): Promise<
  {
    payee: string;
    account_reference: string;
    amount_pence: number;
    reference: string;
    funding_body: FundingBody;
  }[]
> {
  return bt(tx)
    .selectFrom('payment_run_lines')
    .select(['payee', 'account_reference', 'amount_pence', 'reference', 'funding_body'])
    .where('run_id', '=', runId)
    .orderBy('reference')
    .execute();
}

export async function markApproved(
  tx: Tx,
  runId: string,
  approvedBy: string,
  at: Date,
): Promise<boolean> {
  const r = await bt(tx)
    .updateTable('payment_runs')
    .set({ status: 'approved', approved_by: approvedBy, approved_at: at })
    .where('id', '=', runId)
    .where('status', '=', 'prepared')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export interface BatchLine {
  id: string;
  budgetId: string;
  personId: string;
  amount: number;
  reference: string;
  description: string;
  budgetAccountId: string;
  holdingAccountId: string;
}

/**
 * The next lines of the run still to pay, locked; lines another poster holds are skipped, so
 * two processes posting the same run share the work instead of waiting for each other (and
 * cannot deadlock: nobody waits). In no particular order: sorting every line left in the run
 * for each batch cost most of a batch's time at 100,000 lines; the budgets are joined after
 * the limit for the same reason.
 */
export async function nextBatch(tx: Tx, runId: string, size: number): Promise<BatchLine[]> {
  const r = await sql<{
    id: string;
    budget_id: string;
    person_id: string;
    amount_pence: number;
    reference: string;
    description: string;
    ledger_account_id: string;
    holding_account_id: string;
  }>`
    with batch as (
      select l.id, l.budget_id, l.person_id, l.amount_pence, l.reference, l.description
        from payment_schedule_lines l
       where l.run_id = ${runId}::uuid and l.status = 'in_run'
       limit ${size}
         for update skip locked)
    select batch.*, b.ledger_account_id, b.holding_account_id
      from batch join budgets b on b.id = batch.budget_id`.execute(tx);
  return r.rows.map((x) => ({
    id: x.id,
    budgetId: x.budget_id,
    personId: x.person_id,
    amount: x.amount_pence,
    reference: x.reference,
    description: x.description,
    budgetAccountId: x.ledger_account_id,
    holdingAccountId: x.holding_account_id,
  }));
}

export async function markPaid(
  tx: Tx,
  paid: readonly { lineId: string; transactionId: string }[],
  at: Date,
): Promise<void> {
  if (paid.length === 0) return;
  const ids = paid.map((p) => p.lineId);
  // `l.id = any(ids)` as well as the join: it gives the planner the primary key and a true row
  // count. Without it, statistics taken while every line was 'due' made it scan the whole table
  // once per line (14 s a batch at 100,000 lines).
  await sql`
    update payment_schedule_lines l
       set status = 'paid', ledger_transaction_id = v.tx_id, paid_at = ${at}
      from unnest(${ids}::uuid[], ${paid.map((p) => p.transactionId)}::uuid[]) as v(line_id, tx_id)
     where l.id = any(${ids}::uuid[]) and l.id = v.line_id and l.status = 'in_run'`.execute(tx);
}

/** Marks the run posted when none of its lines is left to pay. */
export async function finishRun(tx: Tx, runId: string, at: Date): Promise<boolean> {
  const r = await sql`
    update payment_runs set status = 'posted', posted_at = ${at}
     where id = ${runId}::uuid and status = 'approved'
       and not exists (select 1 from payment_schedule_lines
                        where run_id = ${runId}::uuid and status = 'in_run')`.execute(tx);
  return Number(r.numAffectedRows ?? 0) === 1;
}

export async function cancelRun(tx: Tx, runId: string): Promise<boolean> {
  const r = await bt(tx)
    .updateTable('payment_runs')
    .set({ status: 'cancelled' })
    .where('id', '=', runId)
    .where('status', '=', 'prepared')
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) !== 1) return false;
  await bt(tx)
    .updateTable('payment_schedule_lines')
    .set({ status: 'due', run_id: null })
    .where('run_id', '=', runId)
    .where('status', '=', 'in_run')
    .execute();
  await bt(tx).deleteFrom('payment_run_lines').where('run_id', '=', runId).execute();
  return true;
}
