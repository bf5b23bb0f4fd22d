// Importing a card or bank statement (issue 5 point 6). The file is streamed: read record by
// record (rules.ts), checked and categorised in Node, and written in batches (decision 0016).
// Each batch is one database transaction on one connection, as the application role with the
// partnership set (row-level security stays on):
//   1. the batch's good rows stream into a temporary staging table while the file is still
//      being read (COPY on PostgreSQL, with backpressure; array inserts on PGlite);
//   2. the rows whose account reference names no holding account are reported as bad rows;
//   3. one set-based `insert into card_transactions select … from staging on conflict do
//      nothing` writes the new rows (a transaction seen before, in this file or an earlier one,
//      adds nothing) and returns the net of the new rows per holding account;
//   4. one ledger transaction (idempotency key 'import:<import id>:<batch no>') posts one entry
//      per holding account, that net, balanced by one entry per funding body on its spending
//      account; every new card transaction records that ledger transaction's id.
// Good rows are imported, bad rows reported with their line numbers; a file with missing columns
// is refused whole.
import { createHash, randomUUID } from 'node:crypto';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { inPartnership, type Db, type RawClient, type Tx } from '../../platform/db/database.js';
import type { Schema } from '../../platform/db/schema.js';
import { ensureAccounts, postMany, type PostingLine } from '../ledger/index.js';
import { categorise, matchPlanItem, type SpendCategory } from './categories.js';
import {
  checkHeader,
  csvRecords,
  type CsvRecord,
  mappingFor,
  readRow,
  STATEMENT_FORMATS,
  type BadRow,
  type ColumnMapping,
  type ColumnPositions,
  type StatementRow,
} from './rules.js';
import { st, type ImportStatus } from './tables.js';

/** The most bad rows kept in the import's stored report (all are counted, and all are passed to onBadRow). */
export const STORED_BAD_ROWS = 1000;
/** Good rows per batch: one database transaction and one ledger transaction each. */
export const DEFAULT_BATCH_SIZE = 100_000;

export interface ImportInput {
  partnershipId: string;
  /** A built-in format's name, or a provider's own mapping (rules.ts readMapping). */
  format: string | ColumnMapping;
  fileName: string;
  /** The file's bytes, e.g. a file or upload stream. */
  source: AsyncIterable<Uint8Array>;
  /** The signed-in user, or null for the command line. */
  userId: string | null;
  /** Who, in words, for the audit trail: a user's name and email, or 'cli import'. */
  actor: string;
  batchSize?: number;
  onBadRow?: (bad: BadRow) => void;
  onProgress?: (progress: { rows: number; bytes: number }) => void;
}

export interface ImportResult {
  importId: string;
  status: ImportStatus;
  /** Why the file was refused, when it was. */
  message: string | null;
  rowsRead: number;
  imported: number;
  duplicates: number;
  bad: number;
  /** The first STORED_BAD_ROWS bad rows. */
  badRows: BadRow[];
  ignoredColumns: string[];
  /** Holding accounts that received new transactions (for monitoring). */
  touchedAccounts: string[];
  sha256: string;
  seconds: number;
}

export class StatementImportRefused extends Error {}

interface HoldingAccount {
  id: string;
  personId: string | null;
  body: 'council' | 'nhs';
  items: { id: string; category: string }[];
}

interface Staged {
  /** The card transaction's id, made here (random; 0007 does not index it). */
  id: string;
  row: StatementRow;
  category: SpendCategory | null;
}

/** A batch read ahead: CSV text for COPY (PostgreSQL) or the rows (PGlite). */
interface ReadBatch {
  csv: string[];
  rows: Staged[][];
  count: number;
  end: boolean;
}

/** The holding accounts with these references, with the plan items their stream may buy. */
async function loadAccounts(
  tx: Tx,
  partnershipId: string,
  references: readonly string[],
): Promise<Map<string, HoldingAccount>> {
  const rows = await sql<{
    id: string;
    reference: string;
    person_id: string | null;
    funding_body: 'council' | 'nhs' | null;
    items: { id: string; category: string; streamId: string | null }[] | null;
    stream_id: string | null;
  }>`
    select a.id, a.reference, a.person_id, a.funding_body, b.stream_id,
           (select p.document->'items' from support_plans p where p.id = b.plan_id) as items
      from ledger_accounts a
      left join lateral (
        select stream_id, plan_id from budgets
         where holding_account_id = a.id order by financial_year desc limit 1) b on true
     where a.partnership_id = ${partnershipId} and a.kind = 'holding_account'
       and a.reference = any(${references}::text[])`.execute(tx);
  const out = new Map<string, HoldingAccount>();
  for (const r of rows.rows) {
    if (out.has(r.reference)) continue; // two accounts with one reference: the first wins
    out.set(r.reference, {
      id: r.id,
      personId: r.person_id,
      body: r.funding_body ?? 'council',
      items: (r.items ?? [])
        .filter((i) => r.stream_id === null || i.streamId === null || i.streamId === r.stream_id)
        .map((i) => ({ id: i.id, category: i.category })),
    });
  }
  return out;
}

