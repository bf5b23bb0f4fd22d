// The ledger in the database (migration 0005). Every function takes a transaction already inside
// inPartnership(db, partnershipId, tx => …). Writes are set-based: a posting's header is one
// INSERT and all of its entries another (the database checks balance once per statement, so a
// transaction's entries must arrive together); postMany writes any number of postings in a few
// statements, passing columns as array parameters through unnest (no 65,535-parameter limit).
// A posting whose idempotency key exists already writes nothing and returns created=false.
import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database.js';
import { isUuid } from '../../platform/ids.js';
import {
  LedgerError,
  netByAccount,
  reversalDescription,
  sameMoney,
  validatePosting,
  type AccountSpec,
  type PostingInput,
  type PostingLine,
  type PostResult,
  type ReversalOptions,
} from './rules.js';

/** Entries per INSERT statement in postMany (a single larger posting still goes in one). */
const ENTRIES_PER_STATEMENT = 50_000;

/**
 * Makes sure an account exists for each spec (by its key) and returns key → account id.
 * Idempotent; refuses (LedgerError 'conflict') a key that exists with a different kind.
 */
export async function ensureAccounts(
  tx: Tx,
  partnershipId: string,
  specs: readonly AccountSpec[],
): Promise<Map<string, string>> {
  const byKey = new Map<string, AccountSpec>();
  for (const s of specs) {
    const seen = byKey.get(s.key);
    if (seen && seen.kind !== s.kind) {
      throw new LedgerError(
        'conflict',
        `Account ${s.key} is asked for as ${seen.kind} and ${s.kind}`,
      );
    }
    byKey.set(s.key, s);
  }
  if (byKey.size === 0) return new Map();
  const list = [...byKey.values()];
  const keys = list.map((s) => s.key);
  await sql`
    insert into ledger_accounts
      (partnership_id, key, kind, funding_body, person_id, budget_id, name, reference)
    select ${partnershipId}::uuid, u.*
      from unnest(${keys}::text[], ${list.map((s) => s.kind)}::text[],
        ${list.map((s) => s.fundingBody ?? null)}::text[], ${list.map((s) => s.personId ?? null)}::uuid[],
        ${list.map((s) => s.budgetId ?? null)}::uuid[], ${list.map((s) => s.name)}::text[],
        ${list.map((s) => s.reference ?? null)}::text[]) as u
    on conflict (partnership_id, key) do nothing`.execute(tx);
  const rows = await sql<{ id: string; key: string; kind: string }>`
    select id, key, kind from ledger_accounts
     where partnership_id = ${partnershipId} and key = any(${keys}::text[])`.execute(tx);
  const ids = new Map<string, string>();
  for (const r of rows.rows) {
    const spec = byKey.get(r.key);
    if (spec && spec.kind !== r.kind) {
      throw new LedgerError('conflict', `Account ${r.key} exists as ${r.kind}, not ${spec.kind}`);
    }
    ids.set(r.key, r.id);
  }
  return ids;
}

/** Posts one balanced transaction; see postMany. */
export async function post(
  tx: Tx,
  partnershipId: string,
  input: PostingInput,
): Promise<PostResult> {
  const [result] = await postMany(tx, partnershipId, [input]);
  if (!result) throw new Error('postMany returned no result for one posting');
  return result;
}

/**
 * Posts many balanced transactions in a few statements, in order. Checks every posting first
 * (LedgerError 'empty', 'unbalanced', 'invalid', 'not_found' for an account id that is not
 * one); a key posted before (or earlier in the same call) writes nothing and returns its
 * transaction with created=false, unless it moved different money ('conflict'). Postings with
 * `nonNegative` accounts are refused ('insufficient') when an account would go below zero,
 * counting the postings before them in the call; those accounts are locked (a transaction-level
 * advisory lock) so two recoveries at once cannot both spend the same balance.
 */
