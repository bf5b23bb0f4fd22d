// The tables of migration 0007, typed for Kysely and added to a transaction's schema with
// `st(tx)`, so this feature does not edit the shared schema file. Monitoring reads and writes
// its tables through these types too (exported from index.ts).
import type { ColumnType, Generated, Transaction } from 'kysely';
import type { Tx } from '../../platform/db/database.js';
import type { CivilDate } from '../../platform/dates.js';
import type { Schema } from '../../platform/db/schema.js';

type Json<T> = ColumnType<T, string, string>;

export type ImportStatus = 'running' | 'finished' | 'refused' | 'failed';

export interface StatementImportsTable {
  id: Generated<string>;
  partnership_id: string;
  format: string;
  file_name: string;
  sha256: string;
  imported_by: string | null;
  actor: string;
  status: Generated<ImportStatus>;
  message: string | null;
  rows_read: Generated<number>;
  imported_count: Generated<number>;
  duplicate_count: Generated<number>;
  bad_count: Generated<number>;
  bad_rows: Json<{ line: number; problems: string[] }[]>;
  started_at: Generated<Date>;
  finished_at: Date | null;
}

export interface CardTransactionsTable {
  id: string;
  partnership_id: string;
  import_id: string;
  holding_account_id: string;
  batch_no: number;
  line_no: number;
  provider_transaction_id: string;
  occurred_on: ColumnType<CivilDate, string, string>;
  amount_pence: number;
  description: string;
  /** The merchant category code as a number (0742 is 742). */
  mcc: number | null;
  category: string | null;
  plan_item_id: string | null;
}

/** One per import batch that wrote rows: its ledger transaction (null when nothing was posted). */
export interface StatementImportBatchesTable {
  partnership_id: string;
  import_id: string;
  batch_no: number;
  ledger_transaction_id: string | null;
  rows_imported: number;
}

export interface MonitoringSettingsTable {
  partnership_id: string;
  balance_weeks: Generated<number>;
  no_activity_weeks: Generated<number>;
  updated_by: string | null;
  updated_at: Generated<Date>;
}

export type FlagKind =
  | 'balance_above_weeks'
  | 'outside_plan_categories'
  | 'never_buy_category'
  | 'no_activity'
  | 'overspend';
export type FlagStatus = 'open' | 'dismissed' | 'contacted' | 'recovery_proposed' | 'resolved';

export interface MonitoringFlagsTable {
  id: Generated<string>;
  partnership_id: string;
  person_id: string;
  holding_account_id: string | null;
  kind: FlagKind;
  details: Json<Record<string, unknown>>;
  status: Generated<FlagStatus>;
  raised_on: ColumnType<CivilDate, string, string>;
  raised_at: Generated<Date>;
  reason: string | null;
  actioned_by: string | null;
  actioned_at: Date | null;
  version: Generated<number>;
}

export type RecoveryStatus = 'proposed' | 'confirmed' | 'withdrawn';

export interface RecoveriesTable {
  id: Generated<string>;
  partnership_id: string;
  person_id: string;
  holding_account_id: string;
  flag_id: string | null;
  amount_pence: number;
  reasons: string;
  repay_by: ColumnType<CivilDate, string, string>;
  who_must_repay: string;
  reconsideration: string;
  status: Generated<RecoveryStatus>;
  proposed_by: string | null;
  proposed_at: Generated<Date>;
  confirmed_by: string | null;
  confirmed_at: Date | null;
  ledger_transaction_id: string | null;
}

export type StatementTables = {
  statement_imports: StatementImportsTable;
  card_transactions: CardTransactionsTable;
  statement_import_batches: StatementImportBatchesTable;
  monitoring_settings: MonitoringSettingsTable;
  monitoring_flags: MonitoringFlagsTable;
  recoveries: RecoveriesTable;
};

/** The transaction with this feature's tables added to its type. */
export const st = (tx: Tx): Transaction<Schema & StatementTables> =>
  tx.withTables<StatementTables>();
