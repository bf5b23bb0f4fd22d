// Reads of the ledger for one person (the API's budgets and ledger endpoints): the transactions
// that touch the person's own accounts (their budgets and holding accounts), newest first, a page
// at a time, and the net of each transaction kind on given accounts. Every function takes a
// transaction already inside inPartnership; the caller applies the access rule and audits.
//
// A statement import posts one transaction for a whole batch of card transactions, with entries
// on many people's holding accounts. A person's page shows only the entries on their own
// accounts, plus the other side (pots, spending, providers) when the transaction concerns nobody
// else; `complete` says whether every entry of the transaction is shown.
import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database.js';
import type { AccountKind, FundingBody, TransactionKind } from './rules.js';

/** Transactions with at most this many entries are read whole to see whom they concern. */
const READ_WHOLE_UP_TO = 100;

export interface LedgerEntryView {
  id: number;
  accountId: string;
  accountKey: string;
  accountKind: AccountKind;
  accountName: string;
  fundingBody: FundingBody | null;
  amountPence: number;
  sourceRef: string | null;
}

export interface LedgerTransactionView {
  id: string;
  kind: TransactionKind;
  occurredOn: string;
  description: string;
  reversesId: string | null;
  postedAt: Date;
  entryCount: number;
  /** True when every entry of the transaction is in `entries` (they then sum to zero). */
  complete: boolean;
  entries: LedgerEntryView[];
}

/** Where a page ends: the last transaction's order key (occurred_on, posted_at, id). */
export interface LedgerCursor {
  occurredOn: string;
  /** posted_at in UTC to the microsecond, 'YYYY-MM-DDTHH:MM:SS.ffffff'. */
  postedAt: string;
  id: string;
}

export interface LedgerPage {
  transactions: LedgerTransactionView[];
  /** Where the next page starts, or null on the last page. */
  next: LedgerCursor | null;
}

/** The ids of the person's own ledger accounts (budgets and holding accounts). */
export async function accountsOfPerson(tx: Tx, personId: string): Promise<string[]> {
  const r = await sql<{ id: string }>`
    select id from ledger_accounts where person_id = ${personId}::uuid order by id`.execute(tx);
  return r.rows.map((x) => x.id);
}

/**
 * The transactions touching the person's accounts, newest first: by the day the money moved,
 * then by when it was posted. `after` is the cursor of the page before.
 */
export async function personLedgerPage(
  tx: Tx,
  personId: string,
  page: { limit: number; after?: LedgerCursor | null },
): Promise<LedgerPage> {
  const mine = await accountsOfPerson(tx, personId);
  if (mine.length === 0) return { transactions: [], next: null };
  const after = page.after;
  const headers = await sql<{
    id: string;
    kind: TransactionKind;
    occurred_on: string;
    description: string;
    reverses_id: string | null;
    posted_at: Date;
    posted_key: string;
    entry_count: number;
  }>`
    select t.id, t.kind, t.occurred_on, t.description, t.reverses_id, t.posted_at,
           to_char(t.posted_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') as posted_key,
           t.entry_count
      from ledger_transactions t
     where t.id in (select e.transaction_id from ledger_entries e
                     where e.account_id = any(${mine}::uuid[]))
       ${
         after
           ? sql`and (t.occurred_on, t.posted_at, t.id) <
                     (${after.occurredOn}::date,
                      ${after.postedAt}::timestamp at time zone 'UTC',
                      ${after.id}::uuid)`
           : sql``
       }
     order by t.occurred_on desc, t.posted_at desc, t.id desc
     limit ${page.limit + 1}`.execute(tx);
  const rows = headers.rows.slice(0, page.limit);
  const last = rows.at(-1);
  const next =
    headers.rows.length > page.limit && last
      ? { occurredOn: last.occurred_on, postedAt: last.posted_key, id: last.id }
      : null;
  if (rows.length === 0) return { transactions: [], next: null };

  const ids = rows.map((r) => r.id);
  const small = rows.filter((r) => r.entry_count <= READ_WHOLE_UP_TO).map((r) => r.id);
  type EntryRow = {
    id: number;
    transaction_id: string;
    account_id: string;
    key: string;
    kind: AccountKind;
    name: string;
    funding_body: FundingBody | null;
    person_id: string | null;
    amount_pence: number;
    source_ref: string | null;
  };
  const select = sql`
    select e.id, e.transaction_id, e.account_id, a.key, a.kind, a.name, a.funding_body,
           a.person_id, e.amount_pence, e.source_ref
      from ledger_entries e join ledger_accounts a on a.id = e.account_id`;
  const [own, whole] = await Promise.all([
    sql<EntryRow>`${select}
     where e.transaction_id = any(${ids}::uuid[]) and e.account_id = any(${mine}::uuid[])
     order by e.id`.execute(tx),
    small.length === 0
      ? Promise.resolve({ rows: [] as EntryRow[] })
      : sql<EntryRow>`${select} where e.transaction_id = any(${small}::uuid[]) order by e.id`.execute(
          tx,
        ),
  ]);
  const group = (list: readonly EntryRow[]) => {
    const by = new Map<string, EntryRow[]>();
    for (const e of list) by.set(e.transaction_id, [...(by.get(e.transaction_id) ?? []), e]);
    return by;
  };
  const ownBy = group(own.rows);
  const wholeBy = group(whole.rows);
  const view = (e: EntryRow): LedgerEntryView => ({
    id: e.id,
    accountId: e.account_id,
    accountKey: e.key,
    accountKind: e.kind,
    accountName: e.name,
    fundingBody: e.funding_body,
    amountPence: e.amount_pence,
    sourceRef: e.source_ref,
  });
  return {
    next,
    transactions: rows.map((r) => {
      const all = wholeBy.get(r.id);
      // The whole transaction is shown only when no other person's account is in it.
      const concernsOnlyThem =
        all !== undefined && all.every((e) => e.person_id === null || e.person_id === personId);
      const entries = concernsOnlyThem ? all : (ownBy.get(r.id) ?? []);
      return {
        id: r.id,
        kind: r.kind,
        occurredOn: r.occurred_on,
        description: r.description,
        reversesId: r.reverses_id,
        postedAt: r.posted_at,
        entryCount: r.entry_count,
        complete: entries.length === r.entry_count,
        entries: entries.map(view),
      };
    }),
  };
}

/** For each account, the net of its entries by transaction kind (pence; kinds with none left out). */
export async function netByTransactionKind(
  tx: Tx,
  accountIds: readonly string[],
): Promise<Map<string, Map<TransactionKind, number>>> {
  const out = new Map<string, Map<TransactionKind, number>>(
    accountIds.map((id) => [id, new Map()]),
  );
  if (accountIds.length === 0) return out;
  const r = await sql<{ account_id: string; kind: TransactionKind; net: number }>`
    select e.account_id, t.kind, sum(e.amount_pence)::bigint as net
      from ledger_entries e join ledger_transactions t on t.id = e.transaction_id
     where e.account_id = any(${[...new Set(accountIds)]}::uuid[])
     group by e.account_id, t.kind`.execute(tx);
  for (const row of r.rows) out.get(row.account_id)?.set(row.kind, row.net);
  return out;
}
