// Reads for the API (issue 5 points 8 and 9): a person's budgets with what the plan meant each
// item to cost in the budget's part of the year, and payment runs for a finance system (the list,
// one run with its lines, the payment file's rows). Every function takes a transaction already
// inside inPartnership; the API applies the access rule and audits in the same transaction.
// Balances are never worked out here: they are sums of the ledger's entries (the ledger feature).
import type { Tx } from '../../platform/db/database.js';
import { planDocumentSchema } from '../planning/index.js';
import {
  coveredPeriods,
  proRata,
  routeOf,
  yearEnd,
  type FundingBody,
  type Route,
} from './rules.js';
import { streamsForBudget } from './service.js';
import {
  bt,
  budgetsOf,
  commitmentsOf,
  fileRows,
  linesOfBudgets,
  listRuns,
  runById,
  runLines,
  runSummaryByBody,
  type BudgetRecord,
  type CommitmentRecord,
  type LineRecord,
  type RunLineRecord,
  type RunRecord,
} from './store.js';

export type { BudgetRecord, CommitmentRecord, LineRecord, RunLineRecord, RunRecord };

export interface PlannedItem {
  itemId: string;
  what: string;
  category: string | null;
  route: Route;
  /** What the plan meant the item to cost in the budget's part of the year, in pence. */
  plannedPence: number;
}

export interface BudgetForApi {
  budget: BudgetRecord;
  /** The last day the budget covers (31 March of its financial year). */
  endsOn: string;
  /** The schedule line due next (due or in a run), or null when none is left. */
  nextPayment: LineRecord | null;
  /** Schedule lines: how many, how many paid, and the contributions netted from them. */
  schedule: { lines: number; paid: number; contributionPence: number };
  commitments: CommitmentRecord[];
  items: PlannedItem[];
}

/**
 * The person's budgets, newest financial year first (one year when asked), each with its next
 * payment, schedule, commitments and the plan's cost for each of its items.
 */
export async function budgetsForApi(
  tx: Tx,
  personId: string,
  financialYear?: number,
): Promise<BudgetForApi[]> {
  const budgets = await budgetsOf(tx, personId, financialYear);
  if (budgets.length === 0) return [];
  const ids = budgets.map((b) => b.id);
  const planIds = [...new Set(budgets.map((b) => b.planId))];
  const [lines, commitments, plans, firstYears] = await Promise.all([
    linesOfBudgets(tx, ids),
    commitmentsOf(tx, { budgetIds: ids }),
    tx.selectFrom('support_plans').select(['id', 'document']).where('id', 'in', planIds).execute(),
    // Each plan's first financial year with a budget: a later year's budget is a renewal.
    bt(tx)
      .selectFrom('budgets')
      .select(['plan_id', (eb) => eb.fn.min<number>('financial_year').as('first')])
      .where('plan_id', 'in', planIds)
      .groupBy('plan_id')
      .execute(),
  ]);
  const firstYear = new Map(firstYears.map((r) => [r.plan_id, r.first]));
  const documents = new Map(
    plans.map((p) => {
      const parsed = planDocumentSchema.safeParse(p.document);
      return [p.id, parsed.success ? parsed.data : null] as const;
    }),
  );
  return budgets.map((b) => {
    const mine = lines.filter((l) => l.budgetId === b.id);
    const document = documents.get(b.planId) ?? null;
    return {
      budget: b,
      endsOn: b.endsOn ?? yearEnd(b.financialYear),
      nextPayment: mine.find((l) => l.status === 'due' || l.status === 'in_run') ?? null,
      schedule: {
        lines: mine.filter((l) => l.status !== 'cancelled').length,
        paid: mine.filter((l) => l.status === 'paid').length,
        contributionPence: mine
          .filter((l) => l.status !== 'cancelled')
          .reduce((t, l) => t + l.contribution, 0),
      },
      commitments: commitments.filter((c) => c.budgetId === b.id),
      items: document
        ? plannedItems(b, document, b.financialYear > (firstYear.get(b.planId) ?? b.financialYear))
        : [],
    };
  });
}

/**
 * The stream's items with what each was meant to cost from the budget's start to the end of its
 * year (or its end, when a new plan version replaced it): a recurring item pro rata by days in
 * each four-weekly period (as the budget's own allocations are worked out), a one-off item in
 * full in the plan's first year and nothing in a renewal (it was met in the first year, and a
 * renewal does not allocate it: decision 0014).
 */
function plannedItems(
  b: BudgetRecord,
  document: ReturnType<typeof planDocumentSchema.parse>,
  renewal: boolean,
): PlannedItem[] {
  const stream = streamsForBudget(document).find((s) => s.id === b.streamId);
  if (!stream) return [];
  const covered = coveredPeriods(b.financialYear, b.startsOn, b.endsOn ?? undefined);
  return stream.items.map((item) => {
    const fourWeekly = item.fourWeekly;
    const planned =
      item.oneOff || fourWeekly === null
        ? renewal
          ? 0
          : Number(item.annual)
        : covered.reduce((t, p) => t + Number(proRata(fourWeekly, p.days)), 0);
    return {
      itemId: item.id,
      what: item.what,
      category: document.items.find((i) => i.id === item.id)?.category ?? null,
      route: routeOf(b.holding, item.providerKind),
      plannedPence: planned,
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Payment runs

export interface RunForApi {
  run: RunRecord;
  byBody: { body: FundingBody; count: number; total: number }[];
  lines: RunLineRecord[];
}

/** The latest payment runs, newest first. */
export function paymentRunsForApi(tx: Tx, limit: number): Promise<RunRecord[]> {
  return listRuns(tx, limit);
}

/** One run with its totals by funding body and a page of its lines (by reference), or undefined. */
export async function paymentRunForApi(
  tx: Tx,
  runId: string,
  page: { limit: number; offset: number },
): Promise<RunForApi | undefined> {
  const run = await runById(tx, runId);
  if (!run) return undefined;
  const [byBody, lines] = await Promise.all([
    runSummaryByBody(tx, runId),
    runLines(tx, runId, page),
  ]);
  return { run, byBody, lines };
}

/** A run and the rows of its payment file, or undefined when there is no such run. */
export async function paymentFileForApi(
  tx: Tx,
  runId: string,
): Promise<
  | {
      run: RunRecord;
      rows: {
        payee: string;
        accountReference: string;
        amount: number;
        reference: string;
        body: FundingBody;
      }[];
    }
  | undefined
> {
  const run = await runById(tx, runId);
  if (!run) return undefined;
  const rows = await fileRows(tx, runId);
  return {
    run,
    rows: rows.map((r) => ({
      payee: r.payee,
      accountReference: r.account_reference,
      amount: r.amount_pence,
      reference: r.reference,
      body: r.funding_body,
    })),
  };
}