export async function postMany(
  tx: Tx,
  partnershipId: string,
  inputs: readonly PostingInput[],
): Promise<PostResult[]> {
  for (const input of inputs) {
    validatePosting(input);
    if (input.transactionId !== undefined && !isUuid(input.transactionId)) {
      throw new LedgerError(
        'invalid',
        `Posting ${input.idempotencyKey}: transaction id ${input.transactionId} is not a uuid`,
      );
    }
    for (const l of input.lines) {
      if (!isUuid(l.accountId)) {
        throw new LedgerError(
          'not_found',
          `Posting ${input.idempotencyKey}: no account ${l.accountId}`,
        );
      }
    }
  }
  // The first posting of each key is the one written; repeats must move the same money.
  const firstByKey = new Map<string, PostingInput>();
  for (const input of inputs) {
    const first = firstByKey.get(input.idempotencyKey);
    if (!first) firstByKey.set(input.idempotencyKey, input);
    else if (!sameMoney(first.lines, input.lines)) throw conflict(input.idempotencyKey);
  }
  const unique = [...firstByKey.values()];
  if (unique.length === 0) return [];

  const idByKey = new Map<string, string>();
  const existing = new Set<string>();
  if (unique.some((i) => (i.nonNegative ?? []).length > 0)) {
    // Check before writing anything, so a refusal leaves the transaction clean.
    const found = await checkExisting(tx, partnershipId, unique);
    for (const [key, id] of found) {
      idByKey.set(key, id);
      existing.add(key);
    }
    await checkNonNegative(
      tx,
      unique.filter((i) => !existing.has(i.idempotencyKey)),
    );
  }

  // In key order, so two sessions posting overlapping keys wait for each other's keys in the
  // same order and never deadlock.
  const toWrite = unique
    .filter((i) => !existing.has(i.idempotencyKey))
    .sort((x, y) =>
      x.idempotencyKey < y.idempotencyKey ? -1 : x.idempotencyKey > y.idempotencyKey ? 1 : 0,
    );
  const created = new Set<string>();
  if (toWrite.length > 0) {
    const rows = await sql<{ id: string; idempotency_key: string }>`
      insert into ledger_transactions
        (id, partnership_id, idempotency_key, kind, occurred_on, description, entry_count, posted_by)
      select coalesce(u.id, gen_random_uuid()), ${partnershipId}::uuid, u.key, u.kind, u.occurred_on,
             u.description, u.entry_count, u.posted_by
        from unnest(${toWrite.map((i) => i.transactionId ?? null)}::uuid[],
          ${toWrite.map((i) => i.idempotencyKey)}::text[], ${toWrite.map((i) => i.kind)}::text[],
          ${toWrite.map((i) => i.occurredOn)}::date[], ${toWrite.map((i) => i.description)}::text[],
          ${toWrite.map((i) => i.lines.length)}::int[], ${toWrite.map((i) => i.postedBy ?? null)}::uuid[])
          as u(id, key, kind, occurred_on, description, entry_count, posted_by)
      on conflict (partnership_id, idempotency_key) do nothing
      returning id, idempotency_key`.execute(tx);
    for (const r of rows.rows) {
      idByKey.set(r.idempotency_key, r.id);
      created.add(r.idempotency_key);
    }
    // Keys that were there already (or committed meanwhile by another session).
    const others = toWrite.filter((i) => !created.has(i.idempotencyKey));
    if (others.length > 0) {
      for (const [key, id] of await checkExisting(tx, partnershipId, others)) idByKey.set(key, id);
    }
    await insertEntries(
      tx,
      partnershipId,
      toWrite.filter((i) => created.has(i.idempotencyKey)),
      idByKey,
    );
  }
  // Only the first input of a created key reports created=true, so callers never count twice.
  const reported = new Set<string>();
  return inputs.map((i) => {
    const transactionId = idByKey.get(i.idempotencyKey);
    if (transactionId === undefined) throw new Error(`No transaction for ${i.idempotencyKey}`);
    const first = created.has(i.idempotencyKey) && !reported.has(i.idempotencyKey);
    reported.add(i.idempotencyKey);
    return { transactionId, created: first };
  });
}

function conflict(key: string): LedgerError {
  return new LedgerError(
    'conflict',
    `Idempotency key ${key} has been used for a different posting: a key names one movement of money`,
  );
}

/** Key → id of the inputs already posted; throws 'conflict' if one moved different money. */
async function checkExisting(
  tx: Tx,
  partnershipId: string,
  inputs: readonly PostingInput[],
): Promise<Map<string, string>> {
  const rows = await sql<{ id: string; key: string; account_id: string; amount_pence: number }>`
    select t.id, t.idempotency_key as key, e.account_id, e.amount_pence
      from ledger_transactions t
      join ledger_entries e on e.transaction_id = t.id
     where t.partnership_id = ${partnershipId}
       and t.idempotency_key = any(${inputs.map((i) => i.idempotencyKey)}::text[])`.execute(tx);
  const found = new Map<string, { id: string; lines: PostingLine[] }>();
  for (const r of rows.rows) {
    const f = found.get(r.key) ?? { id: r.id, lines: [] };
    f.lines.push({ accountId: r.account_id, amountPence: r.amount_pence });
    found.set(r.key, f);
  }
  const ids = new Map<string, string>();
  for (const input of inputs) {
    const f = found.get(input.idempotencyKey);
    if (!f) continue;
    if (!sameMoney(f.lines, input.lines)) throw conflict(input.idempotencyKey);
    ids.set(input.idempotencyKey, f.id);
  }
  return ids;
}

