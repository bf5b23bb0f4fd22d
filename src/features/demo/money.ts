// The demo's money after its plans are signed off: the cards and bank accounts a finance
// officer records, payment runs paid in the past (prepared by one finance officer, approved by
// the other, posted to the ledger), a card statement imported through the statements import and
// checked by monitoring, and this week's payment run prepared and waiting for the second
// finance officer. Everything goes through the real services.
import { Readable } from 'node:stream';
import { inPartnership, type Db } from '../../platform/db/database.js';
import type { CivilDate } from '../../platform/dates.js';
import { Conflict } from '../../platform/http/errors.js';
import {
  addDays,
  budgetsForApi,
  createPaymentAccountsService,
  createPaymentsService,
} from '../budgets/index.js';
import { costItem } from '../planning/index.js';
import { importStatement, type ImportResult } from '../statements/index.js';
import { monitorImported } from '../monitoring/index.js';
import { actorContext, dayAt, type DemoMoneyContext, type SeededPlan } from './plans.js';
import { DEMO_FINANCE, DEMO_FINANCE_2 } from './plan-specs.js';

/** Days before the seed day of the payment runs already paid (four-weekly). */
export const PAID_RUNS = [-70, -42, -14] as const;
/** The run waiting for approval pays what is due up to this many days ahead. */
export const PENDING_RUN_DAYS_AHEAD = 14;

/**
 * A card transaction on a demo person's direct payment card: days before the seed day, the
 * merchant, its merchant category code, and the amount as a share of the plan's weekly cost
 * (negative: money out).
 */
interface CardLine {
  daysAgo: number;
  merchant: string;
  mcc: string;
  weeks: number;
  /** A fixed amount in pence instead of a share of the weekly cost. */
  fixed?: number;
}

/** Spending on the demo cards, by demo person index. */
export const DEMO_CARD_SPENDING: Readonly<Record<number, readonly CardLine[]>> = {
  // Tomasz: his PA's wages and swimming, and a hotel night the plan does not buy.
  2: [
    { daysAgo: 38, merchant: 'BRACKENFORD PAYROLL BUREAU', mcc: '8931', weeks: -0.7 },
    { daysAgo: 31, merchant: 'MILLBROOK LEISURE CENTRE', mcc: '7997', weeks: 0, fixed: -460 },
    { daysAgo: 24, merchant: 'BRACKENFORD PAYROLL BUREAU', mcc: '8931', weeks: -0.7 },
    { daysAgo: 17, merchant: 'MILLBROOK LEISURE CENTRE', mcc: '7997', weeks: 0, fixed: -460 },
    { daysAgo: 9, merchant: 'KESTREL COURT HOTEL', mcc: '7011', weeks: 0, fixed: -6900 },
    { daysAgo: 4, merchant: 'MILLBROOK LEISURE CENTRE', mcc: '7997', weeks: 0, fixed: -460 },
  ],
  // Yasmin: one bus fare in eleven weeks, so the money builds up on his card.
  10: [{ daysAgo: 12, merchant: 'BRACKENSHIRE BUSES', mcc: '4131', weeks: 0, fixed: -450 }],
  // Declan: his PA's wages and bus fares, a games console outside the plan and an off-licence.
  16: [
    { daysAgo: 27, merchant: 'BRACKENFORD PAYROLL BUREAU', mcc: '8931', weeks: -0.8 },
    { daysAgo: 20, merchant: 'BRACKENSHIRE BUSES', mcc: '4131', weeks: 0, fixed: -480 },
    { daysAgo: 13, merchant: 'THORNBY GAMES AND ELECTRONICS', mcc: '5732', weeks: 0, fixed: -2999 },
    { daysAgo: 13, merchant: 'BRACKENSHIRE BUSES', mcc: '4131', weeks: 0, fixed: -480 },
    { daysAgo: 6, merchant: 'CORNER OFF LICENCE', mcc: '5921', weeks: 0, fixed: -1260 },
  ],
};

const ddmmyyyy = (d: CivilDate) => `${d.slice(8, 10)}/${d.slice(5, 7)}/${d.slice(0, 4)}`;
const amount = (p: number) => `${p < 0 ? '-' : ''}${(Math.abs(p) / 100).toFixed(2)}`;

/**
 * The demo card statement in the built-in prepaid-card format: the transactions above on the
 * direct payment holding account of each person (its reference is the card number), amounts
 * as shares of the weekly cost of the plan's items on that stream.
 */
