// Writing one batch of a statement import (import.ts), in one database transaction as the
// application role with the partnership set (decisions 0016 and 0018):
//   1. the batch's account references are looked up (row-level security: only this
//      partnership's holding accounts); rows naming no holding account are reported as bad rows;
//   2. the rows, grouped by holding account, are written to card_transactions:
//      - on PostgreSQL, by a binary COPY, as the table's own role pooled_statement_writer for
//        that statement only (PostgreSQL refuses COPY into a table under row-level security, and
//        migration 0011's statement trigger makes the partnership check instead). A row seen
//        before (in an earlier file, batch or twice in this one) makes the COPY fail on the key,
//        and the batch is written the second way instead;
//      - otherwise (and on PGlite always), by `insert … select … on conflict do nothing` in
//        chunks, which adds nothing for a transaction seen before; the first of a repeated
//        transaction (lowest line) is the one kept;
//   3. one ledger transaction (idempotency key 'import:<import id>:<batch no>') posts one entry
//      per holding account, the net of its new rows, balanced by one entry per funding body on
//      its spending account, and statement_import_batches records it.
// Step 1 and the COPY data for step 2 are prepareBatch, which writes nothing: on PostgreSQL
// import.ts runs it for the next batch while this one is written.
import { randomFillSync, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { RawClient, Tx } from '../../platform/db/database.js';
import { BinaryCopyWriter, uuidBytes } from '../../platform/db/copy-binary.js';
import { postMany, type PostingLine } from '../ledger/index.js';
import { civilOfDays, type RowBatch } from './batch.js';
import { matchPlanItem } from './categories.js';
import type { BadRow, ColumnMapping } from './rules.js';
import { st } from './tables.js';

export interface HoldingAccount {
  id: string;
  personId: string | null;
  body: 'council' | 'nhs';
  items: { id: string; category: string }[];
}

export interface BatchContext {
  partnershipId: string;
  importId: string;
  batchNo: number;
  /** This batch writes the rows whose account reference number is index modulo of. */
  part: { index: number; of: number };
  mapping: ColumnMapping;
  accounts: Map<string, HoldingAccount | null>;
  spending: Record<'council' | 'nhs', string>;
  bad: (b: BadRow) => void;
  touched: Set<string>;
  /** Try COPY first (PostgreSQL). */
  copy: boolean;
  /** The import's COPY buffer and random bytes, kept from batch to batch. */
  scratch: { writer: BinaryCopyWriter; ids: Buffer };
}

/** card_transactions' columns as the import writes them (migration 0011's order). */
export const CARD_COLUMNS = [
  'id',
  'partnership_id',
  'import_id',
  'holding_account_id',
  'batch_no',
  'line_no',
  'occurred_on',
  'amount_pence',
  'provider_transaction_id',
  'description',
  'mcc',
  'category',
  'plan_item_id',
] as const;
/** Rows per `insert … on conflict` statement when COPY is not used. */
const CHUNK_ROWS = 2000;
/** Bytes per write of COPY data. */
const COPY_CHUNK_BYTES = 1 << 20;

type AccountRow = {
  id: string;
  reference: string;
  person_id: string | null;
  funding_body: 'council' | 'nhs' | null;
  items: { id: string; category: string; streamId: string | null }[] | null;
  stream_id: string | null;
};

function holdingAccount(r: AccountRow): HoldingAccount {
  return {
    id: r.id,
    personId: r.person_id,
    body: r.funding_body ?? 'council',
    items: (r.items ?? [])
      .filter((i) => r.stream_id === null || i.streamId === null || i.streamId === r.stream_id)
      .map((i) => ({ id: i.id, category: i.category })),
  };
}

/** Holding accounts with the plan items their (open, latest) budget's stream may buy. */
async function accountRows(
  tx: Tx,
  partnershipId: string,
  by: { references: readonly string[] } | { ids: readonly string[] },
): Promise<AccountRow[]> {
  const rows = await sql<AccountRow>`
    select a.id, a.reference, a.person_id, a.funding_body, b.stream_id,
           (select p.document->'items' from support_plans p where p.id = b.plan_id) as items
      from ledger_accounts a
      left join lateral (
        select stream_id, plan_id from budgets
         where holding_account_id = a.id
         order by financial_year desc, ends_on desc nulls first limit 1) b on true
     where a.partnership_id = ${partnershipId} and a.kind = 'holding_account'
       and ${
         'ids' in by
           ? sql`a.id = any(${by.ids}::uuid[])`
           : sql`a.reference = any(${by.references}::text[])`
       }`.execute(tx);
  return rows.rows;
}

/**
 * The holding accounts with these references, with the plan items their stream may buy. A
 * reference no account has now may be a card the account had before (a lost card replaced,
 * decision 0019): a statement of the old card's last weeks still goes to its account, when
 * exactly one account ever had that card.
 */
export async function loadAccounts(
  tx: Tx,
  partnershipId: string,
  references: readonly string[],
): Promise<Map<string, HoldingAccount>> {
  const out = new Map<string, HoldingAccount>();
  for (const r of await accountRows(tx, partnershipId, { references }))
    if (!out.has(r.reference)) out.set(r.reference, holdingAccount(r)); // two with one reference: the first wins
  const earlier = references.filter((r) => !out.has(r));
  if (earlier.length === 0) return out;
  const had = await sql<{ reference: string; id: string }>`
    select card_reference as reference, min(holding_account_id::text)::uuid as id
      from payment_accounts
     where partnership_id = ${partnershipId} and kind = 'card'
       and card_reference = any(${earlier}::text[])
     group by card_reference having count(distinct holding_account_id) = 1`.execute(tx);
  if (had.rows.length === 0) return out;
  const byId = new Map(
    (await accountRows(tx, partnershipId, { ids: had.rows.map((h) => h.id) })).map((r) => [
      r.id,
      r,
    ]),
  );
  for (const h of had.rows) {
    const r = byId.get(h.id);
    if (r) out.set(h.reference, holdingAccount(r));
  }
  return out;
}

/** A holding account's rows in a batch (row numbers, in line order) and each category's plan item. */
interface AccountRows {
  account: HoldingAccount;
  rows: number[];
  /** The plan item per category index (-1: none). */
  items: Map<number, string | null>;
}

/** The new rows' net, count and latest day on one holding account. */
interface Net {
  account: string;
  net: number;
  n: number;
  latest: string;
}

/**
 * Step 1: the batch's rows by holding account, in the accounts' id order (two imports of one
 * file meet the key in the same order, so neither waits on the other for long), each account's
 * rows in line order; rows naming no holding account reported as bad rows.
 */
async function placeRows(
  batch: RowBatch,
  c: BatchContext,
  lookup: AccountLookup,
): Promise<{ groups: AccountRows[]; count: number }> {
  const refs = batch.refs.list;
  // The accounts by reference number (the references are shared by the import's batches).
  const { index, of } = c.part;
  const used = new Uint8Array(refs.length);
  for (let i = 0; i < batch.count; i++) used[batch.ref[i] ?? 0] = 1;
  for (let r = 0; r < refs.length; r++) if (r % of !== index) used[r] = 0;
  const unknown: string[] = [];
  for (let r = 0; r < refs.length; r++)
    if (used[r] && !c.accounts.has(refs[r] ?? '')) unknown.push(refs[r] ?? '');
  if (unknown.length) {
    const found = await lookup(unknown);
    for (const ref of unknown) c.accounts.set(ref, found.get(ref) ?? null);
  }
  // Each reference number's group, found once (two references can name one account: a card and
  // the card it replaced).
  const byAccount = new Map<HoldingAccount, AccountRows>();
  const groupOf = refs.map((ref, r): AccountRows | null => {
    const account = r % of === index ? c.accounts.get(ref) : null;
    if (!account) return null;
    let group = byAccount.get(account);
    if (!group) byAccount.set(account, (group = { account, rows: [], items: new Map() }));
    return group;
  });
  const order = batch.ordered
    ? null
    : Array.from({ length: batch.count }, (_, i) => i).sort(
        (x, y) => (batch.line[x] ?? 0) - (batch.line[y] ?? 0),
      );
  let count = 0;
  for (let k = 0; k < batch.count; k++) {
    const i = order ? (order[k] ?? 0) : k;
    const r = batch.ref[i] ?? 0;
    if (r % of !== index) continue;
    const group = groupOf[r];
    if (!group) {
      c.bad({
        line: batch.line[i] ?? 0,
        problems: [
          `${c.mapping.account}: no direct payment account in Pooled has the reference "${refs[r] ?? ''}"`,
        ],
      });
      continue;
    }
    const cat = batch.cat[i] ?? -1;
    if (!group.items.has(cat))
      group.items.set(cat, matchPlanItem(batch.category(i), group.account.items));
    group.rows.push(i);
    count++;
  }
  const groups = [...byAccount.values()]
    .filter((g) => g.rows.length > 0)
    .sort((x, y) => (x.account.id < y.account.id ? -1 : x.account.id > y.account.id ? 1 : 0));
  return { groups, count };
}

/** A 32-bit big-endian integer at o; returns the offset after it. */
function int32(b: Buffer, o: number, n: number): number {
  b[o] = n >>> 24;
  b[o + 1] = (n >>> 16) & 0xff;
  b[o + 2] = (n >>> 8) & 0xff;
  b[o + 3] = n & 0xff;
  return o + 4;
}

/** A text field (length, then the UTF-8 bytes) or null, encoded once. */
function textField(s: string | null): Buffer {
  const w = new BinaryCopyWriter(64).start();
  w.text(s);
  return w.fields();
}

/**
 * The bytes of a row's fields that vary row by row, besides its tail (the category and plan
 * item): the field count, id, line, day, amount, transaction id, description and MCC.
 */
const ROW_FIXED_BYTES = 2 + 20 + 8 + 8 + 12 + 4 + 4;
const EMPTY = Buffer.alloc(0);

/** One account's constant columns after the id, and its rows' tails by category index + 1. */
interface GroupBytes {
  segment: Buffer;
  tails: Buffer[];
}

/**
 * Each group's bytes: where its rows start in `b` (from `o`), by group, in `cursor`; returns the
 * offset after the last group. Rows are visited in batch order, as writeRows visits them.
 */
function placeGroups(
  batch: RowBatch,
  groupOf: Int32Array,
  groups: readonly GroupBytes[],
  cursor: Float64Array,
  o: number,
): number {
  const { idLen, descLen, mcc, cat } = batch;
  for (let i = 0; i < batch.count; i++) {
    const k = groupOf[i] ?? -1;
    if (k < 0) continue;
    const g = groups[k];
    if (!g) continue;
    cursor[k] =
      (cursor[k] ?? 0) +
      ROW_FIXED_BYTES +
      g.segment.length +
      (idLen[i] ?? 0) +
      (descLen[i] ?? 0) +
      ((mcc[i] ?? -1) < 0 ? 4 : 6) +
      (g.tails[(cat[i] ?? -1) + 1] ?? EMPTY).length;
  }
  for (let k = 0; k < groups.length; k++) {
    const bytes = cursor[k] ?? 0;
    cursor[k] = o;
    o += bytes;
  }
  return o;
}

/**
 * The rows as COPY rows, each at its group's cursor in `b` (room reserved by placeGroups). The
 * hot loop of an import (a million rows a file): a function of its own with no closures or maps,
 * which V8 optimises once and keeps (written inline in copyData, with closures made per call, it
 * was deoptimised and optimised again batch after batch); the batch is read in its own order, and
 * each row written where its group's rows go. `ids` holds 16 random bytes a row.
 */
function writeRows(
  b: Buffer,
  batch: RowBatch,
  groupOf: Int32Array,
  groups: readonly GroupBytes[],
  cursor: Float64Array,
  ids: Buffer,
): void {
  const { line, days, amount, mcc, cat, idAt, idLen, descAt, descLen, arena } = batch;
  for (let i = 0; i < batch.count; i++) {
    const k = groupOf[i] ?? -1;
    if (k < 0) continue;
    const g = groups[k];
    if (!g) continue;
    let o = cursor[k] ?? 0;
    b[o] = 0;
    b[o + 1] = CARD_COLUMNS.length;
    // id: 16 random bytes as a version 4 UUID
    o = int32(b, o + 2, 16);
    const at = 16 * i;
    for (let j = 0; j < 16; j++) b[o + j] = ids[at + j] ?? 0;
    b[o + 6] = ((ids[at + 6] ?? 0) & 0x0f) | 0x40;
    b[o + 8] = ((ids[at + 8] ?? 0) & 0x3f) | 0x80;
    o += 16;
    b.set(g.segment, o);
    o += g.segment.length;
    o = int32(b, int32(b, o, 4), line[i] ?? 0);
    o = int32(b, int32(b, o, 4), days[i] ?? 0);
    // amount: int8, from a safe integer
    const pence = amount[i] ?? 0;
    const high = Math.floor(pence / 4294967296);
    o = int32(b, int32(b, int32(b, o, 8), high), pence - high * 4294967296);
    const il = idLen[i] ?? 0;
    const ia = idAt[i] ?? 0;
    o = int32(b, o, il);
    for (let j = 0; j < il; j++) b[o + j] = arena[ia + j] ?? 0;
    o += il;
    const dl = descLen[i] ?? 0;
    const da = descAt[i] ?? 0;
    o = int32(b, o, dl);
    for (let j = 0; j < dl; j++) b[o + j] = arena[da + j] ?? 0;
    o += dl;
    // mcc: smallint (length 2, the value) or null
    const m = mcc[i] ?? -1;
    if (m < 0) o = int32(b, o, -1);
    else {
      o = int32(b, o, 2);
      b[o] = m >>> 8;
      b[o + 1] = m & 0xff;
      o += 2;
    }
    const tail = g.tails[(cat[i] ?? -1) + 1] ?? EMPTY;
    b.set(tail, o);
    cursor[k] = o + tail.length;
  }
}

/**
 * The rows as binary COPY data, in the import's writer (valid until its next batch): the groups
 * one after another, each group's rows in batch order.
 */
function copyData(batch: RowBatch, groups: readonly AccountRows[], c: BatchContext): Buffer {
  const w = c.scratch.writer.start();
  const head = new BinaryCopyWriter(64).start();
  head.uuid(uuidBytes(c.partnershipId));
  head.uuid(uuidBytes(c.importId));
  const headFields = head.fields();
  // Text columns with few values, encoded once: the categories and plan items.
  const text = new Map<string | null, Buffer>();
  const encoded = (s: string | null): Buffer => {
    let b = text.get(s);
    if (!b) text.set(s, (b = textField(s)));
    return b;
  };
  const categories = batch.categories.list.map((name) => encoded(name));
  const none = encoded(null);
  // A row's tail by category index + 1: its category, then no plan item unless the account has one.
  const plain = [none, ...categories].map((cat) => Buffer.concat([cat, none]));
  const groupOf = new Int32Array(batch.count).fill(-1);
  const bytes = groups.map((g, k): GroupBytes => {
    for (const i of g.rows) groupOf[i] = k;
    // The columns after id that are the same for all of an account's rows, encoded once.
    const fixed = new BinaryCopyWriter(64).start();
    fixed.raw(headFields);
    fixed.uuid(uuidBytes(g.account.id));
    fixed.int4(c.batchNo);
    const tails = plain.slice();
    for (const [cat, item] of g.items)
      tails[cat + 1] = Buffer.concat([cat < 0 ? none : (categories[cat] ?? none), encoded(item)]);
    return { segment: fixed.fields(), tails };
  });
  // Random (version 4) ids for the rows, made in bulk.
  if (c.scratch.ids.length < 16 * batch.count) c.scratch.ids = Buffer.allocUnsafe(16 * batch.count);
  const ids = randomFillSync(c.scratch.ids, 0, 16 * batch.count);
  const cursor = new Float64Array(groups.length);
  const end = placeGroups(batch, groupOf, bytes, cursor, w.offset);
  const b = w.reserve(end - w.offset);
  writeRows(b, batch, groupOf, bytes, cursor, ids);
  w.advance(end);
  return w.finish();
}

/** Holding accounts by reference (loadAccounts, in some transaction under the partnership). */
export type AccountLookup = (references: readonly string[]) => Promise<Map<string, HoldingAccount>>;

/** A batch's part made ready to write: its rows by account and, for COPY, its data. */
export interface PreparedBatch {
  groups: AccountRows[];
  count: number;
  /** The binary COPY data (in c.scratch's writer), or null to insert. */
  data: Buffer | null;
}

/**
 * Step 1, and the COPY data for step 2: nothing here writes, so on PostgreSQL import.ts does it
 * while the batch before is being written, and Node and the server work at once. `lookup` finds
 * the accounts of references not met before.
 */
export async function prepareBatch(
  batch: RowBatch,
  c: BatchContext,
  lookup: AccountLookup,
): Promise<PreparedBatch> {
  const { groups, count } = await placeRows(batch, c, lookup);
  return { groups, count, data: c.copy && count > 0 ? copyData(batch, groups, c) : null };
}

/** The fast way: one COPY, as the table's role. False when a row's key was there already. */
async function copyRows(raw: RawClient, tx: Tx, data: Buffer): Promise<boolean> {
  await sql`savepoint card_rows`.execute(tx);
  try {
    await sql`select set_config('role', 'pooled_statement_writer', true)`.execute(tx);
    await raw.copyIn(
      'card_transactions',
      CARD_COLUMNS,
      (async function* () {
        for (let from = 0; from < data.length; from += COPY_CHUNK_BYTES)
          yield await Promise.resolve(data.subarray(from, from + COPY_CHUNK_BYTES));
      })(),
      'binary',
    );
    await sql`select set_config('role', 'pooled_app', true)`.execute(tx);
    await sql`release savepoint card_rows`.execute(tx);
    return true;
  } catch (error) {
    if ((error as { code?: string }).code !== '23505') throw error;
    // A transaction seen before: undo the COPY (and the role) and insert row by row instead.
    await sql`rollback to savepoint card_rows`.execute(tx);
    return false;
  }
}

/** The nets of rows all written. */
function netsOf(batch: RowBatch, groups: readonly AccountRows[]): Net[] {
  return groups.map((g) => {
    let net = 0;
    let latest = -Infinity;
    for (const i of g.rows) {
      net += batch.amount[i] ?? 0;
      latest = Math.max(latest, batch.days[i] ?? 0);
    }
    return { account: g.account.id, net, n: g.rows.length, latest: civilOfDays(latest) };
  });
}

/**
 * The other way: `insert … on conflict do nothing` a chunk at a time, in the groups' order, so
 * of a transaction repeated in the batch the lowest line is written first and kept. Returns the
 * new rows' nets.
 */
async function insertRows(
  tx: Tx,
  batch: RowBatch,
  groups: readonly AccountRows[],
  c: BatchContext,
): Promise<Net[]> {
  const flat: { i: number; account: string; item: string | null }[] = [];
  for (const g of groups)
    for (const i of g.rows)
      flat.push({ i, account: g.account.id, item: g.items.get(batch.cat[i] ?? -1) ?? null });
  const nets = new Map<string, Net>();
  for (let from = 0; from < flat.length; from += CHUNK_ROWS) {
    const chunk = flat.slice(from, from + CHUNK_ROWS);
    const rows = chunk.map((x) => batch.row(x.i));
    const col = <T>(f: (k: number) => T) => chunk.map((_, k) => f(k));
    const got = await sql<Net>`
      with ins as (
        insert into card_transactions (${sql.raw(CARD_COLUMNS.join(', '))})
        select u.id, ${c.partnershipId}::uuid, ${c.importId}::uuid, u.account, ${c.batchNo}::int,
               u.line, u.day, u.amount, u.txn, u.description, u.mcc, u.category, u.item
          from unnest(${col(() => randomUUID())}::uuid[], ${col((k) => chunk[k]?.account)}::uuid[],
                 ${col((k) => rows[k]?.line)}::int[], ${col((k) => rows[k]?.date)}::date[],
                 ${col((k) => rows[k]?.amountPence)}::bigint[],
                 ${col((k) => rows[k]?.providerTransactionId)}::text[],
                 ${col((k) => rows[k]?.description)}::text[],
                 ${col((k) => (rows[k]?.mcc == null ? null : Number(rows[k]?.mcc)))}::smallint[],
                 ${col((k) => batch.category(chunk[k]?.i ?? 0))}::text[],
                 ${col((k) => chunk[k]?.item)}::text[])
            as u(id, account, line, day, amount, txn, description, mcc, category, item)
         order by u.account, u.txn, u.line
        on conflict (holding_account_id, provider_transaction_id) do nothing
        returning holding_account_id, amount_pence, occurred_on)
      select holding_account_id as account, sum(amount_pence)::bigint as net, count(*)::int as n,
             max(occurred_on)::text as latest
        from ins group by holding_account_id`.execute(tx);
    for (const x of got.rows) {
      const had = nets.get(x.account);
      if (!had) nets.set(x.account, { ...x });
      else {
        had.net += x.net;
        had.n += x.n;
        if (x.latest > had.latest) had.latest = x.latest;
      }
    }
  }
  return [...nets.values()];
}

/** Steps 1 to 3 of a batch (see the top of this file). */
export async function writeBatch(
  raw: RawClient,
  tx: Tx,
  batch: RowBatch,
  c: BatchContext,
  prepared?: PreparedBatch,
): Promise<{ imported: number; duplicates: number; copied: boolean }> {
  const { groups, count, data } =
    prepared ?? (await prepareBatch(batch, c, (refs) => loadAccounts(tx, c.partnershipId, refs)));
  if (count === 0) return { imported: 0, duplicates: 0, copied: false };
  const copied = data !== null && (await copyRows(raw, tx, data));
  const nets = copied ? netsOf(batch, groups) : await insertRows(tx, batch, groups, c);
  const imported = nets.reduce((n, x) => n + x.n, 0);
  const duplicates = count - imported;
  if (imported === 0) return { imported, duplicates, copied };
  for (const x of nets) c.touched.add(x.account);

  const bodyOf = new Map(groups.map((g) => [g.account.id, g.account.body]));
  const lines: PostingLine[] = [];
  const net = { council: 0, nhs: 0 };
  let latest = '';
  for (const x of nets) {
    if (x.latest > latest) latest = x.latest;
    if (x.net === 0) continue;
    lines.push({ accountId: x.account, amountPence: x.net, sourceRef: `import:${c.importId}` });
    net[bodyOf.get(x.account) ?? 'council'] += x.net;
  }
  for (const body of ['council', 'nhs'] as const)
    if (net[body] !== 0)
      lines.push({
        accountId: c.spending[body],
        amountPence: -net[body],
        sourceRef: `import:${c.importId}`,
      });
  // Every account's new rows can net to zero (a spend and its refund): then nothing is posted.
  let ledgerTransactionId: string | null = null;
  if (lines.length > 0) {
    ledgerTransactionId = randomUUID();
    const [posted] = await postMany(tx, c.partnershipId, [
      {
        idempotencyKey: `import:${c.importId}:${String(c.batchNo)}`,
        transactionId: ledgerTransactionId,
        kind: 'spend',
        occurredOn: latest,
        description: `Statement import, batch ${String(c.batchNo)}: ${String(imported)} transactions`,
        lines,
      },
    ]);
    if (!posted?.created || posted.transactionId !== ledgerTransactionId)
      throw new Error(`Batch ${String(c.batchNo)} of import ${c.importId} had been posted already`);
  }
  await st(tx)
    .insertInto('statement_import_batches')
    .values({
      partnership_id: c.partnershipId,
      import_id: c.importId,
      batch_no: c.batchNo,
      ledger_transaction_id: ledgerTransactionId,
      rows_imported: imported,
    })
    .execute();
  return { imported, duplicates, copied };
}
