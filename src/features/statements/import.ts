// Importing a card or bank statement (issue 5 point 6). The file is streamed: read record by
// record (rules.ts), checked and categorised in Node, and written in batches (decisions 0016 and
// 0018). One batch is parsed (on PostgreSQL also given its accounts and encoded for COPY) while
// the one before is written. Each batch is one database
// transaction on one connection, as the application role with the partnership set:
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
// Good rows are imported, bad rows reported with their line numbers; a file with missing columns
// is refused whole.
import { createHash } from 'node:crypto';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { inPartnership, type Db, type RawClient } from '../../platform/db/database.js';
import type { Schema } from '../../platform/db/schema.js';
import { BinaryCopyWriter } from '../../platform/db/copy-binary.js';
import { ensureAccounts } from '../ledger/index.js';
import { FastLane, Names, RowBatch } from './batch.js';
import { categorise, type SpendCategory } from './categories.js';
import {
  checkHeader,
  CsvScanner,
  type CsvRecord,
  mappingFor,
  readRow,
  scanRecords,
  STATEMENT_FORMATS,
  type BadRow,
  type ColumnMapping,
  type ColumnPositions,
} from './rules.js';
import { st, type ImportStatus } from './tables.js';
import {
  loadAccounts,
  prepareBatch,
  writeBatch,
  type AccountLookup,
  type BatchContext,
  type HoldingAccount,
  type PreparedBatch,
} from './write.js';

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
  /**
   * PostgreSQL: how many parts each batch is written in at once, one connection each (default
   * 2, and never more than the pool has connections but one).
   */
  parts?: number;
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
  /** Batches written by COPY, and by `insert … on conflict` (decision 0018). */
  batchesCopied: number;
  batchesInserted: number;
  /** Holding accounts that received new transactions (for monitoring). */
  touchedAccounts: string[];
  sha256: string;
  seconds: number;
}

export class StatementImportRefused extends Error {}

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

/** A batch read, and on PostgreSQL prepared for writing, part by part. */
interface Ready {
  batch: RowBatch;
  prepared: (PreparedBatch | undefined)[];
}

/** Parts a batch is written in at once on PostgreSQL (one connection each). */
const PARTS = 2;

