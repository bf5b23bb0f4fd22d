// Reads of imported card and bank transactions for one person (the API's transactions and
// budgets endpoints): their transactions newest first, a page at a time, and what was spent on
// each plan item between two dates. Every function takes a transaction already inside
// inPartnership; the caller applies the access rule and audits.
import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database.js';

export interface CardTransactionView {
  id: string;
  occurredOn: string;
  /** Signed as on the statement: negative is money spent, positive a refund or credit. */
  amountPence: number;
  description: string;
  mcc: string | null;
  category: string | null;
  planItemId: string | null;
  provider: string;
  providerTransactionId: string;
  accountReference: string;
  holdingAccountId: string;
  fundingBody: 'council' | 'nhs' | null;
  importId: string;
  lineNo: number;
}

/** Where a page ends: the last transaction's order key (occurred_on, id). */
export interface CardCursor {
  occurredOn: string;
  id: string;
}

/**
 * The person's card and bank transactions (on any of their holding accounts), newest first by
 * the day on the statement. `after` is the cursor of the page before.
 */
export async function cardTransactionsOfPerson(
  tx: Tx,
  personId: string,
  page: { limit: number; after?: CardCursor | null },
): Promise<{ transactions: CardTransactionView[]; next: CardCursor | null }> {
  const after = page.after;
  const r = await sql<{
    id: string;
    occurred_on: string;
    amount_pence: number;
    description: string;
    mcc: string | null;
    category: string | null;
    plan_item_id: string | null;
    provider: string;
    provider_transaction_id: string;
    account_reference: string;
    holding_account_id: string;
    funding_body: 'council' | 'nhs' | null;
    import_id: string;
    line_no: number;
  }>`
    select c.id, c.occurred_on, c.amount_pence, c.description, lpad(c.mcc::text, 4, '0') as mcc,
           c.category,
           c.plan_item_id, i.format as provider, c.provider_transaction_id,
           coalesce(a.reference, '') as account_reference, c.holding_account_id, a.funding_body, c.import_id,
           c.line_no
      from card_transactions c
      join ledger_accounts a on a.id = c.holding_account_id
      join statement_imports i on i.id = c.import_id
     where a.person_id = ${personId}::uuid and a.kind = 'holding_account'
       ${after ? sql`and (c.occurred_on, c.id) < (${after.occurredOn}::date, ${after.id}::uuid)` : sql``}
     order by c.occurred_on desc, c.id desc
     limit ${page.limit + 1}`.execute(tx);
  const rows = r.rows.slice(0, page.limit);
  const last = rows.at(-1);
  return {
    next: r.rows.length > page.limit && last ? { occurredOn: last.occurred_on, id: last.id } : null,
    transactions: rows.map((c) => ({
      id: c.id,
      occurredOn: c.occurred_on,
      amountPence: c.amount_pence,
      description: c.description,
      mcc: c.mcc,
      category: c.category,
      planItemId: c.plan_item_id,
      provider: c.provider,
      providerTransactionId: c.provider_transaction_id,
      accountReference: c.account_reference,
      holdingAccountId: c.holding_account_id,
      fundingBody: c.funding_body,
      importId: c.import_id,
      lineNo: c.line_no,
    })),
  };
}

export interface SpendByItem {
  /** Which of the windows asked for (its index). */
  window: number;
  holdingAccountId: string;
  /** Null for transactions matched to no plan item. */
  planItemId: string | null;
  /** Money out less refunds, in pence: positive when money was spent. */
  spentPence: number;
  count: number;
}

/**
 * What was spent on each plan item from a holding account between two days inclusive, for each
 * window asked for (a budget's holding account and its part of the financial year).
 */
export async function spendByPlanItem(
  tx: Tx,
  windows: readonly { holdingAccountId: string; from: string; to: string }[],
): Promise<SpendByItem[]> {
  if (windows.length === 0) return [];
  const r = await sql<{
    n: number;
    holding_account_id: string;
    plan_item_id: string | null;
    spent: number;
    count: number;
  }>`
    select w.n::int as n, c.holding_account_id, c.plan_item_id,
           (-sum(c.amount_pence))::bigint as spent, count(*)::int as count
      from unnest(${windows.map((w) => w.holdingAccountId)}::uuid[],
                  ${windows.map((w) => w.from)}::date[], ${windows.map((w) => w.to)}::date[])
             with ordinality as w(account_id, from_on, to_on, n)
      join card_transactions c
        on c.holding_account_id = w.account_id and c.occurred_on between w.from_on and w.to_on
     group by w.n, c.holding_account_id, c.plan_item_id`.execute(tx);
  return r.rows.map((x) => ({
    window: x.n - 1,
    holdingAccountId: x.holding_account_id,
    planItemId: x.plan_item_id,
    spentPence: x.spent,
    count: x.count,
  }));
}