async function checkNonNegative(tx: Tx, inputs: readonly PostingInput[]): Promise<void> {
  const guarded = [...new Set(inputs.flatMap((i) => i.nonNegative ?? []))].sort();
  if (guarded.length === 0) return;
  // In a fixed order, so two sessions never wait for each other's locks in a cycle.
  await sql`
    select pg_advisory_xact_lock(hashtextextended(a::text, 5005))
      from unnest(${guarded}::uuid[]) with ordinality as u(a, n) order by n`.execute(tx);
  const balance = await balances(tx, guarded);
  for (const input of inputs) {
    const net = netByAccount(input.lines);
    for (const account of guarded)
      balance.set(account, (balance.get(account) ?? 0) + (net.get(account) ?? 0));
    for (const account of input.nonNegative ?? []) {
      const after = balance.get(account) ?? 0;
      if (after < 0) {
        throw new LedgerError(
          'insufficient',
          `Posting ${input.idempotencyKey} would take account ${account} below zero (by ${String(-after)} pence)`,
        );
      }
    }
  }
}

async function insertEntries(
  tx: Tx,
  partnershipId: string,
  inputs: readonly PostingInput[],
  idByKey: ReadonlyMap<string, string>,
): Promise<void> {
  let t: string[] = [];
  let a: string[] = [];
  let m: number[] = [];
  let s: (string | null)[] = [];
  const flush = async () => {
    if (t.length === 0) return;
    try {
      await sql`
        insert into ledger_entries (partnership_id, transaction_id, account_id, amount_pence, source_ref)
        select ${partnershipId}::uuid, u.*
          from unnest(${t}::uuid[], ${a}::uuid[], ${m}::bigint[], ${s}::text[]) as u`.execute(tx);
    } catch (error) {
      if ((error as { code?: string }).code === '23503') {
        throw new LedgerError('not_found', 'A posting names an account that does not exist');
      }
      throw error;
    }
    t = [];
    a = [];
    m = [];
    s = [];
  };
  for (const input of inputs) {
    if (t.length > 0 && t.length + input.lines.length > ENTRIES_PER_STATEMENT) await flush();
    const id = idByKey.get(input.idempotencyKey) ?? '';
    for (const l of input.lines) {
      t.push(id);
      a.push(l.accountId);
      m.push(l.amountPence);
      s.push(l.sourceRef ?? null);
    }
  }
  await flush();
}

/**
 * Reverses a transaction: a new 'reversal' transaction with every entry negated. Refused when
 * the transaction does not exist ('not_found'), is itself a reversal ('not_reversible') or has
 * been reversed already ('already_reversed'; the same reversal key again returns created=false).
 */
export async function reverse(
  tx: Tx,
  partnershipId: string,
  transactionId: string,
  opts: ReversalOptions,
): Promise<PostResult> {
  if (!isUuid(transactionId)) throw new LedgerError('not_found', `No transaction ${transactionId}`);
  if (opts.idempotencyKey.trim().length === 0) {
    throw new LedgerError('invalid', 'A reversal needs an idempotency key');
  }
  const original = (
    await sql<{
      kind: string;
      description: string;
      entry_count: number;
      reversal_id: string | null;
      reversal_key: string | null;
    }>`
      select t.kind, t.description, t.entry_count, r.id as reversal_id, r.idempotency_key as reversal_key
        from ledger_transactions t
        left join ledger_transactions r on r.reverses_id = t.id
       where t.partnership_id = ${partnershipId} and t.id = ${transactionId}`.execute(tx)
  ).rows[0];
  if (!original) throw new LedgerError('not_found', `No transaction ${transactionId}`);
  if (original.reversal_id !== null) {
    if (original.reversal_key === opts.idempotencyKey) {
      return { transactionId: original.reversal_id, created: false };
    }
    throw new LedgerError(
      'already_reversed',
      `Transaction ${transactionId} has been reversed already`,
    );
  }
  if (original.kind === 'reversal') {
    throw new LedgerError(
      'not_reversible',
      `Transaction ${transactionId} is a reversal: post it again instead`,
    );
  }
  let inserted: { id: string } | undefined;
  try {
    inserted = (
      await sql<{ id: string }>`
        insert into ledger_transactions (partnership_id, idempotency_key, kind, occurred_on,
          description, entry_count, reverses_id, posted_by)
        values (${partnershipId}, ${opts.idempotencyKey}, 'reversal', ${opts.occurredOn},
          ${reversalDescription(original.description, opts.reason)}, ${original.entry_count},
          ${transactionId}, ${opts.postedBy ?? null})
        on conflict (partnership_id, idempotency_key) do nothing
        returning id`.execute(tx)
    ).rows[0];
  } catch (error) {
    // Another session reversed it meanwhile under a different key.
    if ((error as { code?: string }).code === '23505') {
      throw new LedgerError(
        'already_reversed',
        `Transaction ${transactionId} has been reversed already`,
      );
    }
    throw error;
  }
  if (!inserted) {
    const other = (
      await sql<{ id: string; reverses_id: string | null }>`
        select id, reverses_id from ledger_transactions
         where partnership_id = ${partnershipId} and idempotency_key = ${opts.idempotencyKey}`.execute(
        tx,
      )
    ).rows[0];
    if (other?.reverses_id === transactionId) return { transactionId: other.id, created: false };
    throw conflict(opts.idempotencyKey);
  }
  await sql`
    insert into ledger_entries (partnership_id, transaction_id, account_id, amount_pence, source_ref)
    select partnership_id, ${inserted.id}::uuid, account_id, -amount_pence, source_ref
      from ledger_entries where transaction_id = ${transactionId} order by id`.execute(tx);
  return { transactionId: inserted.id, created: true };
}

