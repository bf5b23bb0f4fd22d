// A person's money on their page (issue 5 point 8): the Budget panel's figures (balances by
// stream, next payment, commitments), with what the holding account holds, spending by plan item
// against the plan (the same reads as the API's budgets endpoint) and the latest card and bank
// transactions; and every transaction a page at a time. Each read goes through the people
// feature's access rule and is audited in the same transaction.
import { sql } from 'kysely';
import { audit, type AuditContext } from '../../platform/audit/audit.js';
import type { Db, Tx } from '../../platform/db/database.js';
import { todayInLondon } from '../../platform/dates.js';
import { withPerson, type PersonRecord } from '../people/index.js';
import {
  cardTransactionsOfPerson,
  spendByPlanItem,
  type CardTransactionView,
  type SpendByItem,
} from '../statements/index.js';
import { budgetsForApi, type PlannedItem } from './api-reads.js';
import { yearEnd } from './rules.js';
import { budgetPanelIn, type BudgetPanel } from './service.js';

/** How many transactions the panel shows before "See all transactions". */
export const RECENT_TRANSACTIONS = 10;

export interface ItemSpend {
  itemId: string;
  what: string;
  route: PlannedItem['route'];
  /** What the plan meant the item to cost in the budget's part of the year, in pence. */
  plannedPence: number;
  /** Spent from the holding account on the item (or invoiced, for a commitment), in pence. */
  spentPence: number;
}

export type MoneyPanel = Omit<BudgetPanel, 'streams'> & {
  streams: (BudgetPanel['streams'][number] & {
    items: ItemSpend[];
    /** Spent from the holding account in the year on no plan item; null without one. */
    unmatchedSpentPence: number | null;
  })[];
  /** The latest card and bank transactions, newest first. */
  recent: CardTransactionView[];
  /** Whether there are more transactions than the panel shows. */
  moreTransactions: boolean;
};

/**
 * Each plan item's spending: a commitment's invoices, or what the budget's holding account spent
 * on it in the budget's part of the year (as the API's spendByItem).
 */
export function itemSpending(
  items: readonly PlannedItem[],
  commitments: readonly { itemId: string | null; invoiced: number }[],
  spend: readonly SpendByItem[],
): { items: ItemSpend[]; unmatchedPence: number } {
  const spentOn = (itemId: string | null) =>
    spend.filter((s) => s.planItemId === itemId).reduce((t, s) => t + s.spentPence, 0);
  return {
    items: items.map((item) => ({
      itemId: item.itemId,
      what: item.what,
      route: item.route,
      plannedPence: item.plannedPence,
      spentPence:
        item.route === 'commitment'
          ? (commitments.find((c) => c.itemId === item.itemId)?.invoiced ?? 0)
          : spentOn(item.itemId),
    })),
    unmatchedPence: spentOn(null),
  };
}

async function moneyPanelIn(tx: Tx, personId: string, at: Date): Promise<MoneyPanel> {
  const panel = await budgetPanelIn(tx, personId, todayInLondon(at));
  const windows = panel.streams.flatMap((s) =>
    s.budget.holdingAccountId
      ? [
          {
            holdingAccountId: s.budget.holdingAccountId,
            from: s.budget.startsOn,
            to: s.budget.endsOn ?? yearEnd(s.budget.financialYear),
          },
        ]
      : [],
  );
  const [planned, spend, recent] = await Promise.all([
    panel.streams.length > 0
      ? budgetsForApi(tx, personId, panel.financialYear)
      : Promise.resolve([]),
    spendByPlanItem(tx, windows),
    cardTransactionsOfPerson(tx, personId, { limit: RECENT_TRANSACTIONS }),
  ]);
  return {
    ...panel,
    streams: panel.streams.map((s) => {
      const holding = s.budget.holdingAccountId;
      const w = holding
        ? windows.findIndex((x) => x.holdingAccountId === holding && x.from === s.budget.startsOn)
        : -1;
      const items = planned.find((p) => p.budget.id === s.budget.id)?.items ?? [];
      const spending = itemSpending(
        items,
        s.commitments,
        spend.filter((x) => x.window === w),
      );
      return {
        ...s,
        items: spending.items,
        unmatchedSpentPence: holding ? spending.unmatchedPence : null,
      };
    }),
    recent: recent.transactions,
    moreTransactions: recent.next !== null,
  };
}