/** fn with n raw connections held at once. */
async function withClients<T>(
  db: Db,
  n: number,
  fn: (raws: RawClient[]) => Promise<T>,
  held: RawClient[] = [],
): Promise<T> {
  if (held.length >= n) return fn(held);
  return db.withClient((raw) => withClients(db, n, fn, [...held, raw]));
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

const CHUNK = Symbol('chunk');

/** The file's records one by one, across batches. */
class Records {
  private buffer: CsvRecord[] = [];
  private at = 0;
  private readonly it: AsyncIterator<CsvRecord[]>;
  constructor(source: AsyncIterable<Uint8Array>, scanner: CsvScanner) {
    this.it = scanRecords(source, scanner)[Symbol.asyncIterator]();
  }
  /**
   * The next record; CHUNK when a chunk of the file was read whose records the scanner's fast
   * lane took (so the reader can see how full its batch is); null at the end of the file.
   */
  async next(): Promise<CsvRecord | typeof CHUNK | null> {
    if (this.at >= this.buffer.length) {
      const r = await this.it.next();
      if (r.done) return null;
      this.buffer = r.value;
      this.at = 0;
      if (this.buffer.length === 0) return CHUNK;
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
    batchesCopied: 0,
    batchesInserted: 0,
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

  const scanner = new CsvScanner();
  const records = new Records(hashing(input.source, hash, counter), scanner);
  const category = categoriser();
  const accounts = new Map<string, HoldingAccount | null>();
  let positions: ColumnPositions | undefined;

  const format = mapping;
  /** Records read the usual way (the fast lane's are counted by the scanner). */
  let readSlowly = 0;
  const refs = new Names();
  const categories = new Names();
  let lane: FastLane | null = null;
  /**
   * The next batch: about batchSize good rows (the fast lane may add a chunk's worth more), read
   * and checked, bad rows reported as they are met.
   */
  async function readBatch(): Promise<RowBatch> {
    const batch = new RowBatch(refs, categories, batchSize + 8192);
    if (!positions) return batch;
    if (lane) lane.target = batch;
    try {
      while (batch.count < batchSize) {
        const record = records.nextBuffered() ?? (await records.next());
        if (record === null) {
          batch.end = true;
          break;
        }
        if (record === CHUNK) continue;
        readSlowly++;
        const r = readRow(record, positions, format);
        if (!r.ok) {
          bad(r.bad);
          continue;
        }
        batch.pushRow(r.row, category(r.row.mcc, r.row.description));
      }
    } finally {
      if (lane) lane.target = null;
    }
    return batch;
  }

  try {
    const header = await records.next();
    if (!header || header === CHUNK)
      throw new StatementImportRefused('The file is empty: there is no header row.');
    if (header.problem !== undefined)
      throw new StatementImportRefused(
        `The first line of the file, the header, could not be read: ${header.problem}. Nothing was imported.`,
      );
    const checked = checkHeader(header.fields, mapping);
    if (!checked.ok) throw new StatementImportRefused(checked.message);
    positions = checked.positions;
    result.ignoredColumns = checked.ignored;
    lane = new FastLane(mapping, positions, category);
    scanner.take = lane.take;

    // On PostgreSQL each batch is written in two parts at once, on two connections, each part
    // its own transaction and ledger transaction: the accounts are split between them, so a
    // transaction id repeated in a batch stays in one part, and the next batch starts when both
    // are committed. The server then uses two processors, where one was the limit.
    const parts =
      db.kind === 'postgres' ? Math.max(1, Math.min(input.parts ?? PARTS, db.connections - 1)) : 1;
    // On PostgreSQL the next batch is read, its accounts looked up (on a connection of its own)
    // and its COPY data encoded while the one before is written, so Node and the server work at
    // once (each part has two COPY buffers, used in turn). On PGlite, with one connection, the
    // accounts are looked up in the batch's own transaction: only the reading is ahead.
    const ahead = db.kind === 'postgres';
    const lookup: AccountLookup = (refs) =>
      inPartnership(db, partnershipId, (tx) => loadAccounts(tx, partnershipId, refs));
    await withClients(db, parts, async (raws) => {
      const lanes = raws.map((raw) => ({
        raw,
        k: kyselyOver(raw),
        scratch: [0, 1].map(() => ({ writer: new BinaryCopyWriter(), ids: Buffer.alloc(0) })),
      }));
      const context = (batchNo: number, part: number): BatchContext => ({
        partnershipId,
        importId,
        batchNo: batchNo + part,
        part: { index: part, of: parts },
        mapping,
        accounts,
        spending,
        bad,
        touched,
        copy: db.kind === 'postgres',
        scratch: lanes[part]?.scratch[Math.floor(batchNo / parts) % 2] ?? {
          writer: new BinaryCopyWriter(),
          ids: Buffer.alloc(0),
        },
      });
      /** The batch starting at batchNo, read and (on PostgreSQL) prepared. */
      const next = async (batchNo: number): Promise<Ready> => {
        const batch = await readBatch();
        const prepared: (PreparedBatch | undefined)[] = [];
        if (ahead && batch.count > 0)
          for (let part = 0; part < parts; part++)
            prepared.push(await prepareBatch(batch, context(batchNo, part), lookup));
        return { batch, prepared };
      };
      let coming: Promise<Ready> | null = next(1);
      // Should writing fail, the read ahead stops with it: not an unhandled rejection.
      coming.catch(() => undefined);
      try {
        for (let batchNo = 1; coming; batchNo += parts) {
          const { batch, prepared }: Ready = await coming;
          coming = batch.end ? null : next(batchNo + parts);
          coming?.catch(() => undefined);
          if (batch.count > 0) {
            const written = await Promise.allSettled(
              lanes.map(({ raw, k }, part) =>
                k.transaction().execute(async (tx) => {
                  await sql`select set_config('role', 'pooled_app', true),
                                   set_config('pooled.partnership_id', ${partnershipId}, true)`.execute(
                    tx,
                  );
                  return writeBatch(raw, tx, batch, context(batchNo, part), prepared[part]);
                }),
              ),
            );
            for (const w of written) {
              if (w.status === 'rejected') throw w.reason;
              const n = w.value;
              result.imported += n.imported;
              result.duplicates += n.duplicates;
              if (n.copied) result.batchesCopied++;
              else if (n.imported + n.duplicates > 0) result.batchesInserted++;
            }
          }
          input.onProgress?.({ rows: readSlowly + scanner.taken, bytes: counter.bytes });
        }
      } finally {
        for (const lane of lanes) await lane.k.destroy();
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
  result.rowsRead = readSlowly + scanner.taken;
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