/** Each account's balance in pence (the sum of its entries; 0 for an account with none). */
export async function balances(
  tx: Tx,
  accountIds: readonly string[],
): Promise<Map<string, number>> {
  const out = new Map<string, number>(accountIds.map((id) => [id, 0]));
  const ids = [...new Set(accountIds)].filter(isUuid);
  if (ids.length === 0) return out;
  const rows = await sql<{ account_id: string; balance: number }>`
    select account_id, sum(amount_pence)::bigint as balance
      from ledger_entries where account_id = any(${ids}::uuid[])
     group by account_id`.execute(tx);
  for (const r of rows.rows) out.set(r.account_id, r.balance);
  return out;
}

/** Balances by account key (0 for a key with no account or no entries). */
export async function balanceByKey(
  tx: Tx,
  partnershipId: string,
  keys: readonly string[],
): Promise<Map<string, number>> {
  const out = new Map<string, number>(keys.map((k) => [k, 0]));
  if (keys.length === 0) return out;
  const rows = await sql<{ key: string; balance: number }>`
    select a.key, coalesce((select sum(e.amount_pence) from ledger_entries e where e.account_id = a.id), 0)::bigint as balance
      from ledger_accounts a
     where a.partnership_id = ${partnershipId} and a.key = any(${[...new Set(keys)]}::text[])`.execute(
    tx,
  );
  for (const r of rows.rows) out.set(r.key, r.balance);
  return out;
}

/** The transactions already posted under these idempotency keys: key → transaction id. */
export async function transactionsByKey(
  tx: Tx,
  partnershipId: string,
  keys: readonly string[],
): Promise<Map<string, string>> {
  if (keys.length === 0) return new Map();
  const rows = await sql<{ id: string; idempotency_key: string }>`
    select id, idempotency_key from ledger_transactions
     where partnership_id = ${partnershipId} and idempotency_key = any(${[...new Set(keys)]}::text[])`.execute(
    tx,
  );
  return new Map(rows.rows.map((r) => [r.idempotency_key, r.id]));
}

/** A convenience for recoveries: Cr holding, Dr recoveries, refused beyond the balance held. */
export async function recover(
  tx: Tx,
  partnershipId: string,
  input: {
    idempotencyKey: string;
    occurredOn: string;
    description: string;
    holdingAccountId: string;
    recoveriesAccountId: string;
    amountPence: number;
    postedBy?: string | null;
  },
): Promise<PostResult> {
  if (!(input.amountPence > 0)) {
    throw new LedgerError(
      'invalid',
      `A recovery is a positive amount, not ${String(input.amountPence)}`,
    );
  }
  return post(tx, partnershipId, {
    idempotencyKey: input.idempotencyKey,
    kind: 'recovery',
    occurredOn: input.occurredOn,
    description: input.description,
    lines: [
      { accountId: input.holdingAccountId, amountPence: -input.amountPence },
      { accountId: input.recoveriesAccountId, amountPence: input.amountPence },
    ],
    postedBy: input.postedBy ?? null,
    nonNegative: [input.holdingAccountId],
  });
}
