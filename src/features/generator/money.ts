// Budgets, payment schedules, the ledger and card transactions for the generated partnership
// (issue 5 point 9). For each approved plan: a budget per stream with items, made by the budgets
// feature's own rules (planBudgets), its schedule lines (direct payments, third-party budgets and
// individual service funds four-weekly in advance, the first pro-rata) or commitments (managed),
// client contributions for some council budgets, and on the ledger exactly what the app would
// have posted: allocations and contributions a period each (`allocation:<budget>:<period>`,
// `contribution:<budget>:<period>`), each line due by the world's day paid by a posted payment
// run (`payment-line:<line>`), and for each holding account the transactions from its first
// payment to that day (prepaid-card statements for direct payments, bank statements for third
// parties and ISFs), imported a month a statement, posted as the statements import posts a
// batch: one ledger transaction (`import:<import>:<batch>`) with an entry per holding account,
// the net of its rows, balanced on the spending accounts (source_ref `import:<import>`).
//
// Everything is bulk-loaded with COPY a chunk of people at a time; each COPY of ledger entries
// holds only complete transactions, so the statement-level balance trigger checks each chunk
// and the deferred header check passes at commit. Deterministic from the seed.
import type { RawClient } from '../../platform/db/database.js';
import type { CivilDate } from '../../platform/dates.js';
import { negate, pence, type Pence } from '../../platform/money.js';
import {
  addDays,
  lineReference,
  planBudgets,
  providerKey,
  routeOf,
  streamsForBudget,
  type BudgetFundingBody,
  type BudgetPlan,
} from '../budgets/index.js';
import type { PlanDocument } from '../planning/index.js';
import { isNeverBuy } from '../statements/index.js';
import { GENERATED_ITEMS } from './plans.js';
import {
  batchLines,
  cardSpending,
  holdingReference,
  merchantCategory,
  payeeName,
} from './cards.js';
import {
  CARD_BATCH,
  Chunk,
  newImport,
  monthIndex,
  monthLabel,
  once,
  type ImportState,
  type MoneyContext,
  type MoneyCounts,
  type RunState,
  ACCOUNT_COLUMNS,
  BUDGET_COLUMNS,
  CARD_COLUMNS,
  IMPORT_BATCH_COLUMNS,
  COMMITMENT_COLUMNS,
  ENTRY_COLUMNS,
  FINANCIAL_ASSESSMENT_COLUMNS,
  LINE_COLUMNS,
  RUN_COLUMNS,
  RUN_LINE_COLUMNS,
  TRANSACTION_COLUMNS,
} from './money-columns.js';
import { csvLine, hash32, makeRandom } from './rules.js';

type Body = BudgetFundingBody;

/**
 * Load budgets, schedules, commitments, contributions, payment runs, the ledger and card
 * transactions for every approved plan. Runs inside generate's transaction (as the owner).
 */
export type { MoneyContext, MoneyCounts } from './money-columns.js';

