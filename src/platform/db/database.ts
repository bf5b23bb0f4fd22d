// Opens the database: PGlite under a data directory when no DATABASE_URL is given, a pg pool
// otherwise. Everything above this file talks to Kysely and to the small Db interface.
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql, type Transaction } from 'kysely';
import pg from 'pg';
import { PGliteDialect } from './pglite-dialect.js';
import type { Schema } from './schema.js';

export type Tx = Transaction<Schema>;

/** A raw client for things Kysely does not do: multi-statement scripts, COPY, session locks. */
export interface RawClient {
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]>;
  exec(script: string): Promise<void>;
  /**
   * COPY table (columns) FROM STDIN: CSV text chunks, or with format 'binary' PostgreSQL's
   * binary COPY format (platform/db/copy-binary.ts).
   */
  copyIn(
    table: string,
    columns: readonly string[],
    chunks: AsyncIterable<string | Uint8Array>,
    format?: 'csv' | 'binary',
  ): Promise<void>;
}

export interface Db {
  readonly kind: 'pglite' | 'postgres';
  /** How many connections withClient can hold at once (PGlite: one). */
  readonly connections: number;
  /** Kysely as the owning role: bypasses row-level security. Only for auth, CLI and migrations. */
  readonly system: Kysely<Schema>;
  /** Run fn with a single raw connection held for its duration. */
  withClient<T>(fn: (client: RawClient) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /** Only for PGlite: a dump of the whole data directory (test templates). */
  dumpDataDir?(): Promise<Blob>;
}

const INT8 = 20;
const DATE = 1082;
const NUMERIC = 1700;
const toSafeNumber = (v: string): number => {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new RangeError(`integer ${v} is outside the safe range`);
  return n;
};

export interface OpenOptions {
  databaseUrl?: string | undefined;
  dataDir?: string | undefined;
  /** PGlite only: start from a dumped data directory instead of disk. */
  loadDataDir?: Blob | undefined;
  poolSize?: number;
  /**
   * PostgreSQL only: called when an idle pooled connection fails (the server restarted, failed
   * over, or terminated it). The pool drops that connection and opens a new one when needed;
   * without a listener the error would crash the process. Default: a line on stderr.
   */
  onConnectionError?: (error: Error) => void;
}

export async function openDatabase(options: OpenOptions): Promise<Db> {
  if (options.databaseUrl) {
    return openPostgres(options.databaseUrl, options.poolSize ?? 10, options.onConnectionError);
  }
  return openPGlite(options);
}

async function openPGlite(options: OpenOptions): Promise<Db> {
  let dir: string | undefined;
  if (!options.loadDataDir && options.dataDir) {
    dir = `${options.dataDir}/pglite`;
    mkdirSync(dir, { recursive: true });
  }
  const parsers = { [INT8]: toSafeNumber, [DATE]: (v: string) => v, [NUMERIC]: Number };
  const pglite = await PGlite.create({
    ...(dir ? { dataDir: dir } : {}),
    ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
    parsers,
  });
  const client: RawClient = {
    async query<R>(text: string, params: unknown[] = []) {
      return (await pglite.query<R>(text, params)).rows;
    },
    async exec(script: string) {
      await pglite.exec(script);
    },
    async copyIn(table, columns, chunks, format = 'csv') {
      const parts: (string | Uint8Array)[] = [];
      for await (const chunk of chunks) parts.push(chunk);
      const blob = new Blob(parts);
      await pglite.query(
        `COPY ${table} (${columns.join(', ')}) FROM '/dev/blob' WITH (FORMAT ${format})`,
        [],
        { blob },
      );
    },
  };
  const system = new Kysely<Schema>({ dialect: new PGliteDialect(pglite) });
  // PGlite has one connection: raw access goes through Kysely's connection lock too.
  return {
    kind: 'pglite',
    connections: 1,
    system,
    withClient: (fn) => system.connection().execute(() => fn(client)),
    close: async () => {
      await system.destroy();
      await pglite.close();
    },
    dumpDataDir: async () => {
      const dump = await pglite.dumpDataDir('none');
      return dump;
    },
  };
}

async function openPostgres(
  url: string,
  max: number,
  onConnectionError: (error: Error) => void = (error) => {
    console.error(`database: an idle connection failed and will be replaced: ${error.message}`);
  },
): Promise<Db> {
  const { default: copyStreams } = await import('pg-copy-streams');
  const types = {
    getTypeParser: (oid: number, format?: 'text' | 'binary') => {
      if (oid === INT8) return toSafeNumber;
      if (oid === DATE) return (v: string) => v;
      if (oid === NUMERIC) return Number;
      return (pg.types.getTypeParser as (o: number, f?: string) => (v: string) => unknown)(
        oid,
        format,
      );
    },
  };
  const pool = new pg.Pool({ connectionString: url, max, types });
  pool.on('error', onConnectionError);
  const system = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  return {
    kind: 'postgres',
    connections: max,
    system,
    async withClient(fn) {
      const conn = await pool.connect();
      try {
        return await fn({
          async query(text, params = []) {
            return (await conn.query(text, params)).rows as never[];
          },
          async exec(script) {
            await conn.query(script);
          },
          async copyIn(table, columns, chunks, format = 'csv') {
            const stream = conn.query(
              copyStreams.from(
                `COPY ${table} (${columns.join(', ')}) FROM STDIN WITH (FORMAT ${format})`,
              ),
            );
            const { pipeline } = await import('node:stream/promises');
            const { Readable } = await import('node:stream');
            await pipeline(Readable.from(chunks), stream);
          },
        });
      } finally {
        conn.release();
      }
    },
    // Kysely ends the pool only if it used it; withClient alone (migrate, COPY) leaves it open.
    close: async () => {
      await system.destroy();
      if (!pool.ended) await pool.end();
    },
  };
}

/**
 * Run fn in a transaction as the application role, with the partnership (and, for the audit,
 * the acting user) set for row-level security. A query outside this sees nothing it should not.
 */
export async function inPartnership<T>(
  db: Db,
  partnershipId: string,
  fn: (tx: Tx) => Promise<T>,
): Promise<T> {
  return db.system.transaction().execute(async (tx) => {
    // One round trip: set_config('role', …, true) is SET LOCAL ROLE.
    await sql`select set_config('role', 'pooled_app', true),
                     set_config('pooled.partnership_id', ${partnershipId}, true)`.execute(tx);
    return fn(tx);
  });
}

/** As inPartnership but without any partnership: used to prove isolation. */
export async function asAppRoleWithoutPartnership<T>(
  db: Db,
  fn: (tx: Tx) => Promise<T>,
): Promise<T> {
  return db.system.transaction().execute(async (tx) => {
    await sql`set local role pooled_app`.execute(tx);
    return fn(tx);
  });
}
