// bench statement-import (issue 5): import of N generated prepaid-card transactions (default
// 1,000,000) end to end on PostgreSQL (read, check, deduplicate, categorise, insert, post to the
// ledger), against a plain COPY of the same file into an unindexed table in the same run. Also
// the parse-only rate (no database). Target: the import at least a third of COPY's rate.
// Then the import's two shares of work apart, to show the least time two cores can need: Node's
// alone (read, check, categorise, encode the COPY data; no database), and the server's alone (the
// same COPY data on one connection, into a copy of card_transactions without its key, with it,
// and with the key and the partnership check).
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench -- statement-import
//   [--rows N] [--cards 2000] [--batch 100000] [--parts 2] [--keep] [--without-key]
// --without-key is a diagnosis, not the import: it drops card_transactions' unique key in the
// bench's database first, to show what the key costs the server.
import { createReadStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../src/platform/db/database.ts';
import { migrate } from '../src/platform/db/migrations.ts';
import { inPartnership } from '../src/platform/db/database.ts';
import { ensureAccounts } from '../src/features/ledger/index.ts';
import { CARD_COLUMNS, importStatement } from '../src/features/statements/index.ts';
import { DEFAULT_BATCH_SIZE } from '../src/features/statements/import.ts';
import { FastLane, Names, RowBatch } from '../src/features/statements/batch.ts';
import { categorise } from '../src/features/statements/categories.ts';
import {
  BUILT_IN_MAPPINGS,
  checkHeader,
  CsvScanner,
  csvRecords,
  readRow,
} from '../src/features/statements/rules.ts';
import {
  loadAccounts,
  prepareBatch,
  type AccountLookup,
  type HoldingAccount,
} from '../src/features/statements/write.ts';
import { BinaryCopyWriter } from '../src/platform/db/copy-binary.ts';
import type { Db } from '../src/platform/db/database.ts';
import { makeRandom } from '../src/features/generator/rules.ts';
import {
  cpuSeconds,
  createDatabase,
  dropDatabase,
  fmt,
  numberArg,
  processCpuSeconds,
  requireDatabaseUrl,
} from './support.ts';

const base = requireDatabaseUrl('statement-import');
const rows = numberArg('rows', 1_000_000);
const cards = numberArg('cards', 2000);
const batch = numberArg('batch', DEFAULT_BATCH_SIZE);
const parts = numberArg('parts', 2);
const keep = process.argv.includes('--keep');
const withoutKey = process.argv.includes('--without-key');
const dbName = `pooled_bench_statements_${String(process.pid)}`;
const TARGET_RATIO = 1 / 3;

const MERCHANTS: [string, string][] = [
  ['Tesco Stores', '5411'],
  ['Stagecoach Bus', '4131'],
  ['Trainline', '4112'],
  ['City College', '8220'],
  ['Leisure Centre', '7997'],
  ['Argos', '5732'],
  ['Premier Inn', '7011'],
  ['Mind', '8398'],
  ['Counselling Service', '8099'],
  ['Bet365', '7995'],
];

function cardRef(i: number): string {
  return `5354 **** **** ${String(i).padStart(4, '0')}`;
}

function generateFile(path: string): number {
  const random = makeRandom(20261124);
  const header: string[] = ['Transaction ID,Date,Card Number,Merchant,MCC,Amount\n'];
  let chunk: string[] = [];
  const out: Buffer[] = [];
  for (let i = 0; i < rows; i++) {
    const [merchant, mcc] = MERCHANTS[Math.floor(random() * MERCHANTS.length)] ?? ['Shop', '5999'];
    const day = 1 + Math.floor(random() * 28);
    const month = 1 + Math.floor(random() * 12);
    const pence = 1 + Math.floor(random() * 20000);
    const refund = random() < 0.03;
    chunk.push(
      `TX${String(i).padStart(8, '0')},${String(day).padStart(2, '0')}/${String(month).padStart(2, '0')}/2026,` +
        `${cardRef(i % cards)},"${merchant}",${mcc},${refund ? '' : '-'}${String(Math.floor(pence / 100))}.${String(pence % 100).padStart(2, '0')}\n`,
    );
    if (chunk.length === 50_000) {
      out.push(Buffer.from(chunk.join('')));
      chunk = [];
    }
  }
  out.unshift(Buffer.from(header.join('')));
  out.push(Buffer.from(chunk.join('')));
  writeFileSync(path, Buffer.concat(out));
  return statSync(path).size;
}

async function parseOnly(path: string): Promise<number> {
  const mapping = BUILT_IN_MAPPINGS['prepaid-card'];
  const started = performance.now();
  let positions;
  let ok = 0;
  for await (const records of csvRecords(createReadStream(path, { highWaterMark: 256 * 1024 }))) {
    for (const r of records) {
      if (!positions) {
        const h = checkHeader(r.fields ?? [], mapping);
        if (!h.ok) throw new Error(h.message);
        positions = h.positions;
        continue;
      }
      if (readRow(r, positions, mapping).ok) ok++;
    }
  }
  if (ok !== rows) throw new Error(`parsed ${String(ok)} good rows, expected ${String(rows)}`);
  return (performance.now() - started) / 1000;
}

/**
 * Node's share alone: the file read through the fast lane, in batches and parts as the import
 * makes them, to binary COPY data, with no database but the accounts' lookup (made first, so not
 * timed). Returns the seconds, Node's CPU-seconds, and each part's COPY data.
 */
async function nodeAlone(
  path: string,
  ids: { partnershipId: string; importId: string },
  lookup: AccountLookup,
): Promise<{ seconds: number; cpu: number; data: Buffer[] }> {
  const mapping = BUILT_IN_MAPPINGS['prepaid-card'];
  const header = checkHeader(
    ['Transaction ID', 'Date', 'Card Number', 'Merchant', 'MCC', 'Amount'],
    mapping,
  );
  if (!header.ok) throw new Error(header.message);
  const accounts = new Map<string, HoldingAccount | null>();
  const known = await lookup(Array.from({ length: cards }, (_, i) => cardRef(i)));
  for (const [ref, account] of known) accounts.set(ref, account);
  const refs = new Names();
  const categories = new Names();
  const remembered = new Map<string, ReturnType<typeof categorise>>();
  const lane = new FastLane(mapping, header.positions, (mcc, description) => {
    const key = `${mcc ?? ''}\u0000${description}`;
    let c = remembered.get(key);
    if (c === undefined) remembered.set(key, (c = categorise(mcc, description)));
    return c;
  });
  const scanner = new CsvScanner();
  scanner.take = lane.take;
  const scratch = Array.from({ length: parts }, () => ({
    writer: new BinaryCopyWriter(),
    ids: Buffer.alloc(0),
  }));
  const data: Buffer[] = [];
  let batchNo = 1;
  const write = async (b: RowBatch) => {
    for (let part = 0; part < parts; part++) {
      const prepared = await prepareBatch(
        b,
        {
          ...ids,
          batchNo: batchNo + part,
          part: { index: part, of: parts },
          mapping,
          accounts,
          spending: { council: '', nhs: '' },
          bad: () => undefined,
          touched: new Set(),
          copy: true,
          scratch: scratch[part] ?? { writer: new BinaryCopyWriter(), ids: Buffer.alloc(0) },
        },
        () => Promise.reject(new Error('an account not looked up')),
      );
      if (prepared.data) data.push(Buffer.from(prepared.data));
    }
    batchNo += parts;
  };
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  let current = (lane.target = new RowBatch(refs, categories, batch + 8192));
  let records = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 256 * 1024 })) {
    records += scanner.push(chunk as Buffer).length;
    if (current.count >= batch) {
      await write(current);
      current = lane.target = new RowBatch(refs, categories, batch + 8192);
    }
  }
  records += scanner.end().length;
  await write(current);
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu0);
  // Only the header is left to the usual way; every row took the fast lane.
  if (records !== 1 || scanner.taken !== rows)
    throw new Error(`the fast lane took ${String(scanner.taken)} of ${String(rows)} rows`);
  return { seconds, cpu: (used.user + used.system) / 1e6, data };
}

