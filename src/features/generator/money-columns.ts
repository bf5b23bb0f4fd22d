// The shapes and columns of the generator's budgets, ledger and card loading (issue 5 point 9).
import type { CivilDate } from '../../platform/dates.js';
import type { PlanDocument } from '../planning/index.js';
import type { makeIdFactory } from './rules.js';

type IdFactory = ReturnType<typeof makeIdFactory>;

export const FINANCIAL_ASSESSMENT_COLUMNS = [
  'id',
  'partnership_id',
  'person_id',
  'weekly_contribution_pence',
  'effective_from',
  'recorded_by',
  'recorded_at',
] as const;
export const ACCOUNT_COLUMNS = [
  'id',
  'partnership_id',
  'key',
  'kind',
  'funding_body',
  'person_id',
  'budget_id',
  'name',
  'reference',
] as const;
export const BUDGET_COLUMNS = [
  'id',
  'partnership_id',
  'person_id',
  'plan_id',
  'stream_id',
  'stream_name',
  'funding_body',
  'holding',
  'financial_year',
  'starts_on',
  'amount_pence',
  'ledger_account_id',
  'holding_account_id',
  'payee_name',
  'payee_reference',
  'created_by',
  'created_at',
] as const;
export const TRANSACTION_COLUMNS = [
  'id',
  'partnership_id',
  'idempotency_key',
  'kind',
  'occurred_on',
  'description',
  'entry_count',
  'posted_by',
] as const;
export const ENTRY_COLUMNS = [
  'partnership_id',
  'transaction_id',
  'account_id',
  'amount_pence',
  'source_ref',
] as const;
export const LINE_COLUMNS = [
  'id',
  'partnership_id',
  'budget_id',
  'person_id',
  'kind',
  'period_no',
  'due_on',
  'amount_pence',
  'contribution_pence',
  'description',
  'reference',
  'status',
  'run_id',
  'ledger_transaction_id',
  'paid_at',
  'created_at',
] as const;
export const COMMITMENT_COLUMNS = [
  'id',
  'partnership_id',
  'budget_id',
  'person_id',
  'item_id',
  'what',
  'provider_name',
  'provider_account_id',
  'amount_pence',
  'created_at',
] as const;
export const RUN_COLUMNS = [
  'id',
  'partnership_id',
  'status',
  'due_up_to',
  'prepared_by',
  'prepared_at',
  'approved_by',
  'approved_at',
  'posted_at',
] as const;
export const RUN_LINE_COLUMNS = [
  'partnership_id',
  'run_id',
  'line_id',
  'person_id',
  'funding_body',
  'payee',
  'account_reference',
  'amount_pence',
  'reference',
] as const;
export { CARD_COLUMNS } from '../statements/index.js';
export const IMPORT_BATCH_COLUMNS = [
  'partnership_id',
  'import_id',
  'batch_no',
  'ledger_transaction_id',
  'rows_imported',
] as const;

/**
 * The statement formats (built-in mappings) generated transactions are recorded as: prepaid-card
 * statements for direct payments, bank statements from third parties and ISF providers.
 */
export const CARD_PROVIDER = 'prepaid-card';
export const BANK_PROVIDER = 'bank';
/** Card transactions in one import batch at most (the statements import's default). */
export const CARD_BATCH = 100_000;

export interface MoneyContext {
  partnershipId: string;
  seed: number;
  /** The day the generated world stands on: lines due by then are paid, cards spent up to it. */
  asOf: CivilDate;
  /** Assessment rows, in person order; the latest of each person has the approved plan. */
  count: number;
  isLatest: (r: number) => boolean;
  personOfRow: (r: number) => number;
  personId: (person: number) => string;
  personName: (person: number) => string;
  coordinatorId: (person: number) => string;
  planId: (r: number) => string;
  document: (r: number) => PlanDocument;
  approvedOn: (r: number) => CivilDate;
  id: IdFactory;
  /** Two finance officers: the first prepares the payment runs, the second approves them. */
  financeUsers: readonly [string, string];
  /** People a chunk (each table gets one COPY a chunk). */
  chunkPeople: number;
}

export interface MoneyCounts {
  budgets: number;
  financialAssessments: number;
  scheduleLines: number;
  paidLines: number;
  commitments: number;
  paymentRuns: number;
  ledgerAccounts: number;
  ledgerTransactions: number;
  ledgerEntries: number;
  statementImports: number;
  cardTransactions: number;
}

// ---------------------------------------------------------------------------------------------
// Loading

export const monthIndex = (d: string) => Number(d.slice(0, 4)) * 12 + Number(d.slice(5, 7)) - 1;
export const monthLabel = (m: number) =>
  `${String(Math.floor(m / 12))}-${String((m % 12) + 1).padStart(2, '0')}`;

export function once(text: string): AsyncIterable<string> {
  return {
    [Symbol.asyncIterator]: () => {
      let done = text.length === 0;
      return {
        next: () => {
          const r = done
            ? { done: true as const, value: undefined }
            : { done: false as const, value: text };
          done = true;
          return Promise.resolve(r);
        },
      };
    },
  };
}

export interface ImportState {
  id: string;
  provider: string;
  month: number;
  batchNo: number;
  lineNo: number;
  count: number;
  inserted: boolean;
}

/** A month's statement from one provider: key = month × 2, + 1 for bank statements. */
export function newImport(id: string, key: number): ImportState {
  const provider = key % 2 === 1 ? BANK_PROVIDER : CARD_PROVIDER;
  return {
    id,
    provider,
    month: Math.floor(key / 2),
    batchNo: 0,
    lineNo: 1,
    count: 0,
    inserted: false,
  };
}

export interface RunState {
  id: string;
  periodNo: number;
  lines: number;
  total: number;
  dueUpTo: CivilDate;
  prepared: CivilDate;
}

/** The output of one chunk: CSV lines per table. */
export class Chunk {
  assessments: string[] = [];
  accounts: string[] = [];
  budgets: string[] = [];
  transactions: string[] = [];
  entries: string[] = [];
  lines: string[] = [];
  commitments: string[] = [];
  runLines: string[] = [];
  cards: string[] = [];
  importBatches: string[] = [];
  people = 0;
}