/** A page of a person's card and bank transactions, newest first, with how many there are. */
async function transactionPage(
  tx: Tx,
  personId: string,
  page: { limit: number; offset: number },
): Promise<{ total: number; transactions: Pick<CardTransactionView, ListedField>[] }> {
  const [count, rows] = await Promise.all([
    sql<{ n: number }>`
      select count(*)::int as n
        from card_transactions c
        join ledger_accounts a on a.id = c.holding_account_id
       where a.person_id = ${personId}::uuid and a.kind = 'holding_account'`.execute(tx),
    sql<{
      id: string;
      occurred_on: string;
      amount_pence: number;
      description: string;
      category: string | null;
      plan_item_id: string | null;
      funding_body: 'council' | 'nhs' | null;
    }>`
      select c.id, c.occurred_on, c.amount_pence, c.description, c.category, c.plan_item_id,
             a.funding_body
        from card_transactions c
        join ledger_accounts a on a.id = c.holding_account_id
       where a.person_id = ${personId}::uuid and a.kind = 'holding_account'
       order by c.occurred_on desc, c.id desc
       limit ${page.limit} offset ${page.offset}`.execute(tx),
  ]);
  return {
    total: count.rows[0]?.n ?? 0,
    transactions: rows.rows.map((c) => ({
      id: c.id,
      occurredOn: c.occurred_on,
      amountPence: c.amount_pence,
      description: c.description,
      category: c.category,
      planItemId: c.plan_item_id,
      fundingBody: c.funding_body,
    })),
  };
}

type ListedField =
  'id' | 'occurredOn' | 'amountPence' | 'description' | 'category' | 'planItemId' | 'fundingBody';

export interface MoneyPanelDeps {
  db: Db;
  now: () => Date;
}

export function createMoneyPanel(deps: MoneyPanelDeps) {
  const { db, now } = deps;
  return {
    /**
     * The person's money for their page. Audited as the other panels are ('list'): the budgets,
     * and the transactions when any are shown.
     */
    async panel(ctx: AuditContext, personId: string): Promise<MoneyPanel> {
      const at = now();
      return withPerson(db, ctx, personId, 'read', at, async (tx) => {
        const panel = await moneyPanelIn(tx, personId, at);
        await audit(tx, ctx, {
          action: 'list',
          recordType: 'budget',
          personId,
          detail: { financialYear: panel.financialYear, budgets: panel.streams.length },
        });
        if (panel.recent.length > 0)
          await audit(tx, ctx, {
            action: 'list',
            recordType: 'card_transaction',
            personId,
            detail: { shown: panel.recent.length, firstPage: true },
          });
        return panel;
      });
    },

    /** A page of the person's card and bank transactions, newest first. */
    async transactions(
      ctx: AuditContext,
      personId: string,
      page: { limit: number; offset: number },
    ): Promise<{
      person: PersonRecord;
      total: number;
      transactions: Pick<CardTransactionView, ListedField>[];
      /** The plan items' names, for the transactions matched to one. */
      itemNames: Map<string, string>;
    }> {
      return withPerson(db, ctx, personId, 'read', now(), async (tx, { person }) => {
        const [found, budgets] = await Promise.all([
          transactionPage(tx, personId, page),
          budgetsForApi(tx, personId),
        ]);
        await audit(tx, ctx, {
          action: 'list',
          recordType: 'card_transaction',
          personId,
          detail: { shown: found.transactions.length, firstPage: page.offset === 0 },
        });
        const itemNames = new Map<string, string>();
        for (const b of budgets) for (const i of b.items) itemNames.set(i.itemId, i.what);
        return { person, ...found, itemNames };
      });
    },
  };
}