/**
 * The server's share alone: the import's COPY data, part by part on one connection, into a new
 * table like card_transactions (its columns and checks), with its unique key or not, and with its
 * partnership check (the same trigger) or not; seconds and the server's CPU-seconds.
 */
async function serverAlone(
  db: Db,
  table: string,
  o: { key: boolean; check: boolean },
  data: readonly Buffer[],
): Promise<{ seconds: number; cpu: number | null }> {
  await db.withClient((c) =>
    c.exec(
      `reset role; create table ${table} (like card_transactions including defaults including constraints${o.key ? ' including indexes' : ''})`,
    ),
  );
  if (o.check)
    await db.withClient((c) =>
      c.exec(`create trigger ${table}_check after insert on ${table}
        referencing new table as new_rows for each statement
        execute function pooled_card_transactions_check()`),
    );
  // One connection, its backend's CPU read from /proc (the same machine) before and after.
  return db.withClient(async (c) => {
    const [backend] = await c.query<{ pid: number }>('select pg_backend_pid() as pid');
    const pid = backend?.pid ?? 0;
    const cpu0 = processCpuSeconds(pid);
    const started = performance.now();
    for (const part of data)
      await c.copyIn(
        table,
        CARD_COLUMNS,
        (async function* () {
          yield await Promise.resolve(part);
        })(),
        'binary',
      );
    const seconds = (performance.now() - started) / 1000;
    const cpu1 = processCpuSeconds(pid);
    return { seconds, cpu: cpu0 === null || cpu1 === null ? null : cpu1 - cpu0 };
  });
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'pooled-statements-'));
  const file = join(dir, 'card-statement.csv');
  console.log(`Generating ${fmt(rows)} card transactions on ${fmt(cards)} cards ...`);
  const bytes = generateFile(file);
  console.log(`  ${fmt(bytes / 1e6, 1)} MB`);

  const parseSeconds = await parseOnly(file);
  console.log(
    `Parse only (no database): ${fmt(parseSeconds, 2)} s, ${fmt(rows / parseSeconds)} rows/s`,
  );

  const url = await createDatabase(base, dbName);
  const db = await openDatabase({ databaseUrl: url, poolSize: parts + 1 });
  try {
    await migrate(db);
    const partnership = await db.system
      .insertInto('partnerships')
      .values({ code: 'bench', name: 'Bench partnership' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const org = await db.system
      .insertInto('organisations')
      .values({ partnership_id: partnership.id, name: 'Bench council', kind: 'council' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const people = await db.system
      .insertInto('people')
      .values(
        Array.from({ length: cards }, (_, i) => ({
          partnership_id: partnership.id,
          given_name: 'Card',
          family_name: `Holder${String(i)}`,
          date_of_birth: '1980-01-01',
          lead_organisation_id: org.id,
        })),
      )
      .returning('id')
      .execute();
    await inPartnership(db, partnership.id, (tx) =>
      ensureAccounts(
        tx,
        partnership.id,
        people.map((p, i) => ({
          key: `holding:${p.id}:social-care`,
          kind: 'holding_account' as const,
          name: `Prepaid card ${String(i)}`,
          fundingBody: 'council' as const,
          personId: p.id,
          reference: cardRef(i),
        })),
      ),
    );
    await db.withClient((c) => c.exec('vacuum analyze'));
    if (withoutKey) {
      console.log("DIAGNOSIS: the unique key is dropped; these are not the import's figures.");
      await db.withClient((c) =>
        c.exec(`reset role; do $$ declare n text; begin
          select conname into n from pg_constraint
           where conrelid = 'card_transactions'::regclass and contype = 'p';
          execute format('alter table card_transactions drop constraint %I', n); end $$`),
      );
    }

    const importFile = () =>
      importStatement(db, {
        partnershipId: partnership.id,
        format: 'prepaid-card',
        fileName: 'card-statement.csv',
        source: createReadStream(file, { highWaterMark: 256 * 1024 }),
        userId: null,
        actor: 'bench',
        batchSize: batch,
        parts,
      });

    // 1. The import, end to end.
    const cpu0 = cpuSeconds(dbName);
    const t0 = performance.now();
    const result = await importFile();
    const importSeconds = (performance.now() - t0) / 1000;
    const cpu1 = cpuSeconds(dbName);
    if (result.imported !== rows)
      throw new Error(
        `imported ${String(result.imported)} of ${String(rows)}: ${String(result.message)}`,
      );

    // 2. A plain COPY of the same file into an unindexed table.
    await db.withClient((c) =>
      c.exec(
        'create table bench_copy (transaction_id text, date text, card text, merchant text, mcc text, amount text)',
      ),
    );
    const t1 = performance.now();
    await db.withClient((c) =>
      c.copyIn(
        'bench_copy',
        ['transaction_id', 'date', 'card', 'merchant', 'mcc', 'amount'],
        (async function* () {
          let first = true;
          for await (const chunk of createReadStream(file, {
            encoding: 'utf8',
            highWaterMark: 256 * 1024,
          })) {
            // COPY … (FORMAT csv) has no HEADER here: skip the header line ourselves.
            if (first) {
              first = false;
              yield (chunk as string).slice((chunk as string).indexOf('\n') + 1);
            } else yield chunk as string;
          }
        })(),
      ),
    );
    const copySeconds = (performance.now() - t1) / 1000;

    // 3. Importing the same file again: every row a duplicate, nothing written.
    const t2 = performance.now();
    // (Without the key every row would be written again: not run.)
    const again = withoutKey ? null : await importFile();
    const againSeconds = (performance.now() - t2) / 1000;
    if (again && (again.imported !== 0 || again.duplicates !== rows))
      throw new Error('re-import wrote rows');

    // 4. The import's two shares of work apart (not run with --without-key).
    const shares = withoutKey
      ? null
      : await (async () => {
          const ids = { partnershipId: partnership.id, importId: result.importId };
          const node = await nodeAlone(file, ids, (refs) =>
            inPartnership(db, partnership.id, (tx) => loadAccounts(tx, partnership.id, refs)),
          );
          const heap = await serverAlone(db, 'bench_rows', { key: false, check: false }, node.data);
          const keyed = await serverAlone(
            db,
            'bench_rows_keyed',
            { key: true, check: false },
            node.data,
          );
          const checked = await serverAlone(
            db,
            'bench_rows_checked',
            { key: true, check: true },
            node.data,
          );
          return { node, heap, keyed, checked };
        })();

    const importRate = rows / importSeconds;
    const copyRate = rows / copySeconds;
    const ratio = importRate / copyRate;
    console.log(
      `\nStatement import, ${fmt(rows)} rows, batches of ${fmt(batch)} in ${String(parts)} ${parts === 1 ? 'part' : 'parts'}, PostgreSQL:`,
    );
    console.log(
      `  import end to end: ${fmt(importSeconds, 1)} s, ${fmt(importRate)} rows/s (batches by COPY ${String(result.batchesCopied)}, by insert ${String(result.batchesInserted)})`,
    );
    const pgCpu =
      cpu1.postgres === null || cpu0.postgres === null
        ? 'not known (no server processes here)'
        : `${fmt(cpu1.postgres - cpu0.postgres, 1)} s`;
    console.log(
      `    CPU during the import: this process ${fmt(cpu1.node - cpu0.node, 1)} s, the server's processes for this database ${pgCpu}`,
    );
    console.log(`  plain COPY:        ${fmt(copySeconds, 1)} s, ${fmt(copyRate)} rows/s`);
    console.log(
      `  ratio: ${fmt(ratio, 2)} of COPY (target at least ${fmt(TARGET_RATIO, 2)}: ${ratio >= TARGET_RATIO ? 'met' : 'NOT met'})`,
    );
    if (again)
      console.log(
        `  the same file again (all duplicates): ${fmt(againSeconds, 1)} s, ${fmt(rows / againSeconds)} rows/s`,
      );
    if (shares) {
      const { node, heap, keyed, checked } = shares;
      const cpu = (x: { cpu: number | null }) =>
        x.cpu === null ? '' : ` (server CPU ${fmt(x.cpu, 1)} s)`;
      console.log(
        `\nThe import's shares of work apart (${fmt(availableParallelism())} processors here):`,
      );
      console.log(
        `  Node alone (read, check, categorise, encode; no database): ${fmt(node.seconds, 1)} s, CPU ${fmt(node.cpu, 1)} s`,
      );
      console.log(
        '  the server alone, the same COPY data on one connection, into a table like card_transactions:',
      );
      console.log(`    without its key:                    ${fmt(heap.seconds, 1)} s${cpu(heap)}`);
      console.log(
        `    with its unique key:                ${fmt(keyed.seconds, 1)} s${cpu(keyed)}`,
      );
      console.log(
        `    with the key and the partnership check: ${fmt(checked.seconds, 1)} s${cpu(checked)}`,
      );
      // Both shares spread perfectly over every processor: the least time the import can take.
      const least = (node.cpu + (checked.cpu ?? checked.seconds)) / availableParallelism();
      console.log(
        `  the least the import can take here, both shares spread over every processor: ${fmt(least, 1)} s, at best ${fmt(copySeconds / least, 2)} of COPY`,
      );
    }
  } finally {
    await db.close();
    if (!keep) await dropDatabase(base, dbName);
    else console.log(`Kept database ${dbName}.`);
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
