// Reads of the whole partnership's ledger for finance officers, to reconcile Pooled with the
// council's or ICB's own ledger: the trial balance on a day (every account kind and funding body,
// its debits and credits), each account's balance on a day, and the postings between two days a
// page at a time (for a CSV of any length). A posting counts on the day it occurred on, not the
// day it was entered. Every function takes a transaction already inside inPartnership.
import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database.js';
import type { AccountKind, FundingBody, TransactionKind } from './rules.js';

export interface TrialBalanceRow {
  kind: AccountKind;
  fundingBody: FundingBody | null;
  accounts: number;
  /** The sum of the entries: positive is a debit balance, negative a credit balance. */
  balancePence: number;
}

/** Each account kind and funding body with entries on or before `on`, and their balance. */
export async function trialBalance(tx: Tx, on: string): Promise<TrialBalanceRow[]> {
  const rows = await sql<{
    kind: AccountKind;
    funding_body: FundingBody | null;
    accounts: number;
    balance: string;
  }>`
    select a.kind, a.funding_body, count(distinct a.id)::int as accounts,
           sum(e.amount_pence)::text as balance
      from ledger_entries e
      join ledger_transactions t on t.id = e.transaction_id
      join ledger_accounts a on a.id = e.account_id
     where t.occurred_on <= ${on}::date
     group by a.kind, a.funding_body
     order by a.kind, a.funding_body nulls last`.execute(tx);
  return rows.rows.map((r) => ({
    kind: r.kind,
    fundingBody: r.funding_body,
    accounts: r.accounts,
    balancePence: Number(r.balance),
  }));
}

export interface AccountBalanceRow {
  id: string;
  name: string;
  kind: AccountKind;
  fundingBody: FundingBody | null;
  personId: string | null;
  balancePence: number;
}

/** Every account with entries on or before `on`, and its balance then, by kind and name. */
export async function accountBalances(tx: Tx, on: string): Promise<AccountBalanceRow[]> {
  const rows = await sql<{
    id: string;
    name: string;
    kind: AccountKind;
    funding_body: FundingBody | null;
    person_id: string | null;
    balance: string;
  }>`
    select a.id, a.name, a.kind, a.funding_body, a.person_id, b.balance
      from (select e.account_id, sum(e.amount_pence)::text as balance
              from ledger_entries e
              join ledger_transactions t on t.id = e.transaction_id
             where t.occurred_on <= ${on}::date
             group by e.account_id) b
      join ledger_accounts a on a.id = b.account_id
     order by a.kind, a.name, a.id`.execute(tx);
  return rows.rows.map((r) => ({
    id: r.id,
    name: r.name,
    kind: r.kind,
    fundingBody: r.funding_body,
    personId: r.person_id,
    balancePence: Number(r.balance),
  }));
}

export interface PostingRow {
  occurredOn: string;
  transactionId: string;
  idempotencyKey: string;
  transactionKind: TransactionKind;
  description: string;
  accountId: string;
  accountName: string;
  accountKind: AccountKind;
  fundingBody: FundingBody | null;
  amountPence: number;
}

/** Where the next page of postings starts: after this transaction. */
export interface PostingsCursor {
  occurredOn: string;
  transactionId: string;
}

/**
 * The entries of up to `limit` transactions that occurred from `from` to `to` (inclusive), in
 * day and transaction order, after `cursor`; the cursor for the next page, or null at the end.
 * A transaction's entries are never split between pages.
 */
export async function postingsPage(
  tx: Tx,
  range: { from: string; to: string },
  cursor: PostingsCursor | null,
  limit: number,
): Promise<{ rows: PostingRow[]; next: PostingsCursor | null }> {
  const after = cursor
    ? sql`and (t.occurred_on, t.id) > (${cursor.occurredOn}::date, ${cursor.transactionId}::uuid)`
    : sql``;
  const transactions = await sql<{ id: string; occurred_on: string }>`
    select t.id, t.occurred_on::text as occurred_on
      from ledger_transactions t
     where t.occurred_on between ${range.from}::date and ${range.to}::date ${after}
     order by t.occurred_on, t.id
     limit ${limit}`.execute(tx);
  const ids = transactions.rows.map((t) => t.id);
  if (ids.length === 0) return { rows: [], next: null };
  const rows = await sql<{
    occurred_on: string;
    transaction_id: string;
    idempotency_key: string;
    transaction_kind: TransactionKind;
    description: string;
    account_id: string;
    account_name: string;
    account_kind: AccountKind;
    funding_body: FundingBody | null;
    amount_pence: string;
  }>`
    select t.occurred_on::text as occurred_on, t.id as transaction_id, t.idempotency_key,
           t.kind as transaction_kind, t.description, a.id as account_id, a.name as account_name,
           a.kind as account_kind, a.funding_body, e.amount_pence::text as amount_pence
      from ledger_transactions t
      join ledger_entries e on e.transaction_id = t.id
      join ledger_accounts a on a.id = e.account_id
     where t.id = any(${ids}::uuid[])
     order by t.occurred_on, t.id, e.id`.execute(tx);
  const last = transactions.rows.at(-1);
  return {
    rows: rows.rows.map((r) => ({
      occurredOn: r.occurred_on,
      transactionId: r.transaction_id,
      idempotencyKey: r.idempotency_key,
      transactionKind: r.transaction_kind,
      description: r.description,
      accountId: r.account_id,
      accountName: r.account_name,
      accountKind: r.account_kind,
      fundingBody: r.funding_body,
      amountPence: Number(r.amount_pence),
    })),
    next:
      last && ids.length === limit
        ? { occurredOn: last.occurred_on, transactionId: last.id }
        : null,
  };
}