export async function loadMoney(
  c: RawClient,
  ctx: MoneyContext,
  time: (table: string, rows: number, seconds: number) => void,
): Promise<MoneyCounts> {
  const P = ctx.partnershipId;
  const counts: MoneyCounts = {
    budgets: 0,
    financialAssessments: 0,
    scheduleLines: 0,
    paidLines: 0,
    commitments: 0,
    paymentRuns: 0,
    ledgerAccounts: 0,
    ledgerTransactions: 0,
    ledgerEntries: 0,
    statementImports: 0,
    cardTransactions: 0,
  };
  // Schedule line references are made from the first 16 hex digits of the line’s id
  // (lineReference): line ids carry their number in the first 12 (unique), and the partnership’s
  // prefix last.
  const prefix = ctx.id('partnership', 0).slice(0, 8);
  let lineNo = 0;
  const lineId = () => {
    const n = (lineNo++).toString(16).padStart(12, '0');
    return `${n.slice(0, 8)}-${n.slice(8)}-4015-8000-${prefix}0015`;
  };
  let accountNo = 0;
  /** Milliseconds spent making rows (apart from COPY, which overlaps it). */
  let making = 0;
  let transactionNo = 0;
  let cardNo = 0;
  let commitmentNo = 0;

  // Accounts shared by everyone: pots, contributions, spending, providers.
  const shared = new Map<string, string>();
  const sharedRows: string[] = [];
  const sharedAccount = (key: string, kind: string, name: string, body: Body, ref?: string) => {
    const id = ctx.id('ledgerAccount', accountNo++);
    shared.set(key, id);
    sharedRows.push(csvLine([id, P, key, kind, body, null, null, name, ref ?? null]));
  };
  for (const body of ['council', 'nhs'] as const) {
    const label = body === 'council' ? 'council' : 'NHS';
    sharedAccount(
      `pot:${body}`,
      'stream_pot',
      body === 'council' ? 'Council pot' : 'NHS pot',
      body,
    );
    sharedAccount(`contributions:${body}`, 'contributions', `Client contributions (${body})`, body);
    sharedAccount(`spending:${body}`, 'spending', `Spent (${label})`, body);
    for (const item of GENERATED_ITEMS)
      sharedAccount(
        providerKey(body, item.provider),
        'provider_payable',
        item.provider,
        body,
        item.provider,
      );
  }
  const account = (key: string) => {
    const id = shared.get(key);
    if (!id) throw new Error(`generated ledger account ${key} is missing`);
    return id;
  };
  await copy('ledger_accounts', ACCOUNT_COLUMNS, sharedRows, sharedRows.length);
  counts.ledgerAccounts += sharedRows.length;

  // Payment runs: one a four-weekly period whose lines were due by asOf, prepared by one finance
  // officer and approved by the other; line counts and totals filled in at the end.
  const runs = new Map<string, RunState>();
  const runFor = (periodStart: CivilDate, periodNo: number, periodEnd: CivilDate) => {
    let run = runs.get(periodStart);
    if (!run) {
      run = {
        id: ctx.id('paymentRun', runs.size),
        periodNo,
        lines: 0,
        total: 0,
        dueUpTo: periodEnd < ctx.asOf ? periodEnd : ctx.asOf,
        prepared: periodStart,
      };
      runs.set(periodStart, run);
      pendingRuns.push(run);
    }
    return run;
  };
  let pendingRuns: RunState[] = [];

  const imports = new Map<number, ImportState>();
  /** A month's statement from one provider: key = month × 2 (+ 1 for bank statements). */
  const importFor = (key: number) => {
    let s = imports.get(key);
    if (!s) {
      s = newImport(ctx.id('statementImport', key), key);
      imports.set(key, s);
    }
    return s;
  };

  const [preparer, approver] = ctx.financeUsers;
  /** A month's statement is imported on the first of the next month (or on asOf, for this one). */
  const importDay = (month: number): string => {
    const next = `${monthLabel(month + 1)}-01`;
    return next < ctx.asOf ? next : ctx.asOf;
  };

  async function copy(
    table: string,
    columns: readonly string[],
    rows: readonly string[],
    n: number,
  ): Promise<void> {
    if (n === 0) return;
    const start = performance.now();
    await c.copyIn(table, columns, once(rows.join('')));
    time(table, n, (performance.now() - start) / 1000);
  }

  const posting = (
    chunk: Chunk,
    key: string,
    kind: string,
    on: string,
    description: string,
    lines: readonly (readonly [account: string, amount: number, sourceRef: string | null])[],
    postedBy: string | null,
  ): string => {
    const id = ctx.id('ledgerTransaction', transactionNo++);
    chunk.transactions.push(csvLine([id, P, key, kind, on, description, lines.length, postedBy]));
    // Ids, whole numbers and card:/line: references: nothing to quote.
    for (const [accountId, amount, ref] of lines)
      chunk.entries.push(`${P},${id},${accountId},${String(amount)},${ref ?? ''}\n`);
    counts.ledgerTransactions++;
    counts.ledgerEntries += lines.length;
    return id;
  };

  // Card transactions of the chunk, by month (statement), posted in batches.
  let cardsByMonth = new Map<
    number,
    { row: string[]; holding: string; amount: number; day: string; body: Body }[]
  >();

  function personBudgets(chunk: Chunk, r: number) {
    const person = ctx.personOfRow(r);
    const personId = ctx.personId(person);
    const name = ctx.personName(person);
    const coordinator = ctx.coordinatorId(person);
    const doc = ctx.document(r);
    const startsOn = ctx.approvedOn(r);
    const createdAt = `${startsOn}T12:00:00Z`;
    const streams = streamsForBudget(doc);
    // A weekly contribution for about one council budget in four (never section 117).
    const first = streams[0];
    const contributions: { effectiveFrom: string; weeklyPence: Pence }[] = [];
    if (
      first &&
      first.body === 'council' &&
      !first.id.startsWith('section-117-') &&
      hash32(`${String(ctx.seed)}:fa:${String(r)}`) % 4 === 1
    ) {
      const weeklyCost = first.items.reduce((t, i) => t + (i.fourWeekly ?? 0), 0) / 4;
      const weekly = Math.min(500 + ((r * 97) % 40) * 100, Math.floor(weeklyCost * 0.3));
      if (weekly > 0) {
        contributions.push({ effectiveFrom: startsOn, weeklyPence: pence(weekly) });
        chunk.assessments.push(
          csvLine([
            ctx.id('financialAssessment', r),
            P,
            personId,
            weekly,
            startsOn,
            coordinator,
            createdAt,
          ]),
        );
        counts.financialAssessments++;
      }
    }
    const plans = planBudgets({ startsOn, streams, contributions });
    for (const b of plans) {
      const streamIndex = doc.streams.findIndex((s) => s.id === b.streamId);
      const budgetId = ctx.id('budget', r * 4 + streamIndex);
      budgetRows(chunk, b, { r, person, personId, name, coordinator, createdAt, budgetId, doc });
    }
  }

  function budgetRows(
    chunk: Chunk,
    b: BudgetPlan,
    x: {
      r: number;
      person: number;
      personId: string;
      name: string;
      coordinator: string;
      createdAt: string;
      budgetId: string;
      doc: PlanDocument;
    },
  ) {
    const { budgetId, personId } = x;
    const items = x.doc.items.filter((i) => i.streamId === b.streamId);
    const pays = items.some((i) => routeOf(b.holding, i.provider.kind) === 'payment');
    const budgetAccount = ctx.id('ledgerAccount', accountNo++);
    chunk.accounts.push(
      csvLine([
        budgetAccount,
        P,
        `budget:${budgetId}`,
        'person_budget',
        b.body,
        personId,
        budgetId,
        `${x.name}: ${b.streamName} ${String(b.financialYear)}`,
        null,
      ]),
    );
    counts.ledgerAccounts++;
    let holdingAccount: string | null = null;
    const payee = payeeName(b.holding, x.name);
    const reference = holdingReference(b.holding, x.person);
    if (pays) {
      holdingAccount = ctx.id('ledgerAccount', accountNo++);
      chunk.accounts.push(
        csvLine([
          holdingAccount,
          P,
          `holding:${personId}:${b.streamId}`,
          'holding_account',
          b.body,
          personId,
          null,
          `${x.name}: ${b.streamName} (${payee})`,
          reference,
        ]),
      );
      counts.ledgerAccounts++;
    }
    chunk.budgets.push(
      csvLine([
        budgetId,
        P,
        personId,
        ctx.planId(x.r),
        b.streamId,
        b.streamName,
        b.body,
        b.holding,
        b.financialYear,
        b.startsOn,
        b.amount,
        budgetAccount,
        holdingAccount,
        holdingAccount ? payee : null,
        holdingAccount ? reference : null,
        x.coordinator,
        x.createdAt,
      ]),
    );
    counts.budgets++;

    const pot = account(`pot:${b.body}`);
    for (const p of b.periods) {
      if (p.allocation > 0)
        posting(
          chunk,
          `allocation:${budgetId}:${String(p.periodNo)}`,
          'allocation',
          p.coveredFrom,
          `${b.streamName} budget, period ${String(p.periodNo)} (${String(p.days)} days)`,
          [
            [budgetAccount, p.allocation, null],
            [pot, negate(p.allocation), null],
          ],
          x.coordinator,
        );
      if (p.contribution > 0)
        posting(
          chunk,
          `contribution:${budgetId}:${String(p.periodNo)}`,
          'contribution',
          p.coveredFrom,
          `Client contribution, period ${String(p.periodNo)} (${String(p.days)} days)`,
          [
            [account(`contributions:${b.body}`), p.contribution, null],
            [budgetAccount, negate(p.contribution), null],
          ],
          x.coordinator,
        );
    }
    if (b.oneOffAllocation > 0)
      posting(
        chunk,
        `allocation:${budgetId}:one-off`,
        'allocation',
        b.startsOn,
        `${b.streamName} budget, one-off items`,
        [
          [budgetAccount, b.oneOffAllocation, null],
          [pot, negate(b.oneOffAllocation), null],
        ],
        x.coordinator,
      );

    const paid: { day: CivilDate; amount: number }[] = [];
    const periodOfNo = new Map(b.periods.map((p) => [p.periodNo, p]));
    for (const l of b.lines) {
      const id = lineId();
      const ref = lineReference(id);
      counts.scheduleLines++;
      // The schedule line's row: paid (in a run, with its ledger transaction) or still due.
      const line = (
        status: 'paid' | 'due',
        runId: string | null,
        tx: string | null,
        paidAt: string | null,
      ) =>
        csvLine([
          id,
          P,
          budgetId,
          personId,
          l.kind,
          l.periodNo,
          l.dueOn,
          l.amount,
          l.contribution,
          l.description,
          ref,
          status,
          runId,
          tx,
          paidAt,
          x.createdAt,
        ]);
      if (l.dueOn <= ctx.asOf && holdingAccount) {
        const period = periodOfNo.get(l.periodNo);
        const start = period?.start ?? l.dueOn;
        const run = runFor(start, l.periodNo, addDays(start, period ? 27 : 0));
        const tx = posting(
          chunk,
          `payment-line:${id}`,
          'payment',
          l.dueOn,
          `Payment ${ref}: ${l.description}`,
          [
            [budgetAccount, negate(l.amount), `line:${id}`],
            [holdingAccount, l.amount, `line:${id}`],
          ],
          approver,
        );
        chunk.lines.push(line('paid', run.id, tx, `${l.dueOn}T11:00:00Z`));
        chunk.runLines.push(
          csvLine([P, run.id, id, personId, b.body, payee, reference, l.amount, ref]),
        );
        run.lines++;
        run.total += l.amount;
        counts.paidLines++;
        paid.push({ day: l.dueOn, amount: l.amount });
      } else {
        chunk.lines.push(line('due', null, null, null));
      }
    }
    for (const cm of b.commitments) {
      chunk.commitments.push(
        csvLine([
          ctx.id('commitment', commitmentNo++),
          P,
          budgetId,
          personId,
          cm.itemId,
          cm.what,
          cm.providerName,
          account(providerKey(b.body, cm.providerName)),
          cm.amount,
          x.createdAt,
        ]),
      );
      counts.commitments++;
    }

    // Spending up to asOf: on a prepaid card (direct payments, with merchant category codes),
    // or from the third party's or ISF provider's bank account (descriptions only).
    if (!holdingAccount || paid.length === 0) return;
    const bank = b.holding !== 'direct_payment';
    const rand = makeRandom(hash32(`${String(ctx.seed)}:card:${String(x.r)}`));
    for (const s of cardSpending(rand, paid, ctx.asOf)) {
      const merchant = bank ? ([s.merchant[0], null] as const) : s.merchant;
      const category = merchantCategory(merchant);
      // As the statements import matches: the first of the stream's items in the category.
      const item =
        category === null || isNeverBuy(category)
          ? null
          : (items.find((i) => i.category === category)?.id ?? null);
      const n = cardNo++;
      const id = ctx.id('cardTransaction', n);
      const m = monthIndex(s.day) * 2 + (bank ? 1 : 0);
      let list = cardsByMonth.get(m);
      if (!list) cardsByMonth.set(m, (list = []));
      list.push({
        // import, batch and line are filled in when the batch is made
        row: [
          id,
          P,
          '',
          holdingAccount,
          '',
          '',
          s.day,
          String(s.amount),
          `GEN-${String(ctx.seed)}-${String(n)}`,
          merchant[0],
          merchant[1] ?? '',
          category ?? '',
          item ?? '',
        ],
        holding: holdingAccount,
        amount: s.amount,
        day: s.day,
        body: b.body,
      });
    }
  }

  function cardBatches(chunk: Chunk) {
    for (const [key, list] of [...cardsByMonth.entries()].sort((a, b) => a[0] - b[0])) {
      const imp = importFor(key);
      for (let from = 0; from < list.length; from += CARD_BATCH) {
        const batch = list.slice(from, from + CARD_BATCH);
        imp.batchNo++;
        const ref = `import:${imp.id}`;
        const { lines, latest } = batchLines(batch, ref, (body) => account(`spending:${body}`));
        const tx =
          lines.length === 0
            ? ''
            : posting(
                chunk,
                `import:${imp.id}:${String(imp.batchNo)}`,
                'spend',
                latest ?? ctx.asOf,
                `Statement import, batch ${String(imp.batchNo)}: ${String(batch.length)} transactions`,
                lines,
                null,
              );
        for (const t of batch) {
          t.row[2] = imp.id;
          t.row[4] = String(imp.batchNo);
          t.row[5] = String(++imp.lineNo);
          chunk.cards.push(csvLine(t.row.map((v) => (v === '' ? null : v))));
        }
        chunk.importBatches.push(
          csvLine([P, imp.id, String(imp.batchNo), tx === '' ? null : tx, String(batch.length)]),
        );
        imp.count += batch.length;
        counts.cardTransactions += batch.length;
      }
    }
    cardsByMonth = new Map();
  }

  /**
   * COPY a chunk's rows. Everything it reads from the shared state (card batches, new runs and
   * imports) is taken synchronously, before its first await, so the next chunk can be made while
   * this one is being written.
   */
  async function flush(chunk: Chunk) {
    cardBatches(chunk);
    const newRuns = pendingRuns;
    pendingRuns = [];
    const newImports = [...imports.values()].filter((i) => !i.inserted);
    for (const i of newImports) i.inserted = true;
    if (newRuns.length > 0) {
      await copy(
        'payment_runs',
        RUN_COLUMNS,
        newRuns.map((run) =>
          csvLine([
            run.id,
            P,
            'posted',
            run.dueUpTo,
            preparer,
            `${run.prepared}T08:00:00Z`,
            approver,
            `${run.prepared}T10:00:00Z`,
            `${run.prepared}T11:00:00Z`,
          ]),
        ),
        newRuns.length,
      );
    }
    if (newImports.length > 0) {
      await copy(
        'statement_imports',
        ['id', 'partnership_id', 'format', 'file_name', 'sha256', 'actor', 'status', 'started_at'],
        newImports.map((i) =>
          csvLine([
            i.id,
            P,
            i.provider,
            `generated-${i.provider}-${monthLabel(i.month)}.csv`,
            '',
            'cli generate',
            'running',
            `${importDay(i.month)}T09:00:00Z`,
          ]),
        ),
        newImports.length,
      );
    }
    await copy(
      'financial_assessments',
      FINANCIAL_ASSESSMENT_COLUMNS,
      chunk.assessments,
      chunk.assessments.length,
    );
    await copy('ledger_accounts', ACCOUNT_COLUMNS, chunk.accounts, chunk.accounts.length);
    await copy('budgets', BUDGET_COLUMNS, chunk.budgets, chunk.budgets.length);
    await copy(
      'ledger_transactions',
      TRANSACTION_COLUMNS,
      chunk.transactions,
      chunk.transactions.length,
    );
    // One statement: every transaction of the chunk complete, as the balance trigger requires.
    await copy('ledger_entries', ENTRY_COLUMNS, chunk.entries, chunk.entries.length);
    await copy('payment_schedule_lines', LINE_COLUMNS, chunk.lines, chunk.lines.length);
    await copy('commitments', COMMITMENT_COLUMNS, chunk.commitments, chunk.commitments.length);
    await copy('payment_run_lines', RUN_LINE_COLUMNS, chunk.runLines, chunk.runLines.length);
    await copy('card_transactions', CARD_COLUMNS, chunk.cards, chunk.cards.length);
    const batches = chunk.importBatches;
    await copy('statement_import_batches', IMPORT_BATCH_COLUMNS, batches, batches.length);
  }

  // The next chunk is made while the last is written; making yields now and then so that the
  // COPY data keeps flowing to the server.
  let chunk = new Chunk();
  let writing: Promise<void> = Promise.resolve();
  for (let r = 0; r < ctx.count; r++) {
    if (!ctx.isLatest(r)) continue;
    const start = performance.now();
    personBudgets(chunk, r);
    making += performance.now() - start;
    if (++chunk.people % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
    if (chunk.people >= ctx.chunkPeople) {
      await writing;
      writing = flush(chunk);
      chunk = new Chunk();
    }
  }
  await writing;
  await flush(chunk);
  time('budget/card rows made', 0, making / 1000);

  // The runs' and imports' figures, now that they are known.
  for (const run of runs.values())
    await c.query('update payment_runs set line_count = $2, total_pence = $3 where id = $1', [
      run.id,
      run.lines,
      run.total,
    ]);
  counts.paymentRuns = runs.size;
  for (const i of imports.values()) {
    const finished = importDay(i.month);
    await c.query(
      `update statement_imports set status = 'finished', rows_read = $2, imported_count = $2,
         finished_at = $3 where id = $1`,
      [i.id, i.count, `${finished}T09:05:00Z`],
    );
  }
  counts.statementImports = imports.size;
  return counts;
}
