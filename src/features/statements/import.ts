// Importing a card or bank statement (issue 5 point 6). The file is streamed: read record by
// record (rules.ts), checked, deduplicated on the provider's transaction id, and written in
// batches. Each batch is one database transaction: the new card transactions (a multi-row
// insert from arrays, `on conflict do nothing` so a transaction seen before adds nothing) and one
// ledger transaction with an entry per new card transaction on its holding account (source_ref
// 'card:<id>') balanced by one entry per funding body on that body's spending account
// (idempotency key 'import:<import id>:<batch no>'). Good rows are imported, bad rows reported
// with their line numbers; a file with missing columns is refused whole.
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { inPartnership, type Db, type Tx } from '../../platform/db/database.js';
import { todayInLondon } from '../../platform/dates.js';
import { ensureAccounts, postMany, type PostingLine } from '../ledger/index.js';
import { categorise, matchPlanItem, type SpendCategory } from './categories.js';
import {
  checkHeader,
  csvRecords,
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
export const DEFAULT_BATCH_SIZE = 5000;

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

interface Pending {
  row: StatementRow;
  account: HoldingAccount;
  category: SpendCategory | null;
  planItemId: string | null;
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
  const bad = (b: BadRow) => {
    result.bad++;
    if (result.badRows.length < STORED_BAD_ROWS) result.badRows.push(b);
    input.onBadRow?.(b);
  };

  const accounts = new Map<string, HoldingAccount | null>();
  let positions: ColumnPositions | undefined;
  let batch: StatementRow[] = [];
  let batchNo = 0;

  const flush = async () => {
    if (batch.length === 0) return;
    const rows = batch;
    batch = [];
    batchNo++;
    const n = await writeBatch(db, {
      partnershipId,
      importId,
      batchNo,
      mapping,
      rows,
      accounts,
      spending,
      bad,
      touched,
    });
    result.imported += n.imported;
    result.duplicates += n.duplicates;
    input.onProgress?.({ rows: result.rowsRead, bytes: counter.bytes });
  };

  try {
    for await (const records of csvRecords(hashing(input.source, hash, counter))) {
      for (const record of records) {
        if (!positions) {
          if (record.problem !== undefined)
            throw new StatementImportRefused(
              `The first line of the file, the header, could not be read: ${record.problem}. Nothing was imported.`,
            );
          const header = checkHeader(record.fields, mapping);
          if (!header.ok) throw new StatementImportRefused(header.message);
          positions = header.positions;
          result.ignoredColumns = header.ignored;
          continue;
        }
        result.rowsRead++;
        const r = readRow(record, positions, mapping);
        if (!r.ok) {
          bad(r.bad);
          continue;
        }
        batch.push(r.row);
        if (batch.length >= batchSize) await flush();
      }
    }
    if (!positions) throw new StatementImportRefused('The file is empty: there is no header row.');
    await flush();
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

interface BatchContext {
  partnershipId: string;
  importId: string;
  batchNo: number;
  mapping: ColumnMapping;
  rows: StatementRow[];
  accounts: Map<string, HoldingAccount | null>;
  spending: Record<'council' | 'nhs', string>;
  bad: (b: BadRow) => void;
  touched: Set<string>;
}

async function writeBatch(
  db: Db,
  c: BatchContext,
): Promise<{ imported: number; duplicates: number }> {
  return inPartnership(db, c.partnershipId, async (tx) => {
    const unknown = [
      ...new Set(c.rows.map((r) => r.accountReference).filter((ref) => !c.accounts.has(ref))),
    ];
    if (unknown.length) {
      const found = await loadAccounts(tx, c.partnershipId, unknown);
      for (const ref of unknown) c.accounts.set(ref, found.get(ref) ?? null);
    }
    const pending: Pending[] = [];
    let duplicates = 0;
    const inBatch = new Set<string>();
    for (const row of c.rows) {
      const account = c.accounts.get(row.accountReference);
      if (!account) {
        c.bad({
          line: row.line,
          problems: [
            `${c.mapping.account}: no direct payment account in Pooled has the reference "${row.accountReference}"`,
          ],
        });
        continue;
      }
      // A transaction repeated within one batch; repeats across batches and files meet the
      // unique key in the database.
      const key = `${account.id} ${row.providerTransactionId}`;
      if (inBatch.has(key)) {
        duplicates++;
        continue;
      }
      inBatch.add(key);
      const category = categorise(row.mcc, row.description);
      pending.push({ row, account, category, planItemId: matchPlanItem(category, account.items) });
    }
    if (pending.length === 0) return { imported: 0, duplicates };

    const col = <T>(f: (p: Pending) => T) => pending.map(f);
    const inserted = await sql<{ id: string; holding_account_id: string; amount_pence: number }>`
      insert into card_transactions (partnership_id, import_id, batch_no, provider, line_no,
        holding_account_id, account_reference, provider_transaction_id, occurred_on, amount_pence,
        description, mcc, category, plan_item_id)
      select ${c.partnershipId}::uuid, ${c.importId}::uuid, ${c.batchNo}::int, ${c.mapping.name}, u.*
        from unnest(${col((p) => p.row.line)}::int[], ${col((p) => p.account.id)}::uuid[],
          ${col((p) => p.row.accountReference)}::text[], ${col((p) => p.row.providerTransactionId)}::text[],
          ${col((p) => p.row.date)}::date[], ${col((p) => p.row.amountPence)}::bigint[],
          ${col((p) => p.row.description)}::text[], ${col((p) => p.row.mcc)}::text[],
          ${col((p) => p.category)}::text[], ${col((p) => p.planItemId)}::text[]) as u
      on conflict (partnership_id, provider, holding_account_id, provider_transaction_id) do nothing
      returning id, holding_account_id, amount_pence`.execute(tx);
    duplicates += pending.length - inserted.rows.length;
    if (inserted.rows.length === 0) return { imported: 0, duplicates };

    const bodyOf = new Map(pending.map((p) => [p.account.id, p.account.body]));
    const lines: PostingLine[] = [];
    const net = { council: 0, nhs: 0 };
    for (const r of inserted.rows) {
      lines.push({
        accountId: r.holding_account_id,
        amountPence: r.amount_pence,
        sourceRef: `card:${r.id}`,
      });
      net[bodyOf.get(r.holding_account_id) ?? 'council'] += r.amount_pence;
      c.touched.add(r.holding_account_id);
    }
    for (const body of ['council', 'nhs'] as const)
      if (net[body] !== 0) lines.push({ accountId: c.spending[body], amountPence: -net[body] });
    let latest = pending[0]?.row.date ?? todayInLondon();
    for (const p of pending) if (p.row.date > latest) latest = p.row.date;
    await postMany(tx, c.partnershipId, [
      {
        idempotencyKey: `import:${c.importId}:${String(c.batchNo)}`,
        kind: 'spend',
        occurredOn: latest,
        description: `Statement import, batch ${String(c.batchNo)}: ${String(inserted.rows.length)} transactions`,
        lines,
      },
    ]);
    return { imported: inserted.rows.length, duplicates };
  });
}