export async function demoStatement(
  db: Db,
  ctx: DemoMoneyContext,
  plans: readonly SeededPlan[],
): Promise<string> {
  const rows = ['Transaction ID,Date,Merchant,Amount,MCC,Card Number'];
  for (const p of plans) {
    const lines = DEMO_CARD_SPENDING[p.spec.index];
    if (!lines) continue;
    const budgets = await inPartnership(db, ctx.partnershipId, (tx) =>
      budgetsForApi(tx, p.personId),
    );
    const card = budgets.find((b) => b.budget.payeeReference !== null);
    if (!card?.budget.payeeReference) continue;
    const weekly = p.document.items
      .filter((i) => i.streamId === card.budget.streamId)
      .reduce((t, i) => {
        const c = costItem(i);
        return t + (c.ok ? (c.cost.weekly ?? 0) : 0);
      }, 0);
    lines.forEach((l, n) => {
      const pence = l.fixed ?? Math.round(weekly * l.weeks);
      const on = addDays(ctx.today, -l.daysAgo);
      rows.push(
        [
          `DEMO-${String(p.spec.index)}-${String(n + 1)}`,
          ddmmyyyy(on),
          l.merchant,
          amount(pence),
          l.mcc,
          card.budget.payeeReference,
        ].join(','),
      );
    });
  }
  return `${rows.join('\n')}\n`;
}

/**
 * The payee and account details of the demo's holding accounts, recorded by a finance officer
 * before the first run: a prepaid card for the people who spend on one (its reference is what
 * the card statement names), a bank account for the other direct payments. Invented numbers.
 */
export async function recordDemoAccounts(
  db: Db,
  ctx: DemoMoneyContext,
  plans: readonly SeededPlan[],
  on: Date,
): Promise<number> {
  const service = createPaymentAccountsService({ db, now: () => on });
  const finance = actorContext(ctx, DEMO_FINANCE);
  let recorded = 0;
  for (const p of plans) {
    // No budget yet, or nothing paid to the person: no holding account.
    if (!p.spec.approver || Object.values(p.spec.holdings).every((h) => h === 'managed')) continue;
    const { person, accounts } = await service.list(finance, p.personId);
    for (const [n, a] of accounts.entries()) {
      const payeeName = `${person.givenName} ${person.familyName}`;
      const last4 = String(4000 + p.spec.index * 10 + n);
      await service.record(
        finance,
        p.personId,
        a.id,
        DEMO_CARD_SPENDING[p.spec.index]
          ? { kind: 'card', payeeName, cardReference: `BRK 5355 **** ${last4}` }
          : { kind: 'bank', payeeName, sortCode: '990102', accountNumber: `7100${last4}` },
      );
      recorded++;
    }
  }
  return recorded;
}

export interface SeededMoney {
  paidRuns: string[];
  pendingRunId: string | null;
  statement: ImportResult;
  monitoring: string;
}

/** Payment runs, the card statement with monitoring, and the run waiting for approval. */
export async function seedDemoMoney(
  db: Db,
  ctx: DemoMoneyContext,
  plans: readonly SeededPlan[],
): Promise<SeededMoney> {
  let clock = dayAt(ctx.today, 0);
  const now = () => clock;
  const payments = createPaymentsService({ db, now });
  const preparer = actorContext(ctx, DEMO_FINANCE);
  const approver = actorContext(ctx, DEMO_FINANCE_2);
  const prepare = async (dueUpTo: CivilDate) => {
    try {
      return await payments.prepare(preparer, dueUpTo);
    } catch (e) {
      if (e instanceof Conflict) return null; // nothing due that day
      throw e;
    }
  };

  await recordDemoAccounts(db, ctx, plans, dayAt(ctx.today, PAID_RUNS[0] - 1));
  const paidRuns: string[] = [];
  for (const days of PAID_RUNS) {
    clock = dayAt(ctx.today, days);
    const run = await prepare(addDays(ctx.today, days));
    if (!run) continue;
    await payments.approve(approver, run.id);
    await payments.post(approver, run.id);
    paidRuns.push(run.id);
  }

  clock = dayAt(ctx.today, 0);
  const csv = await demoStatement(db, ctx, plans);
  const finance = ctx.actors.get(DEMO_FINANCE);
  const statement = await importStatement(db, {
    partnershipId: ctx.partnershipId,
    format: 'prepaid-card',
    fileName: `demo-card-statement-${ctx.today}.csv`,
    source: Readable.from([Buffer.from(csv, 'utf8')]),
    userId: finance?.userId ?? null,
    actor: finance ? `${finance.fullName} <${finance.email}>` : 'demo seed',
  });
  const monitoring = await monitorImported(db, now)(ctx.partnershipId, statement);

  const pending = await prepare(addDays(ctx.today, PENDING_RUN_DAYS_AHEAD));
  return { paidRuns, pendingRunId: pending?.id ?? null, statement, monitoring };
}