async function* hashing(
  source: AsyncIterable<Uint8Array>,
  hash: ReturnType<typeof createHash>,
  counter: { bytes: number },
): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) {
    hash.update(chunk);
    counter.bytes += chunk.length;
    yield chunk;
  }
}

/** Kysely over one raw connection, so a transaction can mix COPY and the ledger's functions. */
function kyselyOver(raw: RawClient): Kysely<Schema> {
  const client = {
    query: async (text: string, params: unknown[]) => ({ rows: await raw.query(text, params) }),
    release: () => undefined,
  };
  return new Kysely<Schema>({
    dialect: new PostgresDialect({
      pool: { connect: () => Promise.resolve(client), end: () => Promise.resolve() } as never,
    }),
  });
}

const STAGING = 'pooled_statement_staging';
const STAGING_COLUMNS = [
  'id',
  'line_no',
  'account_reference',
  'provider_transaction_id',
  'occurred_on',
  'amount_pence',
  'description',
  'mcc',
  'category',
] as const;
/** Rows per COPY chunk (or per array insert on PGlite). */
const CHUNK_ROWS = 2000;

/** A CSV value for COPY: always quoted (so '' stays an empty string), null as nothing. */
function csvValue(v: string | null): string {
  if (v === null) return '';
  return v.includes('"') ? `"${v.replaceAll('"', '""')}"` : `"${v}"`;
}

function csvLine(s: Staged): string {
  const r = s.row;
  return `${s.id},${String(r.line)},${csvValue(r.accountReference)},${csvValue(r.providerTransactionId)},${r.date},${String(r.amountPence)},${csvValue(r.description)},${csvValue(r.mcc)},${csvValue(s.category)}\n`;
}

/** The file's records one by one, across batches. */
class Records {
  private buffer: CsvRecord[] = [];
  private at = 0;
  private readonly it: AsyncIterator<CsvRecord[]>;
  constructor(source: AsyncIterable<Uint8Array>) {
    this.it = csvRecords(source)[Symbol.asyncIterator]();
  }
  /** The next record, or null at the end of the file. */
  async next(): Promise<CsvRecord | null> {
    while (this.at >= this.buffer.length) {
      const r = await this.it.next();
      if (r.done) return null;
      this.buffer = r.value;
      this.at = 0;
    }
    return this.buffer[this.at++] ?? null;
  }
  /** The next record if one is buffered (no await per row on the hot path). */
  nextBuffered(): CsvRecord | undefined {
    return this.at < this.buffer.length ? this.buffer[this.at++] : undefined;
  }
}

/** categorise(), remembered for repeated merchants. */
function categoriser(): (mcc: string | null, description: string) => SpendCategory | null {
  let seen = new Map<string, SpendCategory | null>();
  return (mcc, description) => {
    const key = `${mcc ?? ''}\u0000${description}`;
    const hit = seen.get(key);
    if (hit !== undefined) return hit;
    const c = categorise(mcc, description);
    if (seen.size >= 100_000) seen = new Map();
    seen.set(key, c);
    return c;
  };
}

/**
 * Import one statement file. Returns the counts; a file whose header does not fit the format
 * is recorded as refused (status 'refused' with the message) and nothing is imported.
 */
