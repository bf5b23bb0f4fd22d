// The tables of migration 0006, typed for Kysely. They are added to a transaction's schema with
// `tx.withTables<BudgetTables>()` (see store.ts), so this feature does not edit the shared
// schema file.
import type { ColumnType, Generated } from 'kysely';
import type { CivilDate } from '../../platform/dates.js';
import type { FundingBody, Holding } from './rules.js';

export type LineStatus = 'due' | 'in_run' | 'paid' | 'cancelled';
export type RunStatus = 'prepared' | 'approved' | 'posted' | 'cancelled';

export interface BudgetsTable {
  id: Generated<string>;
  partnership_id: string;
  person_id: string;
  plan_id: string;
  stream_id: string;
  stream_name: string;
  funding_body: FundingBody;
  holding: Holding;
  financial_year: number;
  starts_on: CivilDate;
  amount_pence: number;
  ledger_account_id: string;
  holding_account_id: string | null;
  payee_name: string | null;
  payee_reference: string | null;
  created_by: string | null;
  created_at: Generated<Date>;
  /** Set when a new plan version replaced the budget (migration 0012). */
  ends_on: CivilDate | null;
  replaced_by_plan_id: string | null;
  ended_at: Date | null;
}

export interface CommitmentEndsTable {
  commitment_id: string;
  partnership_id: string;
  ends_on: CivilDate;
  amount_pence: number;
  created_at: Generated<Date>;
}

export interface FinancialAssessmentsTable {
  id: Generated<string>;
  partnership_id: string;
  person_id: string;
  weekly_contribution_pence: number;
  effective_from: CivilDate;
  recorded_by: string | null;
  recorded_at: Generated<Date>;
}

export interface PaymentRunsTable {
  id: Generated<string>;
  partnership_id: string;
  status: ColumnType<RunStatus, RunStatus | undefined, RunStatus>;
  due_up_to: CivilDate;
  prepared_by: string;
  prepared_at: Generated<Date>;
  approved_by: string | null;
  approved_at: Date | null;
  posted_at: Date | null;
  line_count: ColumnType<number, number | undefined, number>;
  total_pence: ColumnType<number, number | undefined, number>;
}

export interface PaymentScheduleLinesTable {
  id: Generated<string>;
  partnership_id: string;
  budget_id: string;
  person_id: string;
  kind: 'periodic' | 'one_off';
  period_no: number;
  due_on: CivilDate;
  amount_pence: number;
  contribution_pence: number;
  description: string;
  reference: string;
  status: ColumnType<LineStatus, LineStatus | undefined, LineStatus>;
  run_id: string | null;
  ledger_transaction_id: string | null;
  paid_at: Date | null;
  created_at: Generated<Date>;
}

export interface PaymentRunLinesTable {
  partnership_id: string;
  run_id: string;
  line_id: string;
  person_id: string;
  funding_body: FundingBody;
  payee: string;
  account_reference: string;
  amount_pence: number;
  reference: string;
}

export interface CommitmentsTable {
  id: Generated<string>;
  partnership_id: string;
  budget_id: string;
  person_id: string;
  item_id: string;
  what: string;
  provider_name: string;
  provider_account_id: string;
  amount_pence: number;
  created_at: Generated<Date>;
}

export interface ProviderInvoicesTable {
  id: Generated<string>;
  partnership_id: string;
  commitment_id: string;
  invoice_number: string;
  invoice_date: CivilDate;
  amount_pence: number;
  ledger_transaction_id: string;
  recorded_by: string | null;
  recorded_at: Generated<Date>;
}

// A type alias (not an interface) so it fits withTables' Record<string, …> constraint.
export type BudgetTables = {
  budgets: BudgetsTable;
  financial_assessments: FinancialAssessmentsTable;
  payment_runs: PaymentRunsTable;
  payment_schedule_lines: PaymentScheduleLinesTable;
  payment_run_lines: PaymentRunLinesTable;
  commitments: CommitmentsTable;
  commitment_ends: CommitmentEndsTable;
  provider_invoices: ProviderInvoicesTable;
};