export async function importStatement(db: Db, input: ImportInput): Promise<ImportResult> {
  const started = performance.now();
  const mapping = typeof input.format === 'string' ? mappingFor(input.format) : input.format;
  if (!mapping)
    throw new StatementImportRefused(
      `There is no statement format "${typeof input.format === 'string' ? input.format : input.format.name}". Choose one of: ${STATEMENT_FORMATS.join(', ')}.`,
    );
  const batchSize = input.batchSize ?? DEFAULT_BATCH_SIZE;
  const { partnershipId } = input;

  const spending: Record<'council' | 'nhs', string> = { council: '', nhs: '' };
  const importId = await inPartnership(db, partnershipId, async (tx) => {
    const row = await st(tx)
      .insertInto('statement_imports')
      .values({
        partnership_id: partnershipId,
        format: mapping.name,
        file_name: input.fileName.slice(0, 500),
        sha256: '',
        imported_by: input.userId,
        actor: input.actor,
        bad_rows: '[]',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const ids = await ensureAccounts(tx, partnershipId, [
      {
        key: 'spending:council',
        kind: 'spending',
        name: 'Spent (council)',
        fundingBody: 'council',
      },
      { key: 'spending:nhs', kind: 'spending', name: 'Spent (NHS)', fundingBody: 'nhs' },
    ]);
    spending.council = ids.get('spending:council') ?? '';
    spending.nhs = ids.get('spending:nhs') ?? '';
    return row.id;
  });

  const hash = createHash('sha256');
  const counter = { bytes: 0 };
  const result: ImportResult = {
    importId,
    status: 'running',
    message: null,
    rowsRead: 0,
    imported: 0,
    duplicates: 0,
    bad: 0,
    badRows: [],
    ignoredColumns: [],
    touchedAccounts: [],
    sha256: '',
    seconds: 0,
  };
  const touched = new Set<string>();
  // Bad rows arrive out of line order (a batch's unknown accounts after its other problems):
  // keep the lowest lines.
  let kept: BadRow[] = [];
  const keepLowest = () => {
    kept.sort((x, y) => x.line - y.line);
    kept = kept.slice(0, STORED_BAD_ROWS);
  };
  const bad = (b: BadRow) => {
    result.bad++;
    kept.push(b);
    if (kept.length >= 2 * STORED_BAD_ROWS) keepLowest();
    input.onBadRow?.(b);
  };

  const records = new Records(hashing(input.source, hash, counter));
  const category = categoriser();
  const accounts = new Map<string, HoldingAccount | null>();
  let positions: ColumnPositions | undefined;

  const format = mapping;
  const asCsv = db.kind === 'postgres';
  /**
   * The next batch: up to batchSize good rows, read and checked (bad rows reported as they are
   * met), as CSV text for COPY on PostgreSQL or as rows on PGlite.
   */
  async function readBatch(): Promise<ReadBatch> {
    const batch: ReadBatch = { csv: [], rows: [], count: 0, end: false };
    if (!positions) return batch;
    let chunk: Staged[] = [];
    const put = () => {
      if (asCsv) batch.csv.push(chunk.map(csvLine).join(''));
      else batch.rows.push(chunk);
      chunk = [];
    };
    while (batch.count < batchSize) {
      const record = records.nextBuffered() ?? (await records.next());
      if (!record) {
        batch.end = true;
        break;
      }
      result.rowsRead++;
      const r = readRow(record, positions, format);
      if (!r.ok) {
        bad(r.bad);
        continue;
      }
      chunk.push({
        id: randomUUID(),
        row: r.row,
        category: category(r.row.mcc, r.row.description),
      });
      batch.count++;
      if (chunk.length >= CHUNK_ROWS) put();
    }
    if (chunk.length) put();
    return batch;
  }

  try {
    const header = await records.next();
    if (!header) throw new StatementImportRefused('The file is empty: there is no header row.');
    if (header.problem !== undefined)
      throw new StatementImportRefused(
        `The first line of the file, the header, could not be read: ${header.problem}. Nothing was imported.`,
      );
    const checked = checkHeader(header.fields, mapping);
    if (!checked.ok) throw new StatementImportRefused(checked.message);
    positions = checked.positions;
    result.ignoredColumns = checked.ignored;

    // One batch is read ahead while the one before is written: the file is parsed in Node while
    // the server inserts, and at most two batches are in memory.
    let ahead: Promise<ReadBatch> | null = readBatch();
    ahead.catch(() => undefined); // awaited below; this only keeps a failed connect from leaving it unhandled
    await db.withClient(async (raw) => {
      const k = kyselyOver(raw);
      try {
        for (let batchNo = 1; ahead; batchNo++) {
          const batch: ReadBatch = await ahead;
          ahead = batch.end ? null : readBatch();
          // Should writing fail, the read ahead stops with it: not an unhandled rejection.
          ahead?.catch(() => undefined);
          if (batch.count > 0) {
            const n = await k.transaction().execute(async (tx) => {
              // The batch's sort (first occurrence wins) in memory rather than on disk.
              await sql`select set_config('role', 'pooled_app', true),
                               set_config('pooled.partnership_id', ${partnershipId}, true),
                               set_config('work_mem', '64MB', true)`.execute(tx);
              await sql`create temp table if not exists ${sql.raw(STAGING)} (
                  id uuid not null, line_no integer not null, account_reference text not null,
                  provider_transaction_id text not null, occurred_on date not null,
                  amount_pence bigint not null, description text not null, mcc text, category text
                ) on commit delete rows`.execute(tx);
              await stage(raw, tx, batch);
              return writeBatch(tx, {
                partnershipId,
                importId,
                batchNo,
                mapping,
                accounts,
                spending,
                bad,
                touched,
              });
            });
            result.imported += n.imported;
            result.duplicates += n.duplicates;
          }
          input.onProgress?.({ rows: result.rowsRead, bytes: counter.bytes });
        }
      } finally {
        await raw.query(`drop table if exists pg_temp.${STAGING}`).catch(() => undefined);
        await k.destroy();
      }
    });
    result.status = 'finished';
  } catch (error) {
    if (error instanceof StatementImportRefused) {
      result.status = 'refused';
      result.message = error.message;
    } else {
      result.status = 'failed';
      result.message = `The import stopped: ${(error as Error).message}. Rows written before it stopped stay; import the file again to finish (nothing is imported twice).`;
    }
  }
  keepLowest();
  result.badRows = kept;
  // The file's SHA-256, when it was read to the end.
  result.sha256 = result.status === 'finished' ? hash.digest('hex') : '';
  result.touchedAccounts = [...touched];
  result.seconds = (performance.now() - started) / 1000;

  await inPartnership(db, partnershipId, async (tx) => {
    await st(tx)
      .updateTable('statement_imports')
      .set({
        status: result.status,
        message: result.message,
        sha256: result.sha256,
        rows_read: result.rowsRead,
        imported_count: result.imported,
        duplicate_count: result.duplicates,
        bad_count: result.bad,
        bad_rows: JSON.stringify(result.badRows),
        finished_at: new Date(),
      })
      .where('id', '=', importId)
      .execute();
    await tx
      .insertInto('audit_events')
      .values({
        partnership_id: partnershipId,
        user_id: input.userId,
        api_client_id: null,
        actor: input.actor,
        action: 'import',
        record_type: 'statement_import',
        record_id: importId,
        person_id: null,
        reason: null,
        ip: null,
        detail: JSON.stringify({
          file: input.fileName,
          format: mapping.name,
          status: result.status,
          imported: result.imported,
          duplicates: result.duplicates,
          bad: result.bad,
        }),
      })
      .execute();
  });
  if (result.status === 'failed') throw new Error(result.message ?? 'The import failed');
  return result;
}

/**
 * Fills the staging table with a batch read ahead: one COPY on PostgreSQL; on PGlite, whose COPY
 * reads a whole blob and needs file privileges, an array insert per chunk.
 */
async function stage(raw: RawClient, tx: Tx, batch: ReadBatch): Promise<void> {
  if (batch.csv.length) {
    await raw.copyIn(
      STAGING,
      STAGING_COLUMNS,
      (async function* () {
        for (const text of batch.csv) yield await Promise.resolve(text);
      })(),
    );
  }
  for (const chunk of batch.rows) {
    const col = <T>(f: (s: Staged) => T) => chunk.map(f);
    await sql`
      insert into ${sql.raw(STAGING)} (${sql.raw(STAGING_COLUMNS.join(', '))})
      select * from unnest(${col((s) => s.id)}::uuid[], ${col((s) => s.row.line)}::int[],
        ${col((s) => s.row.accountReference)}::text[], ${col((s) => s.row.providerTransactionId)}::text[],
        ${col((s) => s.row.date)}::date[], ${col((s) => s.row.amountPence)}::bigint[],
        ${col((s) => s.row.description)}::text[], ${col((s) => s.row.mcc)}::text[],
        ${col((s) => s.category)}::text[])`.execute(tx);
  }
}

interface BatchContext {
  partnershipId: string;
  importId: string;
  batchNo: number;
  mapping: ColumnMapping;
  accounts: Map<string, HoldingAccount | null>;
  spending: Record<'council' | 'nhs', string>;
  bad: (b: BadRow) => void;
  touched: Set<string>;
}

/** Steps 2 to 4 of the batch in the staging table (see the top of this file). */
async function writeBatch(
  tx: Tx,
  c: BatchContext,
): Promise<{ imported: number; duplicates: number }> {
  const groups = await sql<{ ref: string; category: SpendCategory | null; n: number }>`
    select account_reference as ref, category, count(*)::int as n
      from ${sql.raw(STAGING)} group by 1, 2`.execute(tx);
  const unknown = [...new Set(groups.rows.map((g) => g.ref).filter((r) => !c.accounts.has(r)))];
  if (unknown.length) {
    const found = await loadAccounts(tx, c.partnershipId, unknown);
    for (const ref of unknown) c.accounts.set(ref, found.get(ref) ?? null);
  }
  // Which account and plan item each (reference, category) goes to.
  const refs: string[] = [];
  const ids: string[] = [];
  const categories: string[] = [];
  const items: (string | null)[] = [];
  const bodyOf = new Map<string, 'council' | 'nhs'>();
  const missing: string[] = [];
  let known = 0;
  for (const g of groups.rows) {
    const account = c.accounts.get(g.ref);
    if (!account) {
      missing.push(g.ref);
      continue;
    }
    known += g.n;
    refs.push(g.ref);
    ids.push(account.id);
    categories.push(g.category ?? '');
    items.push(matchPlanItem(g.category, account.items));
    bodyOf.set(account.id, account.body);
  }
  if (missing.length) {
    const lines = await sql<{ line_no: number; ref: string }>`
      select line_no, account_reference as ref from ${sql.raw(STAGING)}
       where account_reference = any(${[...new Set(missing)]}::text[]) order by line_no`.execute(
      tx,
    );
    for (const l of lines.rows)
      c.bad({
        line: l.line_no,
        problems: [
          `${c.mapping.account}: no direct payment account in Pooled has the reference "${l.ref}"`,
        ],
      });
  }
  if (known === 0) return { imported: 0, duplicates: 0 };

  // The new rows, each recording the ledger transaction posted below; the first of a repeated
  // transaction (lowest line) is the one kept. In the dedupe key's order, so each page of its
  // index is visited once a batch, not once a row. The net per account comes back, not the rows.
  const insert = (ledgerTransactionId: string | null) =>
    sql<{ account: string; net: number; n: number; latest: string }>`
      with m(ref, account_id, category, plan_item_id) as (
        select * from unnest(${refs}::text[], ${ids}::uuid[], ${categories}::text[], ${items}::text[])),
      ins as (
        insert into card_transactions (id, partnership_id, import_id, batch_no, ledger_transaction_id,
          provider, line_no, holding_account_id, account_reference, provider_transaction_id,
          occurred_on, amount_pence, description, mcc, category, plan_item_id)
        select s.id, ${c.partnershipId}::uuid, ${c.importId}::uuid, ${c.batchNo}::int,
               ${ledgerTransactionId}::uuid, ${c.mapping.name}, s.line_no, m.account_id,
               s.account_reference, s.provider_transaction_id, s.occurred_on, s.amount_pence,
               s.description, s.mcc, s.category, m.plan_item_id
          from ${sql.raw(STAGING)} s
          join m on m.ref = s.account_reference and m.category = coalesce(s.category, '')
          -- The checks a foreign key would make, once per account and once per batch: each
          -- account is a holding account in this partnership (row-level security), and so
          -- is the import.
          join ledger_accounts a on a.id = m.account_id and a.kind = 'holding_account'
         where exists (select 1 from statement_imports i where i.id = ${c.importId}::uuid)
         order by m.account_id, s.provider_transaction_id, s.line_no
        on conflict (holding_account_id, provider, provider_transaction_id) do nothing
        returning holding_account_id, amount_pence, occurred_on)
      select holding_account_id as account, sum(amount_pence)::bigint as net, count(*)::int as n,
             max(occurred_on) as latest
        from ins group by holding_account_id order by holding_account_id`.execute(tx);

  const ledgerTransactionId = randomUUID();
  await sql`savepoint card_rows`.execute(tx);
  let nets = (await insert(ledgerTransactionId)).rows;
  const imported = nets.reduce((n, x) => n + x.n, 0);
  for (const x of nets) c.touched.add(x.account);
  const duplicates = known - imported;
  if (imported === 0) return { imported, duplicates };

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
  if (lines.length === 0) {
    // Every account's new rows net to zero (a spend and its refund): nothing to post, and the
    // rows record no ledger transaction.
    await sql`rollback to savepoint card_rows`.execute(tx);
    nets = (await insert(null)).rows;
    if (nets.reduce((n, x) => n + x.n, 0) !== imported)
      throw new Error('The batch changed while it was being written');
    return { imported, duplicates };
  }
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
  return { imported, duplicates };
}
